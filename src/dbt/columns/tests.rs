use std::collections::BTreeMap;

use super::*;
use crate::dbt::project::{ModelLanguage, ModelSource};

fn model(name: &str, sql: &str) -> ModelSource {
    ModelSource {
        name: name.into(),
        version: None,
        path: format!("models/{name}.sql"),
        language: ModelLanguage::Sql,
        sql: sql.into(),
        depends: Vec::new(),
        snapshot_meta: None,
    }
}

fn derive(models: &[ModelSource], macros: &[&str]) -> BTreeMap<String, Derived> {
    let mut m = Macros::default();
    for text in macros {
        m.add_file(text);
    }
    derive_models(models, &Project::default(), &m, Dialect::Snowflake, None)
}

fn names(d: &Derived) -> Vec<String> {
    match d {
        Derived::Resolved { columns, .. } => columns.iter().map(|c| c.name.clone()).collect(),
        Derived::Unresolved { reason, .. } => vec![format!("unresolved: {reason}")],
    }
}

#[test]
fn columns_follow_ctes_stars_and_excludes_through_upstream_models() {
    let ms = [
        model(
            "stg",
            "{{ config(materialized='view') }}\nselect id, Name as customer_name, cast(amount as number(12,2)) as amount from raw.t",
        ),
        model(
            "mart",
            "with s as (select * from {{ ref('stg') }}) select s.* exclude (amount), 1 as one from s",
        ),
    ];
    let d = derive(&ms, &[]);
    assert_eq!(names(&d["stg"]), ["id", "customer_name", "amount"]);
    assert_eq!(names(&d["mart"]), ["id", "customer_name", "one"]);
    let Derived::Resolved { columns, .. } = &d["stg"] else {
        unreachable!()
    };
    assert_eq!(columns[2].data_type.as_deref(), Some("number(12, 2)"));
}

#[test]
fn project_macros_expand_and_package_macros_leave_the_model_unresolved() {
    let ms = [
        model("a", "select {{ money('amt') }} from t"),
        model(
            "b",
            "select {{ dbt_utils.star(ref('a')) }} from {{ ref('a') }}",
        ),
        model(
            "c",
            "select {{ dbt_utils.generate_surrogate_key(['x']) }} as k, x from t",
        ),
    ];
    let d = derive(
        &ms,
        &["{% macro money(c) %}{{ c }} / 100 as {{ c }}_dollars{% endmacro %}"],
    );
    assert_eq!(names(&d["a"]), ["amt_dollars"]);
    assert!(names(&d["b"])[0].contains("dbt_utils.star"), "{:?}", d["b"]);
    assert_eq!(names(&d["c"]), ["k", "x"]);
}

#[test]
fn star_over_an_unknown_table_is_unresolved_but_named_columns_are_not() {
    let ms = [
        model("a", "with s as (select * from raw.t) select id from s"),
        model("b", "select * from raw.t"),
        model(
            "c",
            "{% for c in ['x', 'y'] %}{% if not loop.first %},{% endif %}{{ c }}{% endfor %}",
        ),
    ];
    let d = derive(&ms, &[]);
    assert_eq!(names(&d["a"]), ["id"]);
    assert!(names(&d["b"])[0].starts_with("unresolved"));
    assert!(names(&d["c"])[0].starts_with("unresolved"));
}

#[test]
fn unions_take_the_first_branch_names_and_agreed_types() {
    let ms = [model(
        "u",
        "select 1 as a, 'x' as \"B\" from t union all select 2.5, 'y' from s",
    )];
    let d = derive(&ms, &[]);
    let Derived::Resolved { columns, .. } = &d["u"] else {
        panic!("{:?}", d["u"])
    };
    let got: Vec<(&str, bool, Option<&str>)> = columns
        .iter()
        .map(|c| (c.name.as_str(), c.quoted, c.data_type.as_deref()))
        .collect();
    assert_eq!(got, [("a", false, None), ("B", true, Some("varchar"))]);
}

#[test]
fn what_cannot_be_named_leaves_the_model_unresolved() {
    let ms = [
        model("up", "select id, name from t"),
        model("f", "select count(*) from t"),
        model(
            "j",
            "select * from {{ ref('up') }} a join {{ ref('up') }} b using (id)",
        ),
        model("bad", "select from where"),
        model("r", "select * rename (name as label) from {{ ref('up') }}"),
    ];
    let d = derive(&ms, &[]);
    for key in ["f", "j", "bad"] {
        assert!(
            names(&d[key])[0].starts_with("unresolved"),
            "{key}: {:?}",
            d[key]
        );
    }
    assert_eq!(names(&d["r"]), ["id", "label"]);
}

#[test]
fn versioned_refs_render_and_read_that_version() {
    let mut v1 = model("stg", "select b from raw.t");
    v1.version = Some("1".into());
    let d = derive(
        &[
            v1,
            model("m", "select * from {{ ref('stg', v='1') }}"),
            model("n", "select a from {{ ref('x', version=2) }}"),
        ],
        &[],
    );
    assert_eq!(names(&d["m"]), ["b"]);
    assert_eq!(names(&d["n"]), ["a"]);
}

#[test]
fn only_macros_models_can_call_count_as_reading_the_target() {
    let mut m = Macros::default();
    m.add_file("{% macro generate_schema_name(c, node) %}{{ target.schema }}{% endmacro %}");
    assert!(!m.read_target(["select 1 as a"].into_iter()));
    assert!(m.read_target(["select 1 as a_{{ target.name }}"].into_iter()));
    m.add_file("{% macro suffix() %}{{ target.name }}{% endmacro %}");
    assert!(m.read_target(["select 1 as a"].into_iter()));
}

#[test]
fn the_projects_own_vars_scope_wins_over_global_vars() {
    let vars: BTreeMap<String, serde_json::Value> = serde_json::from_str(
        r#"{"a": "global", "b": "kept", "shop": {"a": "own"}, "dbt_utils": {"x": 1}}"#,
    )
    .unwrap();
    let v = project_vars(vars, Some("shop"));
    assert_eq!(v["a"], "own");
    assert_eq!(v["b"], "kept");
    assert!(!v.contains_key("shop"));
    // Another package's scope stays a (mapping) var: no model of this project reads it.
    assert!(v["dbt_utils"].is_object());
}

#[test]
fn the_context_answers_as_dbt_does_for_the_target_and_vars() {
    let mut m = Macros::default();
    m.vars
        .insert("alias".into(), serde_json::json!("from_project"));
    let target = crate::dbt::identity::Target {
        name: "prod".into(),
        database: Some("PRODDB".into()),
        schema: Some("marts".into()),
        adapter: None,
    };
    m.set_target(Some(&target), Some("shop"));
    let ms = [model(
        "o",
        "{{ log('x', info=True) }}{% do config.set('a', 1) %}\
         select 1 as {{ var('alias', 'dflt') }}, 2 as {{ var('other', default='dflt') }},\
         3 as {{ target.name }}_{{ target.schema }}_{{ target.type }}_{{ target.profile_name }},\
         4 as {{ config.get('x', default='cfg') }}, 5 as {{ this.database }}_{{ this.name }}",
    )];
    let d = derive_models(&ms, &Project::default(), &m, Dialect::Snowflake, None);
    assert_eq!(
        names(&d["o"]),
        [
            "from_project",
            "dflt",
            "prod_marts_snowflake_shop",
            "cfg",
            "proddb_o"
        ]
    );
}

#[test]
fn this_and_ref_answer_where_their_relations_land() {
    let mut project = Project::default();
    for (name, identifier, schema) in [("a", "a_alias", "staging"), ("b", "b", "marts")] {
        let mut r = crate::contract::Relation::new(name);
        r.identifier = Some(identifier.into());
        r.schema = Some(schema.into());
        r.database = Some("db".into());
        project.insert(r);
    }
    let ms = [
        model("a", "select 1 as x"),
        model(
            "b",
            "select x as {{ ref('a').identifier }}_{{ ref('a').schema }}, 1 as {{ this.schema }}_{{ this.database }} from {{ ref('a') }}",
        ),
    ];
    let d = derive_models(&ms, &project, &Macros::default(), Dialect::Snowflake, None);
    assert_eq!(names(&d["b"]), ["a_alias_staging", "marts_db"]);
}
