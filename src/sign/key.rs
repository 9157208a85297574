//! The only IO of signing: reading key files, and running `ssh-keygen -Y sign` for keys whose
//! private half Tessera cannot touch (ssh-agent, FIDO authenticators).

use std::fs;
use std::io::{BufRead, BufReader, IsTerminal, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

use ssh_key::{PrivateKey, PublicKey};

use super::discover::{KeyOrigin, KeySource};
use super::error::SignError;
use super::{NAMESPACE, SigningKey, sign_payload, verify};

/// Reads an OpenSSH private key file, asking `passphrase` only when the key is encrypted.
/// Refuses a key that other users can read, as ssh does, so that an ack cannot rest on a key that
/// may have leaked.
pub fn load_private_key(
    path: &Path,
    passphrase: &dyn Fn() -> Option<String>,
) -> Result<SigningKey, SignError> {
    let text = read_key_file(path, None)?;
    let key = parse_private_key(path, &text.0)?;
    unlock(path, key, passphrase)
}

fn read_key_file(path: &Path, origin: Option<KeyOrigin>) -> Result<Secret, SignError> {
    fs::read(path)
        .map(Secret)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => SignError::KeyNotFound {
                path: path.to_path_buf(),
                origin,
            },
            _ => SignError::KeyRead {
                path: path.to_path_buf(),
                source,
            },
        })
}

fn parse_private_key(path: &Path, text: &[u8]) -> Result<PrivateKey, SignError> {
    let text = String::from_utf8_lossy(text);
    PrivateKey::from_openssh(text.trim_start()).map_err(|e| SignError::KeyFormat {
        path: path.to_path_buf(),
        reason: describe_format_error(&text, &e),
    })
}

/// Checks the file mode and decrypts, asking for the passphrase only when needed.
fn unlock(
    path: &Path,
    key: PrivateKey,
    passphrase: &dyn Fn() -> Option<String>,
) -> Result<SigningKey, SignError> {
    check_permissions(path)?;
    if !key.is_encrypted() {
        return SigningKey::new(key, Some(path.to_path_buf()));
    }
    let secret = passphrase().ok_or_else(|| SignError::PassphraseRequired {
        path: path.to_path_buf(),
    })?;
    let secret = Secret(secret.into_bytes());
    let key = key.decrypt(&secret.0).map_err(|e| match e {
        // A wrong passphrase decrypts to garbage: the check integers differ (or, with an
        // AEAD cipher, the tag fails), rarely the garbage gets further and fails to decode.
        ssh_key::Error::Crypto
        | ssh_key::Error::PublicKey
        | ssh_key::Error::Encoding(_)
        | ssh_key::Error::FormatEncoding => SignError::WrongPassphrase {
            path: path.to_path_buf(),
        },
        other => SignError::Decrypt {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    })?;
    SigningKey::new(key, Some(path.to_path_buf()))
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), SignError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = fs::metadata(path).map_err(|source| SignError::KeyRead {
        path: path.to_path_buf(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(SignError::KeyPermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_: &Path) -> Result<(), SignError> {
    Ok(())
}

fn describe_format_error(text: &str, e: &ssh_key::Error) -> String {
    let first = text.trim_start().lines().next().unwrap_or_default();
    if first.starts_with("-----BEGIN") && !first.contains("OPENSSH PRIVATE KEY") {
        format!(
            "it is a `{}` file, an older format",
            first.trim_matches('-').trim()
        )
    } else if PublicKey::from_openssh(text.trim()).is_ok() {
        "it is a public key".into()
    } else {
        e.to_string()
    }
}

/// Overwrites secret bytes (a passphrase, an unencrypted key file) when they go out of scope, so
/// they do not linger in freed heap.
struct Secret(Vec<u8>);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&self.0);
    }
}

/// How `ssh-keygen` finds the private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeygenKey {
    /// `-f` names a public key whose private half is in ssh-agent (`-U`).
    Agent,
    /// `-f` names a private key file that only ssh-keygen can use (e.g. a FIDO key handle).
    File,
}

/// Signs `payload` with `ssh-keygen -Y sign -n tessera-ack`, the way git signs commits with
/// agent-held keys. The payload goes through a temporary file rather than stdin, because
/// ssh-keygen may read a passphrase or PIN from the terminal. The result is verified before it is
/// returned, so a broken ssh-keygen cannot produce an ack that later fails.
pub fn sign_with_ssh_keygen(
    key: &Path,
    payload: &[u8],
    how: KeygenKey,
) -> Result<String, SignError> {
    run_ssh_keygen(key, payload, how, None)
}

/// `agent_socket` overrides `SSH_AUTH_SOCK` for the child only, so tests can use their own agent
/// without touching the process environment.
pub(crate) fn run_ssh_keygen(
    key: &Path,
    payload: &[u8],
    how: KeygenKey,
    agent_socket: Option<&Path>,
) -> Result<String, SignError> {
    let dir = tempfile::Builder::new()
        .prefix("tessera-sign")
        .tempdir()
        .map_err(SignError::SshKeygenIo)?;
    let payload_path = dir.path().join("payload");
    fs::write(&payload_path, payload).map_err(SignError::SshKeygenIo)?;

    let mut command = Command::new("ssh-keygen");
    command.args(["-Y", "sign", "-n", NAMESPACE, "-f"]).arg(key);
    if how == KeygenKey::Agent {
        command.arg("-U");
    }
    if let Some(socket) = agent_socket {
        command.env("SSH_AUTH_SOCK", socket);
    }
    command
        .arg(&payload_path)
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SignError::SshKeygenMissing {
            what: match how {
                KeygenKey::Agent => format!("the ssh-agent key {}", key.display()),
                KeygenKey::File => format!("the security-key file {}", key.display()),
            },
        },
        _ => SignError::SshKeygenIo(e),
    })?;
    // Prompts ("Confirm user presence for key …") must reach the user while ssh-keygen waits;
    // its progress chatter must not.
    // Off a terminal nobody can answer a prompt, and the failure message carries the text.
    let mut terminal = std::io::stderr().is_terminal().then(std::io::stderr);
    let mut stderr_lines = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with("Signing file ") || line.starts_with("Write signature to ") {
                continue;
            }
            if let Some(out) = terminal.as_mut() {
                let _ = writeln!(out, "{line}");
            }
            stderr_lines.push(line);
        }
    }
    let status = child.wait().map_err(SignError::SshKeygenIo)?;
    if !status.success() {
        return Err(SignError::SshKeygenFailed {
            status: status.to_string(),
            stderr: stderr_lines.join("\n").trim().to_string(),
        });
    }
    let armored =
        fs::read_to_string(payload_path.with_extension("sig")).map_err(SignError::SshKeygenIo)?;
    verify(payload, &armored, NAMESPACE)?;
    Ok(armored)
}

/// Signs `payload` with the key `discover_key` chose: natively for a private key file, through
/// ssh-keygen for everything else.
pub fn sign_with_source(
    source: &KeySource,
    origin: KeyOrigin,
    payload: &[u8],
    passphrase: &dyn Fn() -> Option<String>,
) -> Result<String, SignError> {
    sign_source(source, origin, payload, passphrase, None)
}

pub(crate) fn sign_source(
    source: &KeySource,
    origin: KeyOrigin,
    payload: &[u8],
    passphrase: &dyn Fn() -> Option<String>,
    agent_socket: Option<&Path>,
) -> Result<String, SignError> {
    match source {
        KeySource::Literal(literal) => {
            let public = PublicKey::from_openssh(literal).map_err(|e| SignError::PublicKey {
                owner: origin.to_string(),
                reason: e.to_string(),
            })?;
            let dir = tempfile::Builder::new()
                .prefix("tessera-key")
                .tempdir()
                .map_err(SignError::SshKeygenIo)?;
            let path = dir.path().join("key.pub");
            let encoded = public.to_openssh().map_err(|e| SignError::PublicKey {
                owner: origin.to_string(),
                reason: e.to_string(),
            })?;
            fs::write(&path, format!("{encoded}\n")).map_err(SignError::SshKeygenIo)?;
            run_ssh_keygen(&path, payload, KeygenKey::Agent, agent_socket)
        }
        KeySource::File(path) => {
            let text = read_key_file(path, Some(origin))?;
            if is_public_key(&text.0) {
                return run_ssh_keygen(path, payload, KeygenKey::Agent, agent_socket);
            }
            let key = parse_private_key(path, &text.0)?;
            // A FIDO key file holds only a handle: the secret stays in the authenticator, which
            // only ssh-keygen (through its sk helper) can talk to. The algorithm is readable
            // without the passphrase because OpenSSH stores the public key in the clear.
            let data = key.public_key().key_data();
            if data.is_sk_ed25519() || data.is_sk_ecdsa_p256() {
                return run_ssh_keygen(path, payload, KeygenKey::File, agent_socket);
            }
            sign_payload(payload, &unlock(path, key, passphrase)?)
        }
    }
}

fn is_public_key(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    let text = text.trim();
    !text.contains('\n') && PublicKey::from_openssh(text).is_ok()
}

/// The public half of the key `source` names, without signing and without a passphrase: OpenSSH
/// keeps the public key of an encrypted private key in the clear. `ack` needs it before signing,
/// to name the signer in the payload.
pub fn public_key_of(source: &KeySource, origin: KeyOrigin) -> Result<PublicKey, SignError> {
    match source {
        KeySource::Literal(literal) => {
            PublicKey::from_openssh(literal).map_err(|e| SignError::PublicKey {
                owner: origin.to_string(),
                reason: e.to_string(),
            })
        }
        KeySource::File(path) => {
            let text = read_key_file(path, Some(origin))?;
            if is_public_key(&text.0) {
                let text = String::from_utf8_lossy(&text.0);
                return PublicKey::from_openssh(text.trim()).map_err(|e| SignError::PublicKey {
                    owner: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
            Ok(parse_private_key(path, &text.0)?.public_key().clone())
        }
    }
}
