//! Patterns found by replaying real dbt histories (balboa, jaffle-shop), each rebuilt in a
//! minimal project of its own: snapshots' SQL, property files holding other dbt resources,
//! YAML that PyYAML reads and the YAML spec does not, and declared types that go away.

use crate::common::{SHOP_PROJECT as PROJECT, TestRepo, code, stderr};

fn findings(o: &std::process::Output) -> Vec<String> {
    crate::common::rules(&crate::common::json(o))
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

const SNAPSHOT: &str = "{% snapshot snp_orders %}
    {{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
    select distinct
        id,
        status,
        updated_at
    from {{ source('raw', 'orders') }}
{% endsnapshot %}
";

#[test]
fn a_column_dropped_from_a_snapshots_select_blocks() {
    let repo = repo_with(&[("snapshots/snp_orders.sql", SNAPSHOT)]);
    repo.write(
        "snapshots/snp_orders.sql",
        &SNAPSHOT.replace("        status,\n", ""),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed snp_orders.status ERR"]);
}

#[test]
fn a_snapshot_outputs_dbts_meta_columns_which_readers_of_it_pass_on() {
    let repo = repo_with(&[
        ("snapshots/snp_orders.sql", SNAPSHOT),
        (
            "models/order_history.sql",
            "select * from {{ ref('snp_orders') }}\n",
        ),
    ]);
    // Turning hard deletes into rows adds `dbt_is_deleted`; renaming a meta column moves it.
    let changed = SNAPSHOT.replace(
        "updated_at='updated_at'",
        "updated_at='updated_at', hard_deletes='new_record', \
         snapshot_meta_column_names={'dbt_valid_to': 'valid_until'}",
    );
    repo.write("snapshots/snp_orders.sql", &changed);
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let found = findings(&o);
    for expected in [
        "column_added order_history.dbt_is_deleted",
        "column_removed order_history.dbt_valid_to ERR",
        "column_added snp_orders.dbt_is_deleted",
        "column_removed snp_orders.dbt_valid_to ERR",
        "column_added snp_orders.valid_until",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{expected} missing from {found:?}"
        );
    }
}

/// A quoted value whose last line sits at its key's indentation: PyYAML (dbt) reads it, the
/// YAML spec does not (balboa's external-table `file_format`).
const UNDER_INDENTED: &str = "version: 2
sources:
  - name: raw
    tables:
      - name: orders
        external:
          file_format: \"( type = csv
            skip_header = 1
          )\"
        columns:
          - name: id
models:
  - name: orders
    columns:
      - name: id
      - name: status
";

#[test]
fn a_quoted_value_indented_as_dbt_allows_is_read_and_the_change_compared() {
    let repo = repo_with(&[
        ("models/orders.sql", "select id, status from raw.orders\n"),
        ("models/schema.yml", UNDER_INDENTED),
    ]);
    repo.write("models/orders.sql", "select id from raw.orders\n");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(findings(&o), ["column_removed orders.status ERR"]);
}

#[test]
fn a_quoted_value_that_never_closes_still_fails_at_its_line() {
    let repo = repo_with(&[
        ("models/orders.sql", "select id, status from raw.orders\n"),
        ("models/schema.yml", UNDER_INDENTED),
    ]);
    repo.write(
        "models/schema.yml",
        &UNDER_INDENTED.replace("          )\"\n", "          )\n"),
    );
    let o = check(&repo);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("models/schema.yml:9:"),
        "{}",
        stderr(&o)
    );
}

/// Every model is a contract, enforced or not, as in the replays.
const ALL_CONTRACTS: &str = "dbt:\n  contracts: all\n";

fn typed(enforced: bool, types: Option<(&str, &str)>) -> String {
    let config = if enforced {
        "    config: {contract: {enforced: true}}\n"
    } else {
        ""
    };
    let (id, status) = match types {
        Some((a, b)) => (
            format!("        data_type: {a}\n"),
            format!("        data_type: {b}\n"),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "version: 2\nmodels:\n  - name: orders\n{config}    columns:\n      - name: id\n{id}      - name: status\n{status}"
    )
}

#[test]
fn a_declared_type_dropped_while_the_sql_and_its_inputs_stay_is_documentation() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        ("models/orders.sql", "select id, status from raw.orders\n"),
        (
            "models/schema.yml",
            &typed(false, Some(("integer", "varchar"))),
        ),
    ]);
    // Reformatting the SQL is no change to it either.
    repo.write(
        "models/orders.sql",
        "select\n    id,\n    status -- the order's state\nfrom raw.orders\n",
    );
    repo.write("models/schema.yml", &typed(false, None));
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_docs_changed orders.id INFO",
            "column_docs_changed orders.status INFO"
        ]
    );
}

#[test]
fn a_declared_type_dropped_while_an_upstream_models_sql_changes_still_blocks() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/stg_orders.sql",
            "select id, status from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "select id, status from {{ ref('stg_orders') }}\n",
        ),
        (
            "models/schema.yml",
            &typed(false, Some(("integer", "varchar"))),
        ),
    ]);
    // `orders` is unchanged, but what it passes through now comes out of a function whose type
    // nobody can infer: the same column names upstream are not the same types.
    repo.write(
        "models/stg_orders.sql",
        "select id, lookup_status(status) as status from raw.orders\n",
    );
    repo.write("models/schema.yml", &typed(false, None));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_type_changed orders.id ERR",
            "column_type_changed orders.status ERR"
        ]
    );
}

#[test]
fn a_declared_type_dropped_with_the_sql_changed_still_blocks() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/orders.sql",
            "select cast(id as integer) as id, status from raw.orders\n",
        ),
        (
            "models/schema.yml",
            &typed(false, Some(("integer", "varchar"))),
        ),
    ]);
    // The cast goes with the declaration: the type is now unknown, and unknown is not safe.
    repo.write("models/orders.sql", "select id, status from raw.orders\n");
    repo.write("models/schema.yml", &typed(false, None));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_type_changed orders.id ERR",
            "column_type_changed orders.status ERR"
        ]
    );
}

#[test]
fn an_enforced_contract_dropping_a_declared_type_still_blocks() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        ("models/orders.sql", "select id, status from raw.orders\n"),
        (
            "models/schema.yml",
            &typed(true, Some(("integer", "varchar"))),
        ),
    ]);
    // dbt creates an enforced contract's table with the declared types.
    repo.write("models/schema.yml", &typed(true, None));
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        findings(&o)
            .iter()
            .all(|f| f.starts_with("column_type_changed") && f.ends_with("ERR")),
        "{:?}",
        findings(&o)
    );
}

#[test]
fn a_project_ref_override_calling_dbts_own_ref_keeps_types_passing_through() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/stg_orders.sql",
            "select cast(id as integer) as id from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "select id from {{ ref('stg_orders') }}\n",
        ),
    ]);
    // balboa's override: drop the database from refs to staging databases.
    repo.write(
        "macros/ref.sql",
        "{% macro ref(modelname) %}\n\
         {% if builtins.ref(modelname).database.startswith('staging') %}\n\
         {{ builtins.ref(modelname).include(database=False).render() }}\n\
         {% else %}{{ builtins.ref(modelname) }}{% endif %}\n\
         {% endmacro %}\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), Vec::<String>::new());
}

/// A property file holding no models: only the other resources dbt reads from property files.
fn semantic_layer(entry: &str) -> String {
    format!(
        "semantic_models:
  - name: {entry}
    model: ref('{entry}')
    entities:
      - name: product
        type: primary
        expr: product_id
metrics:
  - name: {entry}_count
    type: simple
    type_params: {{measure: {entry}_count}}
saved_queries:
  - name: {entry}_query
    query_params: {{metrics: [{entry}_count]}}
exposures:
  - name: {entry}_dashboard
    type: dashboard
    owner: {{email: a@example.com}}
    depends_on: [ref('{entry}')]
groups:
  - name: {entry}_group
    owner: {{email: a@example.com}}
unit_tests:
  - name: test_{entry}
    model: {entry}
    given:
      - input: ref('stg_products')
        rows: [{{product_id: 1}}]
    expect:
      rows: [{{product_id: 1}}]
data_tests:
  - name: {entry}_generic
    description: a generic test's properties
"
    )
}

#[test]
fn renaming_entries_of_other_dbt_resources_in_a_property_file_removes_no_relation() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/stg_products.sql",
            "select 1 as product_id from raw.products\n",
        ),
        (
            "models/products.sql",
            "select product_id from {{ ref('stg_products') }}\n",
        ),
        ("models/products.yml", &semantic_layer("stg_products")),
    ]);
    repo.write("models/products.yml", &semantic_layer("products"));
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--format", "json", "models/products.yml"][..],
    ] {
        let o = repo.run(args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(findings(&o), Vec::<String>::new(), "{args:?}");
    }
}

#[test]
fn a_snapshot_whose_sql_stops_parsing_is_a_warning_not_a_silent_pass() {
    let repo = repo_with(&[("snapshots/snp_orders.sql", SNAPSHOT)]);
    // balboa replaced the column list with a stray word for one commit.
    let broken = SNAPSHOT.replace(
        "select distinct\n        id,\n        status,\n        updated_at\n    from",
        "sa",
    );
    repo.write("snapshots/snp_orders.sql", &broken);
    let o = check(&repo);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(findings(&o), ["output_unresolved snp_orders. WARN"]);
    // The finding says what was compared instead (the stderr note would repeat it).
    let message = crate::common::json(&o)["findings"][0]["message"].to_string();
    assert!(message.contains("only its YAML was compared"), "{message}");
    // With `--fail-on WARN`, as a cautious team runs it, it blocks.
    let o = repo.run(&["check", "--format", "json", "--fail-on", "WARN"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

/// `check` derives only the models a change can reach; these are the ones it must not skip.
#[test]
fn models_downstream_of_a_sql_change_are_compared_even_through_macro_built_refs() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "macros/imports.sql",
            "{% macro imports(names) %}with {% for n in names %}{{ n }} as (select * from {{ ref(n) }}){% if not loop.last %}, {% endif %}{% endfor %}{% endmacro %}\n",
        ),
        (
            "models/stg_orders.sql",
            "select id, status from raw.orders\n",
        ),
        // Its ref is built by the macro from a list: no literal `ref('stg_orders')` in it.
        (
            "models/orders.sql",
            "{{ imports(['stg_orders']) }}\nselect * from stg_orders\n",
        ),
        (
            "models/order_ids.sql",
            "select * from {{ ref('orders') }}\n",
        ),
        ("models/unrelated.sql", "select 1 as n\n"),
        ("models/other.sql", "select 1 as m\n"),
    ]);
    repo.write("models/stg_orders.sql", "select id from raw.orders\n");
    repo.write("models/other.sql", "select 1 as m2\n");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let mut found = findings(&o);
    found.retain(|f| !f.starts_with("column_added"));
    assert_eq!(
        found,
        [
            "column_removed order_ids.status ERR",
            "column_removed orders.status ERR",
            "column_removed other.m ERR",
            "column_removed stg_orders.status ERR",
        ]
    );
    // Given one SQL file as PATHS, the other changed one is still derived and compared.
    let o = repo.run(&["check", "--format", "json", "models/stg_orders.sql"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        findings(&o)
            .iter()
            .any(|f| f.starts_with("column_removed other.m ")),
        "{:?}",
        findings(&o)
    );
}

#[test]
fn a_macro_that_returns_a_value_drops_the_text_it_printed_as_dbt_does() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/stg_orders.sql",
            "select cast(id as integer) as id, status from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "select * from {{ ref('stg_orders') }}\n",
        ),
    ]);
    // balboa's later override: `%}}` prints a stray `}`, which dbt drops with the rest of the
    // macro's text because the macro returns.
    repo.write(
        "macros/ref.sql",
        "{% macro ref(modelname) %}\n\
         {% set db_name = builtins.ref(modelname).database | lower %}}\n\
         {% if db_name.startswith('staging') or db_name.endswith('staging') %}\n\
         {{ return(builtins.ref(modelname).include(database=false)) }}\n\
         {% else %}\n\
         {{ return(builtins.ref(modelname)) }}\n\
         {% endif %}\n\
         {% endmacro %}\n",
    );
    // Through the override, a column dropped upstream is still seen passing through `*`.
    repo.write(
        "models/stg_orders.sql",
        "select cast(id as integer) as id from raw.orders\n",
    );
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed orders.status ERR",
            "column_removed stg_orders.status ERR"
        ]
    );
    assert!(
        !stderr(&o).contains("could not be resolved"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_ref_override_minijinja_cannot_run_falls_back_to_dbts_own_ref() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/stg_orders.sql",
            "select cast(id as integer) as id, status from raw.orders\n",
        ),
        (
            "models/orders.sql",
            "select * from {{ ref('stg_orders') }}\n",
        ),
    ]);
    // balboa's latest override takes its arguments through `varargs` and `kwargs`.
    repo.write(
        "macros/ref.sql",
        "{% macro ref() %}\n\
         {% set version = kwargs.get('version') or kwargs.get('v') %}\n\
         {% set rel = builtins.ref(varargs[0], version=version) %}\n\
         {% do return(rel.include(database=false)) %}\n\
         {% endmacro %}\n",
    );
    repo.write(
        "models/stg_orders.sql",
        "select cast(id as integer) as id from raw.orders\n",
    );
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
fn a_versioned_ref_passes_its_versions_columns_downstream() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/stg.yml",
            "version: 2\nmodels:\n  - name: stg\n    latest_version: 1\n    versions:\n      - v: 1\n",
        ),
        ("models/stg_v1.sql", "select id, status from raw.orders\n"),
        ("models/mart.sql", "select * from {{ ref('stg', v=1) }}\n"),
    ]);
    repo.write("models/stg_v1.sql", "select id from raw.orders\n");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed mart.status ERR",
            "column_removed stg.status ERR"
        ]
    );
}

#[test]
fn a_sql_change_reads_what_its_models_read_upstream_to_derive_them() {
    let repo = repo_with(&[
        ("tessera.yaml", ALL_CONTRACTS),
        (
            "models/sources.yml",
            "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n          - name: status\n",
        ),
        (
            "models/stg.sql",
            "select * from {{ source('raw', 'orders') }}\n",
        ),
        ("models/mart.sql", "select * from {{ ref('stg') }}\n"),
        ("models/report.sql", "select * from {{ ref('mart') }}\n"),
        ("models/elsewhere.sql", "select 1 as n\n"),
    ]);
    repo.write("models/mart.sql", "select id from {{ ref('stg') }}\n");
    let o = check(&repo);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        findings(&o),
        [
            "column_removed mart.status ERR",
            "column_removed report.status ERR"
        ]
    );
}
