//! A project's overrides of `generate_schema_name`, `generate_database_name` and
//! `generate_alias_name`, and dbt's built-in behaviour where it does not override them.

use std::collections::BTreeMap;

use super::jinja::{self, Scope, Unsupported, Value};
use super::profiles::Target;

/// The three naming macros dbt calls for every model, seed and snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Naming {
    Schema,
    Database,
    Alias,
}

impl Naming {
    pub const ALL: [Naming; 3] = [Naming::Schema, Naming::Database, Naming::Alias];

    pub fn macro_name(self) -> &'static str {
        match self {
            Naming::Schema => "generate_schema_name",
            Naming::Database => "generate_database_name",
            Naming::Alias => "generate_alias_name",
        }
    }

    fn custom_param(self) -> &'static str {
        match self {
            Naming::Schema => "custom_schema_name",
            Naming::Database => "custom_database_name",
            Naming::Alias => "custom_alias_name",
        }
    }
}

/// One override: the file it is in, its parameter names and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub path: String,
    params: Vec<String>,
    body: String,
}

/// The project's overrides; a missing one means dbt's built-in behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(BTreeMap<Naming, Override>);

impl Overrides {
    /// Finds the overrides in macro files (`(path, text)`); the first definition wins.
    pub fn find(files: &[(String, String)]) -> Overrides {
        let mut out = BTreeMap::new();
        for (path, text) in files {
            for naming in Naming::ALL {
                if out.contains_key(&naming) {
                    continue;
                }
                if let Some((params, body)) = definition(text, naming.macro_name()) {
                    out.insert(
                        naming,
                        Override {
                            path: path.clone(),
                            params,
                            body,
                        },
                    );
                }
            }
        }
        Overrides(out)
    }

    /// The overrides among the `.sql` files under the project's macro paths, at any revision.
    pub fn read(
        tree: &dyn crate::git::FileTree,
        roots: &[String],
    ) -> Result<Overrides, crate::git::GitError> {
        let mut texts = Vec::new();
        for path in crate::git::list_all(tree, roots)? {
            if !path.ends_with(".sql") {
                continue;
            }
            let Some(bytes) = tree.read(&path)? else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if mentions_naming(&text) {
                texts.push((path, text));
            }
        }
        Ok(Overrides::find(&texts))
    }

    pub fn get(&self, naming: Naming) -> Option<&Override> {
        self.0.get(&naming)
    }
}

/// Whether a macro file may define one of the naming macros (a cheap filter before reading).
pub fn mentions_naming(text: &str) -> bool {
    Naming::ALL.iter().any(|n| text.contains(n.macro_name()))
}

/// `{% macro name(a, b) %}body{% endmacro %}` → (params, body).
fn definition(text: &str, name: &str) -> Option<(Vec<String>, String)> {
    let mut rest = text;
    loop {
        let open = rest.find("{%")?;
        let after = &rest[open + 2..];
        let close = after.find("%}")?;
        let tag = after[..close].trim_matches(['-', '+']).trim();
        rest = &after[close + 2..];
        let Some(sig) = tag.strip_prefix("macro") else {
            continue;
        };
        let sig = sig.trim_start();
        let Some(args) = sig.strip_prefix(name).map(str::trim_start) else {
            continue;
        };
        let params = args
            .strip_prefix('(')?
            .strip_suffix(')')?
            .split(',')
            .map(|p| p.split('=').next().unwrap_or("").trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        let end = endmacro(rest)?;
        return Some((params, rest[..end].to_string()));
    }
}

/// The offset of the `{% endmacro %}` that closes the body.
fn endmacro(body: &str) -> Option<usize> {
    let mut at = 0;
    while let Some(open) = body[at..].find("{%") {
        let start = at + open;
        let close = body[start..].find("%}")? + start;
        let tag = body[start + 2..close].trim_matches(['-', '+']).trim();
        if tag == "endmacro" || tag.starts_with("endmacro ") {
            return Some(start);
        }
        at = close + 2;
    }
    None
}

/// The node a naming macro is called for.
pub struct Node<'a> {
    pub name: &'a str,
    pub resource_type: &'a str,
}

/// dbt's built-in behaviour: `<target_schema>_<custom>` for schemas, the custom database or the
/// target's, the custom alias or the node's name (a version's `<name>_v<v>` already folded into
/// `default`). `None` when the target does not say what is needed.
pub fn builtin(
    naming: Naming,
    custom: Option<&str>,
    target: &Target,
    default: &str,
) -> Option<String> {
    let custom = custom.map(str::trim).filter(|c| !c.is_empty());
    match naming {
        Naming::Schema => {
            let base = target.schema.as_deref()?;
            Some(match custom {
                Some(c) => format!("{base}_{c}"),
                None => base.to_string(),
            })
        }
        Naming::Database => custom.or(target.database.as_deref()).map(str::to_string),
        Naming::Alias => Some(custom.unwrap_or(default).to_string()),
    }
}

/// The name an override gives, evaluated with dbt's arguments.
pub fn evaluate(
    o: &Override,
    naming: Naming,
    custom: Option<&str>,
    node: &Node<'_>,
    target: &Target,
    default: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Unsupported> {
    let opt = |v: Option<&str>| v.map_or(Value::None, |s| Value::Str(s.to_string()));
    let mut vars = BTreeMap::new();
    let custom_name = o
        .params
        .first()
        .cloned()
        .unwrap_or_else(|| naming.custom_param().to_string());
    vars.insert(custom_name, opt(custom));
    if let Some(node_param) = o.params.get(1) {
        // Only passed on (to `default__generate_schema_name(custom, node)`); never printed.
        vars.insert(node_param.clone(), Value::Str(node.name.into()));
        vars.insert(format!("{node_param}.name"), Value::Str(node.name.into()));
        vars.insert(
            format!("{node_param}.resource_type"),
            Value::Str(node.resource_type.into()),
        );
    }
    vars.insert("target.name".into(), Value::Str(target.name.clone()));
    vars.insert("target.schema".into(), opt(target.schema.as_deref()));
    vars.insert("target.database".into(), opt(target.database.as_deref()));
    vars.insert("target.dbname".into(), opt(target.database.as_deref()));
    vars.insert("target.type".into(), opt(target.adapter.as_deref()));
    let builtin = |name: &str, args: &[Value]| -> Option<Value> {
        let first = match args.first() {
            Some(Value::Str(s)) => Some(s.as_str()),
            Some(Value::None) | None => None,
            Some(_) => return None,
        };
        let naming = Naming::ALL.into_iter().find(|n| n.macro_name() == name);
        if let Some(naming) = naming {
            return builtin(naming, first, target, default).map(Value::Str);
        }
        // dbt's `generate_schema_name_for_env`: the custom schema in prod, else the target's.
        (name == "generate_schema_name_for_env").then(|| match (target.name == "prod", first) {
            (true, Some(c)) => Some(Value::Str(c.trim().to_string())),
            _ => target.schema.clone().map(Value::Str),
        })?
    };
    let mut scope = Scope {
        vars,
        env,
        builtin: &builtin,
    };
    let text = jinja::render(&o.body, &mut scope)?;
    let name = text.trim();
    if name.is_empty() || name == "None" || name.contains(char::is_whitespace) {
        return Err(Unsupported(format!("it renders `{name}`, not a name")));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> Target {
        Target {
            name: name.into(),
            database: Some("analytics".into()),
            schema: Some("dbt_ana".into()),
            adapter: Some("postgres".into()),
        }
    }

    const NODE: Node = Node {
        name: "orders",
        resource_type: "model",
    };

    fn run(macro_text: &str, custom: Option<&str>, target_name: &str) -> Result<String, String> {
        let files = vec![("macros/naming.sql".to_string(), macro_text.to_string())];
        let o = Overrides::find(&files);
        let found = o.get(Naming::Schema).expect("found");
        let none = |_: &str| None;
        evaluate(
            found,
            Naming::Schema,
            custom,
            &NODE,
            &target(target_name),
            "orders",
            &none,
        )
        .map_err(|e| e.0)
    }

    #[test]
    fn dbt_default_is_target_schema_underscore_custom() {
        let t = target("dev");
        assert_eq!(
            builtin(Naming::Schema, Some("marts"), &t, "orders").as_deref(),
            Some("dbt_ana_marts")
        );
        assert_eq!(
            builtin(Naming::Schema, None, &t, "orders").as_deref(),
            Some("dbt_ana")
        );
        assert_eq!(
            builtin(Naming::Database, None, &t, "orders").as_deref(),
            Some("analytics")
        );
        assert_eq!(
            builtin(Naming::Alias, None, &t, "orders_v2").as_deref(),
            Some("orders_v2")
        );
        assert_eq!(builtin(Naming::Schema, None, &Target::default(), "o"), None);
    }

    #[test]
    fn common_overrides_are_evaluated() {
        let as_is = "{% macro generate_schema_name(custom_schema_name, node) -%}
            {%- if custom_schema_name is none -%}{{ target.schema }}
            {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
        {%- endmacro %}";
        assert_eq!(run(as_is, Some("marts"), "dev").unwrap(), "marts");
        assert_eq!(run(as_is, None, "dev").unwrap(), "dbt_ana");

        let by_env = "{% macro generate_schema_name(custom_schema_name, node) -%}
            {{ generate_schema_name_for_env(custom_schema_name, node) }}
        {%- endmacro %}";
        assert_eq!(run(by_env, Some("marts"), "prod").unwrap(), "marts");
        assert_eq!(run(by_env, Some("marts"), "dev").unwrap(), "dbt_ana");

        let delegating = "{% macro generate_schema_name(custom, node) %}\
            {{ return(default__generate_schema_name(custom, node)) }}{% endmacro %}";
        assert_eq!(run(delegating, Some("x"), "dev").unwrap(), "dbt_ana_x");
    }

    #[test]
    fn other_overrides_are_named_not_guessed() {
        let custom = "{% macro generate_schema_name(custom_schema_name, node) -%}
            {{ node.fqn[1] }}
        {%- endmacro %}";
        assert!(run(custom, Some("marts"), "dev").is_err());
        let uses_var = "{% macro generate_schema_name(c, node) %}{{ var('s') }}{% endmacro %}";
        assert!(run(uses_var, None, "dev").is_err());
    }
}
