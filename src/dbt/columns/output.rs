//! How SQL names and lists the output of a select, where Tessera is sure of it: `*` over joins
//! (`USING` and `NATURAL` merge the joined columns), the names a warehouse gives unaliased
//! expressions, and what no warehouse accepts (a column output twice).

use sqlparser::ast::{CastKind, Expr, JoinConstraint, JoinOperator};

use super::OutputColumn;
use super::select::{Cols, norm, same};
use crate::contract::Dialect;

/// Bare words that are values, not columns (`select current_date`).
pub(super) const NILADIC: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "current_role",
    "current_schema",
    "current_catalog",
    "session_user",
    "user",
    "localtime",
    "localtimestamp",
    "sysdate",
];

pub(super) fn join_constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    let constraint = match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c) => c,
        _ => return None,
    };
    Some(constraint)
}

/// A column name the output holds more than once.
pub(super) fn duplicate(cols: &[OutputColumn]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    cols.iter()
        .find(|c| !seen.insert(c.name.as_str()))
        .map(|c| c.name.as_str())
}

/// `*` over two FROM items side by side.
pub(super) fn concat(left: Cols, right: Cols) -> Cols {
    match (left, right) {
        (Cols::Known(mut l), Cols::Known(r)) => {
            l.extend(r);
            Cols::Known(l)
        }
        (Cols::Unknown(why), _) | (_, Cols::Unknown(why)) => Cols::Unknown(why),
    }
}

/// `*` over a join `USING (names)`, as the SQL standard (and PostgreSQL, Snowflake, …) lists
/// it: each joined column once, in the USING list's order, then the rest of the left side, then
/// the rest of the right. A joined column keeps a type only when both sides agree on it.
pub(super) fn merge_using(left: Cols, right: Cols, names: &[String]) -> Cols {
    let (l, r) = match (left, right) {
        (Cols::Known(l), Cols::Known(r)) => (l, r),
        (Cols::Unknown(why), _) | (_, Cols::Unknown(why)) => return Cols::Unknown(why),
    };
    let mut out = Vec::with_capacity(l.len() + r.len());
    for name in names {
        let (Some(lc), Some(rc)) = (
            l.iter().find(|c| same(&c.name, name)),
            r.iter().find(|c| same(&c.name, name)),
        ) else {
            return Cols::Unknown(format!("USING column `{name}` is not on both sides"));
        };
        let mut c = lc.clone();
        if c.data_type != rc.data_type {
            c.data_type = None;
        }
        out.push(c);
    }
    let joined = |c: &OutputColumn| names.iter().any(|n| same(&c.name, n));
    out.extend(l.iter().filter(|c| !joined(c)).cloned());
    out.extend(r.iter().filter(|c| !joined(c)).cloned());
    Cols::Known(out)
}

/// The name the warehouse gives an output column that has no alias, where Tessera is sure of
/// it: PostgreSQL names a function call after the function (`count(*)` → `count`) and a cast
/// after what it casts (`amount::int` → `amount`). Other warehouses spell the expression
/// itself (Snowflake's `COUNT(*)`), which is left unresolved rather than guessed.
pub(super) fn warehouse_name(e: &Expr, dialect: Dialect) -> Option<String> {
    if dialect != Dialect::Postgres {
        return None;
    }
    match e {
        Expr::Function(f) => match f.name.0.as_slice() {
            [.., last] => last
                .as_ident()
                .filter(|i| i.quote_style.is_none())
                .map(norm),
            [] => None,
        },
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon,
            expr,
            ..
        } => match expr.as_ref() {
            Expr::Identifier(id) => Some(norm(id)),
            Expr::CompoundIdentifier(ids) => ids.last().map(norm),
            inner => warehouse_name(inner, dialect),
        },
        Expr::Nested(inner) => warehouse_name(inner, dialect),
        _ => None,
    }
}
