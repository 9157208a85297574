//! Signed acknowledgments: SSH signatures (sshsig) over a canonical payload, in the namespace
//! `tessera-ack`, so that anyone can check an ack with `ssh-keygen -Y verify` and no Tessera.
//!
//! Pure: [`payload`], [`allowed_signers`], [`discover`], [`trust`] and the signature maths here.
//! IO lives in [`key`] only (key files, `ssh-keygen`).

pub mod allowed_signers;
pub mod discover;
pub mod error;
pub mod key;
pub mod payload;
pub mod time;
pub mod trust;

#[cfg(test)]
mod tests_tools;

use std::fmt;
use std::path::{Path, PathBuf};

use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

pub use allowed_signers::{AllowedSigner, AllowedSigners, RejectedEntry, export};
pub use discover::{KeyCandidates, KeyOrigin, KeySource, discover_key};
pub use error::SignError;
pub use key::{KeygenKey, load_private_key, public_key_of, sign_with_source, sign_with_ssh_keygen};
pub use payload::{AckPayload, Decision};
pub use trust::{Member, ProposalView, Rejection, StoredAck, evaluate};

/// The sshsig namespace of acks (`ssh-keygen -n`). A signature made for anything else (a git
/// commit is `git`, a file is `file`) can never count as an ack, and an ack never as those.
pub const NAMESPACE: &str = "tessera-ack";

/// A decrypted private key, ready to sign.
pub struct SigningKey {
    key: PrivateKey,
    path: Option<PathBuf>,
}

impl SigningKey {
    /// Wraps a decrypted key; `path` is only for messages.
    pub fn new(key: PrivateKey, path: Option<PathBuf>) -> Result<SigningKey, SignError> {
        if key.is_encrypted() {
            return Err(SignError::PassphraseRequired {
                path: path.unwrap_or_default(),
            });
        }
        Ok(SigningKey { key, path })
    }

    /// `ssh-ed25519 AAAA…`, without a comment: the form registered for a user.
    pub fn public_key_openssh(&self) -> String {
        openssh_without_comment(self.key.public_key())
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fn fingerprint_sha256(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The key's comment, often its owner's email.
    pub fn comment(&self) -> &str {
        self.key.comment()
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

// The private key must never reach a log through `{:?}`.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.fingerprint_sha256())
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What a good signature says about its signer; who that is, is for the caller to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// `ssh-ed25519 AAAA…`, without a comment.
    pub public_key_openssh: String,
    /// `SHA256:…`.
    pub fingerprint_sha256: String,
}

/// Signs `payload_text` (the exact bytes of [`AckPayload::to_text`]) in the `tessera-ack`
/// namespace with SHA-512, as `ssh-keygen -Y sign` would. Returns the armored
/// `-----BEGIN SSH SIGNATURE-----` block with LF line endings and a final newline.
pub fn sign_payload(payload_text: &[u8], key: &SigningKey) -> Result<String, SignError> {
    let sign_err = |e: ssh_key::Error| SignError::Sign {
        algorithm: key.key.algorithm().to_string(),
        reason: e.to_string(),
    };
    let sig = match key.key.key_data() {
        KeypairData::Rsa(rsa) => sign_rsa(rsa, payload_text),
        _ => key.key.sign(NAMESPACE, HashAlg::Sha512, payload_text),
    }
    .map_err(sign_err)?;
    let mut armored = sig.to_pem(LineEnding::LF).map_err(sign_err)?;
    if !armored.ends_with('\n') {
        armored.push('\n');
    }
    Ok(armored)
}

/// sshsig with an RSA key, `rsa-sha2-512` as ssh-keygen makes it. ssh-key 0.6.7 builds its RSA
/// key from the primes `[p, p]` and so fails every RSA signature (RustCrypto/SSH#217); remove this
/// when moving to ssh-key 0.7. PKCS#1 v1.5 is deterministic, so no random source is needed (and,
/// as in ssh-key, there is no blinding: a signer on the user's own machine offers no timing oracle).
fn sign_rsa(keypair: &RsaKeypair, msg: &[u8]) -> Result<SshSig, ssh_key::Error> {
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    let uint = |m: &ssh_key::Mpint| {
        m.as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or(ssh_key::Error::Crypto)
    };
    let private = rsa::RsaPrivateKey::from_components(
        uint(&keypair.public.n)?,
        uint(&keypair.public.e)?,
        uint(&keypair.private.d)?,
        vec![uint(&keypair.private.p)?, uint(&keypair.private.q)?],
    )
    .map_err(|_| ssh_key::Error::Crypto)?;
    // OpenSSH's own floor; a smaller key is refused by ssh-keygen -Y verify anyway.
    if private.size() * 8 < 2048 {
        return Err(ssh_key::Error::Crypto);
    }
    let signed_data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, msg)?;
    let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private)
        .try_sign(&signed_data)
        .map_err(|_| ssh_key::Error::Crypto)?;
    let signature = ssh_key::Signature::new(
        Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        signature.to_vec(),
    )?;
    SshSig::new(
        KeyData::from(keypair.public.clone()),
        NAMESPACE,
        HashAlg::Sha512,
        signature,
    )
}

/// Checks that `armored_sig` is a good signature of `payload_text` in `namespace`, by the key
/// embedded in the signature. Whether that key may speak for anyone is a separate question
/// ([`trust::evaluate`], [`AllowedSigners`]).
pub fn verify(
    payload_text: &[u8],
    armored_sig: &str,
    namespace: &str,
) -> Result<VerifiedSignature, SignError> {
    let sig = SshSig::from_pem(armored_sig.trim().as_bytes()).map_err(|e| {
        SignError::MalformedSignature {
            reason: e.to_string(),
        }
    })?;
    // Checked before the maths so that a git commit signature gets this message, not a generic
    // "does not verify".
    if sig.namespace() != namespace {
        return Err(SignError::WrongNamespace {
            found: sig.namespace().to_string(),
            expected: namespace.to_string(),
        });
    }
    let public_key = PublicKey::from(sig.public_key().clone());
    public_key
        .verify(namespace, payload_text, &sig)
        .map_err(|e| SignError::BadSignature {
            reason: match e {
                ssh_key::Error::AlgorithmUnsupported { algorithm } => {
                    format!("{algorithm} keys are not supported for verification")
                }
                _ => "the signature does not match the payload".into(),
            },
        })?;
    Ok(VerifiedSignature {
        public_key_openssh: openssh_without_comment(&public_key),
        fingerprint_sha256: public_key.fingerprint(HashAlg::Sha256).to_string(),
    })
}

fn openssh_without_comment(key: &PublicKey) -> String {
    let mut key = key.clone();
    key.set_comment("");
    // Encoding a key that was decoded cannot fail; fall back to its fingerprint rather than panic.
    key.to_openssh()
        .unwrap_or_else(|_| key.fingerprint(HashAlg::Sha256).to_string())
}

#[cfg(test)]
pub(crate) mod test_keys {
    use ssh_key::PrivateKey;
    use ssh_key::private::Ed25519Keypair;

    use super::SigningKey;

    /// A deterministic ed25519 key, so pure tests need neither randomness nor ssh-keygen.
    pub fn key(seed: u8, comment: &str) -> SigningKey {
        let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]));
        key.set_comment(comment);
        SigningKey::new(key, None).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_natively() {
        let key = test_keys::key(1, "alice@example.com");
        let sig = sign_payload(b"hello\n", &key).unwrap();
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----\n"));
        assert!(sig.ends_with("-----END SSH SIGNATURE-----\n"));
        let v = verify(b"hello\n", &sig, NAMESPACE).unwrap();
        assert_eq!(v.public_key_openssh, key.public_key_openssh());
        assert_eq!(v.fingerprint_sha256, key.fingerprint_sha256());
        assert!(v.fingerprint_sha256.starts_with("SHA256:"));
        assert!(!v.public_key_openssh.contains("alice"));
        // Armor as stored or pasted: CRLF, no final newline, surrounding blanks.
        let crlf = sig.replace('\n', "\r\n");
        assert!(verify(b"hello\n", &crlf, NAMESPACE).is_ok());
        assert!(verify(b"hello\n", sig.trim_end(), NAMESPACE).is_ok());
        assert!(verify(b"hello\n", &format!("\n  {sig}\n"), NAMESPACE).is_ok());
    }

    #[test]
    fn names_each_failure() {
        let key = test_keys::key(1, "alice@example.com");
        let sig = sign_payload(b"hello\n", &key).unwrap();
        assert!(matches!(
            verify(b"hello!\n", &sig, NAMESPACE),
            Err(SignError::BadSignature { .. })
        ));
        let err = verify(b"hello\n", &sig, "git").unwrap_err();
        assert_eq!(
            err.to_string(),
            "signature namespace is `tessera-ack`, expected `git`"
        );
        assert!(matches!(
            verify(b"hello\n", "not a signature", NAMESPACE),
            Err(SignError::MalformedSignature { .. })
        ));
        let git_sig = key
            .key
            .sign("git", HashAlg::Sha512, b"hello\n")
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap();
        let err = verify(b"hello\n", &git_sig, NAMESPACE).unwrap_err();
        assert_eq!(
            err.to_string(),
            "signature namespace is `git`, expected `tessera-ack`"
        );
        assert!(format!("{key:?}").contains("SHA256:"));
    }

    #[test]
    fn errors_carry_codes_and_help() {
        use miette::Diagnostic;
        let missing = SignError::KeyNotFound {
            path: "/home/ana/.ssh/id_ed25519".into(),
            origin: Some(KeyOrigin::Default),
        };
        assert_eq!(
            missing.to_string(),
            "signing key /home/ana/.ssh/id_ed25519 does not exist (named by the default ~/.ssh/id_ed25519)"
        );
        assert_eq!(
            missing.code().unwrap().to_string(),
            "tessera::sign::key_not_found"
        );
        assert_eq!(
            missing.help().unwrap().to_string(),
            "pass --key PATH, set TESSERA_SIGNING_KEY, or create one with `ssh-keygen -t ed25519`"
        );
        let open = SignError::KeyPermissions {
            path: "/k".into(),
            mode: 0o644,
        };
        assert_eq!(
            open.to_string(),
            "signing key /k is readable by other users (mode 0644)"
        );
        assert!(open.help().unwrap().to_string().contains("chmod 600 /k"));
        assert!(
            open.help()
                .unwrap()
                .to_string()
                .contains("ssh-keygen refuse")
        );
    }
}
