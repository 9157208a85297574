use proptest::prelude::*;

use super::*;

pub(crate) fn sample() -> AckPayload {
    AckPayload {
        proposal: "P-12".into(),
        asset: "analytics.core.orders".into(),
        breaking_digest: "sha256:aaaa".into(),
        base_digest: "sha256:bbbb".into(),
        head_digest: "sha256:cccc".into(),
        team: "team-bi".into(),
        decision: Decision::Approve,
        migrating_until: None,
        signer: "alice@example.com".into(),
        timestamp: "2026-09-01T12:00:00Z".into(),
        comment: None,
    }
}

const SAMPLE_TEXT: &str = "tessera-ack v1
proposal: P-12
asset: analytics.core.orders
breaking-digest: sha256:aaaa
base-digest: sha256:bbbb
head-digest: sha256:cccc
team: team-bi
decision: approve
signer: alice@example.com
timestamp: 2026-09-01T12:00:00Z
";

fn reason(text: &str) -> (usize, String) {
    match AckPayload::parse(text) {
        Err(SignError::MalformedPayload { line, reason }) => (line, reason),
        other => panic!("expected a malformed payload, got {other:?}"),
    }
}

#[test]
fn writes_the_documented_text_and_reads_it_back() {
    let p = sample();
    assert_eq!(p.to_text(), SAMPLE_TEXT);
    assert_eq!(AckPayload::parse(SAMPLE_TEXT).unwrap(), p);

    let migrating = AckPayload {
        decision: Decision::Migrating,
        migrating_until: Some("2026-10-01".into()),
        comment: Some("moving the dashboards first".into()),
        ..sample()
    };
    let text = migrating.to_text();
    assert!(text.contains("decision: migrating\nmigrating-until: 2026-10-01\nsigner:"));
    assert!(text.ends_with("comment: moving the dashboards first\n"));
    assert_eq!(AckPayload::parse(&text).unwrap(), migrating);
}

#[test]
fn a_comment_cannot_forge_a_line() {
    let forged = AckPayload {
        comment: Some("fine\ndecision: block\r\nteam: team-x \\n \u{2028}\u{202e}".into()),
        ..sample()
    };
    let text = forged.to_text();
    assert_eq!(text.lines().count(), 11, "{text}");
    assert_eq!(text.matches("\ndecision: ").count(), 1);
    assert!(
        text.ends_with(
            "comment: fine\\ndecision: block\\r\\nteam: team-x \\\\n \\u{2028}\\u{202e}\n"
        )
    );
    assert_eq!(AckPayload::parse(&text).unwrap(), forged);
}

#[test]
fn rejects_non_canonical_texts() {
    let cases: Vec<(String, usize, &str)> = vec![
        (SAMPLE_TEXT.replace('\n', "\r\n"), 1, "carriage return"),
        (SAMPLE_TEXT.trim_end().to_string(), 10, "end with a newline"),
        (
            SAMPLE_TEXT.replace("v1", "v2"),
            1,
            "unsupported payload version",
        ),
        (format!("\u{feff}{SAMPLE_TEXT}"), 1, "first line"),
        (
            format!("{SAMPLE_TEXT}extra: x\n"),
            11,
            "unknown key `extra`",
        ),
        (
            format!("{SAMPLE_TEXT}signer: bob@example.com\n"),
            11,
            "duplicate key `signer`",
        ),
        (
            format!("{SAMPLE_TEXT}team: team-x\n"),
            11,
            "duplicate key `team`",
        ),
        (
            SAMPLE_TEXT.replace(
                "team: team-bi\ndecision: approve\n",
                "decision: approve\nteam: team-bi\n",
            ),
            7,
            "out of order",
        ),
        (
            SAMPLE_TEXT.replace("asset: analytics.core.orders\n", ""),
            3,
            "missing key `asset`",
        ),
        (
            SAMPLE_TEXT.replace("timestamp: 2026-09-01T12:00:00Z\n", ""),
            10,
            "missing key `timestamp`",
        ),
        (
            SAMPLE_TEXT.replace("team: team-bi", "team:team-bi"),
            7,
            "expected `key: value`",
        ),
        (
            SAMPLE_TEXT.replace("team: team-bi", "team: team\\u{2d}bi"),
            7,
            "canonical",
        ),
        (
            SAMPLE_TEXT.replace("team: team-bi", "team: team\\x"),
            7,
            "unknown escape",
        ),
        (
            SAMPLE_TEXT.replace("team: team-bi", "team: team-bi "),
            7,
            "whitespace",
        ),
        (
            SAMPLE_TEXT.replace("team: team-bi", "team: team\tbi"),
            7,
            "unescaped",
        ),
        (
            SAMPLE_TEXT.replace("approve", "accept"),
            8,
            "decision `accept`",
        ),
        (
            SAMPLE_TEXT.replace("approve", "migrating"),
            8,
            "needs the date",
        ),
        (
            SAMPLE_TEXT.replace("signer: alice@example.com", "signer: alice"),
            9,
            "email",
        ),
        (
            SAMPLE_TEXT.replace("12:00:00Z", "12:00:00+00:00"),
            10,
            "RFC 3339",
        ),
        (format!("{SAMPLE_TEXT}\n"), 11, "expected `key: value`"),
        (String::new(), 1, "end with a newline"),
        ("\n".into(), 1, "first line"),
    ];
    for (text, line, needle) in cases {
        let (got_line, got) = reason(&text);
        assert!(got.contains(needle), "{text:?}: {got}");
        assert_eq!(got_line, line, "{text:?}: {got}");
    }
    assert!(matches!(
        AckPayload::parse_bytes(b"tessera-ack v1\n\xff\n"),
        Err(SignError::MalformedPayload { line: 2, .. })
    ));
}

#[test]
fn validate_names_the_field() {
    let bad = AckPayload {
        migrating_until: Some("2026-10-01".into()),
        ..sample()
    };
    assert!(matches!(
        bad.validate(),
        Err(SignError::InvalidField {
            field: "migrating-until",
            ..
        })
    ));
    let bad = AckPayload {
        decision: Decision::Migrating,
        migrating_until: Some("2026-10-01T00:00:00Z".into()),
        ..sample()
    };
    assert!(matches!(
        bad.validate(),
        Err(SignError::InvalidField {
            field: "migrating-until",
            ..
        })
    ));
    let bad = AckPayload {
        comment: Some(String::new()),
        ..sample()
    };
    assert!(matches!(
        bad.validate(),
        Err(SignError::InvalidField {
            field: "comment",
            ..
        })
    ));
    let bad = AckPayload {
        proposal: "P\n1".into(),
        ..sample()
    };
    assert!(matches!(
        bad.validate(),
        Err(SignError::InvalidField {
            field: "proposal",
            ..
        })
    ));
    let bad = AckPayload {
        signer: "a,b@example.com".into(),
        ..sample()
    };
    assert!(matches!(
        bad.validate(),
        Err(SignError::InvalidField {
            field: "signer",
            ..
        })
    ));
}

fn ident() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._:/\\\\ -]{0,20}[A-Za-z0-9]"
}

fn payload() -> impl Strategy<Value = AckPayload> {
    let comment = proptest::option::of(
        any::<String>().prop_filter("trimmed and non-empty", |s| !s.is_empty() && s.trim() == s),
    );
    let decision = prop_oneof![
        Just((Decision::Approve, None)),
        Just((Decision::Block, None)),
        (2000i32..2100, 1u8..=12, 1u8..=28)
            .prop_map(|(y, m, d)| (Decision::Migrating, Some(format!("{y:04}-{m:02}-{d:02}")))),
    ];
    (
        (ident(), ident(), "sha256:[0-9a-f]{1,64}", "[a-z]{1,12}"),
        "[a-z][a-z0-9.+-]{0,10}@[a-z0-9.-]{1,20}",
        0i64..4_102_444_800,
        decision,
        comment,
    )
        .prop_map(
            |(
                (proposal, asset, digest, team),
                signer,
                unix,
                (decision, migrating_until),
                comment,
            )| {
                AckPayload {
                    proposal,
                    asset,
                    breaking_digest: digest.clone(),
                    base_digest: format!("{digest}0"),
                    head_digest: format!("{digest}1"),
                    team,
                    decision,
                    migrating_until,
                    signer,
                    timestamp: time::format_rfc3339_utc(unix),
                    comment,
                }
            },
        )
}

proptest! {
    #[test]
    fn generated_payloads_round_trip(p in payload()) {
        prop_assert!(p.validate().is_ok(), "{:?}", p.validate());
        let text = p.to_text();
        prop_assert_eq!(text.matches('\n').count(), text.lines().count());
        let parsed = AckPayload::parse(&text);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&p), "{:?}", parsed);
    }

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        if let Ok(p) = AckPayload::parse(&text) {
            prop_assert_eq!(p.to_text(), text);
        }
    }

    #[test]
    fn parse_never_panics_on_near_payloads(
        p in payload(),
        at in any::<prop::sample::Index>(),
        insert in "(\\\\|\\\\u\\{[0-9a-fA-F+]{0,7}\\}?|\n|\r|: |[a-z]|\u{0}|é)",
    ) {
        let text = p.to_text();
        let mut at = at.index(text.len() + 1);
        while !text.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{}{}", &text[..at], insert, &text[at..]);
        if let Ok(q) = AckPayload::parse(&mutated) {
            prop_assert_eq!(q.to_text(), mutated);
        }
    }
}
