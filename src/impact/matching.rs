//! Which consumers a finding concerns: asset names and column usage, compared the way the
//! warehouse compares unquoted identifiers.

use crate::compat::Finding;
use crate::contract::Dialect;

use super::ConsumerUse;

/// Every name a consumer may have used for the relation a finding is about, folded.
pub(super) struct AssetNames {
    dialect: Dialect,
    names: Vec<String>,
    /// `.` and the finding's relation name when it is not fully qualified: a consumer that
    /// names `db.schema.orders` reads the same table as a finding whose location is only known
    /// as `orders` (suffix `.orders`).
    partial_suffix: Option<String>,
}

impl AssetNames {
    pub fn of(f: &Finding, dialect: Dialect) -> AssetNames {
        let fold = |s: &str| dialect.physical_name(s, false);
        let mut names = vec![fold(&f.node), fold(&f.asset)];
        if let Some(v) = &f.version {
            names.push(fold(&format!("{}.v{v}", f.node)));
        }
        if let Some(u) = &f.unique_id {
            names.push(fold(u));
        }
        // A move renames the asset: readers registered under the old location are the ones hurt.
        if f.rule == "relation_location_changed" {
            names.extend(f.before.iter().chain(f.after.iter()).map(|s| fold(s)));
        }
        names.retain(|n| !n.is_empty());
        names.sort();
        names.dedup();
        let asset = fold(&f.asset);
        let partial_suffix =
            (!asset.is_empty() && asset.split('.').count() < 3).then(|| format!(".{asset}"));
        AssetNames {
            dialect,
            names,
            partial_suffix,
        }
    }

    /// The consumer's name for an asset, folded once so that many findings can be matched
    /// against many consumers without folding the same name over and over.
    pub fn fold(dialect: Dialect, consumer_asset: &str) -> String {
        dialect.physical_name(consumer_asset.trim(), false)
    }

    /// `want` is a consumer's asset name already passed through [`AssetNames::fold`].
    pub fn matches(&self, want: &str) -> bool {
        debug_assert_eq!(want, Self::fold(self.dialect, want));
        if self.names.iter().any(|n| n == want) {
            return true;
        }
        // Over-matching only adds a team to `impacted` and keeps a break a break; under-matching
        // would silently relax it. So a qualified name that ends in the known part counts.
        // Called for every finding and consumer pair, so it must not allocate.
        self.partial_suffix
            .as_deref()
            .is_some_and(|suffix| want.ends_with(suffix))
    }
}

/// The top-level column a path is in: `payload.b` -> `payload`, `tags[]` -> `tags`,
/// `attrs{key}` -> `attrs`; `None` for a relation-level finding.
pub(super) fn top_column(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    path.split(['.', '[', '{']).next().filter(|c| !c.is_empty())
}

/// Whether the consumer reads `column` (already folded). A type the consumer declares for a
/// column means it reads it, even if its column list forgot it.
pub(super) fn reads_column(c: &ConsumerUse, column: &str, dialect: Dialect) -> bool {
    let Some(cols) = &c.columns else {
        return true;
    };
    cols.iter()
        .chain(c.expects_types.keys())
        .any(|name| dialect.physical_name(name.trim(), false) == column)
}
