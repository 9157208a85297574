//! Models whose output cannot be derived from their SQL: a change that reaches one is named
//! (`output_unresolved`, with why) and compared through its YAML, never passed in silence.
//! Real git repositories, the built binary.

use crate::common::{SHOP_PROJECT as PROJECT, TestRepo, code, json, stderr};

fn findings(o: &std::process::Output) -> Vec<String> {
    crate::common::rules(&json(o))
}

fn message(o: &std::process::Output, rule: &str, node: &str) -> String {
    let v = json(o);
    let found = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"].as_str() == Some(rule) && f["node"].as_str() == Some(node));
    match found {
        Some(f) => f["message"].as_str().unwrap_or("").to_string(),
        None => panic!("no {rule} on {node}: {v}"),
    }
}

const SOURCES: &str = "version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: orders
        columns:
          - {name: id, data_type: integer}
          - {name: amount, data_type: numeric}
          - {name: status, data_type: text}
      - name: customers
        columns:
          - {name: id, data_type: integer}
          - {name: name, data_type: text}
      - name: events
";

fn repo_with(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", PROJECT);
    repo.write("models/sources.yml", SOURCES);
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("base");
    repo
}

fn check(repo: &TestRepo) -> std::process::Output {
    repo.run(&["check", "--format", "json"])
}

const STG: &str = "select id, amount, status from {{ source('raw', 'orders') }}\n";
const STAR_MACRO: &str = "select {{ dbt_utils.star(from=ref('stg'), except=['status']) }}, status as st from {{ ref('stg') }}\n";

const STAR_YAML: &str = "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n      - name: st\n";

#[test]
fn an_edit_to_a_missing_package_macros_arguments_is_named_not_passed() {
    let repo = repo_with(&[
        ("models/stg.sql", STG),
        ("models/orders.sql", STAR_MACRO),
        ("models/orders.yml", STAR_YAML),
    ]);
    // What the macro now leaves out is unknown: a warning, not a block, since most projects
    // call package macros everywhere.
    repo.write(
        "models/orders.sql",
        &STAR_MACRO.replace("except=['status']", "except=['status', 'amount']"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["output_unresolved orders. WARN"]);
    let why = message(&o, "output_unresolved", "orders");
    assert!(why.contains("dbt_utils.star"), "{why}");
    assert!(why.contains("only its YAML was compared"), "{why}");
    // A cautious team blocks on it.
    let o = repo.run(&["check", "--format", "json", "--fail-on", "WARN"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn an_alias_renamed_beside_a_missing_package_macro_blocks() {
    let repo = repo_with(&[
        ("models/stg.sql", STG),
        ("models/orders.sql", STAR_MACRO),
        ("models/orders.yml", STAR_YAML),
    ]);
    // The macro call is as it was, over the same upstream: it outputs what it did, so `st`
    // is gone from the output whatever the macro expands to.
    repo.write(
        "models/orders.sql",
        &STAR_MACRO.replace("status as st ", "status as st2 "),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_renamed orders.st2 ERR",
            "output_unresolved orders. WARN"
        ]
    );
    repo.write(
        "models/orders.sql",
        &STAR_MACRO.replace(", status as st ", " "),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed orders.st ERR",
            "output_unresolved orders. WARN"
        ]
    );
}

#[test]
fn an_unresolved_model_nothing_reached_stays_quiet() {
    let repo = repo_with(&[
        ("models/stg.sql", STG),
        ("models/orders.sql", STAR_MACRO),
        ("models/other.sql", "select 1 as id\n"),
    ]);
    // An upstream edit that keeps its output (a filter) does not reach what `orders` outputs.
    repo.write("models/stg.sql", &STG.replace("\n", " where amount > 0\n"));
    repo.write("models/other.sql", "select 1 as id, 2 as two\n");
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_added other.two INFO"]);
}

#[test]
fn an_upstream_dropping_a_column_reaches_an_unresolved_reader() {
    let repo = repo_with(&[("models/stg.sql", STG), ("models/orders.sql", STAR_MACRO)]);
    repo.write("models/stg.sql", &STG.replace(", status", ""));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed stg.status ERR",
            "output_unresolved orders. WARN"
        ]
    );
    let why = message(&o, "output_unresolved", "orders");
    assert!(why.contains("what it reads changed"), "{why}");
}

#[test]
fn star_over_a_source_without_columns_is_named_when_its_select_changes() {
    let sql = "select *, 1 as one from {{ source('raw', 'events') }}\n";
    let repo = repo_with(&[("models/events.sql", sql)]);
    repo.write("models/events.sql", &sql.replace("1 as one", "1 as uno"));
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["output_unresolved events. WARN"]);
    let why = message(&o, "output_unresolved", "events");
    assert!(why.contains("`raw.events` declares no columns"), "{why}");
}

#[test]
fn a_python_model_edit_is_named_and_so_is_a_star_reading_it() {
    let py = "def model(dbt, session):\n    df = dbt.source(\"raw\", \"orders\")\n    return df.select(\"id\", \"amount\")\n";
    let repo = repo_with(&[
        ("models/py_orders.py", py),
        (
            "models/reader.sql",
            "select * from {{ ref('py_orders') }}\n",
        ),
    ]);
    repo.write("models/py_orders.py", &py.replace(", \"amount\"", ""));
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "output_unresolved py_orders. WARN",
            "output_unresolved reader. WARN"
        ]
    );
    let why = message(&o, "output_unresolved", "py_orders");
    assert!(why.contains("Python model"), "{why}");
}

#[test]
fn a_model_that_starts_resolving_compares_its_old_yaml_with_its_new_sql() {
    let repo = repo_with(&[
        (
            "models/events.sql",
            "select * from {{ source('raw', 'events') }}\n",
        ),
        (
            "models/events.yml",
            "version: 2\nmodels:\n  - name: events\n    columns:\n      - name: id\n      - name: amount\n      - name: status\n",
        ),
    ]);
    repo.write(
        "models/events.sql",
        "select id, amount from {{ source('raw', 'events') }}\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed events.status ERR",
            "output_unresolved events. WARN"
        ]
    );
    let why = message(&o, "output_unresolved", "events");
    assert!(why.contains("before this change"), "{why}");
    let err = stderr(&o);
    assert!(
        err.contains("the YAML documents `status` that its SQL does not output"),
        "{err}"
    );
}

#[test]
fn star_over_a_join_using_lists_the_joined_column_once_and_passes_a_drop_on() {
    let repo = repo_with(&[
        ("models/stg.sql", STG),
        (
            "models/enriched.sql",
            "select * from {{ ref('stg') }} join {{ source('raw', 'customers') }} c using (id)\n",
        ),
        ("models/wide.sql", "select * from {{ ref('enriched') }}\n"),
    ]);
    repo.write("models/stg.sql", &STG.replace(", status", ""));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed enriched.status ERR",
            "column_removed stg.status ERR",
            "column_removed wide.status ERR"
        ]
    );
    // `id` once, then the left side's rest, then the right's: the same list written out is no
    // change at all.
    repo.write("models/stg.sql", STG);
    repo.write(
        "models/enriched.sql",
        "select stg.id, stg.amount, stg.status, c.name from {{ ref('stg') }} \
         join {{ source('raw', 'customers') }} c on stg.id = c.id\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), Vec::<String>::new());
    repo.write(
        "models/enriched.sql",
        "select * from {{ ref('stg') }} join {{ source('raw', 'customers') }} c on stg.id = c.id\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let why = message(&o, "output_unresolved", "enriched");
    assert!(why.contains("outputs `id` twice"), "{why}");
}

#[test]
fn an_unaliased_count_is_named_as_postgres_names_it_and_left_unknown_elsewhere() {
    let sql = "select status, count(*) from {{ ref('stg') }} group by 1\n";
    for (warehouse, expected) in [
        ("postgres", "column_removed counts.status ERR"),
        ("snowflake", "output_unresolved counts. WARN"),
    ] {
        let repo = repo_with(&[
            ("tessera.yaml", &format!("warehouse: {warehouse}\n")),
            ("models/stg.sql", STG),
            ("models/counts.sql", sql),
        ]);
        repo.write("models/counts.sql", &sql.replace("status, ", ""));
        let o = check(&repo);
        assert_eq!(findings(&o), [expected], "{warehouse}: {}", stderr(&o));
    }
}

#[test]
fn a_column_selected_twice_is_named_without_bogus_case_or_order_findings() {
    let repo = repo_with(&[
        ("models/stg.sql", STG),
        (
            "models/orders.sql",
            "select id, amount, status from {{ ref('stg') }}\n",
        ),
    ]);
    repo.write(
        "models/orders.sql",
        "select id, amount, status, id from {{ ref('stg') }}\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["output_unresolved orders. WARN"]);
    let why = message(&o, "output_unresolved", "orders");
    assert!(
        why.contains("`id` twice") && why.contains("dbt cannot build"),
        "{why}"
    );
}

#[test]
fn a_model_still_selecting_a_column_its_upstream_dropped_blocks_and_says_it_fails_to_build() {
    let repo = repo_with(&[
        ("models/stg.sql", STG),
        (
            "models/orders.sql",
            "select id, status from {{ ref('stg') }}\n",
        ),
        (
            "models/renamed.sql",
            "select o.id, o.status as state from {{ ref('stg') }} o\n",
        ),
    ]);
    repo.write("models/stg.sql", &STG.replace(", status", ""));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed orders.status ERR",
            "column_removed renamed.state ERR",
            "column_removed stg.status ERR"
        ]
    );
    let why = message(&o, "column_removed", "orders");
    assert!(
        why.contains("reads `status` from `stg`, which no longer outputs it")
            && why.contains("dbt fails to build it"),
        "{why}"
    );
    let why = message(&o, "column_removed", "renamed");
    assert!(why.contains("reads `status` from `stg`"), "{why}");
}

/// A source's YAML often lists only some of its columns: one it does not list is still output.
#[test]
fn a_column_a_source_does_not_declare_is_still_output_and_its_drop_still_blocks() {
    let sql = "select id, loaded_at from {{ source('raw', 'orders') }}\n";
    let repo = repo_with(&[("models/stg_loads.sql", sql)]);
    repo.write("models/stg_loads.sql", &sql.replace(", loaded_at", ""));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed stg_loads.loaded_at ERR"]);
    let why = message(&o, "column_removed", "stg_loads");
    assert!(!why.contains("no longer outputs"), "{why}");
}
