//! Where each dbt node lands (`database.schema.identifier`), resolved the way dbt resolves it
//! from the project's own files: the target (profiles.yml, else `dbt.target` in tessera.yaml),
//! the `+database`/`+schema`/`+alias` configs the reader already layered, and the
//! `generate_*_name` macros (dbt's built-in behaviour, or the project's override).
//!
//! A manifest, when there is one, and the store's record of the last sync are applied by the
//! commands; this module only knows files. Pure: the environment comes in as a function.

pub mod jinja;
pub mod macros;
pub mod profiles;
#[cfg(test)]
mod tests_fixtures;

use crate::contract::{IdentitySource, Project, Relation, ResourceType};

pub use macros::{Naming, Overrides};
pub use profiles::Target;

/// Everything placement needs besides the relations.
pub struct Placement<'a> {
    pub target: &'a Target,
    /// `Profile` or `Config`: what the target came from.
    pub source: IdentitySource,
    pub overrides: &'a Overrides,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Places every model, seed, snapshot and source of `project` that nothing placed yet. Relations
/// a naming override cannot be evaluated for stay unplaced; returns one sentence per override
/// that could not be evaluated, naming its file.
pub fn place(project: &mut Project, p: &Placement<'_>) -> Vec<String> {
    let mut problems: Vec<String> = Vec::new();
    for r in project.relations.values_mut() {
        if r.placed_by.is_some() {
            continue;
        }
        match place_one(r, p) {
            Ok(()) => r.placed_by = Some(p.source),
            Err(why) => {
                if !problems.contains(&why) {
                    problems.push(why);
                }
            }
        }
    }
    problems
}

fn place_one(r: &mut Relation, p: &Placement<'_>) -> Result<(), String> {
    let t = p.target;
    match r.resource_type {
        // Hand-declared tables name themselves.
        ResourceType::Table => Ok(()),
        // A source's schema is its own (`schema:`, else its name); only the database defaults.
        ResourceType::Source => {
            if r.database.is_none() {
                r.database.clone_from(&t.database);
            }
            Ok(())
        }
        ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
            let default_alias = match &r.version {
                Some(v) => format!("{}_v{v}", r.name),
                None => r.name.clone(),
            };
            // The reader left the raw configs here: `+schema`, `+database`, `+alias`.
            let custom_alias = r.identifier.clone().filter(|i| *i != default_alias);
            let node = macros::Node {
                name: &r.name,
                resource_type: r.resource_type.name(),
            };
            let name = |naming: Naming, custom: Option<&str>| -> Result<Option<String>, String> {
                match p.overrides.get(naming) {
                    None => Ok(macros::builtin(naming, custom, t, &default_alias)),
                    Some(o) => macros::evaluate(o, naming, custom, &node, t, &default_alias, p.env)
                        .map(Some)
                        .map_err(|e| {
                            format!(
                                "{}: the project's `{}` is custom ({}), so where its models \
                                     land is unknown; give a manifest (--manifest \
                                     target/manifest.json) to place them",
                                o.path,
                                naming.macro_name(),
                                e.0
                            )
                        }),
                }
            };
            let schema = name(Naming::Schema, r.schema.as_deref())?;
            let database = name(Naming::Database, r.database.as_deref())?;
            let alias = name(Naming::Alias, custom_alias.as_deref())?;
            let Some(schema) = schema else {
                return Err("no target schema".into());
            };
            r.schema = Some(schema);
            r.database = database;
            r.identifier = alias.or(Some(default_alias));
            Ok(())
        }
    }
}

/// Fills a relation's identity from a relation name recorded by the store for the same
/// `unique_id` (`schema.identifier`, as the store keys it).
pub fn place_from_key(r: &mut Relation, key: &str) {
    let Some((schema, ident)) = key.rsplit_once('.') else {
        return;
    };
    r.schema = Some(schema.rsplit('.').next().unwrap_or(schema).to_string());
    r.identifier = Some(ident.to_string());
    r.placed_by = Some(IdentitySource::Store);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str, schema: Option<&str>) -> Relation {
        let mut r = Relation::new(name);
        r.schema = schema.map(str::to_string);
        r.identifier = Some(name.to_string());
        r
    }

    #[test]
    fn models_land_where_dbt_puts_them() {
        let target = Target {
            name: "dev".into(),
            database: Some("analytics".into()),
            schema: Some("core".into()),
            adapter: None,
        };
        let overrides = Overrides::default();
        let none = |_: &str| None;
        let p = Placement {
            target: &target,
            source: IdentitySource::Profile,
            overrides: &overrides,
            env: &none,
        };
        let mut project: Project = [model("orders", None), model("customers", Some("marts"))]
            .into_iter()
            .collect();
        assert!(place(&mut project, &p).is_empty());
        let orders = project.get("orders").unwrap();
        assert_eq!(
            orders.relation_name().as_deref(),
            Some("analytics.core.orders")
        );
        assert_eq!(orders.placed_by, Some(IdentitySource::Profile));
        let customers = project.get("customers").unwrap();
        assert_eq!(
            customers.relation_name().as_deref(),
            Some("analytics.core_marts.customers")
        );

        let custom = vec![(
            "macros/s.sql".to_string(),
            "{% macro generate_schema_name(c, node) %}{{ node.config.x }}{% endmacro %}"
                .to_string(),
        )];
        let overrides = Overrides::find(&custom);
        let p = Placement {
            overrides: &overrides,
            ..p
        };
        let mut project: Project = [model("orders", None)].into_iter().collect();
        let problems = place(&mut project, &p);
        assert!(problems[0].contains("macros/s.sql"), "{problems:?}");
        assert_eq!(project.get("orders").unwrap().placed_by, None);
    }
}
