use super::*;
use crate::sign::test_keys;

fn key(seed: u8) -> String {
    test_keys::key(seed, "").public_key_openssh()
}

fn public(seed: u8) -> PublicKey {
    PublicKey::from_openssh(&key(seed)).unwrap()
}

fn err(text: &str) -> (usize, String) {
    match AllowedSigners::parse(text) {
        Err(SignError::AllowedSigners { line, reason }) => (line, reason),
        other => panic!("expected an error for {text:?}, got {other:?}"),
    }
}

#[test]
fn reads_principals_options_and_comments() {
    let text = format!(
        "# team-bi signers\n\
         \n\
         alice@example.com {k1} alice@laptop\n\
         \t  bob@example.com,carol@example.com namespaces=\"tessera-ack,file\" {k2}\n\
         \"dave@example.com\" NAMESPACES=\"git\",valid-after=\"20260101Z\",valid-before=\"20261231235959Z\" {k3} # not a comment marker\n\
         *@ops.example.com,!mallory@ops.example.com {k4}\n\
         ca@example.com cert-authority {k5}\n\
         erin@example.com valid-after=\"20260101\" {k5}\n",
        k1 = key(1),
        k2 = key(2),
        k3 = key(3),
        k4 = key(4),
        k5 = key(5)
    );
    let signers = AllowedSigners::parse(&text).unwrap();
    assert_eq!(signers.entries.len(), 4);
    let alice = &signers.entries[0];
    assert_eq!(
        (
            alice.line,
            alice.principals.clone(),
            alice.namespaces.clone()
        ),
        (3, vec!["alice@example.com".to_string()], None)
    );
    let bob = &signers.entries[1];
    assert_eq!(bob.principals, ["bob@example.com", "carol@example.com"]);
    assert_eq!(
        bob.namespaces.as_deref(),
        Some(&["tessera-ack".to_string(), "file".to_string()][..])
    );
    let dave = &signers.entries[2];
    assert_eq!(dave.principals, ["dave@example.com"]);
    assert_eq!(
        dave.valid_after,
        time::parse_rfc3339_utc("2026-01-01T00:00:00Z")
    );
    assert_eq!(
        dave.valid_before,
        time::parse_rfc3339_utc("2026-12-31T23:59:59Z")
    );
    assert_eq!(signers.rejected.len(), 2);
    assert_eq!(signers.rejected[0].line, 7);
    assert!(signers.rejected[0].reason.contains("cert-authority"));
    assert_eq!(signers.rejected[1].line, 8);
    assert!(signers.rejected[1].reason.contains("local time"));

    let in_2026 = time::parse_rfc3339_utc("2026-06-01T00:00:00Z").unwrap();
    assert_eq!(
        signers.principals_for(&public(1), NAMESPACE, in_2026),
        ["alice@example.com"]
    );
    assert_eq!(
        signers.principals_for(&public(2), NAMESPACE, in_2026),
        ["bob@example.com", "carol@example.com"]
    );
    assert!(
        signers
            .principals_for(&public(2), "git", in_2026)
            .is_empty()
    );
    assert!(
        signers
            .principals_for(&public(3), NAMESPACE, in_2026)
            .is_empty()
    );
    assert_eq!(
        signers.principals_for(&public(3), "git", in_2026),
        ["dave@example.com"]
    );
    assert!(
        signers
            .principals_for(&public(3), "git", in_2026 + 365 * 86_400)
            .is_empty()
    );
    assert!(
        signers
            .principals_for(&public(5), NAMESPACE, in_2026)
            .is_empty()
    );

    assert!(signers.allows("carol@example.com", &public(2), NAMESPACE, 0));
    assert!(!signers.allows("alice@example.com", &public(2), NAMESPACE, 0));
    assert!(signers.allows("eve@ops.example.com", &public(4), NAMESPACE, 0));
    assert!(!signers.allows("mallory@ops.example.com", &public(4), NAMESPACE, 0));
    assert!(!signers.allows("eve@ops.example.com.evil", &public(4), NAMESPACE, 0));
}

#[test]
fn errors_name_the_line() {
    let k = key(1);
    let cases = [
        ("# ok\nalice@example.com\n".to_string(), 2, "missing key"),
        (
            "alice@example.com ssh-ed25519\n".to_string(),
            1,
            "missing key",
        ),
        (
            "alice@example.com ssh-ed25519 AAAAnotbase64!\n".to_string(),
            1,
            "invalid `ssh-ed25519` key",
        ),
        (
            format!("\n\nalice@example.com bogus=\"x\" {k}\n"),
            3,
            "unknown option `bogus`",
        ),
        (
            format!("alice@example.com namespaces=tessera-ack {k}\n"),
            1,
            "quoted value",
        ),
        (
            format!("alice@example.com namespaces=\"a\",namespaces=\"b\" {k}\n"),
            1,
            "twice",
        ),
        (
            format!("alice@example.com namespaces=\"a {k}\n"),
            1,
            "unterminated quote",
        ),
        (
            format!("\"alice@example.com {k}\n"),
            1,
            "unterminated quote",
        ),
        (
            format!("alice@example.com,,bob@example.com {k}\n"),
            1,
            "empty principal",
        ),
        (
            format!("alice@example.com valid-after=\"2026-01-01\" {k}\n"),
            1,
            "YYYYMMDD",
        ),
        (
            format!("alice@example.com namespaces {k}\n"),
            1,
            "needs a value",
        ),
    ];
    for (text, line, needle) in cases {
        let (got_line, reason) = err(&text);
        assert!(reason.contains(needle), "{text:?}: {reason}");
        assert_eq!(got_line, line, "{text:?}: {reason}");
    }
}

#[test]
fn quoted_option_values_may_hold_spaces_and_quotes() {
    let text = format!(
        "alice@example.com namespaces=\"tessera-ack, x\\\"y\" {}\n",
        key(1)
    );
    let signers = AllowedSigners::parse(&text).unwrap();
    assert_eq!(
        signers.entries[0].namespaces.as_deref(),
        Some(&["tessera-ack".to_string(), " x\"y".to_string()][..])
    );
}

#[test]
fn export_writes_what_parse_and_ssh_keygen_read() {
    let members = vec![
        (
            "alice@example.com".to_string(),
            vec![
                format!("{} alice@laptop", key(1)),
                key(1),
                format!("  {}  ", key(2)),
            ],
        ),
        ("bob@example.com".to_string(), vec![]),
        ("carol@example.com".to_string(), vec![key(3)]),
    ];
    let text = export(&members).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            format!(
                "alice@example.com namespaces=\"tessera-ack\" {} alice@laptop",
                key(1)
            ),
            format!("alice@example.com namespaces=\"tessera-ack\" {}", key(2)),
            format!("carol@example.com namespaces=\"tessera-ack\" {}", key(3)),
        ]
    );
    let signers = AllowedSigners::parse(&text).unwrap();
    assert!(signers.allows("alice@example.com", &public(2), NAMESPACE, 0));
    assert!(!signers.allows("alice@example.com", &public(2), "git", 0));
    assert_eq!(
        signers.principals_for(&public(3), NAMESPACE, 0),
        ["carol@example.com"]
    );

    let bad_email = export(&[("a b@example.com".to_string(), vec![key(1)])]);
    assert!(matches!(bad_email, Err(SignError::Principal { .. })));
    let bad_key = export(&[("a@example.com".to_string(), vec!["ssh-ed25519 nope".into()])]);
    assert!(matches!(bad_key, Err(SignError::PublicKey { .. })));
}

#[test]
fn patterns_match_like_openssh() {
    assert!(glob("alice@example.com", "*@example.com"));
    assert!(glob("a", "?"));
    assert!(glob("", "*"));
    assert!(!glob("ab", "?"));
    assert!(glob("abcabd", "*abd"));
    assert!(!glob("abc", "a*d"));
    let list = |s: &str| split_list(s);
    assert!(match_list("tessera-ack", &list("git,tessera-*")));
    assert!(!match_list("tessera-ack", &list("*,!tessera-ack")));
    assert!(!match_list("x", &list("!y")));
}
