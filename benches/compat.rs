//! Engine speed: `cargo bench --bench compat`. Figures go to benches/README.md.

use divan::Bencher;
use tessera::compat::{Settings, diff};
use tessera::contract::{
    Column, Constraint, ConstraintKind, DataTest, Date, Project, Relation, TestKind, TestSeverity,
};

fn main() {
    divan::main();
}

const TYPES: &[&str] = &[
    "int",
    "bigint",
    "varchar(50)",
    "numeric(12,2)",
    "timestamp",
    "boolean",
    "date",
    "text",
];

fn relation(name: &str, columns: usize, salt: usize) -> Relation {
    let mut r = Relation::new(name);
    for i in 0..columns {
        let mut c = Column::new(format!("col_{i}"), Some(TYPES[(i + salt) % TYPES.len()]));
        if i % 3 == 0 {
            c.constraints.push(Constraint {
                kind: ConstraintKind::NotNull,
                columns: vec![],
            });
        }
        if i % 7 == 0 {
            c.tests.push(DataTest {
                kind: TestKind::Unique,
                severity: TestSeverity::Error,
                contractual: false,
            });
        }
        c.description = Some(format!("column {i} of {name}"));
        r.columns.push(c);
    }
    r
}

fn settings() -> Settings {
    Settings::new(Date::new(2026, 6, 1).unwrap_or(Date {
        year: 2026,
        month: 6,
        day: 1,
    }))
}

/// Two 1,000-column contracts that differ in a handful of columns.
#[divan::bench]
fn wide_relation_1000_columns(bencher: Bencher) {
    let before: Project = [relation("wide", 1000, 0)].into_iter().collect();
    let mut after = before.clone();
    if let Some(r) = after.relations.get_mut("wide") {
        r.columns.remove(10);
        r.columns[20].data_type = Some("bigint".into());
        r.columns.push(Column::new("new_col", Some("text")));
    }
    let s = settings();
    bencher.bench(|| diff(divan::black_box(&before), divan::black_box(&after), &s));
}

/// Two 5,000-relation projects (20 columns each) with 1% of the relations changed.
#[divan::bench]
fn project_5000_relations_1pct_changed(bencher: Bencher) {
    let before: Project = (0..5000)
        .map(|i| relation(&format!("model_{i}"), 20, i))
        .collect();
    let mut after = before.clone();
    for (n, r) in after.relations.values_mut().enumerate() {
        if n % 100 == 0 {
            r.columns.pop();
            r.columns[0].data_type = Some("varchar(100)".into());
        }
    }
    let s = settings();
    bencher.bench(|| diff(divan::black_box(&before), divan::black_box(&after), &s));
}
