//! Malformed input from a repository fails closed: exit 2 with the file and the JSON path or
//! line, never a guessed contract, a silently picked duplicate or a crash.

use crate::common::{SHOP_ORDERS_SQL, SHOP_PROJECT, TestRepo, code, stderr, stdout};

const V12: &str = "https://schemas.getdbt.com/dbt/manifest/v12.json";

/// A manifest with the shop's `orders` model, plus whatever `extra` adds to `nodes` and to the
/// top level.
fn manifest(version: &str, orders_columns: &str, extra_nodes: &str, extra_top: &str) -> String {
    format!(
        r#"{{"metadata": {{"dbt_schema_version": "{version}", "adapter_type": "postgres", "project_name": "shop"}},
  "nodes": {{
    "model.shop.orders": {{"resource_type": "model", "name": "orders", "package_name": "shop",
      "unique_id": "model.shop.orders", "database": "db", "schema": "marts", "alias": "orders",
      "config": {{"materialized": "table"}},
      "columns": {orders_columns}}}{extra_nodes}
  }}{extra_top}
}}
"#
    )
}

const COLUMNS: &str = r#"{"id": {"name": "id", "data_type": "int"}, "status": {"name": "status", "data_type": "text"}}"#;

fn check_manifests(repo: &TestRepo) -> std::process::Output {
    repo.run(&[
        "check",
        "--format",
        "json",
        "--base-manifest",
        "good.json",
        "--manifest",
        "bad.json",
    ])
}

/// stderr with miette's line wrapping undone, so a phrase can be searched whole.
fn flat(err: &str) -> String {
    err.split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_exit_2_naming(o: &std::process::Output, wants: &[&str]) {
    let err = flat(&stderr(o));
    assert_eq!(code(o), 2, "stdout:\n{}\nstderr:\n{err}", stdout(o));
    assert!(stdout(o).is_empty(), "{}", stdout(o));
    for want in wants {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert!(err.contains("help:"), "no help:\n{err}");
}

#[test]
fn malformed_manifests_fail_closed_naming_the_json_path() {
    let repo = TestRepo::new();
    repo.write("good.json", &manifest(V12, COLUMNS, "", ""));
    let cases = [
        (
            manifest(V12, COLUMNS, r#", "x": "oops""#, ""),
            "`nodes.x`: expected an object (a dbt node), found a string",
        ),
        (
            manifest(V12, r#"[{"name": "id", "data_type": "int"}]"#, "", ""),
            r#"`nodes["model.shop.orders"].columns`: expected an object keyed by column name, found a list"#,
        ),
        (
            manifest(
                V12,
                r#"{"id": {"name": "id", "data_type": ["int"]}}"#,
                "",
                "",
            ),
            r#"`nodes["model.shop.orders"].columns.id.data_type`: expected a string"#,
        ),
        (
            manifest(
                V12,
                r#"{"amount": {"data_type": "numeric"}, "amount": {"data_type": "text"}}"#,
                "",
                "",
            ),
            r#"`nodes["model.shop.orders"].columns.amount`: the key is given twice"#,
        ),
        (
            manifest(V12, COLUMNS, "", r#", "sources": []"#),
            "`sources`: expected an object keyed by unique_id, found a list",
        ),
    ];
    for (bad, want) in cases {
        repo.write("bad.json", &bad);
        assert_exit_2_naming(
            &check_manifests(&repo),
            &["bad.json", want, "tessera::dbt::manifest_shape"],
        );
    }

    // `nodes: []` has no node to name: the table itself is the path.
    repo.write(
        "bad.json",
        &format!(r#"{{"metadata": {{"dbt_schema_version": "{V12}"}}, "nodes": []}}"#),
    );
    assert_exit_2_naming(
        &check_manifests(&repo),
        &[
            "bad.json",
            "`nodes`: expected an object keyed by unique_id, found a list",
        ],
    );
}

#[test]
fn a_manifest_schema_newer_than_supported_is_refused_with_the_range() {
    let repo = TestRepo::new();
    repo.write("good.json", &manifest(V12, COLUMNS, "", ""));
    repo.write(
        "bad.json",
        &manifest(
            "https://schemas.getdbt.com/dbt/manifest/v99.json",
            COLUMNS,
            "",
            "",
        ),
    );
    assert_exit_2_naming(
        &check_manifests(&repo),
        &["bad.json", "schema v99", "reads v1 to v12"],
    );
}

#[test]
fn sync_refuses_a_malformed_manifest_before_writing_the_store() {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", SHOP_PROJECT)
        .write("models/orders.sql", SHOP_ORDERS_SQL)
        .write(
            "tessera.yaml",
            "project: shop\nowner: team-shop\nteams: [{name: team-shop}]\n",
        )
        .write("bad.json", &manifest(V12, COLUMNS, r#", "x": "oops""#, ""));
    repo.commit("shop");
    let store = repo.path().join("store.db");
    let o = repo.run(&[
        "sync",
        "--store",
        &format!("sqlite:{}", store.display()),
        "--manifest",
        "bad.json",
    ]);
    assert_exit_2_naming(&o, &["bad.json", "`nodes.x`"]);
    if store.exists() {
        let db = rusqlite::Connection::open(&store).expect("store opens");
        let assets: i64 = db
            .query_row("select count(*) from assets", [], |r| r.get(0))
            .unwrap_or(0);
        assert_eq!(assets, 0, "nothing is written from a malformed manifest");
    }
}

/// The shop with `orders` committed, ready for an edit of its property file.
fn shop() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", SHOP_PROJECT)
        .write("models/orders.sql", SHOP_ORDERS_SQL)
        .write("models/schema.yml", crate::common::SHOP_ORDERS);
    repo.commit("orders");
    repo
}

const DUPLICATED: &str = "version: 2
models:
  - name: orders
    config: {contract: {enforced: true}}
    columns:
      - name: id
        data_type: int
        constraints: [{type: not_null}]
      - name: status
        data_type: text
      - name: amount
        data_type: numeric(12,2)
      - name: amount
        data_type: text
";

#[test]
fn a_column_listed_twice_is_refused_at_its_line_by_both_yaml_readers() {
    let repo = shop();
    // The first file is plain block YAML (the quick reader takes it); the anchor in the second
    // makes the quick reader decline, so serde-saphyr reads it.
    let anchored = DUPLICATED.replace("data_type: int", "data_type: &t int");
    for text in [DUPLICATED.to_string(), anchored] {
        repo.write("models/schema.yml", &text);
        for args in [
            &["check", "--format", "json"][..],
            &["check", "--format", "json", "models/schema.yml"][..],
        ] {
            let o = repo.run(args);
            assert_exit_2_naming(
                &o,
                &[
                    "models/schema.yml:13:",
                    "column `amount` is listed twice in model `orders` (first at line 11)",
                    "tessera::dbt::invalid_property",
                ],
            );
        }
    }
}

#[test]
fn a_column_listed_twice_in_a_source_table_or_a_version_is_refused() {
    let repo = shop();
    repo.write(
        "models/sources.yml",
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: payments\n        columns:\n          - name: id\n          - name: ID\n",
    );
    let o = repo.run(&["check"]);
    assert_exit_2_naming(
        &o,
        &[
            "models/sources.yml:8:",
            "column `ID` is listed twice in source table `raw.payments` (first at line 7)",
        ],
    );

    repo.remove("models/sources.yml");
    repo.write(
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    latest_version: 1\n    columns:\n      - name: id\n    versions:\n      - v: 1\n        columns:\n          - include: all\n          - name: id\n            data_type: int\n          - name: id\n            data_type: text\n",
    );
    let o = repo.run(&["check"]);
    assert_exit_2_naming(
        &o,
        &[
            "models/schema.yml:13:",
            "column `id` is listed twice in version 1 of model `orders` (first at line 11)",
        ],
    );
}

#[test]
fn a_quoted_column_differs_from_an_unquoted_one_by_case() {
    let repo = shop();
    repo.write(
        "models/schema.yml",
        &DUPLICATED.replace(
            "      - name: amount\n        data_type: text\n",
            "      - name: Amount\n        quote: true\n        data_type: numeric(12,2)\n",
        ),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}

/// A producer with tessera.yaml and a source it reads, on `main`, committed once.
fn producer() -> TestRepo {
    let repo = shop();
    repo.write(
        "tessera.yaml",
        "project: shop\nowner: team-shop\nteams: [{name: team-shop}]\n",
    )
    .write(
        "models/sources.yml",
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: payments\n        columns: [{name: id}, {name: amount}]\n",
    );
    repo.commit("tessera");
    repo
}

/// `check` on the uncommitted edit to models/orders.sql, then `impact` (against the commit
/// before) and `sync` once it is committed.
fn check_impact_sync(repo: &TestRepo, sql: &str) -> Vec<(&'static str, std::process::Output)> {
    let store = format!("sqlite:{}", repo.path().join("store.db").display());
    repo.write("models/orders.sql", sql);
    let check = repo.run(&["check", "--format", "json"]);
    repo.commit("edit orders.sql");
    vec![
        ("check", check),
        (
            "impact",
            repo.run(&[
                "impact", "--base", "HEAD~1", "--store", &store, "--format", "json",
            ]),
        ),
        ("sync", repo.run(&["sync", "--store", &store])),
    ]
}

#[test]
fn a_config_literal_nested_past_the_bound_is_refused_at_its_line_not_a_crash() {
    let repo = producer();
    let deep = format!("{}'table'{}", "[".repeat(30_000), "]".repeat(30_000));
    let sql = format!("-- orders\n{{{{ config(materialized={deep}) }}}}\n{SHOP_ORDERS_SQL}");
    for (command, o) in check_impact_sync(&repo, &sql) {
        assert_exit_2_naming(
            &o,
            &[
                "models/orders.sql:2:",
                "`materialized` of config() nests lists or dicts more than 32 levels deep",
                "tessera::dbt::config_too_deep",
            ],
        );
        assert!(
            !stderr(&o).contains("overflow"),
            "{command}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn deeply_nested_sql_and_jinja_in_a_model_are_read_without_a_crash() {
    let repo = producer();
    let n = 30_000;
    let parens = format!("{}1{}", "(".repeat(n), ")".repeat(n));
    let ifs = format!("{}1{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n));
    let subqueries = format!(
        "{}select amount from {{{{ source('raw', 'payments') }}}}{}",
        "select * from (".repeat(2_000),
        ") t".repeat(2_000)
    );
    let sql = format!(
        "select 1 as id, 'x' as status, {parens} as amount, {ifs} as deep_if\nfrom {{{{ source('raw', 'payments') }}}}\nunion all\n{subqueries}\n"
    );
    for (command, o) in check_impact_sync(&repo, &sql) {
        assert!(
            matches!(code(&o), 0 | 1),
            "{command} exited {}: {}",
            code(&o),
            stderr(&o)
        );
    }
}
