//! The rule table of RULES.md §2.5. Rule ids are public interface: never rename one.

use serde::Serialize;

use super::level::{Level, Strength};

/// A directional default: a fixed level, or `ERR*` (depends on the guarantee's strength).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DirDefault {
    #[serde(rename = "INFO")]
    Info,
    #[serde(rename = "WARN")]
    Warn,
    #[serde(rename = "ERR")]
    Err,
    /// ERR when the guarantee is enforced or tested, WARN when only declared.
    #[serde(rename = "ERR*")]
    ByStrength,
}

impl DirDefault {
    pub fn resolve(self, strength: Strength) -> Level {
        match self {
            DirDefault::Info => Level::Info,
            DirDefault::Warn => Level::Warn,
            DirDefault::Err => Level::Err,
            DirDefault::ByStrength => match strength {
                Strength::Declared => Level::Warn,
                _ => Level::Err,
            },
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DirDefault::Info => "INFO",
            DirDefault::Warn => "WARN",
            DirDefault::Err => "ERR",
            DirDefault::ByStrength => "ERR*",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub fwd: DirDefault,
    pub bwd: DirDefault,
    /// What the change means for readers, in plain words.
    pub meaning: &'static str,
    /// What to do about it.
    pub hint: &'static str,
}

use DirDefault::{ByStrength as S, Err as E, Info as I, Warn as W};

macro_rules! rule {
    ($id:literal, $fwd:expr, $bwd:expr, $meaning:literal, $hint:literal) => {
        Rule {
            id: $id,
            fwd: $fwd,
            bwd: $bwd,
            meaning: $meaning,
            hint: $hint,
        }
    };
}

pub const RULES: &[Rule] = &[
    rule!(
        "column_added",
        I,
        I,
        "A nullable column (or one with a default) was added; readers select by name and old rows read as NULL.",
        "Nothing to do."
    ),
    rule!(
        "column_added_required",
        I,
        S,
        "A NOT NULL column without a default was added; rows written before the change have no value for it.",
        "Give the column a default (meta.tessera.default), or backfill history before enforcing NOT NULL."
    ),
    rule!(
        "column_removed",
        E,
        I,
        "A column was removed; every query that names it fails to compile.",
        "Deprecate it first with `meta: {tessera: {deprecation_date: YYYY-MM-DD}}` on the column and remove it after that date; if it was renamed, put `meta: {tessera: {renamed_from: old_name}}` on the new column; either way, coordinate with its consumers."
    ),
    rule!(
        "column_removed_after_deprecation_date",
        I,
        I,
        "A column was removed after its announced deprecation date; consumers were given notice.",
        "Nothing to do."
    ),
    rule!(
        "column_removed_before_deprecation_date",
        E,
        I,
        "A column was removed before its announced deprecation date; the promised notice period is not over.",
        "Wait until the deprecation date, or get the consumers' acknowledgment."
    ),
    rule!(
        "column_renamed",
        E,
        I,
        "A column was renamed; the old identifier disappears for readers, while history maps across.",
        "Keep the old name as an alias column for a deprecation period, or coordinate with consumers."
    ),
    rule!(
        "column_case_changed",
        I,
        I,
        "Only the case of a column name changed and the warehouse resolves it to the same column.",
        "Nothing to do for SQL readers; case-sensitive clients (dataframes, JSON) may see a new key."
    ),
    rule!(
        "column_reordered",
        I,
        I,
        "The column order changed; readers access columns by name.",
        "Only readers that rely on position (select * into INSERT or UNION) are affected."
    ),
    rule!(
        "column_type_alias_changed",
        I,
        I,
        "The type was written differently but means the same canonical type.",
        "Nothing to do."
    ),
    rule!(
        "column_type_widened",
        W,
        I,
        "The type was widened within its family; stored values fit, but a typed reader may overflow.",
        "Tell consumers with typed targets (their own contracts, reverse ETL) before merging."
    ),
    rule!(
        "column_type_narrowed",
        I,
        E,
        "The type was narrowed within its family; stored values may not fit.",
        "Check that every stored value fits the narrower type, or add a new column instead."
    ),
    rule!(
        "column_type_promoted",
        E,
        I,
        "The type moved to another family without losing values, but operations change (integer division, date arithmetic).",
        "Add a new column with the new type and deprecate the old one."
    ),
    rule!(
        "column_type_widened_lossy",
        E,
        W,
        "The type moved to a wider family that loses precision (e.g. above 2^53 for doubles).",
        "Keep the exact type, or add a new column and deprecate the old one."
    ),
    rule!(
        "column_type_changed",
        E,
        E,
        "The type changed to an unrelated type; comparisons, sorting and arithmetic change meaning.",
        "Add a new column with the new type and deprecate the old one; coordinate with consumers."
    ),
    rule!(
        "column_nullability_tightened",
        I,
        S,
        "A not-null promise was added; history or loaders may hold NULLs.",
        "Check history for NULLs before enforcing the promise."
    ),
    rule!(
        "column_nullability_loosened",
        S,
        I,
        "A not-null promise was removed; readers may now receive NULLs they do not handle.",
        "Keep the not_null test or constraint, or coordinate with consumers."
    ),
    rule!(
        "guarantee_strength_decreased",
        W,
        I,
        "A promise is kept, but by a weaker mechanism; bad rows could be published before detection.",
        "Keep the stronger mechanism (an enforced constraint or an error-severity test)."
    ),
    rule!(
        "guarantee_strength_increased",
        I,
        I,
        "A promise is now kept by a stronger mechanism.",
        "Nothing to do."
    ),
    rule!(
        "primary_key_added",
        I,
        S,
        "A primary key was added; history may hold duplicates or NULL keys.",
        "Check history for duplicate and NULL keys first."
    ),
    rule!(
        "primary_key_removed",
        S,
        I,
        "The primary key was removed; readers lose the grain promise and joins may fan out.",
        "Keep unique and not_null tests on the key columns, or coordinate with consumers."
    ),
    rule!(
        "primary_key_changed",
        E,
        E,
        "The primary key columns changed; the grain of the table changed.",
        "Publish the new grain as a new model version and deprecate the old one."
    ),
    rule!(
        "unique_added",
        I,
        S,
        "A uniqueness promise was added; history may hold duplicates.",
        "Check history for duplicates first."
    ),
    rule!(
        "unique_removed",
        S,
        I,
        "A uniqueness promise was removed; joins on this column may fan out.",
        "Keep the unique test or constraint, or coordinate with consumers."
    ),
    rule!(
        "check_added",
        I,
        S,
        "A check constraint was added; history may violate it.",
        "Check history against the expression first."
    ),
    rule!(
        "check_removed",
        S,
        I,
        "A check constraint was removed; readers lose a value-domain promise.",
        "Keep the check, or coordinate with consumers."
    ),
    rule!(
        "check_changed",
        W,
        W,
        "A check expression changed; which way it moved cannot be decided in general.",
        "Review the new expression with the consumers."
    ),
    rule!(
        "foreign_key_added",
        I,
        S,
        "A foreign key was added; history may hold orphans.",
        "Check history for orphan keys first."
    ),
    rule!(
        "foreign_key_removed",
        S,
        I,
        "A foreign key was removed; readers lose referential integrity and inner joins may drop rows.",
        "Keep a relationships test, or coordinate with consumers."
    ),
    rule!(
        "relationships_added",
        I,
        S,
        "A relationships test was added; history may hold orphans.",
        "Check history for orphan keys first."
    ),
    rule!(
        "relationships_removed",
        S,
        I,
        "A relationships test was removed; readers lose referential integrity.",
        "Keep the test, or coordinate with consumers."
    ),
    rule!(
        "relationships_target_changed",
        E,
        E,
        "The referenced relation or column changed; the key now means something else.",
        "Add a new key column for the new target and deprecate the old one."
    ),
    rule!(
        "accepted_values_narrowed",
        I,
        S,
        "Values were removed from accepted_values; history holds values no longer allowed.",
        "Check history for the removed values first."
    ),
    rule!(
        "accepted_values_extended",
        W,
        I,
        "Values were added to accepted_values; exhaustive CASE or mapping logic in readers may miss them.",
        "Tell consumers about the new values before merging."
    ),
    rule!(
        "accepted_values_added",
        I,
        S,
        "An accepted_values restriction was added; history may hold other values.",
        "Check history against the values first."
    ),
    rule!(
        "accepted_values_removed",
        S,
        I,
        "The accepted_values restriction was removed; readers lose the domain promise.",
        "Keep the test, or coordinate with consumers."
    ),
    rule!(
        "freshness_tightened",
        I,
        W,
        "The freshness SLA was tightened; the loader or producer must meet a stricter cadence.",
        "Make sure the loader can meet the new SLA."
    ),
    rule!(
        "freshness_loosened",
        W,
        I,
        "The freshness SLA was loosened or removed; readers may get staler data.",
        "Tell consumers with freshness needs."
    ),
    rule!(
        "materialization_to_ephemeral",
        E,
        I,
        "The relation became ephemeral and no longer exists in the warehouse.",
        "Keep it materialized while it has readers outside dbt."
    ),
    rule!(
        "materialization_drops_constraints",
        E,
        I,
        "The relation became a view while enforced constraints existed; those guarantees silently vanish.",
        "Keep a table materialization, or replace the constraints by error-severity tests."
    ),
    rule!(
        "materialization_changed",
        I,
        I,
        "The materialization changed; columns stay the same, storage behaviour may change.",
        "Check streams, CDC, clustering and cost for readers of the table."
    ),
    rule!(
        "contract_enforcement_removed",
        E,
        I,
        "contract.enforced was turned off; the whole shape promise is dropped.",
        "Keep the contract enforced while the model has consumers."
    ),
    rule!(
        "contract_enforcement_added",
        I,
        I,
        "contract.enforced was turned on; a stronger promise.",
        "Nothing to do."
    ),
    rule!(
        "relation_removed",
        E,
        I,
        "The relation was removed (deleted, disabled or a version dropped) without deprecation; every reader fails.",
        "Set a deprecation_date first and remove it after that date, or coordinate with consumers."
    ),
    rule!(
        "relation_removed_after_deprecation_date",
        I,
        I,
        "The relation was removed after its announced deprecation date.",
        "Nothing to do."
    ),
    rule!(
        "relation_removed_before_deprecation_date",
        E,
        I,
        "The relation was removed before its announced deprecation date.",
        "Wait until the deprecation date, or get the consumers' acknowledgment."
    ),
    rule!(
        "ephemeral_model_removed",
        I,
        I,
        "An ephemeral model was removed. It never existed in the warehouse (dbt inlines it into the models that ref it), so no reader outside dbt could query it; dbt itself reports any model that still refs it.",
        "Nothing to do. Turning a model ephemeral is different: that removes a table readers query (materialization_to_ephemeral)."
    ),
    rule!(
        "relation_location_changed",
        E,
        I,
        "The relation moved (database, schema or identifier changed); external readers query the physical name.",
        "Keep a view at the old location for a deprecation period."
    ),
    rule!(
        "relation_deprecated",
        I,
        I,
        "A deprecation date was set or moved later; consumers get notice.",
        "Tell consumers about the date."
    ),
    rule!(
        "relation_undeprecated",
        I,
        I,
        "The deprecation date was removed.",
        "Nothing to do."
    ),
    rule!(
        "deprecation_date_moved_earlier",
        E,
        I,
        "The deprecation date moved earlier; the promised notice is shorter.",
        "Keep the original date, or get the consumers' acknowledgment."
    ),
    rule!(
        "deprecation_notice_too_short",
        E,
        I,
        "The deprecation date is closer than the policy's minimum notice.",
        "Set a later deprecation date (policy.min_deprecation_days)."
    ),
    rule!(
        "version_added",
        I,
        I,
        "A new model version was added; pinned and unpinned refs are unaffected.",
        "Nothing to do."
    ),
    rule!(
        "latest_version_changed",
        I,
        I,
        "latest_version changed; unpinned ref()s silently move to the new version.",
        "Ask consumers to pin the version they need before the switch."
    ),
    rule!(
        "access_narrowed",
        E,
        I,
        "Access was narrowed; refs from other groups or projects stop resolving.",
        "Keep the access level while other groups or projects reference the model."
    ),
    rule!(
        "relation_metadata_changed",
        I,
        I,
        "Description, tags, meta or access widened: documentation only.",
        "Nothing to do."
    ),
    rule!(
        "column_metadata_changed",
        I,
        I,
        "A column's description, tags, meta or default changed: documentation only.",
        "Nothing to do."
    ),
    rule!(
        "column_docs_changed",
        I,
        I,
        "The YAML's column entries changed, not what the SQL outputs: documentation only.",
        "Keep the YAML in step with what the SQL outputs: docs for a column that does not exist mislead readers."
    ),
    rule!(
        "output_unresolved",
        W,
        W,
        "The change reaches a model whose output columns cannot be derived from its SQL on one side or both (a macro Tessera cannot expand, `*` over a relation whose columns are unknown, a Python model, SQL that does not parse or that the warehouse would refuse); what it outputs there is unknown, and its YAML stood in.",
        "Check the model compiles (`dbt compile -s <model>`); if it does, compare its output by hand, or declare the columns of what its `*` reads so Tessera can follow it."
    ),
    rule!(
        "data_test_removed",
        W,
        I,
        "A contract-tagged data test was removed; what it promised is unknown to Tessera.",
        "Check with consumers what the test protected."
    ),
    rule!(
        "data_test_added",
        I,
        W,
        "A contract-tagged data test was added; history may fail it.",
        "Run the test against history first."
    ),
    rule!(
        "relation_added",
        I,
        I,
        "A relation was added; it has no readers yet.",
        "Nothing to do."
    ),
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}

/// The rule table entry for an id the engine itself emits; unknown ids would be a bug in Tessera.
pub(crate) fn known(id: &'static str) -> &'static Rule {
    const FALLBACK: Rule = Rule {
        id: "column_type_changed",
        fwd: E,
        bwd: E,
        meaning: "",
        hint: "",
    };
    rule(id).unwrap_or(&FALLBACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_snake_case() {
        let mut ids: Vec<_> = rule_ids().collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        assert!(
            ids.iter()
                .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
    }

    #[test]
    fn by_strength_is_warn_only_for_declared() {
        assert_eq!(S.resolve(Strength::Declared), Level::Warn);
        assert_eq!(S.resolve(Strength::Tested), Level::Err);
        assert_eq!(S.resolve(Strength::Enforced), Level::Err);
    }
}
