//! The target a dbt project builds into, read from `profiles.yml` the way dbt reads it: the
//! profile `dbt_project.yml` names, the target `DBT_TARGET` names (else the profile's
//! `target:`), and `env_var('X', 'default')` evaluated against the environment.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::jinja::{self, Scope, Value};

/// Where a project's models land by default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// The target's name (`dev`, `prod`), which `generate_schema_name` overrides branch on.
    pub name: String,
    pub database: Option<String>,
    pub schema: Option<String>,
    /// The adapter (`type:`), when the profile says it.
    pub adapter: Option<String>,
}

/// Reads `profile`'s target from a profiles.yml text. `target` is `DBT_TARGET` when set.
/// The error says what is missing, for a warning that names the file.
pub fn target(
    text: &str,
    profile: &str,
    target: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, String> {
    let doc: Json = serde_saphyr::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    let Some(p) = doc.get(profile) else {
        return Err(format!("it has no profile `{profile}`"));
    };
    let render = |v: &Json| -> Result<Option<String>, String> {
        let text = match v {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            Json::Null => return Ok(None),
            _ => return Err("a value that is not a string".into()),
        };
        let builtin = |_: &str, _: &[Value]| None;
        let mut scope = Scope {
            vars: BTreeMap::new(),
            env,
            builtin: &builtin,
        };
        jinja::render(&text, &mut scope)
            .map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty()))
            .map_err(|e| e.0)
    };
    let name = match target {
        Some(t) => t.to_string(),
        None => match p.get("target") {
            Some(v) => render(v)?.ok_or("its `target:` is empty")?,
            None => "default".to_string(),
        },
    };
    let Some(output) = p.get("outputs").and_then(|o| o.get(&name)) else {
        return Err(format!("profile `{profile}` has no output `{name}`"));
    };
    let field = |keys: &[&str]| -> Result<Option<String>, String> {
        for k in keys {
            if let Some(v) = output.get(*k) {
                return render(v).map_err(|e| format!("`{profile}.outputs.{name}.{k}`: {e}"));
            }
        }
        Ok(None)
    };
    let adapter = field(&["type"])?;
    let kind = adapter.as_deref().unwrap_or("").to_ascii_lowercase();
    // Each adapter names the two levels its own way.
    let (db_keys, schema_keys): (&[&str], &[&str]) = match kind.as_str() {
        "postgres" | "redshift" => (&["dbname", "database"], &["schema"]),
        "bigquery" => (&["project", "database"], &["dataset", "schema"]),
        "databricks" | "spark" => (&["catalog", "database"], &["schema"]),
        _ => (&["database", "dbname"], &["schema"]),
    };
    let mut database = field(db_keys)?;
    let mut schema = field(schema_keys)?;
    if kind == "duckdb" {
        // dbt-duckdb: the database is the file's stem, the schema `main` unless set.
        if database.is_none() {
            database = field(&["path"])?.map(|p| {
                let file = p.rsplit(['/', '\\']).next().unwrap_or(&p).to_string();
                file.split('.').next().unwrap_or(&file).to_string()
            });
        }
        schema = schema.or_else(|| Some("main".to_string()));
    }
    Ok(Target {
        name,
        database,
        schema,
        adapter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILES: &str = r#"
shop:
  target: "{{ env_var('SHOP_TARGET', 'dev') }}"
  outputs:
    dev:
      type: postgres
      host: localhost
      dbname: "{{ env_var('SHOP_DB', 'analytics') }}"
      schema: "{{ env_var('SHOP_SCHEMA', 'dbt_dev') }}"
    prod:
      type: snowflake
      database: ANALYTICS
      schema: core
warehouse:
  target: bq
  outputs:
    bq: {type: bigquery, project: my-proj, dataset: marts}
"#;

    #[test]
    fn env_var_defaults_and_the_named_target() {
        let none = |_: &str| None;
        let t = target(PROFILES, "shop", None, &none).unwrap();
        assert_eq!(
            (t.name.as_str(), t.database.as_deref(), t.schema.as_deref()),
            ("dev", Some("analytics"), Some("dbt_dev"))
        );
        let env = |k: &str| (k == "SHOP_SCHEMA").then(|| "ci_42".to_string());
        let t = target(PROFILES, "shop", None, &env).unwrap();
        assert_eq!(t.schema.as_deref(), Some("ci_42"));
        let t = target(PROFILES, "shop", Some("prod"), &none).unwrap();
        assert_eq!(
            (t.database.as_deref(), t.schema.as_deref()),
            (Some("ANALYTICS"), Some("core"))
        );
        let bq = target(PROFILES, "warehouse", None, &none).unwrap();
        assert_eq!(
            (bq.database.as_deref(), bq.schema.as_deref()),
            (Some("my-proj"), Some("marts"))
        );
        assert!(target(PROFILES, "nope", None, &none).is_err());
        assert!(target(PROFILES, "shop", Some("staging"), &none).is_err());
    }
}
