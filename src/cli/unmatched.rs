//! Consumer registrations that match no asset in the store: a source named after a schema the
//! producer does not build into, a typo, or a producer that has not synced yet. Each is listed
//! with the nearest asset keys, since an unmatched registration protects nobody.

use crate::config::levenshtein;
use crate::store::{AssetFilter, Consumer, ConsumerFilter, Store};

/// One registration without an asset, and the asset keys it most likely meant.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unmatched {
    pub asset: String,
    pub team: String,
    pub project: String,
    pub source: &'static str,
    pub nearest: Vec<String>,
}

/// Active registrations (of `project`, or store-wide) whose asset key no active asset has.
pub fn find(store: &dyn Store, project: Option<&str>) -> crate::error::Result<Vec<Unmatched>> {
    let keys: Vec<String> = store
        .assets(&AssetFilter::default())?
        .into_iter()
        .map(|a| a.key)
        .collect();
    let regs: Vec<Consumer> = store.registrations(&ConsumerFilter {
        project: project.map(str::to_string),
        ..ConsumerFilter::default()
    })?;
    Ok(regs
        .into_iter()
        .filter(|c| !keys.contains(&c.asset))
        .map(|c| Unmatched {
            nearest: nearest(&c.asset, &keys),
            asset: c.asset,
            team: c.team,
            project: c.project,
            source: c.source.name(),
        })
        .collect())
}

/// Up to three keys: those with the same table name first (the schema is what usually differs),
/// then the closest by edit distance, when close enough to be a plausible slip.
fn nearest(want: &str, keys: &[String]) -> Vec<String> {
    let table = |k: &str| k.rsplit(['.', '/']).next().unwrap_or(k).to_string();
    let want_table = table(want);
    let mut scored: Vec<(usize, usize, &String)> = keys
        .iter()
        .map(|k| {
            let same_table = usize::from(table(k) != want_table);
            (same_table, levenshtein(want, k), k)
        })
        .filter(|(same, dist, _)| *same == 0 || *dist <= want.len().max(6) / 3)
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, k)| k.clone())
        .collect()
}

/// `team-bi reads core.orders (nearest: analytics_core.orders)`.
pub fn line(u: &Unmatched) -> String {
    let hint = match u.nearest.as_slice() {
        [] => String::new(),
        near => format!(" (nearest: {})", near.join(", ")),
    };
    format!("{} reads {}{hint}", u.team, u.asset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_table_in_another_schema_comes_first() {
        let keys: Vec<String> = ["analytics_core.orders", "core.order", "core.customers"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            nearest("core.orders", &keys),
            ["analytics_core.orders", "core.order"]
        );
        assert!(nearest("finance.ledger", &keys).is_empty());
    }
}
