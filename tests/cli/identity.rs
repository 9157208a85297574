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

/// Each ordinary layout: dropping a column the consumer reads is ERR naming team-bi (exit 1);
/// dropping one nobody reads is WARN (exit 0).
fn judged_like_the_warehouse(layout: Layout, consumer_schema: &str) {
    for (column, exit) in [("status", 1), ("id_never_read", 0)] {
        let pair = Pair::new(layout, consumer_schema);
        pair.sync_both();
        if layout == Layout::Manifest {
            // Absent at check: the identity comes from the store's record of the last sync.
            std::fs::remove_file(pair.producer.repo.path().join("target/manifest.json"))
                .expect("remove the manifest");
        }
        pair.producer.drop_column(column);
        let o = pair.producer.run(&["check", "--format", "json"]);
        assert_eq!(
            code(&o),
            exit,
            "{layout:?} {column}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let f = &v["findings"][0];
        assert_eq!(f["rule"], "column_removed", "{v}");
        if exit == 1 {
            assert_eq!(f["severity"], "ERR", "{layout:?}: {v}");
            assert_eq!(
                f["impacted"],
                serde_json::json!(["team-bi"]),
                "{layout:?}: {v}"
            );
        } else {
            assert_eq!(f["severity"], "WARN", "{layout:?}: {v}");
            assert_eq!(f["impacted"], serde_json::json!([]), "{layout:?}: {v}");
        }
        assert!(
            !stderr(&o).contains("could not tell where"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn a_profile_in_the_project_directory_with_env_var_defaults() {
    judged_like_the_warehouse(Layout::Profile, "core");
}

#[test]
fn plus_schema_under_dbts_default_generate_schema_name() {
    judged_like_the_warehouse(Layout::PlusSchemaDefault, "analytics_core");
}

#[test]
fn plus_schema_under_an_overriding_macro() {
    judged_like_the_warehouse(Layout::PlusSchemaOverride, "core");
}

#[test]
fn dbt_target_in_tessera_yaml() {
    judged_like_the_warehouse(Layout::DbtTarget, "core");
}

#[test]
fn a_manifest_at_sync_and_none_at_check() {
    judged_like_the_warehouse(Layout::Manifest, "core");
}

/// A consumer that names a schema the producer does not build into protects nobody: sync says
/// so with the nearest asset, and `consumers --unmatched` lists it store-wide.
#[test]
fn a_registration_that_matches_no_asset_is_listed_with_the_nearest() {
    let pair = Pair::new(Layout::Profile, "marts");
    pair.sync_both();
    let o = pair.consumer.sync();
    let out = stdout(&o);
    assert!(
        out.contains("team-bi reads marts.orders (nearest: core.orders)"),
        "{out}"
    );
    let o = pair
        .producer
        .run(&["consumers", "--unmatched", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["unmatched"][0]["asset"], "marts.orders", "{v}");
    assert_eq!(v["unmatched"][0]["nearest"][0], "core.orders", "{v}");
    let o = pair.producer.run(&["consumers", "--unmatched"]);
    assert!(
        stdout(&o).contains("1 registration matches no asset"),
        "{}",
        stdout(&o)
    );
}

/// The consumer's own pre-commit check warns when its SQL reads a column the producer's current
/// published contract no longer has.
#[test]
fn a_consumer_reading_a_dropped_column_is_warned_by_its_own_check() {
    let pair = Pair::new(Layout::Profile, "core");
    pair.sync_both();
    pair.producer.drop_column("status");
    pair.producer.repo.commit("drop status");
    pair.producer.sync();
    let sql = pair.consumer.read("models/by_status.sql");
    pair.consumer.write(
        "models/by_status.sql",
        &format!("{sql}-- counted per status\n"),
    );
    let o = pair.consumer.run(&["check"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("reads `status` of source shop.orders (core.orders), which its published contract v2.0.0 does not have (dropped in v2.0.0)"),
        "{err}"
    );
    assert!(!err.contains("`order_id`"), "{err}");
}

/// The same change judged with a manifest and from the YAML alone (placed by the store's
/// record, or by profiles.yml): same verdict, same teams.
#[test]
fn a_manifest_and_the_yaml_give_the_same_verdict_and_teams() {
    for layout in [Layout::Manifest, Layout::Profile] {
        same_verdict_with_and_without_a_manifest(layout);
    }
}

fn same_verdict_with_and_without_a_manifest(layout: Layout) {
    let pair = Pair::new(layout, "core");
    pair.sync_both();
    pair.producer.drop_column("status");
    pair.producer.write("target/manifest.json", world::MANIFEST);
    let judge = |args: &[&str]| {
        let o = pair.producer.run(args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let findings: Vec<(String, String, String)> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["rule"].to_string(),
                    f["severity"].to_string(),
                    f["impacted"].to_string(),
                )
            })
            .collect();
        (code(&o), v["verdict"].clone(), findings)
    };
    let with_manifest = judge(&[
        "check",
        "--format",
        "json",
        "--manifest",
        "target/manifest.json",
    ]);
    std::fs::remove_file(pair.producer.repo.path().join("target/manifest.json"))
        .expect("remove the manifest");
    let from_yaml = judge(&["check", "--format", "json"]);
    assert_eq!(with_manifest, from_yaml, "{layout:?}");
    assert_eq!(from_yaml.0, 1);
    assert!(from_yaml.2[0].2.contains("team-bi"), "{from_yaml:?}");
}

/// profiles.yml found where dbt looks with `--profiles-dir`, and the output `DBT_TARGET` names.
#[test]
fn profiles_dir_and_dbt_target_choose_the_profile() {
    let pair = Pair::new(Layout::Profile, "ci_core");
    let elsewhere = pair.path().join("profiles");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let text = pair.producer.read("profiles.yml")
        + "    ci:\n      type: postgres\n      dbname: analytics\n      schema: ci_core\n";
    std::fs::write(elsewhere.join("profiles.yml"), text).expect("write");
    pair.producer.repo.remove("profiles.yml");
    pair.producer
        .repo
        .commit("profiles.yml lives outside the repository");
    pair.consumer.sync();
    let dir = elsewhere.to_str().expect("utf-8");
    let o = pair
        .producer
        .cmd()
        .args(["sync", "--profiles-dir", dir])
        .env("DBT_TARGET", "ci")
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("ci_core.orders (team-bi)"),
        "{}",
        stdout(&o)
    );
    pair.producer.drop_column("status");
    let o = pair
        .producer
        .cmd()
        .args(["check", "--format", "json"])
        .env("DBT_PROFILES_DIR", dir)
        .env("DBT_TARGET", "ci")
        .output()
        .expect("runs");
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("\"team-bi\""), "{}", stdout(&o));
}

/// A generate_schema_name override Tessera cannot evaluate is named, and its models' breaks
/// keep ERR rather than being judged against a guessed location.
#[test]
fn a_custom_naming_macro_is_named_and_nothing_is_lowered() {
    let pair = Pair::new(Layout::Profile, "core");
    pair.producer.write(
        "macros/naming.sql",
        "{% macro generate_schema_name(custom_schema_name, node) -%}\n    {{ node.fqn[1] }}\n{%- endmacro %}\n",
    );
    pair.producer.repo.commit("custom naming");
    pair.sync_both();
    pair.producer.drop_column("id_never_read");
    let o = pair.check();
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("macros/naming.sql"), "{err}");
    assert!(err.contains("is custom"), "{err}");
    assert!(err.contains("could not tell where orders land"), "{err}");
}
