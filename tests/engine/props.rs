//! Properties of the differ that must hold for any contract, not just the vectors.

use proptest::prelude::*;
use tessera::compat::{Level, Mode, Settings, Verdict, diff};
use tessera::contract::{
    Column, Constraint, ConstraintKind, DataTest, Date, Dialect, Project, Relation, TestKind,
    TestSeverity, Warehouse, relation_digest,
};

const TYPES: &[&str] = &[
    "int",
    "bigint",
    "smallint",
    "varchar(10)",
    "varchar(20)",
    "text",
    "numeric(10,2)",
    "numeric(12,4)",
    "boolean",
    "date",
    "timestamp",
    "timestamptz",
    "double precision",
    "real",
];
const COLS: &[&str] = &["a", "b", "c", "d", "e", "f"];
const RELS: &[&str] = &["orders", "customers", "items"];
const DIALECTS: &[Dialect] = &[
    Dialect::Postgres,
    Dialect::Snowflake,
    Dialect::Bigquery,
    Dialect::Redshift,
    Dialect::Databricks,
    Dialect::Duckdb,
];

fn settings(mode: Mode) -> Settings {
    let mut s = Settings::new(Date::new(2026, 6, 1).unwrap_or(Date {
        year: 2026,
        month: 6,
        day: 1,
    }));
    s.default_mode = mode;
    s
}

fn column() -> impl Strategy<Value = (usize, usize, bool, bool, Option<Vec<&'static str>>)> {
    (
        0..COLS.len(),
        0..TYPES.len(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(proptest::sample::subsequence(vec!["x", "y", "z"], 1..=3)),
    )
}

fn relation() -> impl Strategy<Value = Relation> {
    (0..RELS.len(), proptest::collection::vec(column(), 1..6)).prop_map(|(ri, cols)| {
        let mut r = Relation::new(RELS[ri]);
        for (ci, ti, not_null, unique, accepted) in cols {
            if r.column(COLS[ci]).is_some() {
                continue;
            }
            let mut c = Column::new(COLS[ci], Some(TYPES[ti]));
            if not_null {
                c.constraints.push(Constraint {
                    kind: ConstraintKind::NotNull,
                    columns: vec![],
                });
            }
            if unique {
                c.tests.push(DataTest {
                    kind: TestKind::Unique,
                    severity: TestSeverity::Error,
                    contractual: false,
                });
            }
            if let Some(vals) = accepted {
                c.tests.push(DataTest {
                    kind: TestKind::AcceptedValues {
                        values: vals.into_iter().map(String::from).collect(),
                    },
                    severity: TestSeverity::Error,
                    contractual: false,
                });
            }
            r.columns.push(c);
        }
        r
    })
}

fn project() -> impl Strategy<Value = Project> {
    proptest::collection::vec(relation(), 0..3).prop_map(|rs| rs.into_iter().collect())
}

/// The rule that describes the same fact seen from the other side of the change.
fn mirrors(rule: &str) -> Option<&'static [&'static str]> {
    Some(match rule {
        "column_added" | "column_added_required" => &["column_removed"],
        "column_removed" => &["column_added", "column_added_required"],
        "column_type_widened" => &["column_type_narrowed"],
        "column_type_narrowed" => &["column_type_widened"],
        "column_type_alias_changed" => &["column_type_alias_changed"],
        "column_nullability_tightened" => &["column_nullability_loosened"],
        "column_nullability_loosened" => &["column_nullability_tightened"],
        "unique_added" => &["unique_removed"],
        "unique_removed" => &["unique_added"],
        "accepted_values_added" => &["accepted_values_removed"],
        "accepted_values_removed" => &["accepted_values_added"],
        "accepted_values_extended" => &["accepted_values_narrowed"],
        "accepted_values_narrowed" => &["accepted_values_extended"],
        "relation_added" => &["relation_removed"],
        "relation_removed" => &["relation_added"],
        "column_reordered" => &["column_reordered"],
        _ => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_contract_compared_with_itself_has_no_findings(p in project(), d in 0..DIALECTS.len()) {
        let mut s = settings(Mode::Full);
        s.warehouse = Warehouse::new(DIALECTS[d]);
        prop_assert!(diff(&p, &p, &s).findings.is_empty());
    }

    #[test]
    fn findings_mirror_each_other(s_side in project(), t_side in project()) {
        let s = settings(Mode::Full);
        let forward = diff(&s_side, &t_side, &s);
        let reverse = diff(&t_side, &s_side, &s);
        for f in &forward.findings {
            let Some(want) = mirrors(f.rule) else { continue };
            prop_assert!(
                reverse.findings.iter().any(|g| g.node == f.node && g.path == f.path && want.contains(&g.rule)),
                "{} {} has no mirror {:?} in {:?}", f.rule, f.display_path(), want,
                reverse.findings.iter().map(|g| format!("{} {}", g.rule, g.display_path())).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn column_order_alone_changes_nothing(p in project(), seed in any::<u64>()) {
        let mut shuffled = p.clone();
        for r in shuffled.relations.values_mut() {
            let n = r.columns.len();
            if n > 1 {
                r.columns.rotate_left((seed as usize) % n);
            }
        }
        let report = diff(&p, &shuffled, &settings(Mode::Full));
        prop_assert_eq!(report.verdict, Verdict::Compatible);
        prop_assert!(report.findings.iter().all(|f| f.rule == "column_reordered"));
    }

    #[test]
    fn removing_a_column_is_never_compatible_under_forward(p in project(), which in any::<usize>()) {
        let Some(key) = p.relations.keys().next().cloned() else { return Ok(()) };
        let mut after = p.clone();
        let Some(r) = after.relations.get_mut(&key) else { return Ok(()) };
        let i = which % r.columns.len();
        r.columns.remove(i);
        let report = diff(&p, &after, &settings(Mode::Forward));
        prop_assert_eq!(report.verdict, Verdict::Breaking);
        prop_assert!(report.findings.iter().any(|f| f.rule == "column_removed" && f.severity == Level::Err));
    }

    #[test]
    fn the_digest_ignores_declaration_order(r in relation(), seed in any::<u64>()) {
        let mut other = r.clone();
        let n = other.columns.len();
        other.columns.rotate_left((seed as usize) % n.max(1));
        for c in &mut other.columns {
            c.tests.reverse();
            c.constraints.reverse();
        }
        prop_assert_eq!(relation_digest(&r), relation_digest(&other));
    }

    #[test]
    fn arbitrary_types_never_panic(a in ".{0,60}", b in "[a-zA-Z0-9_(),<>: ]{0,60}", d in 0..DIALECTS.len()) {
        let mut before = Relation::new("t");
        before.columns.push(Column::new("c", Some(&a)));
        let mut after = Relation::new("t");
        after.columns.push(Column::new("c", Some(&b)));
        let mut s = settings(Mode::Full);
        s.warehouse = Warehouse::new(DIALECTS[d]);
        let report = diff(&[before].into_iter().collect(), &[after].into_iter().collect(), &s);
        // Different type text is never silently equal: at least an alias finding is reported.
        let differs = tessera::contract::types::normalize_raw(&a) != tessera::contract::types::normalize_raw(&b);
        prop_assert_eq!(differs, !report.findings.is_empty());
    }

    #[test]
    fn arbitrary_contracts_never_panic(
        names in proptest::collection::vec("[a-zA-Z_]{1,8}", 0..8),
        quotes in proptest::collection::vec(any::<bool>(), 8),
        renames in proptest::collection::vec(proptest::option::of("[a-zA-Z_]{1,8}"), 8),
        d in 0..DIALECTS.len(),
    ) {
        let mut before = Relation::new("t");
        let mut after = Relation::new("t");
        for (i, n) in names.iter().enumerate() {
            let mut c = Column::new(n.clone(), Some("int"));
            c.quote = quotes[i % quotes.len()];
            if i % 2 == 0 { before.columns.push(c.clone()); }
            c.renamed_from = renames[i % renames.len()].clone();
            c.name = c.name.to_uppercase();
            after.columns.push(c);
        }
        let mut s = settings(Mode::FullTransitive);
        s.warehouse = Warehouse::new(DIALECTS[d]);
        let _ = diff(&[before].into_iter().collect(), &[after].into_iter().collect(), &s);
    }
}
