//! Proposals, acknowledgments and the event log.

use super::Backend;
use crate::store::sqlite::testkit::*;
use crate::store::*;

fn proposal(id: &str, digest: &str) -> Proposal {
    Proposal {
        id: id.into(),
        asset: "analytics.core.orders".into(),
        base_digest: "sha256:a".into(),
        head_digest: "sha256:b".into(),
        breaking_digest: digest.into(),
        findings_json: "[]".into(),
        impacted: vec!["team-bi".into()],
        status: ProposalStatus::Pending,
        created_at: now(),
        updated_at: now(),
        created_by: "ana@example.com".into(),
        force_reason: None,
        change_ref: Some("feature/drop-status".into()),
        published_version: None,
    }
}

pub(super) fn proposals_acks_and_events(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&shop(), now(), None).unwrap();
    assert!(store.put_proposal(&proposal("p1", "sha256:x")).unwrap());
    let events = event_count(store);
    assert!(!store.put_proposal(&proposal("p1", "sha256:x")).unwrap());
    assert_eq!(
        event_count(store),
        events,
        "an unchanged proposal records nothing"
    );
    let mut repushed = proposal("p1", "sha256:y");
    repushed.created_at = Timestamp(now().0 + 100);
    repushed.updated_at = Timestamp(now().0 + 100);
    assert!(!store.put_proposal(&repushed).unwrap());
    let stored = store.proposal("p1").unwrap().unwrap();
    assert_eq!(stored.breaking_digest, "sha256:y");
    assert_eq!(stored.created_at, now(), "creation time is kept");
    store.put_proposal(&proposal("p2", "sha256:z")).unwrap();

    store
        .set_proposal_status("p2", ProposalStatus::Withdrawn, now())
        .unwrap();
    let err = store
        .set_proposal_status("nope", ProposalStatus::Expired, now())
        .unwrap_err();
    assert!(matches!(err, StoreError::ProposalNotFound { .. }));
    let pending = store
        .proposals(&ProposalFilter {
            statuses: vec![ProposalStatus::Pending],
            ..ProposalFilter::default()
        })
        .unwrap();
    assert_eq!(
        pending.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["p1"]
    );
    let by_asset = store
        .proposals(&ProposalFilter {
            asset: Some("analytics.core.orders".into()),
            ..ProposalFilter::default()
        })
        .unwrap();
    assert_eq!(by_asset.len(), 2);

    let ack = Ack {
        id: 0,
        proposal: "p1".into(),
        team: "team-bi".into(),
        decision: Decision::Migrating,
        migrating_until: crate::contract::Date::new(2026, 7, 1),
        signer: "bo@example.com".into(),
        payload: "tessera-ack v1\nproposal p1\n".into(),
        signature: "-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n".into(),
        created_at: now(),
    };
    let stored = store.add_ack(&ack).unwrap();
    assert!(stored.id > 0);
    assert_eq!(store.acks("p1").unwrap(), vec![stored]);
    let orphan = Ack {
        proposal: "nope".into(),
        ..ack.clone()
    };
    assert!(matches!(
        store.add_ack(&orphan),
        Err(StoreError::ProposalNotFound { .. })
    ));

    let proposal_events = store
        .events(&EventFilter {
            kind_prefix: Some("proposal.".into()),
            ..EventFilter::default()
        })
        .unwrap();
    let kinds: Vec<&str> = proposal_events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "proposal.created",
            "proposal.updated",
            "proposal.created",
            "proposal.status"
        ]
    );
    assert!(
        proposal_events
            .iter()
            .all(|e| e.project.as_deref() == Some("shop"))
    );

    let appended = store
        .append_event(&Event {
            id: 0,
            at: now(),
            kind: "sync.forced".into(),
            project: Some("shop".into()),
            subject: Some("p1".into()),
            detail_json: r#"{"reason":"hotfix","by":"ana@example.com"}"#.into(),
        })
        .unwrap();
    let last = store
        .events(&EventFilter {
            newest_first: true,
            limit: Some(1),
            ..EventFilter::default()
        })
        .unwrap();
    assert_eq!(last, vec![appended.clone()]);
    let after = store
        .events(&EventFilter {
            after_id: Some(appended.id),
            ..EventFilter::default()
        })
        .unwrap();
    assert!(after.is_empty());
    let bad = Event {
        detail_json: "{not json".into(),
        ..appended
    };
    assert!(matches!(
        store.append_event(&bad),
        Err(StoreError::InvalidDeclaration { .. })
    ));
}

fn ack_for(id: &str) -> Ack {
    Ack {
        id: 0,
        proposal: id.into(),
        team: "team-bi".into(),
        decision: Decision::Approve,
        migrating_until: None,
        signer: "bo@example.com".into(),
        payload: "tessera-ack v1\n".into(),
        signature: "sig".into(),
        created_at: now(),
    }
}

pub(super) fn a_batch_lands_whole_only_while_what_its_author_saw_holds(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&shop(), now(), None).unwrap();
    store.put_proposal(&proposal("p1", "sha256:x")).unwrap();
    let seen = Seen::of("p1", store.proposal("p1").unwrap().as_ref(), 0);
    let batch = Batch {
        seen: vec![seen.clone()],
        writes: vec![
            Write::Ack(ack_for("p1")),
            Write::Status {
                id: "p1".into(),
                status: ProposalStatus::Approved,
            },
        ],
        now: now(),
    };
    let done = store.commit(&batch).unwrap();
    assert_eq!(done.acks.len(), 1);
    assert!(done.acks[0].id > 0);
    assert_eq!(
        store.proposal("p1").unwrap().unwrap().status,
        ProposalStatus::Approved
    );

    // A second writer that read the proposal before that ack is refused, and writes nothing.
    let before = b.dump();
    let stale = Batch {
        seen: vec![seen],
        writes: vec![Write::Status {
            id: "p1".into(),
            status: ProposalStatus::Pending,
        }],
        now: now(),
    };
    let err = store.commit(&stale).unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { id, what } if id == "p1" && what.contains("acknowledgment")),
        "{err}"
    );
    assert_eq!(b.dump(), before);

    // A write that fails half-way takes the ones before it back with it.
    let broken = Batch {
        seen: vec![Seen::of("p2", None, 0)],
        writes: vec![
            Write::Proposal(proposal("p2", "sha256:z")),
            Write::Status {
                id: "missing".into(),
                status: ProposalStatus::Expired,
            },
        ],
        now: now(),
    };
    assert!(matches!(
        store.commit(&broken).unwrap_err(),
        StoreError::ProposalNotFound { .. }
    ));
    assert_eq!(b.dump(), before, "nothing of the failed batch remains");
    assert!(store.proposal("p2").unwrap().is_none());
}

/// Acks and the event log refuse every change and deletion in the database itself, whoever
/// connects; API keys may be revoked, never deleted.
pub(super) fn evidence_cannot_be_rewritten_behind_the_stores_back(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&shop(), now(), None).unwrap();
    store.put_proposal(&proposal("p1", "sha256:x")).unwrap();
    store.add_ack(&ack_for("p1")).unwrap();
    b.exec(
        "INSERT INTO api_keys (id, team, scope, hash, created_at, created_by)
         VALUES ('k1', 'team-bi', 'read', 'h', 1, 'test')",
    )
    .unwrap();
    let before = b.dump();
    for (sql, refusal) in [
        ("UPDATE acks SET decision = 'approve'", "append-only"),
        ("DELETE FROM acks", "append-only"),
        ("UPDATE events SET kind = 'x'", "append-only"),
        ("DELETE FROM events", "append-only"),
        ("DELETE FROM api_keys", "revoked, not deleted"),
    ] {
        let err = b.exec(sql).expect_err(sql);
        assert!(err.contains(refusal), "{sql}: {err}");
    }
    assert_eq!(b.dump(), before);
    assert_eq!(store.acks("p1").unwrap().len(), 1);
}

/// Two authors who saw the same proposal race to ack it: one lands, the other is told it
/// conflicted, and nothing of the loser is written.
pub(super) fn concurrent_acks_on_one_proposal_serialise(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&shop(), now(), None).unwrap();
    store.put_proposal(&proposal("p1", "sha256:x")).unwrap();
    let seen = Seen::of("p1", store.proposal("p1").unwrap().as_ref(), 0);
    let start = std::sync::Barrier::new(8);
    let results: Vec<Result<Committed, StoreError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (store, seen, start) = (b.another(), seen.clone(), &start);
                s.spawn(move || {
                    start.wait();
                    store.commit(&Batch {
                        seen: vec![seen],
                        writes: vec![Write::Ack(ack_for("p1"))],
                        now: now(),
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let landed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(landed, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, StoreError::Conflict { .. })),
        "{results:?}"
    );
    assert_eq!(store.acks("p1").unwrap().len(), 1);
}
