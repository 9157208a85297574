use super::*;
use crate::sign::payload::tests::sample;
use crate::sign::{SigningKey, sign_payload, test_keys};

pub(crate) fn stored(payload: &AckPayload, key: &SigningKey) -> StoredAck {
    let text = payload.to_text();
    StoredAck {
        proposal: payload.proposal.clone(),
        team: payload.team.clone(),
        decision: payload.decision,
        migrating_until: payload.migrating_until.clone(),
        signer: payload.signer.clone(),
        timestamp: payload.timestamp.clone(),
        comment: payload.comment.clone(),
        signature: sign_payload(text.as_bytes(), key).unwrap(),
        payload: text,
    }
}

pub(crate) fn proposal() -> ProposalView {
    ProposalView {
        id: "P-12".into(),
        asset: "analytics.core.orders".into(),
        breaking_digest: "sha256:aaaa".into(),
    }
}

fn members(alice: &SigningKey, bob: &SigningKey) -> Vec<Member> {
    vec![
        Member {
            email: "alice@example.com".into(),
            teams: vec!["team-bi".into()],
            // The registered comment differs from the key's own: only key material counts.
            public_keys: vec![format!("{} alice@laptop", alice.public_key_openssh())],
        },
        Member {
            email: "bob@example.com".into(),
            teams: vec!["team-ml".into()],
            public_keys: vec!["not a key".into(), bob.public_key_openssh()],
        },
    ]
}

fn impacted() -> Vec<String> {
    vec!["team-bi".into(), "team-ml".into()]
}

#[test]
fn accepts_a_good_ack() {
    let (alice, bob) = (test_keys::key(1, "alice"), test_keys::key(2, "bob"));
    let ack = stored(&sample(), &alice);
    assert_eq!(
        evaluate(&ack, &proposal(), &members(&alice, &bob), &impacted()),
        Ok(())
    );
    let migrating = AckPayload {
        decision: Decision::Migrating,
        migrating_until: Some("2026-10-01".into()),
        comment: Some("later\nplease".into()),
        ..sample()
    };
    let ack = stored(&migrating, &alice);
    assert_eq!(
        evaluate(&ack, &proposal(), &members(&alice, &bob), &impacted()),
        Ok(())
    );
}

#[test]
fn rejects_each_fault_with_its_own_reason() {
    let (alice, bob, eve) = (
        test_keys::key(1, "alice"),
        test_keys::key(2, "bob"),
        test_keys::key(3, "eve"),
    );
    let members = members(&alice, &bob);
    let good = stored(&sample(), &alice);
    let check = |ack: &StoredAck, view: &ProposalView, impacted: &[String]| {
        evaluate(ack, view, &members, impacted).unwrap_err().code()
    };

    let tampered = StoredAck {
        payload: good.payload.replace("approve", "block"),
        decision: Decision::Block,
        ..good.clone()
    };
    assert_eq!(check(&tampered, &proposal(), &impacted()), "bad_signature");

    let garbage = StoredAck {
        signature: "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n".into(),
        ..good.clone()
    };
    assert_eq!(check(&garbage, &proposal(), &impacted()), "bad_signature");

    let mut git = good.clone();
    git.signature = alice
        .key
        .sign("git", ssh_key::HashAlg::Sha512, git.payload.as_bytes())
        .unwrap()
        .to_string();
    let err = evaluate(&git, &proposal(), &members, &impacted()).unwrap_err();
    assert_eq!(err.code(), "wrong_namespace");
    assert!(
        err.to_string()
            .starts_with("signature namespace is `git`, expected `tessera-ack`"),
        "{err}"
    );

    let not_a_payload = stored_text("hello\n", &alice, &good);
    assert_eq!(
        check(&not_a_payload, &proposal(), &impacted()),
        "malformed_payload"
    );

    let other = ProposalView {
        id: "P-13".into(),
        ..proposal()
    };
    let err = evaluate(&good, &other, &members, &impacted()).unwrap_err();
    assert_eq!(err.code(), "wrong_proposal");
    assert!(err.to_string().contains("for proposal P-12"), "{err}");
    let other_asset = ProposalView {
        asset: "analytics.core.items".into(),
        ..proposal()
    };
    assert_eq!(check(&good, &other_asset, &impacted()), "wrong_proposal");

    let revised = ProposalView {
        breaking_digest: "sha256:dddd".into(),
        ..proposal()
    };
    let err = evaluate(&good, &revised, &members, &impacted()).unwrap_err();
    assert_eq!(err.code(), "stale_digest");
    assert!(
        err.to_string().contains("team-bi must acknowledge again"),
        "{err}"
    );

    for edit in [
        |a: &mut StoredAck| a.decision = Decision::Block,
        |a: &mut StoredAck| a.team = "team-ml".into(),
        |a: &mut StoredAck| a.signer = "bob@example.com".into(),
        |a: &mut StoredAck| a.comment = Some("(none)".into()),
        |a: &mut StoredAck| a.proposal = "P-13".into(),
        |a: &mut StoredAck| a.timestamp = "2026-09-02T12:00:00Z".into(),
    ] {
        let mut edited = good.clone();
        edit(&mut edited);
        assert_eq!(check(&edited, &proposal(), &impacted()), "payload_mismatch");
    }

    assert_eq!(
        check(&good, &proposal(), &["team-ml".to_string()]),
        "team_not_impacted"
    );

    let by_eve = stored(&sample(), &eve);
    assert_eq!(check(&by_eve, &proposal(), &impacted()), "unknown_key");

    let bob_as_alice = stored(&sample(), &bob);
    assert_eq!(
        check(&bob_as_alice, &proposal(), &impacted()),
        "signer_mismatch"
    );

    let bob_for_bi = stored(
        &AckPayload {
            signer: "bob@example.com".into(),
            ..sample()
        },
        &bob,
    );
    let err = evaluate(&bob_for_bi, &proposal(), &members, &impacted()).unwrap_err();
    assert_eq!(err.code(), "signer_not_in_team");
    assert_eq!(
        err.to_string(),
        "bob@example.com signed for team team-bi, but is not a member of it"
    );
}

fn stored_text(text: &str, key: &SigningKey, like: &StoredAck) -> StoredAck {
    StoredAck {
        payload: text.into(),
        signature: sign_payload(text.as_bytes(), key).unwrap(),
        ..like.clone()
    }
}
