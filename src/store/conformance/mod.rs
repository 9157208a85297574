//! One behaviour suite for every backend: each test here runs against a SQLite file, a
//! PostgreSQL database, and `tessera serve` over HTTP (in-process, over SQLite), and must pass
//! the same on all three. What only one backend has (SQLite's journal modes and damaged files,
//! PostgreSQL's concurrent migrations) is tested beside that backend.
//!
//! PostgreSQL comes from `TESSERA_TEST_POSTGRES_URL` (a URL of a role that may create
//! databases, e.g. `postgres://postgres@127.0.0.1:5432/postgres`); each test creates a database
//! of its own and drops it afterwards. Without the variable those tests say why and pass,
//! unless `TESSERA_TEST_REQUIRE_TOOLS=1` (CI), where a missing database fails them.

mod backends;
mod claims;
mod coord;
mod keys;
mod sync;

pub(crate) use backends::{Backend, Kind, fresh_postgres};

fn run(kind: Kind, test: fn(&dyn Backend)) {
    let Some(backend) = kind.make() else {
        return;
    };
    test(backend.as_ref());
}

/// Declares each listed test once per backend: `store::conformance::postgres::<test>`, …
macro_rules! on_every_backend {
    ($($module:ident :: $test:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $test() { super::run(super::Kind::Sqlite, super::$module::$test) } )*
        }
        mod postgres {
            $( #[test] fn $test() { super::run(super::Kind::Postgres, super::$module::$test) } )*
        }
        mod http {
            $( #[test] fn $test() { super::run(super::Kind::Http, super::$module::$test) } )*
        }
    };
}

on_every_backend!(
    sync::sync_twice_changes_nothing,
    sync::what_a_project_stops_declaring_is_retired_not_deleted,
    sync::a_changed_contract_records_a_new_version,
    sync::reusing_a_version_for_another_contract_is_refused_atomically,
    sync::consumers_registered_before_their_producer_are_linked,
    sync::projects_do_not_touch_each_others_rows,
    sync::an_asset_has_one_producer,
    sync::duplicate_registrations_merge,
    sync::teams_and_members_keep_who_declared_them,
    sync::invalid_stored_values_are_errors_not_panics,
    sync::sixteen_concurrent_syncs_of_different_projects_all_land,
    claims::a_project_name_stays_with_its_repository_until_taken_over,
    claims::a_team_belongs_to_the_first_project_that_owns_it_until_released,
    claims::names_that_are_not_team_names_or_emails_are_refused_by_the_store_itself,
    coord::proposals_acks_and_events,
    coord::a_batch_lands_whole_only_while_what_its_author_saw_holds,
    coord::evidence_cannot_be_rewritten_behind_the_stores_back,
    coord::concurrent_acks_on_one_proposal_serialise,
);

/// API keys are the server's alone: the backends it runs on keep them alike.
mod key_store {
    use super::{Kind, keys::keys_are_hashed_listed_and_revoked_once as test};

    fn run(kind: Kind) {
        let Some(backend) = kind.make() else {
            return;
        };
        let keys = backend.keys().expect("the server runs on this backend");
        test(backend.as_ref(), keys);
    }

    #[test]
    fn sqlite() {
        run(Kind::Sqlite);
    }

    #[test]
    fn postgres() {
        run(Kind::Postgres);
    }
}
