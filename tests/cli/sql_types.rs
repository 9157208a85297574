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

/// No cast and no enforced contract: the YAML's type is all Tessera knows of the column, but the
/// table's type comes from the unchanged SQL, so a changed declaration is documentation.
#[test]
fn a_yaml_data_type_changed_over_unchanged_sql_without_a_cast_is_documentation() {
    let yaml = |t: &str| {
        format!(
            "version: 2\nmodels:\n  - name: a\n    columns:\n      - {{name: id}}\n      - {{name: status, data_type: {t}}}\n"
        )
    };
    let repo = repo_with(
        "postgres",
        &[
            ("models/a.sql", "select id, status from raw.orders\n"),
            ("models/a.yml", &yaml("text")),
        ],
    );
    repo.write("models/a.yml", &yaml("integer"));
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_docs_changed a.status INFO"]);
    // With the SQL changed in the same commit, the declaration is all there is to go by.
    repo.write(
        "models/a.sql",
        "select id, status, 1 as one from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        findings(&o).contains(&"column_type_changed a.status ERR".to_string()),
        "{:?}",
        findings(&o)
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

const SEED_PROJECT: &str = "name: shop\nversion: '1.0'\nprofile: shop\nmodel-paths: [models]\nseed-paths: [seeds]\nmodels:\n  shop:\n    +materialized: table\n";

/// A repository with seed `codes` (header `code,label,rank`), `extra` files, and a model
/// selecting `*` from the seed.
fn seed_repo(extra: &[(&str, &str)]) -> TestRepo {
    let mut files = vec![
        ("seeds/codes.csv", "code,label,rank\nA,alpha,1\n"),
        ("models/coded.sql", "select * from {{ ref('codes') }}\n"),
    ];
    files.extend_from_slice(extra);
    let repo = repo_with("postgres", &files);
    repo.write("dbt_project.yml", SEED_PROJECT);
    repo.commit("seed-paths");
    repo
}

const SEED_YAML: &str = "version: 2\nseeds:\n  - name: codes\n    columns: [{name: code}, {name: label}, {name: rank}]\n";

#[test]
fn a_seed_column_renamed_in_its_csv_header_blocks_it_and_its_readers() {
    for extra in [&[][..], &[("seeds/seeds.yml", SEED_YAML)][..]] {
        let repo = seed_repo(extra);
        repo.write("seeds/codes.csv", "code,name,rank\nA,alpha,1\n");
        let o = check(&repo);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert_eq!(
            findings(&o),
            [
                "column_added coded.name INFO",
                "column_added codes.name INFO",
                "column_removed coded.label ERR",
                "column_removed codes.label ERR",
            ]
        );
        if !extra.is_empty() {
            // The YAML still lists `label`: readers are told it is stale.
            let err = stderr(&o);
            assert!(
                err.contains("documents `label` that its CSV header does not output"),
                "{err}"
            );
        }
    }
}

#[test]
fn a_seed_header_rewritten_with_quotes_a_bom_and_crlf_is_the_same_columns() {
    let repo = seed_repo(&[("seeds/seeds.yml", SEED_YAML)]);
    repo.write(
        "seeds/codes.csv",
        "\u{feff}\"code\",\"label\",\"rank\"\r\nA,alpha,1\r\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), Vec::<String>::new());
}

#[test]
fn an_emptied_seed_file_loses_its_columns_and_says_why() {
    let repo = seed_repo(&[]);
    repo.write("seeds/codes.csv", "");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let f = findings(&o);
    assert!(
        f.contains(&"column_removed codes.label ERR".to_string()),
        "{f:?}"
    );
    assert!(
        stderr(&o).contains("seeds/codes.csv: the file is empty"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_seed_column_type_comes_from_its_column_types_config() {
    let repo = seed_repo(&[]);
    let typed = |t: &str| {
        format!("{SEED_PROJECT}seeds:\n  shop:\n    codes:\n      +column_types: {{rank: {t}}}\n")
    };
    repo.write("dbt_project.yml", &typed("integer"));
    repo.commit("typed");
    repo.write("dbt_project.yml", &typed("varchar(10)"));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_type_changed coded.rank ERR",
            "column_type_changed codes.rank ERR"
        ]
    );
}

/// `findings` and the concise text after `select <before>` becomes `select <after>` in model
/// `a` on `warehouse`, with `yaml` as its property file when given.
fn recased(
    warehouse: &str,
    yaml: Option<&str>,
    before: &str,
    after: &str,
) -> (i32, Vec<String>, String) {
    let mut files = vec![("models/a.sql", format!("select {before} from raw.orders\n"))];
    if let Some(y) = yaml {
        files.push(("models/a.yml", y.to_string()));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let repo = repo_with(warehouse, &files);
    repo.write("models/a.sql", &format!("select {after} from raw.orders\n"));
    let o = check(&repo);
    let text = repo.run(&["check", "--format", "concise", "--color", "never"]);
    (code(&o), findings(&o), crate::common::stdout(&text))
}

#[test]
fn snowflake_folds_unquoted_names_to_upper_case() {
    let (c, f, _) = recased(
        "snowflake",
        None,
        "id as \"ID\", status",
        "id as ID, status",
    );
    assert_eq!(
        (c, f),
        (0, vec!["column_case_changed a.id INFO".to_string()])
    );
    let (c, f, _) = recased(
        "snowflake",
        None,
        "id, status as Status",
        "id, status as \"STATUS\"",
    );
    assert_eq!(
        (c, f),
        (0, vec!["column_case_changed a.STATUS INFO".to_string()])
    );
    // A real rename: lower-case quoted is another column than the folded AMOUNT.
    let (c, f, text) = recased(
        "snowflake",
        None,
        "id, amount as \"amount\"",
        "id, amount as AMOUNT",
    );
    assert_eq!((c, f), (1, vec!["column_renamed a.amount ERR".to_string()]));
    assert!(
        text.contains("column `\"amount\"` renamed to `AMOUNT`"),
        "{text}"
    );
    // The SQL's quoting decides, not the YAML entry that documents the column.
    let yaml = "version: 2\nmodels:\n  - name: a\n    columns: [{name: id}, {name: amount}]\n";
    let (c, f, _) = recased(
        "snowflake",
        Some(yaml),
        "id, amount as \"amount\"",
        "id, amount as AMOUNT",
    );
    assert_eq!((c, f), (1, vec!["column_renamed a.amount ERR".to_string()]));
}

/// A YAML entry documents the column the warehouse stores under its name: on Snowflake
/// `{name: id}` is `"ID"`, and on BigQuery `` `ID` `` is `id`. Its tests count for that column.
#[test]
fn a_yaml_entry_is_matched_to_its_sql_column_as_the_warehouse_resolves_names() {
    for (warehouse, select) in [
        ("snowflake", "select id as \"ID\", amount from raw.orders\n"),
        ("bigquery", "select id as `ID`, amount from raw.orders\n"),
    ] {
        let tested = "version: 2\nmodels:\n  - name: a\n    columns:\n      - {name: id, data_tests: [unique, not_null]}\n      - {name: amount}\n";
        let repo = repo_with(
            warehouse,
            &[("models/a.sql", select), ("models/a.yml", tested)],
        );
        repo.write(
            "models/a.yml",
            "version: 2\nmodels:\n  - name: a\n    columns:\n      - {name: id}\n      - {name: amount}\n",
        );
        let o = check(&repo);
        assert_eq!(code(&o), 1, "{warehouse}: {}", stderr(&o));
        let f = findings(&o);
        assert_eq!(f.len(), 2, "{warehouse}: {f:?}");
        assert!(f[0].starts_with("column_nullability_loosened a."), "{f:?}");
        assert!(f[1].starts_with("unique_removed a."), "{f:?}");
        assert!(!stderr(&o).contains("the YAML documents"), "{}", stderr(&o));
    }
}

#[test]
fn postgres_keeps_a_quoted_upper_case_name_apart() {
    let (c, f, text) = recased("postgres", None, "id as \"ID\", status", "id as ID, status");
    assert_eq!((c, f), (1, vec!["column_renamed a.id ERR".to_string()]));
    assert!(text.contains("column `\"ID\"` renamed to `id`"), "{text}");
    let (c, f, _) = recased(
        "postgres",
        None,
        "id, amount as \"amount\"",
        "id, amount as AMOUNT",
    );
    assert_eq!((c, f), (0, Vec::<String>::new()));
}

#[test]
fn bigquery_resolves_backticked_names_case_insensitively() {
    let (c, f, _) = recased(
        "bigquery",
        None,
        "id as `ORDER_ID`, amount",
        "id as order_id, amount",
    );
    // Same column; only dataframe and JSON readers see the new case (RULES.md rule 10).
    assert_eq!(
        (c, f),
        (0, vec!["column_case_changed a.order_id WARN".to_string()])
    );
}

#[test]
fn a_column_dropped_from_an_ephemeral_model_breaks_only_the_models_that_pass_it_on() {
    let repo = repo_with(
        "postgres",
        &[
            (
                "models/int_orders.sql",
                "{{ config(materialized='ephemeral') }}\nselect id, amount, status from raw.orders\n",
            ),
            (
                "models/orders.sql",
                "select * from {{ ref('int_orders') }}\n",
            ),
            ("models/ids.sql", "select id from {{ ref('int_orders') }}\n"),
        ],
    );
    repo.write(
        "models/int_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect id, amount from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed int_orders.status INFO",
            "column_removed orders.status ERR"
        ]
    );
    let v = crate::common::json(&o);
    let text = v.to_string();
    assert!(text.contains("The model is ephemeral"), "{text}");

    // Nothing reads the dropped column: the change blocks nothing. (A model that still named it
    // would fail to build, which is a break of its own.)
    repo.write(
        "models/orders.sql",
        "select id from {{ ref('int_orders') }}\n",
    );
    repo.commit("explicit");
    repo.write(
        "models/int_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect id from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed int_orders.amount INFO"]);
}

#[test]
fn a_column_dropped_from_an_ephemeral_model_that_a_model_built_from_it_still_filters_on_blocks() {
    let repo = repo_with(
        "postgres",
        &[
            (
                "models/int_orders.sql",
                "{{ config(materialized='ephemeral') }}\nselect id, amount, status from raw.orders\n",
            ),
            (
                "models/int_paid.sql",
                "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('int_orders') }}\n",
            ),
            (
                "models/open_orders.sql",
                "select id, amount from {{ ref('int_paid') }} where status = 'open'\n",
            ),
            (
                "models/totals.sql",
                "select id, sum(amount) as total from {{ ref('int_orders') }} group by id\n",
            ),
        ],
    );
    repo.write(
        "models/int_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect id, amount from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed int_orders.status ERR",
            "column_removed int_paid.status ERR"
        ]
    );
    let text = crate::common::json(&o).to_string();
    assert!(
        text.contains("dbt pastes it into `open_orders`, which still names `status`: it fails"),
        "{text}"
    );
}

#[test]
fn turning_a_model_ephemeral_still_blocks() {
    let repo = repo_with(
        "postgres",
        &[(
            "models/int_orders.sql",
            "select id, status from raw.orders\n",
        )],
    );
    repo.write(
        "models/int_orders.sql",
        "{{ config(materialized='ephemeral') }}\nselect id from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        ["materialization_to_ephemeral int_orders. ERR"]
    );
}

/// `config(materialized=m)` after `{% set m = 'ephemeral' %}` is read through the `set`; a
/// materialization no literal gives is named in a warning, never quietly the default.
#[test]
fn a_materialization_set_through_jinja_is_read_or_named() {
    let repo = repo_with(
        "postgres",
        &[(
            "models/f.sql",
            "{{ config(materialized='table') }}\nselect id from raw.orders\n",
        )],
    );
    repo.write(
        "models/f.sql",
        "{% set mat = 'ephemeral' %}\n{{ config(materialized=mat) }}\nselect id from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["materialization_to_ephemeral f. ERR"]);

    repo.write(
        "models/f.sql",
        "{{ config(materialized=('ephemeral' if target.name == 'prod' else 'table')) }}\nselect id, 1 as one from raw.orders\n",
    );
    let o = check(&repo);
    let err = stderr(&o);
    assert!(
        err.contains("models/f.sql: `materialized` is set by a Jinja expression Tessera does not evaluate (`('ephemeral' if target.name == 'prod' else 'table')`)"),
        "{err}"
    );
}
