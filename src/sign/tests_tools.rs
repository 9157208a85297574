//! Interoperability with the real OpenSSH tools, in both directions. These tests skip (saying
//! so) where `ssh-keygen` is missing, unless `TESSERA_TEST_REQUIRE_TOOLS=1`, where a missing tool
//! is a failure: CI must not pass by skipping the one check that matters.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::key::{run_ssh_keygen, sign_source};
use super::payload::tests::sample;
use super::trust::tests::proposal;
use super::*;

fn tool(name: &str) -> bool {
    let found = Command::new(name)
        .arg("-?")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var("TESSERA_TEST_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{name} not found, and TESSERA_TEST_REQUIRE_TOOLS=1"
        );
        eprintln!("skipped: {name} not found");
    }
    found
}

/// `ssh-keygen -q -t ed25519 -N <passphrase> -C <email> -f <dir>/<name>`; returns the private key
/// path. The key is set to 0600 explicitly: ssh-keygen refuses to sign with anything looser.
fn generate(dir: &Path, name: &str, email: &str, passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", email, "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    path
}

fn public_of(private: &Path) -> String {
    fs::read_to_string(private.with_extension("pub"))
        .unwrap()
        .trim()
        .to_string()
}

fn no_passphrase() -> Option<String> {
    None
}

struct Verified {
    code: i32,
    stdout: String,
}

/// `ssh-keygen -Y verify -f <signers> -I <principal> -n <namespace> -s <sig> < payload`.
fn keygen_verify(
    dir: &Path,
    signers: &str,
    principal: &str,
    namespace: &str,
    payload: &[u8],
    sig: &str,
) -> Verified {
    let signers_path = dir.join("allowed_signers");
    let sig_path = dir.join("payload.sig");
    fs::write(&signers_path, signers).unwrap();
    fs::write(&sig_path, sig).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&signers_path)
        .args(["-I", principal, "-n", namespace, "-s"])
        .arg(&sig_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(payload).unwrap();
    let out = child.wait_with_output().unwrap();
    Verified {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// `ssh-keygen -Y sign -f <key> -n <namespace> payload`, the signature as written next to it.
fn keygen_sign(dir: &Path, key: &Path, namespace: &str, payload: &[u8]) -> String {
    let path = dir.join("to-sign");
    fs::write(&path, payload).unwrap();
    let _ = fs::remove_file(dir.join("to-sign.sig"));
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f"])
        .arg(key)
        .args(["-n", namespace])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::read_to_string(dir.join("to-sign.sig")).unwrap()
}

fn alice_payload() -> AckPayload {
    sample()
}

#[test]
fn tessera_signature_verifies_with_ssh_keygen() {
    if !tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let alice = generate(dir.path(), "alice", "alice@example.com", "");
    let key = load_private_key(&alice, &no_passphrase).unwrap();
    assert_eq!(
        key.public_key_openssh(),
        public_of(&alice).rsplit_once(' ').unwrap().0
    );
    let payload = alice_payload().to_text();
    let sig = sign_payload(payload.as_bytes(), &key).unwrap();
    let signers = export(&[("alice@example.com".into(), vec![public_of(&alice)])]).unwrap();

    let good = keygen_verify(
        dir.path(),
        &signers,
        "alice@example.com",
        NAMESPACE,
        payload.as_bytes(),
        &sig,
    );
    assert_eq!(good.code, 0, "{}", good.stdout);
    assert!(
        good.stdout.contains(
            "Good \"tessera-ack\" signature for alice@example.com with ED25519 key SHA256:"
        ),
        "{}",
        good.stdout
    );
    assert!(good.stdout.contains(&key.fingerprint_sha256()));

    let tampered = payload.replace("decision: approve", "decision: block");
    assert_eq!(
        keygen_verify(
            dir.path(),
            &signers,
            "alice@example.com",
            NAMESPACE,
            tampered.as_bytes(),
            &sig
        )
        .code,
        255
    );
    assert_eq!(
        keygen_verify(
            dir.path(),
            &signers,
            "alice@example.com",
            "git",
            payload.as_bytes(),
            &sig
        )
        .code,
        255
    );
    assert_eq!(
        keygen_verify(
            dir.path(),
            &signers,
            "bob@example.com",
            NAMESPACE,
            payload.as_bytes(),
            &sig
        )
        .code,
        255
    );

    let out = Command::new("ssh-keygen")
        .args(["-Y", "find-principals", "-f"])
        .arg(dir.path().join("allowed_signers"))
        .arg("-s")
        .arg(dir.path().join("payload.sig"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "alice@example.com"
    );
}

#[test]
fn other_key_types_interoperate() {
    if !tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let payload = alice_payload().to_text();
    for (kind, bits, label) in [
        ("ecdsa", "256", "ECDSA"),
        ("ecdsa", "384", "ECDSA"),
        ("rsa", "2048", "RSA"),
    ] {
        let path = dir.path().join(format!("{kind}{bits}"));
        let out = Command::new("ssh-keygen")
            .args([
                "-q",
                "-t",
                kind,
                "-b",
                bits,
                "-N",
                "",
                "-C",
                "alice@example.com",
                "-f",
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signers = export(&[("alice@example.com".into(), vec![public_of(&path)])]).unwrap();

        let key = load_private_key(&path, &no_passphrase).unwrap();
        let sig = sign_payload(payload.as_bytes(), &key).unwrap();
        let by_tool = keygen_verify(
            dir.path(),
            &signers,
            "alice@example.com",
            NAMESPACE,
            payload.as_bytes(),
            &sig,
        );
        assert_eq!(by_tool.code, 0, "{kind}{bits}: {}", by_tool.stdout);
        assert!(
            by_tool.stdout.contains(&format!("with {label} key")),
            "{}",
            by_tool.stdout
        );

        let sig = keygen_sign(dir.path(), &path, NAMESPACE, payload.as_bytes());
        assert!(
            verify(payload.as_bytes(), &sig, NAMESPACE).is_ok(),
            "{kind}{bits}"
        );
    }
}

#[test]
fn passphrase_protected_key() {
    if !tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let alice = generate(dir.path(), "alice", "alice@example.com", "secret");
    let key = load_private_key(&alice, &|| Some("secret".into())).unwrap();
    let payload = alice_payload().to_text();
    let sig = sign_payload(payload.as_bytes(), &key).unwrap();
    let signers = export(&[("alice@example.com".into(), vec![public_of(&alice)])]).unwrap();
    assert_eq!(
        keygen_verify(
            dir.path(),
            &signers,
            "alice@example.com",
            NAMESPACE,
            payload.as_bytes(),
            &sig
        )
        .code,
        0
    );

    let wrong = load_private_key(&alice, &|| Some("guess".into())).unwrap_err();
    assert!(
        matches!(wrong, SignError::WrongPassphrase { .. }),
        "{wrong:?}"
    );
    let none = load_private_key(&alice, &no_passphrase).unwrap_err();
    assert!(
        matches!(none, SignError::PassphraseRequired { .. }),
        "{none:?}"
    );
}

#[test]
fn ssh_keygen_signature_verifies_natively() {
    if !tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let alice = generate(dir.path(), "alice", "alice@example.com", "");
    let payload = alice_payload().to_text();
    let sig = keygen_sign(dir.path(), &alice, NAMESPACE, payload.as_bytes());
    let verified = verify(payload.as_bytes(), &sig, NAMESPACE).unwrap();
    assert_eq!(
        verified.public_key_openssh,
        public_of(&alice).rsplit_once(' ').unwrap().0
    );

    let ack = stored_ack(&alice_payload(), sig);
    let members = [member("alice@example.com", "team-bi", &alice)];
    assert_eq!(
        evaluate(&ack, &proposal(), &members, &["team-bi".into()]),
        Ok(())
    );

    let git_sig = keygen_sign(dir.path(), &alice, "git", payload.as_bytes());
    let err = verify(payload.as_bytes(), &git_sig, NAMESPACE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "signature namespace is `git`, expected `tessera-ack`"
    );
}

#[test]
fn real_keys_are_rejected_for_each_fault() {
    if !tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let alice = generate(dir.path(), "alice", "alice@example.com", "");
    let bob = generate(dir.path(), "bob", "bob@example.com", "");
    let eve = generate(dir.path(), "eve", "eve@example.com", "");
    let members = [
        member("alice@example.com", "team-bi", &alice),
        member("bob@example.com", "team-ml", &bob),
    ];
    let impacted = ["team-bi".to_string(), "team-ml".to_string()];
    let sign_with = |key: &Path, payload: &AckPayload| {
        let key = load_private_key(key, &no_passphrase).unwrap();
        stored_ack(
            payload,
            sign_payload(payload.to_text().as_bytes(), &key).unwrap(),
        )
    };
    let code = |ack: &StoredAck, view: &ProposalView| {
        evaluate(ack, view, &members, &impacted).unwrap_err().code()
    };

    let good = sign_with(&alice, &alice_payload());
    assert_eq!(evaluate(&good, &proposal(), &members, &impacted), Ok(()));

    let tampered = StoredAck {
        payload: good.payload.replace("approve", "block"),
        decision: Decision::Block,
        ..good.clone()
    };
    assert_eq!(code(&tampered, &proposal()), "bad_signature");
    let signers = export(&[("alice@example.com".into(), vec![public_of(&alice)])]).unwrap();
    let by_tool = keygen_verify(
        dir.path(),
        &signers,
        "alice@example.com",
        NAMESPACE,
        tampered.payload.as_bytes(),
        &tampered.signature,
    );
    assert_eq!(by_tool.code, 255);

    let git = StoredAck {
        signature: keygen_sign(dir.path(), &alice, "git", good.payload.as_bytes()),
        ..good.clone()
    };
    assert_eq!(code(&git, &proposal()), "wrong_namespace");

    let unknown = sign_with(
        &eve,
        &AckPayload {
            signer: "eve@example.com".into(),
            ..alice_payload()
        },
    );
    assert_eq!(code(&unknown, &proposal()), "unknown_key");

    let outsider = sign_with(
        &bob,
        &AckPayload {
            signer: "bob@example.com".into(),
            ..alice_payload()
        },
    );
    assert_eq!(code(&outsider, &proposal()), "signer_not_in_team");

    let replayed = ProposalView {
        id: "P-99".into(),
        ..proposal()
    };
    assert_eq!(code(&good, &replayed), "wrong_proposal");

    let superseded = ProposalView {
        breaking_digest: "sha256:ffff".into(),
        ..proposal()
    };
    assert_eq!(code(&good, &superseded), "stale_digest");
}

#[test]
fn world_readable_key_is_refused_by_both() {
    if !tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let alice = generate(dir.path(), "alice", "alice@example.com", "");
    fs::set_permissions(&alice, fs::Permissions::from_mode(0o644)).unwrap();
    let err = load_private_key(&alice, &no_passphrase).unwrap_err();
    assert!(
        matches!(err, SignError::KeyPermissions { mode: 0o644, .. }),
        "{err:?}"
    );
    let err = run_ssh_keygen(&alice, b"x\n", KeygenKey::File, None).unwrap_err();
    match err {
        SignError::SshKeygenFailed { stderr, .. } => {
            assert!(stderr.contains("UNPROTECTED"), "{stderr}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn signs_through_ssh_keygen_and_an_agent() {
    if !tool("ssh-keygen") || !tool("ssh-agent") || !tool("ssh-add") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let alice = generate(dir.path(), "alice", "alice@example.com", "");
    let payload = alice_payload().to_text();
    let pub_path = alice.with_extension("pub");

    // A private key file handed to ssh-keygen (the FIDO path, here with a plain key).
    let sig = sign_with_ssh_keygen(&alice, payload.as_bytes(), KeygenKey::File).unwrap();
    assert!(verify(payload.as_bytes(), &sig, NAMESPACE).is_ok());

    let agent = Agent::start(dir.path());
    let no_key = run_ssh_keygen(
        &pub_path,
        payload.as_bytes(),
        KeygenKey::Agent,
        Some(&agent.socket),
    );
    assert!(
        matches!(no_key, Err(SignError::SshKeygenFailed { .. })),
        "{no_key:?}"
    );
    let added = Command::new("ssh-add")
        .arg("-q")
        .arg(&alice)
        .env("SSH_AUTH_SOCK", &agent.socket)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let never = || -> Option<String> { panic!("an agent key needs no passphrase") };
    let sources = [
        KeySource::File(pub_path.clone()),
        KeySource::Literal(public_of(&alice)),
    ];
    for source in &sources {
        let sig = sign_source(
            source,
            KeyOrigin::Flag,
            payload.as_bytes(),
            &never,
            Some(&agent.socket),
        )
        .unwrap();
        let verified = verify(payload.as_bytes(), &sig, NAMESPACE).unwrap();
        assert_eq!(
            verified.public_key_openssh,
            public_of(&alice).rsplit_once(' ').unwrap().0
        );
    }
    // A private key file is signed natively, never through the agent.
    let native = sign_source(
        &KeySource::File(alice.clone()),
        KeyOrigin::Flag,
        payload.as_bytes(),
        &never,
        None,
    )
    .unwrap();
    assert!(verify(payload.as_bytes(), &native, NAMESPACE).is_ok());
    let missing = sign_source(
        &KeySource::File(dir.path().join("nope")),
        KeyOrigin::Env,
        b"x\n",
        &never,
        None,
    )
    .unwrap_err();
    assert_eq!(
        missing.to_string(),
        format!(
            "signing key {} does not exist (named by TESSERA_SIGNING_KEY)",
            dir.path().join("nope").display()
        )
    );
}

/// An ssh-agent of the test's own, on a socket in its temp dir, stopped (by its pid) on drop.
struct Agent {
    child: Child,
    socket: PathBuf,
}

impl Agent {
    fn start(dir: &Path) -> Agent {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !socket.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "ssh-agent did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Agent { child, socket }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn member(email: &str, team: &str, key: &Path) -> Member {
    Member {
        email: email.into(),
        teams: vec![team.into()],
        public_keys: vec![public_of(key)],
    }
}

fn stored_ack(payload: &AckPayload, signature: String) -> StoredAck {
    StoredAck {
        proposal: payload.proposal.clone(),
        team: payload.team.clone(),
        decision: payload.decision,
        migrating_until: payload.migrating_until.clone(),
        signer: payload.signer.clone(),
        timestamp: payload.timestamp.clone(),
        comment: payload.comment.clone(),
        payload: payload.to_text(),
        signature,
    }
}
