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
