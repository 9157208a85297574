//! Tests against the real manifests in `shared/fixtures/dbt` (schema v1 to v12). Synthetic and
//! broken inputs are in `tests_inputs.rs`.

use std::path::PathBuf;

use serde_json::Value;

use super::*;
use crate::contract::{Access, ConstraintKind, Materialization, Relation, ResourceType, TestKind};

/// The real manifests in `shared/fixtures/dbt`, or `None` (the test is skipped, and says so) in a
/// clone without the shared folder.
pub(super) fn fixture(rel: &str) -> Option<PathBuf> {
    crate::test_shared::shared_path("fixtures/dbt").map(|dir| dir.join(rel))
}

pub(super) fn read(rel: &str) -> Option<Manifest> {
    let path = fixture(rel)?;
    match read_manifest_file(&path) {
        Ok(m) => Some(m),
        Err(e) => panic!("{rel}: {e}"),
    }
}

pub(super) fn relation<'a>(m: &'a Manifest, key: &str) -> &'a Relation {
    match m.relations.get(key) {
        Some(r) => r,
        None => panic!("no relation {key}"),
    }
}

fn column_map(r: &Relation) -> Vec<(String, String)> {
    r.columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type.clone().unwrap_or_default()))
        .collect()
}

fn pairs(spec: &str) -> Vec<(String, String)> {
    spec.split(", ")
        .map(|p| match p.split_once(':') {
            Some((n, t)) => (n.to_string(), t.to_string()),
            None => panic!("bad spec {p}"),
        })
        .collect()
}

fn num(v: &Value, key: &str) -> usize {
    match v.get(key).and_then(Value::as_u64) {
        Some(n) => n as usize,
        None => panic!("index.json entry lacks {key}"),
    }
}

fn assert_counts_match(
    what: &str,
    got: &std::collections::BTreeMap<String, usize>,
    expected: &Value,
) {
    let Some(expected) = expected.as_object() else {
        panic!("{what}: not an object in index.json");
    };
    for (kind, n) in expected {
        assert_eq!(
            got.get(kind).copied().unwrap_or(0) as u64,
            n.as_u64().unwrap_or(u64::MAX),
            "{what}: {kind}"
        );
    }
    for (kind, n) in got {
        assert!(
            expected.contains_key(kind) || *n == 0,
            "{what}: unexpected {kind} = {n}"
        );
    }
}

#[test]
fn every_fixture_manifest_matches_index_json() {
    let Some(index) = fixture("index.json") else {
        return;
    };
    let index: Value = match std::fs::read(index) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(e) => panic!("index.json: {e}"),
    };
    let Some(fixtures) = index.get("fixtures").and_then(Value::as_array) else {
        panic!("index.json has no fixtures list");
    };
    let mut checked = 0;
    let mut schema_versions = std::collections::BTreeSet::new();
    for fx in fixtures {
        let name = fx.get("name").and_then(Value::as_str).unwrap_or_default();
        let files = fx.get("files").and_then(Value::as_array).cloned();
        for file in files.unwrap_or_default() {
            if file.get("kind").and_then(Value::as_str) != Some("manifest") {
                continue;
            }
            let rel = format!(
                "{name}/{}",
                file.get("path").and_then(Value::as_str).unwrap_or_default()
            );
            let Some(m) = read(&rel) else { return };
            let text = |k: &str| file.get(k).and_then(Value::as_str).map(str::to_string);
            let url = text("dbt_schema_version").unwrap_or_default();
            assert_eq!(
                m.schema_version,
                build::schema_version(&url),
                "{rel}: schema version"
            );
            schema_versions.extend(m.schema_version);
            assert_eq!(m.dbt_version, text("dbt_version"), "{rel}");
            assert_eq!(m.adapter_type, text("adapter_type"), "{rel}");
            assert_eq!(m.project_name, text("root_project"), "{rel}: root project");

            let all = &file["counts_all_packages"];
            let root = &file["counts_root_project"];
            assert_counts_match(&rel, &m.counts.by_resource_type, all);
            assert_counts_match(
                &format!("{rel} (root)"),
                &m.counts.root_by_resource_type,
                root,
            );
            let c = &m.counts;
            let opt = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
            assert_eq!(c.models, opt(all, "model"), "{rel}: models");
            assert_eq!(c.sources, opt(all, "source"), "{rel}: sources");
            assert_eq!(c.tests, opt(all, "test"), "{rel}: tests");
            assert_eq!(c.seeds, opt(all, "seed"), "{rel}: seeds");
            assert_eq!(c.snapshots, opt(all, "snapshot"), "{rel}: snapshots");
            assert_eq!(c.root_models, opt(root, "model"), "{rel}: root models");
            for (got, key) in [
                (c.exposures, "exposures"),
                (c.exposures_with_owner, "exposures_with_owner"),
                (c.groups, "groups"),
                (c.groups_with_owner, "groups_with_owner"),
                (c.unit_tests, "unit_tests"),
                (c.columns, "columns"),
                (c.columns_with_data_type, "columns_with_data_type"),
                (c.columns_with_constraints, "columns_with_constraints"),
                (
                    c.nodes_with_model_level_constraints,
                    "nodes_with_model_level_constraints",
                ),
                (c.contracts_enforced, "contracts_enforced"),
                (c.versioned_models, "versioned_models"),
                (
                    c.nodes_or_sources_with_meta_owner,
                    "nodes_or_sources_with_meta_owner",
                ),
            ] {
                assert_eq!(got, num(&file, key), "{rel}: {key}");
            }

            // Every enabled model, seed, snapshot and source became exactly one relation.
            let enabled_nodes = m.nodes.iter().filter(|n| n.enabled).count();
            assert_eq!(
                m.relations.len() + c.shadowed_relations,
                enabled_nodes + c.sources,
                "{rel}: relations"
            );
            assert_eq!(
                m.nodes.len(),
                c.models + c.seeds + c.snapshots,
                "{rel}: node infos"
            );
            let tests_on_relations: usize = m
                .relations
                .relations
                .values()
                .map(|r| r.tests.len() + r.columns.iter().map(|c| c.tests.len()).sum::<usize>())
                .sum();
            assert!(
                tests_on_relations <= c.tests_attached,
                "{rel}: attached tests"
            );
            checked += 1;
        }
    }
    assert!(checked >= 33, "only {checked} manifests checked");
    assert_eq!(
        schema_versions,
        (1..=12).collect(),
        "schema versions covered"
    );
}

#[test]
fn pair_a_mesh_platform_columns_follow_the_readme() {
    let Some(before) = read("jaffle_shop_mesh_platform-v12-dbt1.10.23/before/manifest.json") else {
        return;
    };
    let Some(after) = read("jaffle_shop_mesh_platform-v12-dbt1.10.23/after/manifest.json") else {
        return;
    };
    let expect = [
        (
            "stg_orders",
            "order_id:text, location_id:text, customer_id:text, order_total:number, tax_paid:number, ordered_at:timestamp_ntz",
            "order_id:text, location_id:text, customer_id:number, order_total:number, ordered_at:timestamp_ntz",
        ),
        (
            "stg_locations",
            "location_id:text, location_name:text, tax_rate:float, opened_at:timestamp_ntz",
            "location_id:text, location_name:text, tax_rate:float, opened_at:date",
        ),
        (
            "stg_customers",
            "customer_id:text, customer_name:text",
            "customer_id:text, full_name:text",
        ),
    ];
    for (name, b, a) in expect {
        assert_eq!(
            column_map(relation(&before, name)),
            pairs(b),
            "before {name}"
        );
        assert_eq!(column_map(relation(&after, name)), pairs(a), "after {name}");
    }
    let products_before = column_map(relation(&before, "stg_products"));
    let mut products_after = column_map(relation(&after, "stg_products"));
    assert_eq!(products_before.len(), 7);
    assert!(products_after.contains(&("product_category".into(), "text".into())));
    products_after.retain(|(n, _)| n != "product_category");
    assert_eq!(products_after, products_before);

    for m in [&before, &after] {
        let models: Vec<&Relation> = m
            .relations
            .relations
            .values()
            .filter(|r| r.resource_type == ResourceType::Model)
            .collect();
        assert_eq!(models.len(), 6);
        let total: usize = models.iter().map(|r| r.columns.len()).sum();
        assert_eq!(total, 28);
        for r in models {
            assert!(r.contract_enforced, "{}", r.name);
            assert_eq!(r.access, Some(Access::Public), "{}", r.name);
            assert_eq!(r.group.as_deref(), Some("platform"), "{}", r.name);
        }
        let orders = relation(m, "stg_orders");
        assert_eq!(orders.database.as_deref(), Some("ANALYTICS"));
        assert_eq!(orders.identifier.as_deref(), Some("stg_orders"));
        assert_eq!(
            orders.unique_id.as_deref(),
            Some("model.jaffle_shop_mesh_platform.stg_orders")
        );
        let order_id = orders.column("order_id");
        let tests = order_id.map(|c| c.tests.clone()).unwrap_or_default();
        let kinds: Vec<TestKind> = tests.into_iter().map(|t| t.kind).collect();
        assert_eq!(kinds, [TestKind::NotNull, TestKind::Unique]);
        let platform = m.groups.iter().find(|g| g.name == "platform");
        assert_eq!(
            platform.and_then(|g| g.owner_email.as_deref()),
            Some("jaff.bridges@jaffleshop.com")
        );
    }
}

#[test]
fn teamster_has_primary_keys_and_exposure_owners() {
    let Some(m) = read("teamster_kipptaf-v12-dbt1.12.6/manifest.json.gz") else {
        return;
    };
    let relations = || m.relations.relations.values();
    let column_pks = relations()
        .flat_map(|r| &r.columns)
        .filter(|c| c.has_constraint(|k| *k == ConstraintKind::PrimaryKey))
        .count();
    assert_eq!(column_pks, 73);
    let bridge = relation(&m, "bridge_student_contacts");
    assert_eq!(bridge.constraints.len(), 1);
    assert_eq!(bridge.constraints[0].kind, ConstraintKind::PrimaryKey);
    assert_eq!(
        bridge.constraints[0].columns,
        ["student_key", "student_contact_person_key", "contact_slot"]
    );
    assert!(bridge.contract_enforced);
    assert_eq!(bridge.access, Some(Access::Protected));
    assert_eq!(bridge.materialized, Materialization::View);
    assert_eq!(
        bridge.file.as_deref(),
        Some("models/marts/bridges/properties/bridge_student_contacts.yml")
    );
    assert_eq!(m.adapter_type.as_deref(), Some("bigquery"));
    assert_eq!(m.exposures.len(), 120);
    assert!(
        m.exposures
            .iter()
            .all(|e| e.owner_email.is_some() || e.owner_name.is_some())
    );
    // A relationships test whose depends_on lists its `to` target first still lands on the
    // tested model.
    let schools = relation(&m, "stg_powerschool__schools");
    let location = schools.column("location_key").map(|c| c.tests.clone());
    assert!(location.unwrap_or_default().iter().any(|t| t.kind
        == TestKind::Relationships {
            to: "dim_locations".into(),
            field: "location_key".into()
        }));
}

#[test]
fn soda_models_carry_their_owner() {
    let Some(m) = read("soda_governance-v12-dbt1.10.23/manifest.json") else {
        return;
    };
    let models: Vec<&Relation> = m
        .relations
        .relations
        .values()
        .filter(|r| r.resource_type == ResourceType::Model)
        .collect();
    assert_eq!(models.len(), 7);
    for r in models {
        assert_eq!(r.owner.as_deref(), Some("data-team"), "{}", r.name);
    }
    // v12 source tests have no attached_node; the `model` argument finds the source.
    let customers = relation(&m, "raw.CUSTOMERS");
    assert_eq!(customers.resource_type, ResourceType::Source);
    let id = customers.column("customer_id").map(|c| c.tests.len());
    assert_eq!(id, Some(2));
}

#[test]
fn mattermost_source_keeps_its_relationships_test() {
    let Some(before) = read("mattermost_analytics-v10-dbt1.6.19/before/manifest.json.gz") else {
        return;
    };
    let Some(after) = read("mattermost_analytics-v10-dbt1.6.19/after/manifest.json.gz") else {
        return;
    };
    for (m, data_type) in [(&before, "varchar"), (&after, "number")] {
        let src = relation(m, "cws.trialrequestlicenses");
        assert_eq!(src.resource_type, ResourceType::Source);
        assert_eq!(src.identifier.as_deref(), Some("trialrequestlicenses"));
        assert_eq!(src.schema.as_deref(), Some("cws_prod"));
        let Some(col) = src.column("trialrequestid") else {
            panic!("no trialrequestid column");
        };
        assert_eq!(col.data_type.as_deref(), Some(data_type));
        assert!(col.tests.iter().any(|t| t.kind
            == TestKind::Relationships {
                to: "cws.trial_requests".into(),
                field: "id".into()
            }));
        assert!(src.tests.iter().any(|t| t.kind
            == TestKind::UniqueCombination {
                columns: vec!["licenseid".into(), "trialrequestid".into()]
            }));
    }
    assert!(
        relation(&before, "cws.trialrequestlicenses")
            .column("_sdc_sequence")
            .is_some()
    );
    assert!(
        relation(&after, "cws.trialrequestlicenses")
            .column("_sdc_sequence")
            .is_none()
    );
    let subs = "stg_stripe__subscriptions";
    assert!(
        relation(&before, subs)
            .column("current_product_id")
            .is_some()
    );
    assert!(
        relation(&after, subs)
            .column("current_product_id")
            .is_none()
    );
    assert_eq!(before.exposures.len(), 12);
    let consumers = before
        .nodes
        .iter()
        .filter(|n| {
            n.depends_on
                .iter()
                .any(|d| d.ends_with(".stg_stripe__subscriptions"))
        })
        .count();
    assert_eq!(consumers, 11);
}

#[test]
fn old_schemas_find_their_root_project_and_sql() {
    let Some(m) = read("jaffle_shop-v01-dbt0.19.1/manifest.json") else {
        return;
    };
    assert_eq!(m.schema_version, Some(1));
    assert_eq!(m.project_name.as_deref(), Some("jaffle_shop"));
    let info = m.nodes.iter().find(|n| n.name == "stg_customers");
    assert_eq!(
        info.map(|n| n.depends_on.clone()).unwrap_or_default(),
        ["seed.jaffle_shop.raw_customers"]
    );
    let orders = relation(&m, "fct_orders");
    let status = orders
        .column("status")
        .map(|c| c.tests.clone())
        .unwrap_or_default();
    assert!(status.iter().any(|t| matches!(&t.kind,
        TestKind::AcceptedValues { values } if values.len() == 5)));
    let seed = relation(&m, "raw_orders");
    assert_eq!(seed.resource_type, ResourceType::Seed);
    assert_eq!(seed.materialized, Materialization::Seed);

    let Some(legacy) = read("mattermost_legacy-v04-dbt1.0.0/manifest.json") else {
        return;
    };
    assert_eq!(legacy.project_name.as_deref(), Some("mm_snowflake"));
}
