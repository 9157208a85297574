//! Verdicts that replaying a real project's history showed wrong (issue 13, "fixes found on the
//! same history"), each through the built binary on a real git repository.

use crate::common::{SHOP_ORDERS, SHOP_ORDERS_SQL, code, json, rules, stderr, stdout};

const OWNER: &str = "project: shop\nowner: team-shop\nteams: [{name: team-shop}]\n";

use crate::common::shop_repo as shop;

#[test]
fn the_dict_forms_of_config_are_read() {
    let view = "materialization_drops_constraints orders. ERR";
    for (header, want) in [
        ("{{ config({'materialized': 'view'}) }}", vec![view]),
        (
            "{{ config({\"materialized\": \"view\", \"tags\": [\"a\"]}) }}",
            vec![view, "relation_metadata_changed orders. INFO"],
        ),
        ("{{ config(**{'materialized': 'view'}) }}", vec![view]),
    ] {
        let repo = shop();
        // The project makes models tables; the model's own config turns it into a view, which
        // drops its enforced NOT NULL.
        repo.write("models/orders.sql", &format!("{header}\n{SHOP_ORDERS_SQL}"));
        let o = repo.run(&["check", "--format", "json"]);
        assert_eq!(code(&o), 1, "{header}: {}", stderr(&o));
        assert_eq!(rules(&json(&o)), want, "{header}");
    }
}

#[test]
fn deleting_an_ephemeral_model_is_info_and_turning_one_ephemeral_stays_a_break() {
    let repo = shop();
    repo.write(
        "models/int_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect 1 as id\n",
    )
    .write(
        "models/int.yml",
        "version: 2\nmodels:\n  - name: int_orders\n    columns: [{name: id, data_type: int}]\n",
    );
    repo.commit("an ephemeral model");

    repo.remove("models/int_orders.sql")
        .remove("models/int.yml");
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        rules(&json(&o)),
        ["ephemeral_model_removed int_orders. INFO"]
    );

    // The same deletion of a table is still a break, and so is making a table ephemeral.
    repo.git(&["checkout", "-q", "--", "."]);
    repo.remove("models/orders.sql");
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(rules(&json(&o)), ["relation_removed orders. ERR"]);

    repo.git(&["checkout", "-q", "--", "."]);
    repo.write(
        "models/orders.sql",
        &format!("{{{{ config(materialized='ephemeral') }}}}\n{SHOP_ORDERS_SQL}"),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        rules(&json(&o)),
        ["materialization_to_ephemeral orders. ERR"]
    );

    let o = crate::common::tessera()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let rule = listed["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "ephemeral_model_removed");
    let rule = rule.expect("tessera rules lists ephemeral_model_removed");
    assert_eq!(
        (&rule["forward"], &rule["backward"]),
        (&"INFO".into(), &"INFO".into())
    );
}

const SOURCES: &str = "version: 2
sources:
  - name: raw
    meta: {owner: team-shop}
    tables:
      - name: payments
        columns: [{name: id, data_type: int}, {name: amount, data_type: numeric}]
      - name: refunds
        identifier: refunds_v2
        columns: [{name: id, data_type: int}]
";

#[test]
fn renaming_a_source_that_reads_the_same_table_is_no_break() {
    let repo = shop();
    // The project owns the raw tables, so their declarations are contracts it publishes.
    repo.write("tessera.yaml", OWNER)
        .write("models/sources.yml", SOURCES);
    repo.commit("sources");

    // `name:` changes, `schema:` keeps the table where it was; a table's name changes while its
    // identifier stays.
    repo.write(
        "models/sources.yml",
        &SOURCES
            .replace("  - name: raw\n", "  - name: stripe\n    schema: raw\n")
            .replace("name: refunds\n", "name: refund_events\n"),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(rules(&json(&o)), Vec::<String>::new());

    // A change of what the renamed source holds is still found, under its new name.
    repo.write(
        "models/sources.yml",
        &SOURCES
            .replace("  - name: raw\n", "  - name: stripe\n    schema: raw\n")
            .replace(", {name: amount, data_type: numeric}", ""),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        rules(&json(&o)),
        ["column_removed stripe.payments.amount ERR"]
    );

    // Another schema is another table: removed and added.
    repo.write(
        "models/sources.yml",
        &SOURCES.replace("  - name: raw\n", "  - name: stripe\n"),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        rules(&json(&o)),
        [
            "relation_added stripe.payments. INFO",
            "relation_added stripe.refunds. INFO",
            "relation_removed raw.payments. ERR",
            "relation_removed raw.refunds. ERR",
        ]
    );
}

#[test]
fn a_consumers_sources_are_what_it_reads_not_contracts_it_publishes() {
    let repo = shop();
    repo.write("tessera.yaml", OWNER).write(
        "models/sources.yml",
        &SOURCES.replace("    meta: {owner: team-shop}\n", ""),
    );
    repo.commit("sources it reads");

    // Dropping a column from a declaration of someone else's table changes what this project
    // reads; no reader of this project is affected.
    let dropped = |text: &str| text.replace(", {name: amount, data_type: numeric}", "");
    repo.write(
        "models/sources.yml",
        &dropped(&SOURCES.replace("    meta: {owner: team-shop}\n", "")),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(rules(&json(&o)), Vec::<String>::new());

    // Owned by another team: still only read here.
    repo.write(
        "models/sources.yml",
        &dropped(&SOURCES.replace("owner: team-shop", "owner: team-raw")),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(rules(&json(&o)), Vec::<String>::new());

    // Owned by this project's team: a contract it publishes (the new owner is metadata).
    repo.write("models/sources.yml", &dropped(SOURCES));
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        rules(&json(&o)),
        [
            "column_removed raw.payments.amount ERR",
            "relation_metadata_changed raw.payments. INFO",
            "relation_metadata_changed raw.refunds. INFO",
        ]
    );
}

#[test]
fn a_model_no_longer_named_by_a_test_in_the_changed_file_is_not_removed() {
    let repo = shop();
    repo.write("models/customers.sql", "select 1 as id\n").write(
        "models/tests.yml",
        "version: 2\nmodels:\n  - name: customers\n    data_tests:\n      - dbt_utils.equal_rowcount:\n          compare_model: ref('orders')\n",
    );
    repo.commit("a test on customers");

    // The file keeps describing nothing; customers.sql is untouched.
    repo.write("models/tests.yml", "version: 2\nmodels: []\n");
    for args in [
        &["check", "--format", "json", "models/tests.yml"][..],
        &["check", "--format", "json"][..],
    ] {
        let o = repo.run(args);
        let got = rules(&json(&o));
        assert!(
            !got.iter().any(|r| r.starts_with("relation_removed")),
            "{args:?}: {got:?}"
        );
        assert_eq!(code(&o), 0, "{args:?}: {got:?} {}", stderr(&o));
    }
}

#[test]
fn transitive_modes_compare_with_every_retained_version_in_the_store() {
    let repo = shop();
    let store = format!("sqlite:{}", repo.path().join("store.db").display());
    let config = |mode: &str| {
        format!(
            "{OWNER}store: {store}\ndbt:\n  target: {{schema: analytics}}\ncompatibility:\n  default_mode: {mode}\n"
        )
    };
    repo.write("tessera.yaml", &config("FORWARD_TRANSITIVE"));
    repo.commit("v1: amount numeric");
    let o = repo.run(&["sync"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // v2 drops amount (on purpose, recorded as such).
    let without = SHOP_ORDERS.replace(
        "      - name: amount\n        data_type: numeric(12,2)\n",
        "",
    );
    repo.write("models/schema.yml", &without);
    repo.write("models/orders.sql", "select 1 as id, 'x' as status\n");
    repo.commit("v2: amount dropped");
    let o = repo.run(&["sync", "--force", "--reason", "nobody reads amount"]);
    assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));

    // The candidate brings amount back as text: new against v2, a type change against v1. No
    // consumer is registered (and `dbt.target` places the model), so impact lowers the ERR to a
    // WARN; the engine's level stays.
    repo.write(
        "models/schema.yml",
        &format!("{without}      - name: amount\n        data_type: text\n"),
    );
    repo.write(
        "models/orders.sql",
        "select 1 as id, 'x' as status, 'x' as amount\n",
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    assert_eq!(
        rules(&v),
        [
            "column_added orders.amount INFO",
            "column_type_changed orders.amount WARN"
        ]
    );
    let changed = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "column_type_changed");
    let changed = changed.map(|f| (f["fwd"].clone(), f["against"].clone()));
    assert_eq!(changed, Some(("ERR".into(), "v1.0.0".into())));

    // Without the transitive mode only the base counts.
    repo.write("tessera.yaml", &config("FORWARD"));
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(rules(&json(&o)), ["column_added orders.amount INFO"]);
}
