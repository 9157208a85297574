//! Tests on synthetic manifests (what no fixture contains: versions, foreign keys, Tessera's meta
//! keys) and on broken inputs, which must give the right error and never panic.

use miette::Diagnostic;
use proptest::prelude::*;
use serde_json::Value;

use super::tests::{fixture, relation};
use super::*;
use crate::contract::{
    ConstraintKind, Date, Freshness, Materialization, Relation, TestKind, TestSeverity,
};

/// A manifest exercising what the fixtures lack, built as JSON text.
const SYNTHETIC: &str = r#"{
  "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
               "dbt_version": "1.9.0", "adapter_type": "postgres", "project_name": "shop"},
  "nodes": {
    "model.shop.orders.v1": {
      "resource_type": "model", "name": "orders", "package_name": "shop", "unique_id": "model.shop.orders.v1",
      "database": "db", "schema": "core", "alias": "orders_v1", "version": 1, "latest_version": "2",
      "raw_code": "select 1", "access": "public", "deprecation_date": "2026-09-01T00:00:00+00:00",
      "config": {"enabled": true, "materialized": "incremental", "contract": {"enforced": true},
                 "meta": {"tessera": {"owner": "team-shop", "ignore": "column_removed"}}},
      "meta": {"layer": "core"},
      "constraints": [{"type": "primary_key", "columns": ["id"]}],
      "columns": {
        "id": {"name": "id", "data_type": "int", "constraints": [{"type": "not_null"}, {"type": "unique"}]},
        "customer_id": {"name": "customer_id", "data_type": "int",
          "constraints": [{"type": "foreign_key", "to": "ref('customers')", "to_columns": ["id"]}]},
        "legacy_customer": {"name": "legacy_customer", "data_type": "int",
          "constraints": [{"type": "foreign_key", "expression": "customers (id)"}]},
        "amount": {"name": "amount", "data_type": "numeric",
          "constraints": [{"type": "check", "expression": "amount >= 0"}, {"type": "custom", "expression": "collate C"}]},
        "Status": {"data_type": "text", "quote": true, "description": "",
          "meta": {"tessera": {"renamed_from": "state", "default": 0, "deprecation_date": "2027-01-31", "ignore": ["a", "b"]}}}
      }
    },
    "model.shop.orders.v2": {
      "resource_type": "model", "name": "orders", "package_name": "shop", "unique_id": "model.shop.orders.v2",
      "version": "2", "latest_version": 2, "raw_sql": "select 2", "config": {"contract": true},
      "columns": {"id": {"data_type": "bigint"}}
    },
    "model.shop.customers": {
      "resource_type": "model", "name": "customers", "package_name": "shop", "unique_id": "model.shop.customers",
      "config": {"materialized": "table", "contract": {"enforced": false}}, "group": "finance",
      "depends_on": {"nodes": ["model.shop.orders.v2"]},
      "columns": {"id": {"name": "id"}}
    },
    "model.shop.off": {
      "resource_type": "model", "name": "off", "package_name": "shop", "unique_id": "model.shop.off",
      "config": {"enabled": false}
    },
    "model.other.customers": {
      "resource_type": "model", "name": "customers", "package_name": "other", "unique_id": "model.other.customers"
    },
    "test.shop.nn": {
      "resource_type": "test", "unique_id": "test.shop.nn", "package_name": "shop", "column_name": "id",
      "attached_node": "model.shop.orders.v1", "config": {"severity": "WARN"},
      "test_metadata": {"name": "not_null", "kwargs": {"column_name": "id", "model": "{{ get_where_subquery(ref('orders', v=1)) }}"}}
    },
    "test.shop.av": {
      "resource_type": "test", "unique_id": "test.shop.av", "package_name": "shop",
      "depends_on": {"macros": ["macro.dbt.test_accepted_values"], "nodes": ["model.shop.orders.v1"]},
      "test_metadata": {"name": "accepted_values", "namespace": null,
        "kwargs": {"model": "{{ get_where_subquery(ref('orders', v=1)) }}",
                   "arguments": {"column_name": "\"Status\"", "values": [1, "two", true]}}}
    },
    "test.shop.rel": {
      "resource_type": "test", "unique_id": "test.shop.rel", "package_name": "shop", "column_name": "customer_id",
      "depends_on": {"nodes": ["model.shop.customers", "model.shop.orders.v2"]},
      "test_metadata": {"name": "relationships", "kwargs": {"to": "ref('customers')", "field": "id",
        "model": "{{ get_where_subquery(ref('orders')) }}"}}
    },
    "test.shop.custom": {
      "resource_type": "test", "unique_id": "test.shop.custom", "package_name": "shop",
      "depends_on": {"nodes": ["source.shop.raw.events"]}, "config": {"meta": {"tessera": {"contract": true}}},
      "test_metadata": {"name": "expression_is_true", "namespace": "dbt_utils",
        "kwargs": {"model": "{{ get_where_subquery(source('raw', 'events')) }}"}}
    },
    "test.shop.combo": {
      "resource_type": "test", "unique_id": "test.shop.combo", "package_name": "shop",
      "depends_on": {"nodes": ["source.shop.raw.events"]},
      "test_metadata": {"name": "unique_combination_of_columns", "namespace": "dbt_utils",
        "kwargs": {"combination_of_columns": ["id", "ts"], "model": "{{ get_where_subquery(source('raw', 'events')) }}"}}
    },
    "test.shop.disabled": {
      "resource_type": "test", "unique_id": "test.shop.disabled", "config": {"enabled": false},
      "attached_node": "model.shop.customers", "column_name": "id", "test_metadata": {"name": "unique"}
    },
    "test.shop.singular": {"resource_type": "test", "unique_id": "test.shop.singular", "depends_on": {"nodes": ["model.shop.customers"]}},
    "seed.shop.countries": {"resource_type": "seed", "name": "countries", "package_name": "shop", "config": {"materialized": "seed"}},
    "snapshot.shop.snap": {"resource_type": "snapshot", "name": "snap", "package_name": "shop", "alias": "snap_tbl"}
  },
  "sources": {
    "source.shop.raw.events": {
      "resource_type": "source", "unique_id": "source.shop.raw.events", "name": "events", "source_name": "raw",
      "package_name": "shop", "identifier": "EVENTS_TBL", "source_meta": {"owner": "ingest"},
      "freshness": {"warn_after": {"count": 1, "period": "day"}, "error_after": {"count": 36, "period": "hour"}},
      "columns": {"id": {"name": "id", "data_type": "int"}, "ts": {"name": "ts"}}
    },
    "source.shop.raw.clicks": {
      "resource_type": "source", "name": "clicks", "source_name": "raw", "package_name": "shop",
      "freshness": {"warn_after": {"count": null, "period": null}},
      "config": {"freshness": {"error_after": {"count": 30, "period": "minute"}}}
    },
    "source.shop.raw.gone": {"resource_type": "source", "name": "gone", "source_name": "raw", "config": {"enabled": false}}
  },
  "exposures": {
    "exposure.shop.dash": {"name": "dash", "unique_id": "exposure.shop.dash", "owner": {"email": "bi@x.com", "name": null},
      "depends_on": {"nodes": ["model.shop.customers"]}}
  },
  "groups": {"group.shop.finance": {"name": "finance", "owner": {"name": "Fin"}}},
  "disabled": {"model.shop.x": [{"resource_type": "model"}]},
  "unit_tests": {"a": {}, "b": {}}
}"#;

#[test]
fn synthetic_manifest_maps_every_feature() {
    let m = match parse_manifest(SYNTHETIC.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(m.schema_version, Some(12));
    assert_eq!(m.project_name.as_deref(), Some("shop"));
    let v1 = relation(&m, "orders.v1");
    assert_eq!(v1.name, "orders");
    assert_eq!(v1.version.as_deref(), Some("1"));
    assert_eq!(v1.latest_version.as_deref(), Some("2"));
    assert_eq!(v1.identifier.as_deref(), Some("orders_v1"));
    assert_eq!(v1.relation_name().as_deref(), Some("db.core.orders_v1"));
    assert_eq!(v1.materialized, Materialization::Incremental);
    assert!(v1.contract_enforced);
    assert_eq!(v1.deprecation_date, Date::new(2026, 9, 1));
    assert_eq!(v1.owner.as_deref(), Some("team-shop"));
    assert_eq!(v1.ignore, ["column_removed"]);
    assert_eq!(v1.meta.get("layer"), Some(&Value::from("core")));
    assert_eq!(v1.constraints.len(), 1);
    assert_eq!(v1.constraints[0].columns, ["id"]);
    let names: Vec<&str> = v1.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["id", "customer_id", "legacy_customer", "amount", "Status"]
    );

    let col = |r: &Relation, n: &str| match r.column(n) {
        Some(c) => c.clone(),
        None => panic!("no column {n}"),
    };
    let id = col(v1, "id");
    assert!(id.has_constraint(|k| *k == ConstraintKind::NotNull));
    assert_eq!(id.tests.len(), 1);
    assert_eq!(id.tests[0].severity, TestSeverity::Warn);
    let fk = ConstraintKind::ForeignKey {
        to: "customers".into(),
        field: "id".into(),
    };
    assert_eq!(col(v1, "customer_id").constraints[0].kind, fk);
    assert_eq!(col(v1, "legacy_customer").constraints[0].kind, fk);
    let amount = col(v1, "amount");
    assert_eq!(
        amount.constraints[0].kind,
        ConstraintKind::Check {
            expression: "amount >= 0".into()
        }
    );
    assert_eq!(
        amount.constraints[1].kind,
        ConstraintKind::Other {
            name: "custom: collate C".into()
        }
    );
    let status = col(v1, "Status");
    assert!(status.quote);
    assert_eq!(status.description, None);
    assert_eq!(status.renamed_from.as_deref(), Some("state"));
    assert_eq!(status.default.as_deref(), Some("0"));
    assert_eq!(status.deprecation_date, Date::new(2027, 1, 31));
    assert_eq!(status.ignore, ["a", "b"]);
    assert_eq!(
        status.tests[0].kind,
        TestKind::AcceptedValues {
            values: vec!["1".into(), "two".into(), "true".into()]
        }
    );

    let v2 = relation(&m, "orders.v2");
    assert!(v2.contract_enforced);
    assert_eq!(v2.materialized, Materialization::View);
    assert_eq!(
        col(v2, "id").tests.len(),
        0,
        "the relationships test is on customer_id, which v2 does not document"
    );

    let customers = relation(&m, "customers");
    assert_eq!(
        customers.package.as_deref(),
        Some("shop"),
        "root package wins"
    );
    assert_eq!(customers.group.as_deref(), Some("finance"));
    assert!(!customers.contract_enforced);
    assert!(
        col(customers, "id").tests.is_empty(),
        "disabled test skipped"
    );

    let events = relation(&m, "raw.events");
    assert_eq!(events.identifier.as_deref(), Some("EVENTS_TBL"));
    assert_eq!(events.owner.as_deref(), Some("ingest"));
    assert_eq!(
        events.freshness,
        Some(Freshness {
            warn_after_secs: Some(86_400),
            error_after_secs: Some(129_600)
        })
    );
    let kinds: Vec<(&TestKind, bool)> = events
        .tests
        .iter()
        .map(|t| (&t.kind, t.contractual))
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&(
        &TestKind::Custom {
            name: "dbt_utils.expression_is_true".into()
        },
        true
    )));
    assert!(kinds.contains(&(
        &TestKind::UniqueCombination {
            columns: vec!["id".into(), "ts".into()]
        },
        false
    )));
    let clicks = relation(&m, "raw.clicks");
    assert_eq!(
        clicks.freshness,
        Some(Freshness {
            warn_after_secs: None,
            error_after_secs: Some(1_800)
        })
    );
    assert!(m.relations.get("raw.gone").is_none());
    assert!(m.relations.get("off").is_none());
    assert_eq!(relation(&m, "snap").identifier.as_deref(), Some("snap_tbl"));
    assert_eq!(relation(&m, "snap").materialized, Materialization::Snapshot);

    let off = m.nodes.iter().find(|n| n.name == "off");
    assert_eq!(off.map(|n| n.enabled), Some(false));
    let v2_info = m
        .nodes
        .iter()
        .find(|n| n.unique_id == "model.shop.orders.v2");
    assert_eq!(v2_info.and_then(|n| n.version.as_deref()), Some("2"));
    let cust_info = m
        .nodes
        .iter()
        .find(|n| n.unique_id == "model.shop.customers");
    assert_eq!(cust_info.and_then(|n| n.group.as_deref()), Some("finance"));

    assert_eq!(m.counts.shadowed_relations, 1);
    assert_eq!(m.counts.unit_tests, 2);
    assert_eq!(m.counts.tests, 7);
    assert_eq!(m.counts.tests_attached, 4);
    assert_eq!(m.counts.tests_unattached, 1);
    assert_eq!(m.counts.versioned_models, 2);
    assert_eq!(m.counts.contracts_enforced, 2);
    assert_eq!(
        m.exposures,
        [Exposure {
            unique_id: "exposure.shop.dash".into(),
            name: "dash".into(),
            owner_email: Some("bi@x.com".into()),
            owner_name: None,
            depends_on: vec!["model.shop.customers".into()],
        }]
    );
    assert_eq!(m.groups[0].owner_name.as_deref(), Some("Fin"));
}

fn assert_diagnostic(err: &ManifestError, code: &str) {
    let got = err.code().map(|c| c.to_string());
    assert_eq!(got.as_deref(), Some(code), "{err}");
    assert!(err.help().is_some(), "{err} has no help");
}

#[test]
fn broken_inputs_give_the_right_errors() {
    let err = |bytes: &[u8]| match parse_manifest(bytes) {
        Ok(_) => panic!("{:?} parsed", String::from_utf8_lossy(bytes)),
        Err(e) => e,
    };
    let e = err(b"{\"metadata\": {,}}");
    assert!(
        matches!(
            e,
            ManifestError::Syntax {
                line: 1,
                column: 15,
                ..
            }
        ),
        "{e:?}"
    );
    assert_diagnostic(&e, "tessera::dbt::manifest_syntax");
    assert!(e.to_string().contains("line 1, column 15"), "{e}");

    let e = err(b"");
    assert!(matches!(e, ManifestError::Empty { .. }), "{e:?}");
    assert_diagnostic(&e, "tessera::dbt::manifest_empty");
    assert!(matches!(err(b" \n"), ManifestError::Empty { .. }));

    for (bytes, reason) in [
        (&b"{}"[..], "metadata"),
        (b"[1, 2]", "not an object"),
        (b"null", "not an object"),
        (b"\"manifest\"", "not an object"),
        (b"{\"metadata\": {}}", "nodes"),
        (b"{\"metadata\": 3, \"nodes\": {}}", "metadata"),
        (
            b"{\"metadata\": {\"dbt_schema_version\": \"https://schemas.getdbt.com/dbt/run-results/v6.json\"}, \"results\": []}",
            "run-results",
        ),
    ] {
        let e = err(bytes);
        assert!(
            matches!(&e, ManifestError::NotAManifest { reason: r, .. } if r.contains(reason)),
            "{e:?}"
        );
        assert_diagnostic(&e, "tessera::dbt::manifest_not_a_manifest");
    }
    let e = err(b"[1, 2");
    assert!(matches!(e, ManifestError::Truncated { .. }), "{e:?}");

    let e = err(b"{\"metadata\": {}, \"metadata\": {}, \"nodes\": {}}");
    assert!(matches!(e, ManifestError::Structure { .. }), "{e:?}");
    assert_diagnostic(&e, "tessera::dbt::manifest_structure");

    let e = err(&[0x1f, 0x8b, 0x08, 0x00, 0x01]);
    assert!(matches!(e, ManifestError::Gzip { .. }), "{e:?}");
    assert_diagnostic(&e, "tessera::dbt::manifest_gzip");
}

/// A wrong shape in what contracts are made of fails with the JSON path, never a dropped node.
#[test]
fn malformed_contract_fields_name_their_json_path() {
    let head = r#"{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "#;
    let ok_node = r#"{"resource_type": "model", "name": "a", "columns": {"id": {"name": "id"}}}"#;
    for (body, path, message) in [
        (r#""nodes": {"x": "oops"}"#.to_string(), "nodes.x", "found a string"),
        (r#""nodes": []"#.into(), "nodes", "found a list"),
        (
            r#""nodes": {"model.s.a": {"resource_type": "model", "name": "a", "columns": [{"name": "id"}]}}"#.into(),
            r#"nodes["model.s.a"].columns"#,
            "expected an object keyed by column name, found a list",
        ),
        (
            r#""nodes": {"model.s.a": {"name": "a", "columns": {"id": ["int"]}}}"#.into(),
            r#"nodes["model.s.a"].columns.id"#,
            "expected an object (a column), found a list",
        ),
        (
            r#""nodes": {"model.s.a": {"name": "a", "columns": {"id": {"data_type": {"t": 1}}}}}"#.into(),
            r#"nodes["model.s.a"].columns.id.data_type"#,
            "expected a string, found an object",
        ),
        (
            format!(r#""nodes": {{"model.s.a": {ok_node}, "model.s.b": {{"resource_type": 7}}}}"#),
            r#"nodes["model.s.b"].resource_type"#,
            "found a number",
        ),
        (
            format!(r#""nodes": {{"model.s.a": {ok_node}}}, "sources": {{"source.s.r.t": 3}}"#),
            r#"sources["source.s.r.t"]"#,
            "expected an object (a source table), found a number",
        ),
        (
            r#""nodes": {}, "sources": {"s": {"name": "t", "columns": "id"}}"#.into(),
            "sources.s.columns",
            "found a string",
        ),
        (r#""nodes": {}, "groups": true"#.into(), "groups", "found a boolean"),
        (
            r#""nodes": {"m": {"name": "a", "columns": {"id": {}, "x": {}, "id": {}}}}"#.into(),
            "nodes.m.columns.id",
            "given twice",
        ),
    ] {
        let json = format!("{head}{body}}}");
        match parse_manifest(json.as_bytes()) {
            Err(e @ ManifestError::Shape { .. }) => {
                assert_diagnostic(&e, "tessera::dbt::manifest_shape");
                let ManifestError::Shape {
                    json_path,
                    message: m,
                    line,
                    ..
                } = &e
                else {
                    unreachable!()
                };
                assert_eq!(json_path, path, "{json}");
                assert!(m.contains(message), "{json}: {m}");
                assert!(!m.contains(" at line "), "{m}");
                assert_eq!(*line, 1);
            }
            other => panic!("{json}: {other:?}"),
        }
    }
}

#[test]
fn schema_versions_outside_the_supported_range_are_refused() {
    let with = |url: &str| {
        parse_manifest(
            format!(r#"{{"metadata": {{"dbt_schema_version": "{url}"}}, "nodes": {{}}}}"#)
                .as_bytes(),
        )
    };
    for (url, found) in [
        ("https://schemas.getdbt.com/dbt/manifest/v99.json", "v99"),
        ("https://schemas.getdbt.com/dbt/manifest/v13.json", "v13"),
        ("v0", "v0"),
        (
            "https://schemas.getdbt.com/dbt/manifest/latest.json",
            "https://schemas.getdbt.com/dbt/manifest/latest.json",
        ),
    ] {
        match with(url) {
            Err(e @ ManifestError::SchemaVersion { .. }) => {
                assert_diagnostic(&e, "tessera::dbt::manifest_schema_version");
                let text = e.to_string();
                assert!(text.contains(found) && text.contains("v1 to v12"), "{text}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    for url in [
        "https://schemas.getdbt.com/dbt/manifest/v1.json",
        "https://schemas.getdbt.com/dbt/manifest/v12.json",
        "hand-written",
    ] {
        assert!(with(url).is_ok(), "{url}");
    }
}

#[test]
fn truncated_real_manifest_names_the_file_and_position() {
    let Some(path) = fixture("jaffle_shop_mesh_platform-v12-dbt1.10.23/before/manifest.json")
    else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    assert!(bytes.len() > 100_000);
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { panic!("tempdir") };
    let half = dir.path().join("manifest.json");
    let _ = std::fs::write(&half, &bytes[..bytes.len() / 2]);
    match read_manifest_file(&half) {
        Err(e @ ManifestError::Truncated { .. }) => {
            assert_diagnostic(&e, "tessera::dbt::manifest_truncated");
            let text = e.to_string();
            assert!(text.contains(&half.display().to_string()), "{text}");
            assert!(text.contains("line "), "{text}");
            let help = e.help().map(|h| h.to_string()).unwrap_or_default();
            assert!(help.contains("dbt parse"), "{help}");
        }
        other => panic!("{other:?}"),
    }

    let empty = dir.path().join("empty.json");
    let _ = std::fs::write(&empty, b"");
    assert!(matches!(
        read_manifest_file(&empty),
        Err(ManifestError::Empty { path: Some(_) })
    ));

    let not_gz = dir.path().join("manifest.json.gz");
    let _ = std::fs::write(&not_gz, b"{}");
    assert!(matches!(
        read_manifest_file(&not_gz),
        Err(ManifestError::Gzip { path: Some(_), .. })
    ));

    let missing = dir.path().join("nope.json");
    match read_manifest_file(&missing) {
        Err(e @ ManifestError::Unreadable { .. }) => {
            assert_diagnostic(&e, "tessera::dbt::manifest_unreadable");
            assert!(e.to_string().contains("nope.json"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gzip_bytes_are_recognised_without_a_file_name() {
    let Some(path) = fixture("mattermost_analytics-v10-dbt1.6.19/before/manifest.json.gz") else {
        return;
    };
    let gz = std::fs::read(path).unwrap_or_default();
    let m = parse_manifest(&gz).map(|m| m.counts.models).ok();
    assert_eq!(m, Some(302));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_manifest(&bytes);
    }

    #[test]
    fn damaged_manifests_never_panic(cut in 0usize..SYNTHETIC.len(), flip in 0usize..SYNTHETIC.len(), byte in any::<u8>()) {
        let mut bytes = SYNTHETIC.as_bytes().to_vec();
        if let Some(b) = bytes.get_mut(flip) {
            *b = byte;
        }
        let _ = parse_manifest(&bytes);
        bytes.truncate(cut);
        let _ = parse_manifest(&bytes);
    }

    #[test]
    fn json_of_any_shape_never_panics(value in json_value()) {
        let wrapped = serde_json::json!({"metadata": value.clone(), "nodes": {"model.a.b": value.clone()},
            "sources": [value.clone()], "exposures": value.clone(), "groups": {"g": value}});
        let _ = parse_manifest(wrapped.to_string().as_bytes());
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z_]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        let keys = prop_oneof![
            Just("resource_type".to_string()),
            Just("columns".to_string()),
            Just("config".to_string()),
            Just("test_metadata".to_string()),
            Just("name".to_string()),
            Just("constraints".to_string()),
            "[a-z]{1,4}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(keys, inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
