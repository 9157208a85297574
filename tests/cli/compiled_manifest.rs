//! Two manifests written by `dbt compile`/`build` carry each model's compiled SQL: the compared
//! columns come from it, as they come from the model files on the git path.

use serde_json::{Value, json};

use crate::common::{code, json as report, rules, stderr, tessera};

const STG_SQL: &str = "with source as (\n    select * from \"shop\".\"raw\".\"orders\"\n),\nrenamed as (\n    select id as order_id, amount from source\n)\nselect * from renamed\n";
const ORDERS_SQL: &str = "select * from \"shop\".\"main\".\"stg_orders\"";

fn columns(names: &[&str]) -> Value {
    names
        .iter()
        .map(|n| {
            (
                n.to_string(),
                json!({"name": n, "description": format!("the {n}")}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// A two-model project over one source: `stg_orders` renames the source's `id`, and `orders`
/// passes `stg_orders` on with `select *`.
fn manifest(stg_sql: &str, stg_columns: &[&str]) -> String {
    let model = |name: &str, sql: &str, cols: &[&str], dep: &str| {
        json!({
            "unique_id": format!("model.shop.{name}"), "resource_type": "model", "name": name,
            "package_name": "shop", "database": "shop", "schema": "main", "alias": name,
            "relation_name": format!("\"shop\".\"main\".\"{name}\""),
            "original_file_path": format!("models/{name}.sql"), "patch_path": "shop://models/schema.yml",
            "raw_code": format!("-- the Jinja of {name}"), "compiled_code": sql,
            "config": {"materialized": "view", "access": "public"}, "access": "public",
            "columns": columns(cols), "depends_on": {"nodes": [dep]}
        })
    };
    json!({
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                     "adapter_type": "duckdb", "project_name": "shop"},
        "nodes": {
            "model.shop.stg_orders": model("stg_orders", stg_sql, stg_columns, "source.shop.raw.orders"),
            "model.shop.orders": model("orders", ORDERS_SQL, &["order_id", "amount"], "model.shop.stg_orders"),
        },
        "sources": {
            "source.shop.raw.orders": {
                "unique_id": "source.shop.raw.orders", "name": "orders", "source_name": "raw",
                "package_name": "shop", "database": "shop", "schema": "raw", "identifier": "orders",
                "relation_name": "\"shop\".\"raw\".\"orders\"",
                "columns": columns(&["id", "amount"])
            }
        }
    })
    .to_string()
}

fn compare(base: &str, head: &str) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("base.json"), base).expect("write");
    std::fs::write(dir.path().join("head.json"), head).expect("write");
    tessera()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .args(["--base-manifest", "base.json", "--manifest", "head.json"])
        .output()
        .expect("runs")
}

#[test]
fn an_alias_renamed_only_in_compiled_sql_breaks_the_model_and_what_selects_star_from_it() {
    let base = manifest(STG_SQL, &["order_id", "amount"]);
    // The YAML still documents `order_id`; only the compiled SQL says otherwise.
    let head = manifest(
        &STG_SQL.replace("id as order_id", "id as order_key"),
        &["order_id", "amount"],
    );
    let o = compare(&base, &head);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let got = rules(&report(&o));
    assert!(
        got.contains(&"column_renamed stg_orders.order_key ERR".to_string()),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|r| r.starts_with("column_removed orders.order_id ERR")
                || r.starts_with("column_renamed orders.order_key ERR")),
        "{got:?}"
    );
    let stg = report(&o)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["node"] == "stg_orders")
        .count();
    assert!(stg >= 1);
}

#[test]
fn a_yaml_entry_renamed_over_unchanged_compiled_sql_is_a_documentation_finding() {
    let base = manifest(STG_SQL, &["order_id", "amount"]);
    // The SQL still outputs `order_id`: the YAML entry now documents a column that is not there.
    let head = manifest(STG_SQL, &["order_key", "amount"]);
    let o = compare(&base, &head);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = rules(&report(&o));
    assert!(
        got.contains(&"column_docs_changed stg_orders.order_key INFO".to_string()),
        "{got:?}"
    );
    // The entry's description went with it: information, never a break.
    assert!(
        got.iter()
            .all(|r| r.contains(" stg_orders.") && r.ends_with(" INFO")),
        "{got:?}"
    );
    assert!(
        stderr(&o).contains("order_key"),
        "the stale YAML entry is named: {}",
        stderr(&o)
    );
}

#[test]
fn a_manifest_without_compiled_sql_still_compares_its_yaml() {
    let strip = |m: String| m.replace("\"compiled_code\"", "\"compiled_code_absent\"");
    let base = strip(manifest(STG_SQL, &["order_id", "amount"]));
    let head = strip(manifest(STG_SQL, &["order_key", "amount"]));
    let o = compare(&base, &head);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let got = rules(&report(&o));
    assert!(
        got.contains(&"column_removed stg_orders.order_id ERR".to_string())
            || got.contains(&"column_renamed stg_orders.order_key ERR".to_string()),
        "{got:?}"
    );
}

#[test]
fn a_truncated_head_fails_closed_while_the_base_is_read_beside_it() {
    let base = manifest(STG_SQL, &["order_id", "amount"]);
    let head = manifest(STG_SQL, &["order_id", "amount"]);
    let o = compare(&base, &head[..head.len() / 2]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("head.json") && err.contains("line 1"), "{err}");
    assert!(crate::common::stdout(&o).is_empty());
}

/// Manifests of older dbt versions carry no `relation_name`: compiled SQL is matched to its
/// upstreams by `database.schema.alias`, quoted or bare as dbt wrote it.
#[test]
fn without_relation_names_compiled_sql_is_linked_through_database_schema_and_alias() {
    let old_schema = |m: String| {
        m.replace("\"relation_name\"", "\"relation_name_absent\"")
            // In the JSON text, the SQL's quotes are escaped.
            .replace(
                r#"\"shop\".\"main\".\"stg_orders\""#,
                "shop.main.stg_orders",
            )
    };
    let base = old_schema(manifest(STG_SQL, &["order_id", "amount"]));
    let head = old_schema(manifest(
        &STG_SQL.replace("id as order_id", "id as order_key"),
        &["order_id", "amount"],
    ));
    let o = compare(&base, &head);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let got = rules(&report(&o));
    // `orders` selects `*` from `stg_orders`: the rename reaches it.
    assert!(
        got.iter()
            .any(|r| r.starts_with("column_renamed orders.order_key ERR")
                || r.starts_with("column_removed orders.order_id ERR")),
        "{got:?}"
    );
    // And `orders`' own select narrowed is seen too.
    let head = old_schema(manifest(STG_SQL, &["order_id", "amount"])).replace(
        "select * from shop.main.stg_orders",
        "select order_id from shop.main.stg_orders",
    );
    let o = compare(&base, &head);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        rules(&report(&o)),
        ["column_removed orders.amount ERR"],
        "{}",
        stderr(&o)
    );
}
