//! The two readers must agree: for every fixture that ships its dbt property files, the
//! contracts read from the YAML equal those read from the manifest dbt wrote for it, wherever
//! both speak (columns, types, constraints, tests).

use std::collections::BTreeMap;
use std::path::Path;

use tessera::contract::{Column, Project, types::normalize_raw};

/// A column as both readers can express it, in a comparable form.
fn shape(c: &Column) -> String {
    let mut constraints: Vec<String> = c
        .constraints
        .iter()
        .map(|k| format!("{:?}", k.kind))
        .collect();
    constraints.sort();
    let mut tests: Vec<String> = c
        .tests
        .iter()
        .map(|t| format!("{:?}/{:?}", t.kind, t.severity))
        .collect();
    tests.sort();
    format!(
        "type={:?} constraints={constraints:?} tests={tests:?}",
        c.data_type.as_deref().map(normalize_raw)
    )
}

fn columns(p: &Project) -> BTreeMap<String, BTreeMap<String, String>> {
    p.relations
        .iter()
        .filter(|(_, r)| !r.columns.is_empty())
        .map(|(k, r)| {
            (
                k.clone(),
                r.columns
                    .iter()
                    .map(|c| (c.name.to_lowercase(), shape(c)))
                    .collect(),
            )
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let dest = to.join(e.path().strip_prefix(from).expect("inside"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

fn check(fixtures: &Path, fixture: &str, side: &str, manifest_name: &str) -> usize {
    let base = fixtures.join(fixture).join(side);
    let manifest =
        tessera::dbt::read_manifest_file(&base.join(manifest_name)).expect("manifest reads");
    let dir = tempfile::tempdir().expect("tmp");
    let name = manifest
        .project_name
        .clone()
        .unwrap_or_else(|| "project".into());
    std::fs::write(
        dir.path().join("dbt_project.yml"),
        format!("name: {name}\nversion: '1'\nprofile: p\nmodel-paths: [models]\n"),
    )
    .expect("write");
    copy_tree(&base.join("schema_yml"), dir.path());
    // The property files describe models whose SQL is not shipped: a stub per model is enough.
    for r in manifest.relations.relations.values() {
        if r.resource_type == tessera::contract::ResourceType::Model && r.version.is_none() {
            let _ = std::fs::write(
                dir.path().join("models").join(format!("{}.sql", r.name)),
                "select 1\n",
            );
        }
    }
    let tree = tessera::git::WorkTree::new(dir.path().to_path_buf());
    let yaml = tessera::dbt::read_project(&tree, "").expect("property files read");
    let (from_yaml, from_manifest) = (columns(&yaml.relations), columns(&manifest.relations));
    let mut compared = 0;
    for (key, cols) in &from_yaml {
        let Some(mcols) = from_manifest.get(key) else {
            continue;
        };
        assert_eq!(
            cols, mcols,
            "{fixture}/{side}: `{key}` differs between the YAML and the manifest"
        );
        compared += 1;
    }
    compared
}

#[test]
fn property_files_and_manifests_give_the_same_contracts() {
    let Some(fixtures) = crate::common::fixtures() else {
        return;
    };
    let mut compared = 0;
    for side in ["before", "after"] {
        compared += check(
            &fixtures,
            "jaffle_shop_mesh_platform-v12-dbt1.10.23",
            side,
            "manifest.json",
        );
        compared += check(
            &fixtures,
            "mattermost_analytics-v10-dbt1.6.19",
            side,
            "manifest.json.gz",
        );
    }
    // 6 mesh models per side, plus mattermost's stripe models and cws sources.
    assert!(compared >= 14, "only {compared} relations were compared");
}
