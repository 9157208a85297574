//! dbt `groups:`, which say who owns the models in them.

/// `groups:` entries (name and owner) from the property files that declare any. Shapes the
/// reader does not understand are left to dbt: a group without a readable owner is skipped.
pub(super) fn read(texts: &[(String, String)]) -> Vec<crate::dbt::Group> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        groups: Vec<GroupDecl>,
    }
    #[derive(serde::Deserialize)]
    struct GroupDecl {
        name: String,
        #[serde(default)]
        owner: Option<Owner>,
    }
    #[derive(serde::Deserialize)]
    struct Owner {
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        name: Option<String>,
    }
    texts
        .iter()
        .filter(|(_, t)| t.contains("groups:"))
        .filter_map(|(_, t)| {
            serde_saphyr::from_str::<File>(t).ok().or_else(|| {
                let fixed = super::quoted_indent::repair(t)?;
                serde_saphyr::from_str::<File>(&fixed).ok()
            })
        })
        .flat_map(|f| f.groups)
        .map(|g| crate::dbt::Group {
            name: g.name,
            owner_email: g.owner.as_ref().and_then(|o| o.email.clone()),
            owner_name: g.owner.and_then(|o| o.name),
        })
        .collect()
}
