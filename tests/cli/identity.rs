//! Where a model lands, and who reads it: a producer and a consumer in two real git
//! repositories sharing one SQLite store, on ordinary dbt layouts (no `schema:` written into
//! the YAML so keys line up).

#[path = "identity/world.rs"]
mod world;

use crate::common::{code, stderr, stdout};
use world::{Layout, Pair};

/// A producer Tessera cannot place: its readers are unknown, so a break keeps ERR and the run
/// says how to place it, instead of "lowered from ERR: no registered consumer uses what changed".
#[test]
fn a_break_on_an_asset_that_cannot_be_placed_is_not_lowered() {
    let pair = Pair::new(Layout::Nothing, "core");
    pair.sync_both();
    pair.producer.drop_column("status");
    let o = pair.check();
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ERR"), "{out}");
    assert!(!out.contains("lowered from ERR"), "{out}");
    let err = stderr(&o);
    assert!(err.contains("could not tell where orders land"), "{err}");
    assert!(err.contains("dbt.target"), "{err}");
    // One warning per run.
    assert_eq!(err.matches("could not tell where").count(), 1, "{err}");

    // Nobody can ack a break whose readers are unknown, so the gate holds.
    pair.producer
        .repo
        .git(&["checkout", "-q", "-b", "drop-status"]);
    pair.producer.repo.commit("drop status");
    let o = pair
        .producer
        .run(&["impact", "--base", "main", "--require-acks"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("readers are unknown"), "{}", stdout(&o));
}

/// A project that never synced: nobody looked for its readers yet.
#[test]
fn a_project_that_never_synced_keeps_its_breaks() {
    let pair = Pair::new(Layout::Nothing, "core");
    pair.consumer.sync();
    pair.producer.drop_column("id_never_read");
    let o = pair.check();
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("has never synced"), "{}", stderr(&o));
}
