//! A model's contract is what its SQL outputs: breaks made only in SQL are caught, and edits
//! to the YAML documentation alone do not block. Real git repositories, the built binary.

use crate::common::{SHOP_PROJECT as PROJECT, TestRepo, code, stderr};

/// `(rule node.path severity)` of every finding, sorted.
fn findings(o: &std::process::Output) -> Vec<String> {
    crate::common::rules(&crate::common::json(o))
}

fn enforced(name: &str, columns: &[&str]) -> String {
    let mut s =
        format!("  - name: {name}\n    config: {{contract: {{enforced: true}}}}\n    columns:\n");
    for c in columns {
        s.push_str(&format!("      - name: {c}\n"));
    }
    s
}

fn yaml(models: &[String]) -> String {
    format!("version: 2\nmodels:\n{}", models.concat())
}

fn repo_with(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", PROJECT);
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("base");
    repo
}

fn check(repo: &TestRepo) -> std::process::Output {
    repo.run(&["check", "--format", "json"])
}

#[test]
fn an_alias_renamed_in_the_sql_with_the_yaml_unchanged_blocks() {
    let props = yaml(&[enforced("orders", &["id", "status"])]);
    let repo = repo_with(&[
        (
            "models/orders.sql",
            "select id, state as status from raw.orders\n",
        ),
        ("models/schema.yml", &props),
    ]);
    repo.write(
        "models/orders.sql",
        "select id, state as order_status from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_renamed orders.order_status ERR"]);
    // The YAML still documents the old name: readers are told.
    assert!(stderr(&o).contains("documents `status`"), "{}", stderr(&o));
}

#[test]
fn a_column_dropped_from_the_select_while_the_yaml_lists_it_blocks() {
    let props = yaml(&[enforced("orders", &["id", "status", "amount"])]);
    let repo = repo_with(&[
        (
            "models/orders.sql",
            "select id, status, amount from raw.orders\n",
        ),
        ("models/schema.yml", &props),
    ]);
    repo.write("models/orders.sql", "select id, amount from raw.orders\n");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed orders.status ERR"]);
}

#[test]
fn a_yaml_entry_renamed_to_match_the_sql_is_documentation() {
    let base = yaml(&[enforced("orders", &["id", "custmer_id"])]);
    let repo = repo_with(&[
        (
            "models/orders.sql",
            "select id, customer_id from raw.orders\n",
        ),
        ("models/schema.yml", &base),
    ]);
    repo.write(
        "models/schema.yml",
        &yaml(&[enforced("orders", &["id", "customer_id"])]),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_docs_changed orders.custmer_id INFO",
            "column_docs_changed orders.customer_id INFO"
        ]
    );
}

#[test]
fn a_documentation_block_moved_between_two_models_is_info() {
    let base = yaml(&[
        enforced("orders", &["id", "status"]),
        enforced("customers", &["id"]),
    ]);
    let repo = repo_with(&[
        ("models/orders.sql", "select id, status from raw.orders\n"),
        (
            "models/customers.sql",
            "select id, status from raw.customers\n",
        ),
        ("models/schema.yml", &base),
    ]);
    repo.write(
        "models/schema.yml",
        &yaml(&[
            enforced("orders", &["id"]),
            enforced("customers", &["id", "status"]),
        ]),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_docs_changed customers.status INFO",
            "column_docs_changed orders.status INFO"
        ]
    );
}

#[test]
fn an_upstream_column_dropped_is_lost_by_a_downstream_select_star_too() {
    let props = yaml(&[
        enforced("stg_orders", &["id", "status"]),
        enforced("orders", &["id", "status"]),
    ]);
    let repo = repo_with(&[
        (
            "models/stg_orders.sql",
            "select id, status from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "with s as (select * from {{ ref('stg_orders') }})\nselect * from s\n",
        ),
        ("models/schema.yml", &props),
    ]);
    repo.write("models/stg_orders.sql", "select id from raw.orders\n");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed orders.status ERR",
            "column_removed stg_orders.status ERR"
        ]
    );
}

#[test]
fn a_project_macro_that_renames_an_alias_is_reported_in_every_model_using_it() {
    let props = yaml(&[
        enforced("orders", &["id", "amount_usd"]),
        enforced("refunds", &["id", "amount_usd"]),
    ]);
    let repo = repo_with(&[
        (
            "macros/money.sql",
            "{% macro usd(col) %}round({{ col }} / 100, 2) as {{ col }}_usd{% endmacro %}\n",
        ),
        (
            "models/orders.sql",
            "select id, {{ usd('amount') }} from raw.orders\n",
        ),
        (
            "models/refunds.sql",
            "select id, {{ usd('amount') }} from raw.refunds\n",
        ),
        ("models/schema.yml", &props),
    ]);
    repo.write(
        "macros/money.sql",
        "{% macro usd(col) %}round({{ col }} / 100, 2) as {{ col }}_dollars{% endmacro %}\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_renamed orders.amount_dollars ERR",
            "column_renamed refunds.amount_dollars ERR"
        ]
    );
}

#[test]
fn a_model_calling_a_package_macro_that_is_not_installed_falls_back_to_its_yaml() {
    let props = yaml(&[enforced("orders", &["id", "status", "amount"])]);
    let repo = repo_with(&[
        (
            "models/stg.sql",
            "select id, status, amount from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "select {{ dbt_utils.star(ref('stg')) }} from {{ ref('stg') }}\n",
        ),
        ("models/schema.yml", &props),
    ]);
    repo.write(
        "models/schema.yml",
        &yaml(&[enforced("orders", &["id", "amount"])]),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed orders.status ERR"]);
    let err = stderr(&o);
    assert!(
        err.contains("`orders`: columns taken from its YAML"),
        "{err}"
    );
    assert!(err.contains("dbt_utils.star"), "{err}");
}

#[test]
fn replay_runs_each_first_parent_commit_through_checks_comparison() {
    let props = yaml(&[enforced("orders", &["id", "status"])]);
    let repo = repo_with(&[
        ("models/orders.sql", "select id, status from raw.orders\n"),
        ("models/schema.yml", &props),
    ]);
    repo.write("README.md", "# shop\n");
    repo.commit("readme only");
    repo.write(
        "models/orders.sql",
        "select id, status as state from raw.orders\n",
    );
    repo.commit("rename status in the SQL");
    repo.write(
        "models/schema.yml",
        &yaml(&[enforced("orders", &["id", "state"])]),
    );
    repo.commit("docs follow the SQL");
    let o = repo.run(&["replay", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let verdicts: Vec<(&str, &str)> = v["commits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["subject"].as_str().unwrap_or(""),
                c["verdict"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("readme only", "untouched"),
            ("rename status in the SQL", "blocked"),
            ("docs follow the SQL", "passed")
        ]
    );
    assert_eq!(
        v["commits"][1]["rules"]["column_renamed"],
        serde_json::json!([1, 0, 0])
    );
    assert_eq!(
        v["commits"][2]["rules"]["column_docs_changed"],
        serde_json::json!([0, 0, 2])
    );
    let s = &v["summary"];
    assert_eq!(
        (
            s["commits"].as_u64(),
            s["touched_dbt"].as_u64(),
            s["blocked"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(s["blocked_by"], serde_json::json!({"column_renamed": 1}));
    // Not a terminal: no progress bar in what a script reads.
    assert!(!stderr(&o).contains('['), "{}", stderr(&o));
}

const CATALOG: &str = r#"{"metadata": {}, "nodes": {"model.shop.orders": {"metadata": {}, "columns": {
  "ID": {"type": "NUMBER", "index": 1, "name": "ID"},
  "AMOUNT": {"type": "NUMBER", "index": 2, "name": "AMOUNT"}}}}, "sources": {}}"#;

#[test]
fn catalog_types_fill_what_neither_yaml_nor_sql_states() {
    let props = yaml(&[enforced("orders", &["id", "amount"])]);
    let repo = repo_with(&[
        ("models/orders.sql", "select id, amount from raw.orders\n"),
        ("models/schema.yml", &props),
        ("target/catalog.json", CATALOG),
    ]);
    repo.write(
        "models/orders.sql",
        "select id, cast(amount as varchar) as amount from raw.orders\n",
    );
    // Without the catalog the old type is unknown: nothing to compare the cast with.
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), Vec::<String>::new());
    // With it, NUMBER → VARCHAR is seen.
    let o = repo.run(&[
        "check",
        "--format",
        "json",
        "--catalog",
        "target/catalog.json",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_type_changed orders.amount ERR"]);
    // `dbt.catalog` in tessera.yaml does the same.
    repo.write("tessera.yaml", "dbt:\n  catalog: target/catalog.json\n");
    let o = check(&repo);
    assert_eq!(findings(&o), ["column_type_changed orders.amount ERR"]);
}

#[test]
fn a_catalog_that_is_not_json_is_an_error_naming_the_file() {
    let repo = repo_with(&[
        ("models/orders.sql", "select 1 as id\n"),
        ("target/catalog.json", "{\"nodes\": [\n"),
    ]);
    let o = repo.run(&["check", "--catalog", "target/catalog.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("catalog.json is not a dbt catalog"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sync_stores_the_catalog_types_with_the_contract_version() {
    let props = yaml(&[enforced("orders", &["id", "amount"])]);
    let repo = repo_with(&[
        ("models/orders.sql", "select id, amount from raw.orders\n"),
        ("models/schema.yml", &props),
        ("target/catalog.json", CATALOG),
        (
            "tessera.yaml",
            "project: shop\nowner: team-shop\nteams: [{name: team-shop}]\ndbt:\n  catalog: target/catalog.json\n",
        ),
    ]);
    let store = format!("sqlite:{}", repo.path().join("store.db").display());
    let o = repo.run(&["sync", "--store", &store]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let db = rusqlite::Connection::open(repo.path().join("store.db")).expect("store");
    let contracts: Vec<String> = db
        .prepare("select contract_json from contract_versions")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("contract versions");
    assert!(
        contracts
            .iter()
            .any(|c| c.contains("\"data_type\":\"NUMBER\"")
                && c.contains("\"type_origin\":\"catalog\"")),
        "{contracts:?}"
    );
}

#[test]
fn an_unreadable_file_the_change_did_not_touch_still_lets_a_sql_change_be_checked() {
    let props = yaml(&[enforced("orders", &["id", "status"])]);
    let repo = repo_with(&[
        ("models/orders.sql", "select id, status from raw.orders\n"),
        ("models/schema.yml", &props),
        ("models/other/broken.yml", "version: 2\nmodels: [\n"),
    ]);
    repo.write("models/orders.sql", "select id from raw.orders\n");
    // The change reaches `orders` alone: the broken file is not even read.
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed orders.status ERR"]);
    assert!(!stderr(&o).contains("followed only"), "{}", stderr(&o));
    // A macro change needs the whole project read; the broken file narrows it back.
    repo.write(
        "macros/cents_to_dollars.sql",
        "{% macro cents_to_dollars(c) %}{{ c }} / 100{% endmacro %}\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed orders.status ERR"]);
    assert!(
        stderr(&o).contains("followed only into the models of the changed files"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_sql_file_given_as_paths_still_reaches_the_models_downstream() {
    let props = yaml(&[
        enforced("stg_orders", &["id", "status"]),
        enforced("orders", &["id", "status"]),
    ]);
    let repo = repo_with(&[
        (
            "models/stg_orders.sql",
            "select id, status from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "select * from {{ ref('stg_orders') }}\n",
        ),
        ("models/schema.yml", &props),
    ]);
    repo.write("models/stg_orders.sql", "select id from raw.orders\n");
    let o = repo.run(&["check", "--format", "json", "models/stg_orders.sql"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed orders.status ERR",
            "column_removed stg_orders.status ERR"
        ]
    );
}
