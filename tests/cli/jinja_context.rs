//! Models render with the context dbt gives them: the target relations are placed in, the
//! project's vars, and dbt's own functions (`log`, `config.set`, dict methods). Where the
//! warehouse alone has the answer (`run_query`), the model is unresolved and says so. Real git
//! repositories, the built binary.

use crate::common::{TestRepo, code, stderr};

const PROJECT: &str = "name: shop\nprofile: shop\nmodel-paths: [models]\nmacro-paths: [macros]\n";

fn config(target: Option<&str>) -> String {
    let mut s = "project: shop\nowner: team-shop\nwarehouse: snowflake\ndbt:\n  project_dir: .\n"
        .to_string();
    if let Some(t) = target {
        s.push_str(&format!("  target: {t}\n"));
    }
    s
}

/// `orders` with an enforced contract listing `columns`.
fn props(columns: &[&str]) -> String {
    let mut s = "version: 2\nmodels:\n  - name: orders\n    config: {contract: {enforced: true}}\n    columns:\n".to_string();
    for c in columns {
        s.push_str(&format!("      - name: {c}\n"));
    }
    s
}

fn repo(files: &[(&str, &str)]) -> TestRepo {
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

fn findings(o: &std::process::Output) -> Vec<String> {
    crate::common::rules(&crate::common::json(o))
}

const BRANCHES_ON_TARGET: &str = "select id,\n{% if target.name == 'prod' %} amount as amount_prod {% else %} amount as amount_dev {% endif %}\nfrom raw.orders\n";

#[test]
fn the_target_in_tessera_yaml_is_the_one_models_render_against() {
    let target = "{database: analytics, schema: analytics, name: prod}";
    let repo = repo(&[
        ("tessera.yaml", &config(Some(target))),
        ("models/orders.sql", BRANCHES_ON_TARGET),
        ("models/schema.yml", &props(&["id", "amount_prod"])),
    ]);
    // The production branch renamed: a break for every reader of the production table.
    repo.write(
        "models/orders.sql",
        &BRANCHES_ON_TARGET.replace("amount_prod", "amount_in_prod"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_renamed orders.amount_in_prod ERR"]);
    // The development branch renamed: production builds the same table.
    repo.write(
        "models/orders.sql",
        &BRANCHES_ON_TARGET.replace("amount_dev", "amount_in_dev"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("no dbt target is known"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_committed_profiles_yml_gives_target_and_this() {
    let profiles = "shop:\n  target: prod\n  outputs:\n    prod: {type: snowflake, account: a, database: PRODDB, schema: marts}\n    dev: {type: snowflake, account: a, database: DEVDB, schema: scratch}\n";
    let sql = "select id,\n{% if target.name == 'prod' and this.schema == 'marts' and this.database == 'PRODDB' and target.type == 'snowflake' %} amount as amount_prod {% else %} amount as amount_dev {% endif %}\nfrom raw.orders\n";
    let repo = repo(&[
        ("tessera.yaml", &config(None)),
        ("profiles.yml", profiles),
        ("models/orders.sql", sql),
        ("models/schema.yml", &props(&["id", "amount_prod"])),
    ]);
    repo.write(
        "models/orders.sql",
        &sql.replace("amount as amount_prod", "amount as amount_in_prod"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_renamed orders.amount_in_prod ERR"]);
}

#[test]
fn without_a_target_the_assumed_one_is_named() {
    let repo = repo(&[
        ("models/orders.sql", BRANCHES_ON_TARGET),
        ("models/schema.yml", &props(&["id", "amount_dev"])),
    ]);
    repo.write(
        "models/orders.sql",
        &BRANCHES_ON_TARGET.replace("amount_dev", "amount_in_dev"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("no dbt target is known") && err.contains("`target.name` = `dev`"),
        "{err}"
    );
}

const USES_VAR: &str =
    "select id, amount as {{ var('amt_alias', 'amount_default') }}\nfrom raw.orders\n";

#[test]
fn a_project_var_wins_over_the_default_and_its_change_is_a_break() {
    let repo = repo(&[
        ("models/orders.sql", USES_VAR),
        ("models/schema.yml", &props(&["id", "amount_usd"])),
    ]);
    repo.write(
        "dbt_project.yml",
        &format!("{PROJECT}vars:\n  amt_alias: amount_usd\n"),
    );
    repo.commit("the var set");
    repo.write(
        "dbt_project.yml",
        &format!("{PROJECT}vars:\n  amt_alias: amount_eur\n"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_renamed orders.amount_eur ERR"]);
}

#[test]
fn a_var_scoped_to_the_project_wins_over_a_global_one() {
    let vars = |v: &str| {
        format!("{PROJECT}vars:\n  amt_alias: amount_global\n  shop:\n    amt_alias: {v}\n")
    };
    let repo = repo(&[
        ("dbt_project.yml", &vars("amount_usd")),
        ("models/orders.sql", USES_VAR),
        ("models/schema.yml", &props(&["id", "amount_usd"])),
    ]);
    repo.write("dbt_project.yml", &vars("amount_eur"));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_renamed orders.amount_eur ERR"]);
}

/// `orders` renders through `jinja`, then its alias `amount` is renamed in the SQL: caught only
/// when the model's SQL resolved (its YAML is unchanged).
fn rename_is_caught_through(jinja: &str) {
    let sql = format!("{jinja}\nselect id, amount from raw.orders\n");
    let repo = repo(&[
        ("models/orders.sql", &sql),
        ("models/schema.yml", &props(&["id", "amount"])),
    ]);
    repo.write(
        "models/orders.sql",
        &sql.replace("amount from", "amount as amt from"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{jinja}: {}", stderr(&o));
    assert_eq!(findings(&o), ["column_renamed orders.amt ERR"], "{jinja}");
    assert!(
        !stderr(&o).contains("columns taken from its YAML"),
        "{jinja}: {}",
        stderr(&o)
    );
}

#[test]
fn log_with_info_renders() {
    rename_is_caught_through("{{ log('building orders', info=True) }}");
}

#[test]
fn config_set_renders() {
    rename_is_caught_through("{% do config.set('materialized', 'table') %}");
}

#[test]
fn run_query_leaves_the_model_unresolved_and_says_it_needs_the_warehouse() {
    let sql = "{% set rows = run_query('select distinct status from raw.orders') %}\nselect id{% for r in rows %}, amount as amount_{{ r[0] }}{% endfor %}\nfrom raw.orders\n";
    let repo = repo(&[
        ("models/orders.sql", sql),
        ("models/schema.yml", &props(&["id", "amount_open"])),
    ]);
    repo.write("models/schema.yml", &props(&["id"]));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("`orders`: columns taken from its YAML")
            && err.contains("`run_query` needs a warehouse connection"),
        "{err}"
    );
}

#[test]
fn get_columns_in_relation_leaves_the_model_unresolved_and_says_it_needs_the_warehouse() {
    let sql = "select\n{% for c in adapter.get_columns_in_relation(source('raw', 'orders')) %}{{ c.name }},{% endfor %}\n1 as one from raw.orders\n";
    let repo = repo(&[
        ("models/orders.sql", sql),
        ("models/schema.yml", &props(&["id", "one"])),
    ]);
    repo.write("models/schema.yml", &props(&["one"]));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("`adapter.get_columns_in_relation` needs a warehouse connection"),
        "{err}"
    );
}

#[test]
fn dict_update_renders() {
    rename_is_caught_through(
        "{% set cfg = {'materialized': 'table'} %}{% do cfg.update({'tags': ['x']}) %}{% do cfg.setdefault('alias', 'o') %}{{ config(**cfg) }}",
    );
}

#[test]
fn a_column_list_built_with_append_is_the_models_output() {
    let sql = "{% set cols = [] %}{% for c in ['id', 'status', 'amount'] %}{% do cols.append(c) %}{% endfor %}\nselect {{ cols | join(', ') }} from raw.orders\n";
    let repo = repo(&[
        ("models/orders.sql", sql),
        ("models/schema.yml", &props(&["id", "status", "amount"])),
    ]);
    repo.write("models/orders.sql", &sql.replace("'status', ", ""));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed orders.status ERR"]);
}

#[test]
fn changing_a_dict_that_is_not_a_literal_says_why_the_model_is_unresolved() {
    let sql = "{% set cfg = var('cfg') %}{% do cfg.update({'b': 2}) %}\nselect id, amount from raw.orders\n";
    let repo = repo(&[
        (
            "dbt_project.yml",
            &format!("{PROJECT}vars:\n  cfg: {{a: 1}}\n"),
        ),
        ("models/orders.sql", sql),
        ("models/schema.yml", &props(&["id", "amount"])),
    ]);
    repo.write("models/schema.yml", &props(&["id"]));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("`orders`: columns taken from its YAML")
            && err.contains("`update` changes a dict in place"),
        "{err}"
    );
}
