//! Errors of signing and verification. Each one names the file or line involved and, where the
//! user can fix it, says how.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use super::discover::KeyOrigin;

const CREATE_KEY_HELP: &str =
    "pass --key PATH, set TESSERA_SIGNING_KEY, or create one with `ssh-keygen -t ed25519`";

#[derive(Debug, Error, Diagnostic)]
pub enum SignError {
    #[error("no signing key configured, and no home directory to look for ~/.ssh/id_ed25519 in")]
    #[diagnostic(code(tessera::sign::no_key), help("{}", CREATE_KEY_HELP))]
    NoKeyConfigured,

    #[error("signing key {} does not exist{}", path.display(), origin.map(|o| format!(" (named by {o})")).unwrap_or_default())]
    #[diagnostic(code(tessera::sign::key_not_found), help("{}", CREATE_KEY_HELP))]
    KeyNotFound {
        path: PathBuf,
        origin: Option<KeyOrigin>,
    },

    #[error("cannot read signing key {}: {source}", path.display())]
    #[diagnostic(code(tessera::sign::key_read))]
    KeyRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("signing key {} is readable by other users (mode {mode:04o})", path.display())]
    #[diagnostic(
        code(tessera::sign::key_permissions),
        help(
            "run `chmod 600 {}`: ssh and ssh-keygen refuse a private key others can read, and so does Tessera",
            path.display()
        )
    )]
    KeyPermissions { path: PathBuf, mode: u32 },

    #[error("{} is not an OpenSSH private key: {reason}", path.display())]
    #[diagnostic(
        code(tessera::sign::key_format),
        help(
            "Tessera reads keys that begin with `-----BEGIN OPENSSH PRIVATE KEY-----`; `ssh-keygen -p -f {}` rewrites an older PEM key in that format",
            path.display()
        )
    )]
    KeyFormat { path: PathBuf, reason: String },

    #[error("signing key {} is protected by a passphrase, and none was given", path.display())]
    #[diagnostic(
        code(tessera::sign::passphrase_required),
        help(
            "run on a terminal to be asked for it, set TESSERA_SSH_PASSPHRASE, or add the key to ssh-agent and pass its .pub file with --key"
        )
    )]
    PassphraseRequired { path: PathBuf },

    #[error("wrong passphrase for signing key {}", path.display())]
    #[diagnostic(
        code(tessera::sign::wrong_passphrase),
        help("check TESSERA_SSH_PASSPHRASE, or try the passphrase with `ssh-keygen -y -f {}`", path.display())
    )]
    WrongPassphrase { path: PathBuf },

    #[error("cannot decrypt signing key {}: {reason}", path.display())]
    #[diagnostic(
        code(tessera::sign::decrypt),
        help("add the key to ssh-agent (`ssh-add {}`) and pass its .pub file with --key", path.display())
    )]
    Decrypt { path: PathBuf, reason: String },

    #[error("could not sign with the {algorithm} key: {reason}")]
    #[diagnostic(code(tessera::sign::sign))]
    Sign { algorithm: String, reason: String },

    #[error("not an SSH signature: {reason}")]
    #[diagnostic(
        code(tessera::sign::malformed_signature),
        help(
            "an ack signature is an armored block from `-----BEGIN SSH SIGNATURE-----` to `-----END SSH SIGNATURE-----`"
        )
    )]
    MalformedSignature { reason: String },

    #[error("signature namespace is `{found}`, expected `{expected}`")]
    #[diagnostic(
        code(tessera::sign::wrong_namespace),
        help(
            "this signature was made for another purpose (e.g. a git commit) and cannot acknowledge a change; sign with `ssh-keygen -Y sign -n {expected}` or `tessera ack`"
        )
    )]
    WrongNamespace { found: String, expected: String },

    #[error("signature does not verify against the payload: {reason}")]
    #[diagnostic(
        code(tessera::sign::bad_signature),
        help(
            "the payload or the signature was changed after signing; the ack has to be signed again"
        )
    )]
    BadSignature { reason: String },

    #[error("malformed ack payload, line {line}: {reason}")]
    #[diagnostic(
        code(tessera::sign::malformed_payload),
        help(
            "an ack payload is the exact text Tessera signed: `tessera-ack v1`, then `key: value` lines in a fixed order, LF line endings, a final newline"
        )
    )]
    MalformedPayload { line: usize, reason: String },

    #[error("invalid ack field `{field}`: {reason}")]
    #[diagnostic(code(tessera::sign::invalid_field))]
    InvalidField { field: &'static str, reason: String },

    #[error("allowed_signers line {line}: {reason}")]
    #[diagnostic(
        code(tessera::sign::allowed_signers),
        help(
            "each line is `principals [options] keytype base64-key [comment]`, see ALLOWED SIGNERS in ssh-keygen(1)"
        )
    )]
    AllowedSigners { line: usize, reason: String },

    #[error("registered key of {owner} is not an OpenSSH public key: {reason}")]
    #[diagnostic(
        code(tessera::sign::public_key),
        help("a key is one line like `ssh-ed25519 AAAAC3Nza… comment`, as in a .pub file")
    )]
    PublicKey { owner: String, reason: String },

    #[error("`{principal}` cannot be written as an allowed_signers principal: {reason}")]
    #[diagnostic(code(tessera::sign::principal))]
    Principal { principal: String, reason: String },

    #[error("ssh-keygen is needed to sign with {what}, and it was not found")]
    #[diagnostic(
        code(tessera::sign::ssh_keygen_missing),
        help(
            "install OpenSSH (e.g. the `openssh-client` package), or pass a private key file with --key"
        )
    )]
    SshKeygenMissing { what: String },

    #[error("`ssh-keygen -Y sign` failed ({status}){}", if stderr.is_empty() { String::new() } else { format!(": {stderr}") })]
    #[diagnostic(
        code(tessera::sign::ssh_keygen_failed),
        help(
            "for a key held by ssh-agent, check `ssh-add -L` lists it; ssh-keygen also refuses a private key file others can read (`chmod 600` it)"
        )
    )]
    SshKeygenFailed { status: String, stderr: String },

    #[error("could not run ssh-keygen: {0}")]
    #[diagnostic(code(tessera::sign::ssh_keygen_io))]
    SshKeygenIo(#[source] std::io::Error),
}
