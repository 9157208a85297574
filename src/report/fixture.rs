//! A small real comparison shared by the renderer tests: built through the engine, so the
//! findings look exactly like the ones users see.

use crate::compat::{Finding, Level, Report, Settings, Waiver, diff};
use crate::contract::{Column, Date, Project, Relation};

use super::RenderInput;

/// A column name full of characters every format has to escape.
pub const AWKWARD: &str = "note|x,y:z%<&\"`";

fn orders(columns: &[(&str, &str)]) -> Relation {
    let mut r = Relation::new("orders");
    r.database = Some("analytics".into());
    r.schema = Some("prod".into());
    r.identifier = Some("orders".into());
    r.file = Some("models/orders.yml".into());
    r.columns = columns
        .iter()
        .map(|(n, t)| Column::new(*n, Some(*t)))
        .collect();
    r
}

/// `amount` removed (with a rename hint towards `amount_usd`), `price` widened, the awkward
/// column's type changed, `legacy_flag` removed under a waiver, `internal` removed but ignored.
pub fn report() -> Report {
    let mut before = orders(&[
        ("id", "int"),
        ("amount", "bigint"),
        ("price", "int"),
        ("legacy_flag", "boolean"),
        (AWKWARD, "varchar"),
        ("internal", "text"),
    ]);
    if let Some(c) = before.columns.iter_mut().find(|c| c.name == "internal") {
        c.ignore = vec!["column_removed".into()];
    }
    let after = orders(&[
        ("id", "int"),
        ("price", "bigint"),
        (AWKWARD, "int"),
        ("amount_usd", "bigint"),
    ]);
    let today = Date {
        year: 2026,
        month: 6,
        day: 1,
    };
    let mut settings = Settings::new(today);
    settings.waivers.push(Waiver {
        rule: "column_removed".into(),
        target: "orders.legacy_flag".into(),
        reason: "nobody reads it".into(),
        owner: None,
        expires: None,
    });
    let before: Project = [before].into_iter().collect();
    let after: Project = [after].into_iter().collect();
    let mut report = diff(&before, &after, &settings);
    for f in &mut report.findings {
        if f.is_breaking() {
            f.impacted = vec!["finance".into(), "growth".into()];
        }
    }
    report
}

pub fn empty() -> Report {
    Report::new(Vec::new())
}

/// Line numbers from the column's position, so located and unlocated findings both occur.
fn locate(f: &Finding) -> Option<(String, usize)> {
    let line = match f.path.as_str() {
        "amount" => 12,
        "price" => 15,
        p if p == AWKWARD => 18,
        _ => return None,
    };
    Some(("models/orders.yml".into(), line))
}

pub fn input(report: &Report) -> RenderInput<'_> {
    RenderInput {
        report,
        command: "check",
        base: Some("HEAD (abc1234)"),
        head: Some("working tree"),
        fail_on: Level::Err,
        consumers_known: true,
        modes: Vec::new(),
        color: false,
        locate: &locate,
        today_pinned: None,
        placed_by: &|_| Some("profile"),
    }
}
