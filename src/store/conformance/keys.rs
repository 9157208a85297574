//! API keys ([`KeyStore`]): the server's own records, in each backend the server runs on.

use super::Backend;
use crate::store::sqlite::testkit::now;
use crate::store::wire::{KeyInfo, KeyScope};
use crate::store::{EventFilter, KEY_CREATED, KEY_REVOKED, KeyStore, Timestamp};

fn key(id: &str, team: &str, scope: KeyScope, at: Timestamp) -> KeyInfo {
    KeyInfo {
        id: id.into(),
        team: team.into(),
        scope,
        created_at: at,
        created_by: "bootstrap".into(),
        revoked_at: None,
    }
}

pub(super) fn keys_are_hashed_listed_and_revoked_once(b: &dyn Backend, keys: &dyn KeyStore) {
    let later = Timestamp(now().0 + 60);
    keys.add_api_key(&key("k2", "team-bi", KeyScope::Write, later), "hash-2")
        .unwrap();
    keys.add_api_key(&key("k1", "platform", KeyScope::Admin, now()), "hash-1")
        .unwrap();
    let (k1, hash) = keys.api_key("k1").unwrap().unwrap();
    assert_eq!((k1.team.as_str(), hash.as_str()), ("platform", "hash-1"));
    assert!(keys.api_key("k9").unwrap().is_none());
    let ids: Vec<String> = keys.api_keys().unwrap().into_iter().map(|k| k.id).collect();
    assert_eq!(ids, ["k1", "k2"], "oldest first");

    // A duplicate id is refused whole: no second row, no event.
    let events = b.store().status().unwrap().counts.events;
    assert!(
        keys.add_api_key(&key("k1", "mallory", KeyScope::Admin, later), "h")
            .is_err()
    );
    assert_eq!(b.store().status().unwrap().counts.events, events);

    let revoked = keys
        .revoke_api_key("k2", later, "k1 (platform)")
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(later));
    let again = Timestamp(later.0 + 60);
    let twice = keys
        .revoke_api_key("k2", again, "k1 (platform)")
        .unwrap()
        .unwrap();
    assert_eq!(twice.revoked_at, Some(later), "the first revocation stands");
    assert!(keys.revoke_api_key("k9", again, "x").unwrap().is_none());

    let kinds: Vec<String> = b
        .store()
        .events(&EventFilter {
            kind_prefix: Some("key.".into()),
            ..EventFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [KEY_CREATED, KEY_CREATED, KEY_REVOKED]);
}
