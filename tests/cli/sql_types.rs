//! What a model's columns really are in the warehouse: the type an explicit cast gives them,
//! seeds' CSV headers, the warehouse's identifier case rules, and ephemeral models. Real git
//! repositories, the built binary.

use crate::common::{SHOP_PROJECT as PROJECT, TestRepo, code, stderr};

fn findings(o: &std::process::Output) -> Vec<String> {
    crate::common::rules(&crate::common::json(o))
}

/// A committed repository for `warehouse` with `files`; the change is then written on top.
fn repo_with(warehouse: &str, files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", PROJECT);
    repo.write(
        "tessera.yaml",
        &format!("project: shop\nowner: team-shop\nwarehouse: {warehouse}\n"),
    );
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("base");
    repo
}

fn check(repo: &TestRepo) -> std::process::Output {
    repo.run(&["check", "--format", "json"])
}

const CAST_SQL: &str = "select id::bigint as id, amount::numeric(12,2) as amount from raw.orders\n";

fn typed_yaml(id_type: &str, enforced: bool) -> String {
    let config = if enforced {
        "    config: {contract: {enforced: true}}\n"
    } else {
        ""
    };
    format!(
        "version: 2\nmodels:\n  - name: orders\n{config}    columns:\n      - {{name: id, data_type: {id_type}}}\n      - {{name: amount, data_type: 'numeric(12,2)'}}\n"
    )
}

#[test]
fn a_cast_changed_in_sql_is_a_type_change_whatever_the_yaml_declares() {
    let repo = repo_with(
        "postgres",
        &[
            ("models/orders.sql", CAST_SQL),
            ("models/schema.yml", &typed_yaml("bigint", false)),
        ],
    );
    repo.write(
        "models/orders.sql",
        &CAST_SQL.replace("id::bigint", "id::text"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_type_changed orders.id ERR"]);
    // The YAML still says bigint: readers are told it misleads them.
    let err = stderr(&o);
    assert!(
        err.contains("declares `id` as `bigint` (its SQL casts it to `text`)"),
        "{err}"
    );
}

#[test]
fn a_yaml_data_type_changed_under_an_unchanged_cast_is_documentation() {
    let repo = repo_with(
        "postgres",
        &[
            ("models/orders.sql", CAST_SQL),
            ("models/schema.yml", &typed_yaml("bigint", false)),
        ],
    );
    repo.write("models/schema.yml", &typed_yaml("text", false));
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_docs_changed orders.id INFO"]);
    assert!(
        stderr(&o).contains("declares `id` as `text` (its SQL casts it to `bigint`)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn under_an_enforced_contract_the_yaml_data_type_stays_authoritative() {
    let repo = repo_with(
        "postgres",
        &[
            ("models/orders.sql", CAST_SQL),
            ("models/schema.yml", &typed_yaml("bigint", true)),
        ],
    );
    repo.write("models/schema.yml", &typed_yaml("text", true));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_type_changed orders.id ERR"]);
}

fn star_replace(warehouse: &str, ty: &str) {
    let stg = "version: 2\nmodels:\n  - name: stg\n    columns:\n      - {name: id, data_type: int}\n      - {name: amount, data_type: numeric}\n";
    let repo = repo_with(
        warehouse,
        &[
            (
                "models/stg.sql",
                "select id::int as id, amount::numeric as amount from raw.orders\n",
            ),
            ("models/stg.yml", stg),
            (
                "models/rep.sql",
                "select * replace (amount::int as amount) from {{ ref('stg') }}\n",
            ),
        ],
    );
    repo.write(
        "models/rep.sql",
        &format!("select * replace (amount::{ty} as amount) from {{{{ ref('stg') }}}}\n"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_type_changed rep.amount ERR"]);
}

#[test]
fn a_cast_in_a_snowflake_star_replace_types_the_column() {
    star_replace("snowflake", "varchar");
}

#[test]
fn a_cast_in_a_bigquery_star_replace_types_the_column() {
    star_replace("bigquery", "string");
}
