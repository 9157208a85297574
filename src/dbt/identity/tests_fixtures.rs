//! Against real manifests: where dbt put each of the root project's models (`schema` in the
//! manifest) must be where Tessera's evaluation of the same project puts it, from the model's
//! `+schema` config, the target's schema and the project's own `generate_schema_name` (shipped
//! in the manifest's macros) or dbt's built-in one. An override Tessera cannot evaluate must say
//! so rather than give a name.

use std::path::PathBuf;

use serde_json::Value as Json;

use super::macros::{self, Naming, Node, Overrides};
use super::profiles::Target;

/// `Some(true)`: every root model placed as dbt placed it, under one target name;
/// `Some(false)`: some model placed elsewhere; `None`: the override is not evaluable.
fn agrees(manifest: &Json) -> Option<bool> {
    let nodes: Vec<&Json> = manifest["nodes"]
        .as_object()?
        .values()
        .filter(|n| n["resource_type"] == "model")
        .collect();
    // The reader works out the root project also for manifests that do not name it.
    let parsed = crate::dbt::parse_manifest(manifest.to_string().as_bytes()).ok()?;
    let root = parsed.project_name.as_deref()?;
    let models: Vec<(&str, Option<&str>, &str)> = nodes
        .iter()
        .filter(|n| n["package_name"] == root)
        .filter_map(|n| {
            Some((
                n["name"].as_str()?,
                n["config"]["schema"].as_str(),
                n["schema"].as_str()?,
            ))
        })
        .collect();
    let files: Vec<(String, String)> = manifest["macros"]
        .as_object()?
        .values()
        .filter(|m| m["package_name"] == root)
        .filter_map(|m| {
            Some((
                m["original_file_path"].as_str()?.to_string(),
                m["macro_sql"].as_str()?.to_string(),
            ))
        })
        .collect();
    let overrides = Overrides::find(&files);
    let target_schema = models
        .iter()
        .find(|(_, custom, _)| custom.is_none())
        .map(|(_, _, actual)| actual.to_string())
        .or_else(|| {
            let (_, custom, actual) = models.first()?;
            let suffix = format!("_{}", (*custom)?);
            Some(actual.strip_suffix(&suffix).unwrap_or(actual).to_string())
        })?;
    let env = |_: &str| None;
    let mut unsupported = false;
    for name in ["dev", "prod", "default"] {
        let target = Target {
            name: name.into(),
            database: None,
            schema: Some(target_schema.clone()),
            adapter: None,
        };
        let mut all = true;
        for (model, custom, actual) in &models {
            let node = Node {
                name: model,
                resource_type: "model",
            };
            let placed = match overrides.get(Naming::Schema) {
                None => macros::builtin(Naming::Schema, *custom, &target, model),
                Some(o) => {
                    match macros::evaluate(o, Naming::Schema, *custom, &node, &target, model, &env)
                    {
                        Ok(s) => Some(s),
                        Err(_) => {
                            unsupported = true;
                            None
                        }
                    }
                }
            };
            all &= placed.as_deref() == Some(*actual);
        }
        if all {
            return Some(true);
        }
    }
    if unsupported { None } else { Some(false) }
}

#[test]
fn real_projects_land_where_their_manifests_say() {
    let Some(dir) = crate::test_shared::shared_path("fixtures/dbt") else {
        return;
    };
    let mut agreed = Vec::new();
    let mut named = Vec::new();
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.file_name().is_some_and(|f| f == "manifest.json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures under {}", dir.display());
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("fixture");
        let manifest: Json = serde_json::from_str(&text).expect("json");
        let label = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        match agrees(&manifest) {
            Some(true) => agreed.push(label),
            None => named.push(label),
            Some(false) => panic!("{label}: a model is placed where dbt did not put it"),
        }
    }
    eprintln!("agree with dbt: {agreed:?}\nnot evaluable: {named:?}");
    // Custom schemas under dbt's default (aidbox), the as-is override (billiam, soda, jaffle
    // v09), and branches on the target and the node type (jaffle v12).
    for expected in [
        "aidbox_dbt_sample",
        "billiam_database",
        "soda_governance",
        "jaffle_shop-v09",
        "jaffle_shop-v12-dbt1.10.13",
    ] {
        assert!(
            agreed.iter().any(|l| l.starts_with(expected)),
            "{expected} did not agree; agreed: {agreed:?}; not evaluable: {named:?}"
        );
    }
    // `prefix = target.name + '_' if …` is a conditional expression the evaluator refuses.
    assert!(
        named.iter().any(|l| l.starts_with("mattermost_legacy")),
        "{named:?}"
    );
}
