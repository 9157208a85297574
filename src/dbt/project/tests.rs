//! The reader end to end, on projects committed to real git repositories.

use super::*;
use crate::contract::{
    Access, ConstraintKind, Freshness, Materialization, Relation, ResourceType, TestKind,
    TestSeverity,
};
use crate::git::Repo;
use crate::git::test_repo::TestRepo;
use miette::Diagnostic;

const PROJECT: &str = "name: shop\nprofile: warehouse\n";

fn at_head(t: &TestRepo, dir: &str) -> Result<DbtProject, DbtError> {
    let repo = Repo::discover(t.path()).unwrap();
    read_project(&repo.tree_at("HEAD").unwrap(), dir)
}

fn on_disk(t: &TestRepo, dir: &str) -> Result<DbtProject, DbtError> {
    read_project(&Repo::discover(t.path()).unwrap().worktree(), dir)
}

fn rel<'p>(p: &'p DbtProject, key: &str) -> &'p Relation {
    p.relations
        .get(key)
        .unwrap_or_else(|| panic!("no `{key}` in {:?}", p.relations.relations.keys()))
}

fn types(r: &Relation) -> Vec<(String, String)> {
    let ty = |c: &crate::contract::Column| c.data_type.clone().unwrap_or_default();
    r.columns.iter().map(|c| (c.name.clone(), ty(c))).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn head_and_working_tree_give_the_two_sides_of_an_edit() {
    let t = TestRepo::new();
    let yaml =
        "models:\n  - name: orders\n    columns:\n      - name: id\n        data_type: int\n";
    t.write("dbt_project.yml", PROJECT)
        .write("models/orders.sql", "select 1 as id")
        .write("models/schema.yml", yaml);
    t.commit("orders");
    t.write("models/schema.yml", &yaml.replace("int", "bigint"));

    let before = at_head(&t, ".").unwrap();
    let after = on_disk(&t, "").unwrap();
    assert_eq!(types(rel(&before, "orders")), pairs(&[("id", "int")]));
    assert_eq!(types(rel(&after, "orders")), pairs(&[("id", "bigint")]));
    assert_eq!(
        (before.name.as_str(), before.profile.as_deref()),
        ("shop", Some("warehouse"))
    );
    let orders = rel(&before, "orders");
    assert_eq!(orders.file.as_deref(), Some("models/schema.yml"));
    assert_eq!(orders.unique_id.as_deref(), Some("model.shop.orders"));
    assert_eq!(orders.materialized, Materialization::View);
    assert_eq!(orders.access, Some(Access::Protected));
    assert!(!orders.contract_enforced);
    assert_eq!(before.files["models/schema.yml"], ["orders"]);
    assert_eq!(before.files["models/orders.sql"], ["orders"]);
    assert_eq!(before.files["dbt_project.yml"], ["orders"]);
}

#[test]
fn configs_layer_from_project_file_to_properties_to_sql() {
    let t = TestRepo::new();
    t.write(
        "dbt/dbt_project.yml",
        "name: shop\nmodel-paths: [transform]\nmodels:\n  shop:\n    +meta: {owner: team-core}\n    marts:\n      \
         +materialized: table\n      +schema: marts\n      finance:\n        +contract: {enforced: true}\n        \
         +access: public\n    legacy:\n      +enabled: false\n",
    )
    .write("dbt/transform/staging/stg.sql", "select 1")
    .write("dbt/transform/marts/dim.sql", "select 1")
    .write("dbt/transform/marts/fct.sql", "{{ config(materialized='incremental', alias='fct_all') }}\nselect 1")
    .write("dbt/transform/marts/finance/revenue.sql", "select 1")
    .write("dbt/transform/marts/finance/costs.sql", "select 1")
    .write("dbt/transform/legacy/old.sql", "select 1")
    .write(
        "dbt/transform/marts/finance/_finance.yml",
        "models:\n  - name: costs\n    config: {materialized: view, meta: {tessera: {owner: team-fin, ignore: [column_removed]}}}\n",
    );
    t.commit("c");
    let p = at_head(&t, "dbt").unwrap();
    assert_eq!(rel(&p, "stg").materialized, Materialization::View);
    assert_eq!(rel(&p, "stg").schema, None);
    assert_eq!(rel(&p, "dim").materialized, Materialization::Table);
    assert_eq!(rel(&p, "dim").schema.as_deref(), Some("marts"));
    let fct = rel(&p, "fct");
    assert_eq!(
        (&fct.materialized, fct.identifier.as_deref()),
        (&Materialization::Incremental, Some("fct_all"))
    );
    let revenue = rel(&p, "revenue");
    assert!(revenue.contract_enforced);
    assert_eq!(revenue.access, Some(Access::Public));
    assert_eq!(revenue.owner.as_deref(), Some("team-core"));
    let costs = rel(&p, "costs");
    assert_eq!(costs.materialized, Materialization::View);
    assert_eq!(costs.owner.as_deref(), Some("team-fin"));
    assert_eq!(costs.ignore, ["column_removed"]);
    assert!(
        p.relations.get("old").is_none(),
        "disabled in dbt_project.yml"
    );
    assert!(p.models.iter().all(|m| m.name != "old"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn versions_select_columns_with_include_and_exclude() {
    let t = TestRepo::new();
    let yaml = "\
models:
  - name: dim_customers
    config: {contract: {enforced: true}, materialized: table}
    columns:
      - {name: id, data_type: int, data_tests: [not_null]}
      - {name: name, data_type: text}
      - {name: region, data_type: text}
    versions:
      - v: 1
        deprecation_date: 2026-12-31
        columns:
          - include: all
            exclude: [region]
      - v: 2
        columns:
          - include: '*'
          - {name: name, data_type: varchar(200)}
          - {name: country, data_type: text}
      - v: 3
        defined_in: customers_next
        columns:
          - include: [id]
";
    t.write("dbt_project.yml", PROJECT)
        .write("models/dim_customers.yml", yaml)
        .write("models/dim_customers_v1.sql", "select 1")
        .write("models/dim_customers.sql", "select 2")
        .write("models/customers_next.sql", "select 3");
    t.commit("c");
    let p = at_head(&t, "").unwrap();
    // Without `latest_version` the highest version is latest; only it may live in `<name>.sql`.
    assert!(p.relations.get("dim_customers.v2").is_none());
    assert!(
        p.warnings.iter().any(|w| w.contains("version 2")),
        "{:?}",
        p.warnings
    );
    assert!(
        p.relations.get("dim_customers").is_none(),
        "{:?}",
        p.warnings
    );

    let v1 = rel(&p, "dim_customers.v1");
    assert_eq!(types(v1), pairs(&[("id", "int"), ("name", "text")]));
    assert_eq!(v1.columns[0].tests[0].kind, TestKind::NotNull);
    assert_eq!(
        (v1.version.as_deref(), v1.latest_version.as_deref()),
        (Some("1"), Some("3"))
    );
    assert_eq!(v1.identifier.as_deref(), Some("dim_customers_v1"));
    assert_eq!(v1.unique_id.as_deref(), Some("model.shop.dim_customers.v1"));
    assert_eq!(
        v1.deprecation_date.map(|d| d.to_string()).as_deref(),
        Some("2026-12-31")
    );
    assert!(v1.contract_enforced && v1.materialized == Materialization::Table);
    let v3 = rel(&p, "dim_customers.v3");
    assert_eq!(types(v3), pairs(&[("id", "int")]));
    assert_eq!(p.files["models/customers_next.sql"], ["dim_customers.v3"]);
    assert!(
        p.relations.get("customers_next").is_none(),
        "claimed by the version"
    );

    // With `latest_version: 2`, version 2 is found in `dim_customers.sql`.
    t.write(
        "models/dim_customers.yml",
        &yaml.replace(
            "models:\n  - name: dim_customers\n",
            "models:\n  - name: dim_customers\n    latest_version: 2\n",
        ),
    );
    let p = on_disk(&t, "").unwrap();
    let v2 = rel(&p, "dim_customers.v2");
    let expected = [
        ("id", "int"),
        ("name", "varchar(200)"),
        ("region", "text"),
        ("country", "text"),
    ];
    assert_eq!(types(v2), pairs(&expected));
    assert_eq!(v2.latest_version.as_deref(), Some("2"));
    assert_eq!(p.files["models/dim_customers.yml"].len(), 3);
    let source = p
        .models
        .iter()
        .find(|m| m.version.as_deref() == Some("2"))
        .unwrap();
    assert_eq!(
        (source.path.as_str(), source.sql.as_str()),
        ("models/dim_customers.sql", "select 2")
    );
}

#[test]
fn sources_with_freshness_and_tests() {
    let t = TestRepo::new();
    let yaml = "\
version: 2
sources:
  - name: raw
    database: RAW
    freshness:
      warn_after: {count: 1, period: day}
    meta: {owner: team-ingest}
    tables:
      - name: orders
        identifier: orders_v2
        loaded_at_field: _loaded_at
        columns:
          - name: status
            data_type: text
            tests:
              - accepted_values:
                  values: [placed, shipped]
                  severity: warn
              - accepted_values:
                  arguments: {values: [placed, shipped]}
                  config: {severity: warn}
          - name: customer_id
            data_tests:
              - relationships: {to: ref(\"customers\"), field: id}
      - name: events
        freshness:
          error_after: {count: 12, period: hour}
      - name: lookups
        freshness: null
";
    t.write("dbt_project.yml", PROJECT)
        .write("models/staging/_sources.yml", yaml);
    t.commit("c");
    let p = at_head(&t, "").unwrap();
    let orders = rel(&p, "raw.orders");
    assert_eq!(orders.resource_type, ResourceType::Source);
    assert_eq!(orders.unique_id.as_deref(), Some("source.shop.raw.orders"));
    assert_eq!(orders.relation_name().as_deref(), Some("RAW.raw.orders_v2"));
    let day = Freshness {
        warn_after_secs: Some(86_400),
        error_after_secs: None,
    };
    assert_eq!(orders.freshness, Some(day));
    assert_eq!(
        (&orders.materialized, orders.contract_enforced),
        (&Materialization::Table, false)
    );
    assert_eq!(orders.owner.as_deref(), Some("team-ingest"));
    let status = &orders.columns[0];
    assert_eq!(status.tests.len(), 2);
    for test in &status.tests {
        let values = vec!["placed".to_string(), "shipped".to_string()];
        assert_eq!(
            (&test.kind, test.severity),
            (&TestKind::AcceptedValues { values }, TestSeverity::Warn)
        );
    }
    let to = TestKind::Relationships {
        to: "customers".into(),
        field: "id".into(),
    };
    assert_eq!(orders.columns[1].tests[0].kind, to);
    let events = rel(&p, "raw.events");
    assert_eq!(
        events.freshness,
        Some(Freshness {
            warn_after_secs: Some(86_400),
            error_after_secs: Some(43_200)
        })
    );
    assert_eq!(rel(&p, "raw.lookups").freshness, None);
    assert_eq!(
        p.files["models/staging/_sources.yml"],
        ["raw.orders", "raw.events", "raw.lookups"]
    );
}

#[test]
fn model_constraints_tests_and_tessera_meta() {
    let t = TestRepo::new();
    let yaml = "\
models:
  - name: orders
    meta:
      owner: {email: ana@example.com}
    constraints:
      - type: primary_key
        columns: [order_id, line]
    data_tests:
      - dbt_utils.unique_combination_of_columns:
          combination_of_columns: [order_id, line]
      - not_null:
          column_name: order_id
    columns:
      - name: order_id
        data_type: int
        constraints: [{type: not_null}]
        meta: {tessera: {renamed_from: id, ignore: [column_type_changed]}}
      - name: line
        data_type: int
";
    t.write("dbt_project.yml", PROJECT)
        .write(
            "models/orders.sql",
            "select * from {{ ref('stg_orders') }} join {{ source('raw', 'lines') }}",
        )
        .write("models/orders.yml", yaml);
    t.commit("c");
    let p = at_head(&t, "").unwrap();
    let orders = rel(&p, "orders");
    assert_eq!(orders.owner.as_deref(), Some("ana@example.com"));
    assert_eq!(orders.constraints[0].kind, ConstraintKind::PrimaryKey);
    assert_eq!(orders.constraints[0].columns, ["order_id", "line"]);
    let combo = TestKind::UniqueCombination {
        columns: vec!["order_id".into(), "line".into()],
    };
    assert_eq!(
        orders.tests.iter().map(|t| &t.kind).collect::<Vec<_>>(),
        [&combo]
    );
    let order_id = orders.column("order_id").unwrap();
    assert_eq!(
        order_id.tests[0].kind,
        TestKind::NotNull,
        "model test with column_name"
    );
    assert!(order_id.has_constraint(|k| *k == ConstraintKind::NotNull));
    assert_eq!(order_id.renamed_from.as_deref(), Some("id"));
    assert_eq!(order_id.ignore, ["column_type_changed"]);
    let deps: Vec<String> = p.models[0].depends.iter().map(Dependency::key).collect();
    assert_eq!(deps, ["stg_orders", "raw.lines"]);
}

#[test]
fn yaml_errors_name_the_line() {
    let t = TestRepo::new();
    t.write("dbt_project.yml", PROJECT)
        .write("models/a.sql", "select 1")
        .write(
            "models/a.yml",
            "models:\n  - name: a\n    columns:\n      - name: x\n       data_type: int\n",
        );
    t.commit("c");
    let err = at_head(&t, "").err().unwrap();
    assert!(
        matches!(&err, DbtError::YamlSyntax(e) if e.path == "models/a.yml" && e.line == 5),
        "{err:?}"
    );
    assert_eq!(err.code().unwrap().to_string(), "tessera::dbt::yaml_syntax");
    assert!(err.to_string().starts_with("models/a.yml:5:"), "{err}");

    // `columns` as a map is a shape error, also with its line.
    t.write(
        "models/a.yml",
        "models:\n  - name: a\n    columns:\n      x: {data_type: int}\n",
    );
    let err = on_disk(&t, "").err().unwrap();
    assert!(
        matches!(&err, DbtError::InvalidProperty(e) if e.line == 4),
        "{err:?}"
    );
    assert_eq!(
        err.code().unwrap().to_string(),
        "tessera::dbt::invalid_property"
    );

    // A wrong shape found while building (a test with two names) is located too, although the
    // file was first read without positions.
    t.write(
        "models/a.yml",
        "models:\n  - name: a\n    columns:\n      - name: x\n        data_tests:\n          - {unique: {}, not_null: {}}\n",
    );
    let err = on_disk(&t, "").err().unwrap();
    assert!(
        matches!(&err, DbtError::InvalidProperty(e) if e.line == 6),
        "{err:?}"
    );
}

#[test]
fn plain_property_files_take_the_quick_path() {
    let text = "models:\n  - name: a\n    columns: [{name: x, data_type: int}]\n";
    let source = PropertySource::read("a.yml", text, &mut Vec::new()).unwrap();
    assert!(!source.precise);
    assert_eq!(source.props.models[0].value.columns[0].name.as_str(), "x");
    let odd = "models:\n  - name: &a a\n";
    assert!(
        PropertySource::read("b.yml", odd, &mut Vec::new())
            .unwrap()
            .precise
    );
}

#[test]
fn missing_project_file_says_where_to_look() {
    let t = TestRepo::new();
    t.write("models/a.sql", "select 1");
    t.commit("c");
    let err = at_head(&t, "analytics").err().unwrap();
    assert!(
        matches!(&err, DbtError::MissingProjectFile { path, .. } if path == "analytics/dbt_project.yml")
    );
    assert_eq!(
        err.code().unwrap().to_string(),
        "tessera::dbt::missing_project_file"
    );
    assert!(err.help().unwrap().to_string().contains("dbt.project_dir"));
}

#[test]
fn yaml_without_sql_warns_and_sql_without_yaml_is_a_bare_relation() {
    let t = TestRepo::new();
    t.write("dbt_project.yml", PROJECT)
        .write("models/bare.sql", "select 1")
        .write("models/py_model.py", "def model(dbt, s):\n    dbt.config(materialized='table')\n    return dbt.ref('bare')\n")
        .write("models/ghost.yml", "models:\n  - name: ghost\n    columns: [{name: a}]\n");
    t.commit("c");
    let p = at_head(&t, "").unwrap();
    assert!(p.relations.get("ghost").is_none());
    assert!(
        p.warnings.iter().any(|w| w.contains("ghost")),
        "{:?}",
        p.warnings
    );
    let bare = rel(&p, "bare");
    assert!(bare.columns.is_empty());
    assert_eq!(bare.file.as_deref(), Some("models/bare.sql"));
    let py = p.models.iter().find(|m| m.name == "py_model").unwrap();
    assert_eq!(py.language, ModelLanguage::Python);
    assert_eq!(
        py.depends.iter().map(Dependency::key).collect::<Vec<_>>(),
        ["bare"]
    );
    assert_eq!(rel(&p, "py_model").materialized, Materialization::Table);
}

#[test]
fn seeds_and_snapshots() {
    let t = TestRepo::new();
    t.write("dbt_project.yml", "name: shop\nseeds:\n  shop:\n    +schema: seeds\n")
        .write("seeds/countries.csv", "code,name\n")
        .write("seeds/props.yml", "seeds:\n  - name: countries\n    columns: [{name: code, data_type: text}]\n")
        .write(
            "snapshots/orders_snapshot.sql",
            "{% snapshot orders_snapshot %}\n{{ config(target_schema='snapshots', unique_key='id') }}\nselect 1\n{% endsnapshot %}",
        )
        .write("snapshots/s.yml", "snapshots:\n  - name: orders_snapshot\n    columns: [{name: id, data_type: int}]\n  - name: yaml_only\n    relation: source('raw', 'orders')\n");
    t.commit("c");
    let p = at_head(&t, "").unwrap();
    let seed = rel(&p, "countries");
    assert_eq!(
        (seed.resource_type, &seed.materialized),
        (ResourceType::Seed, &Materialization::Seed)
    );
    assert_eq!(seed.schema.as_deref(), Some("seeds"));
    // The CSV header gives the columns; the YAML types the one it declares.
    assert_eq!(types(seed), pairs(&[("code", "text"), ("name", "")]));
    let snap = rel(&p, "orders_snapshot");
    assert_eq!(
        (snap.resource_type, &snap.materialized),
        (ResourceType::Snapshot, &Materialization::Snapshot)
    );
    assert_eq!(snap.schema.as_deref(), Some("snapshots"));
    assert_eq!(types(snap), pairs(&[("id", "int")]));
    assert_eq!(
        rel(&p, "yaml_only").file.as_deref(),
        Some("snapshots/s.yml")
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

/// The real property files of dbt-labs/jaffle-shop-mesh-platform, before and after a breaking
/// edit, give the column maps the fixture's README lists from dbt's own manifests.
#[test]
fn jaffle_shop_mesh_platform_fixture() {
    let Some(fixture) =
        crate::test_shared::shared_path("fixtures/dbt/jaffle_shop_mesh_platform-v12-dbt1.10.23")
    else {
        return;
    };
    let t = TestRepo::new();
    let copy = |side: &str| {
        let root = fixture.join(side).join("schema_yml");
        for entry in walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                t.write(&rel, &std::fs::read_to_string(entry.path()).unwrap());
                if rel.starts_with("models/staging/") {
                    t.write(&rel.replace(".yml", ".sql"), "select 1");
                }
            }
        }
    };
    t.write("dbt_project.yml", "name: jaffle_shop_mesh_platform\n");
    copy("before");
    t.commit("before");
    copy("after");
    let before = at_head(&t, "").unwrap();
    let after = on_disk(&t, "").unwrap();

    let stg_orders = |p: &DbtProject| types(rel(p, "stg_orders"));
    let before_cols = [
        ("order_id", "text"),
        ("location_id", "text"),
        ("customer_id", "text"),
        ("order_total", "number"),
        ("tax_paid", "number"),
        ("ordered_at", "timestamp_ntz"),
    ];
    let after_cols = [
        ("order_id", "text"),
        ("location_id", "text"),
        ("customer_id", "number"),
        ("order_total", "number"),
        ("ordered_at", "timestamp_ntz"),
    ];
    assert_eq!(stg_orders(&before), pairs(&before_cols));
    assert_eq!(stg_orders(&after), pairs(&after_cols));
    let orders = rel(&after, "stg_orders");
    assert!(orders.contract_enforced);
    assert_eq!(
        (orders.access, orders.group.as_deref()),
        (Some(Access::Public), Some("platform"))
    );
    let order_id = &orders.columns[0];
    let kinds: Vec<&TestKind> = order_id.tests.iter().map(|t| &t.kind).collect();
    assert_eq!(kinds, [&TestKind::NotNull, &TestKind::Unique]);

    let customers = |p: &DbtProject| types(rel(p, "stg_customers"));
    assert_eq!(
        customers(&before),
        pairs(&[("customer_id", "text"), ("customer_name", "text")])
    );
    assert_eq!(
        customers(&after),
        pairs(&[("customer_id", "text"), ("full_name", "text")])
    );
    let opened = |p: &DbtProject| types(rel(p, "stg_locations"))[3].clone();
    assert_eq!(opened(&before).1, "timestamp_ntz");
    assert_eq!(opened(&after).1, "date");
    assert_eq!(rel(&after, "stg_products").columns.len(), 8);
    assert!(after.warnings.is_empty(), "{:?}", after.warnings);
}
