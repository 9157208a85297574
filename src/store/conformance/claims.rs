//! Claims: what any backend must enforce on sync.

use super::Backend;
use crate::store::sqlite::testkit::{bi, now};
use crate::store::{EventFilter, Repository, Store, StoreError, Takeover, kinds};

fn repo(root: &str, url: Option<&str>) -> Repository {
    Repository {
        root_commit: Some(root.into()),
        remote_url: url.map(String::from),
    }
}

fn events(store: &dyn Store, kind: &str) -> usize {
    store
        .events(&EventFilter {
            kind_prefix: Some(kind.into()),
            ..EventFilter::default()
        })
        .unwrap()
        .len()
}

pub(super) fn a_project_name_stays_with_its_repository_until_taken_over(b: &dyn Backend) {
    let store = b.store();
    let mut decl = bi();
    decl.repository = repo("aaa", Some("github.com/org/bi"));
    store.sync_project(&decl, now(), None).unwrap();
    assert_eq!(events(store, kinds::PROJECT_CLAIMED), 1);

    // A fork: same root commit, another remote. Refused, and nothing written.
    let mut fork = bi();
    fork.repository = repo("aaa", Some("github.com/mallory/bi"));
    fork.consumers.clear();
    let err = store.sync_project(&fork, now(), None).unwrap_err();
    assert!(matches!(err, StoreError::ProjectClaimed { .. }), "{err:?}");
    assert_eq!(store.consumers("analytics.core.orders").unwrap().len(), 1);

    // The same repository without its remote (a local clone) is still the same repository.
    let mut local = bi();
    local.repository = repo("aaa", None);
    store.sync_project(&local, now(), None).unwrap();

    fork.takeover = Some(Takeover {
        by: "mallory@example.com".into(),
        reason: "moved".into(),
    });
    store.sync_project(&fork, now(), None).unwrap();
    assert_eq!(events(store, kinds::PROJECT_TAKEOVER), 1);
    let p = store.projects().unwrap();
    assert_eq!(p[0].repository, fork.repository);
    // The takeover is not part of the declaration: the same sync again is a no-op.
    fork.takeover = None;
    assert!(!store.sync_project(&fork, now(), None).unwrap().changed);
}

pub(super) fn a_team_belongs_to_the_first_project_that_owns_it_until_released(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&bi(), now(), None).unwrap();
    let mut other = bi();
    other.project = "other".into();
    other.assets.clear();
    other.consumers.clear();
    let err = store.sync_project(&other, now(), None).unwrap_err();
    assert!(matches!(err, StoreError::TeamClaimed { .. }), "{err:?}");
    assert!(store.projects().unwrap().iter().all(|p| p.name != "other"));

    // bi gives team-bi up by no longer declaring it as its owner; then it is free.
    let mut released = bi();
    released.owner = None;
    store.sync_project(&released, now(), None).unwrap();
    assert_eq!(events(store, kinds::TEAM_RELEASED), 1);
    store.sync_project(&other, now(), None).unwrap();
    let claims = store.team_claims().unwrap();
    assert_eq!(
        (claims[0].team.as_str(), claims[0].project.as_str()),
        ("team-bi", "other")
    );
    assert_eq!(events(store, kinds::TEAM_CLAIMED), 2);
}

pub(super) fn names_that_are_not_team_names_or_emails_are_refused_by_the_store_itself(
    b: &dyn Backend,
) {
    let store = b.store();
    let mut decl = bi();
    decl.users[0].teams.push("team-bi\n```".into());
    let err = store.sync_project(&decl, now(), None).unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidDeclaration { .. }),
        "{err:?}"
    );
    let mut decl = bi();
    decl.users[0].email = "*".into();
    let err = store.sync_project(&decl, now(), None).unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidDeclaration { .. }),
        "{err:?}"
    );
    assert!(store.projects().unwrap().is_empty());
}
