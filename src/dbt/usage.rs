//! Temporary stand-in with the agreed API; replaced by the sqlparser-based analysis.
use std::collections::BTreeSet;

pub enum Upstream {
    Source {
        source: String,
        table: String,
    },
    Ref {
        name: String,
        version: Option<String>,
    },
}
pub enum AllReason {
    SelectStar,
    Unparsed { error: String },
    PythonModel,
    Other(String),
}
pub enum ColumnSet {
    Columns(BTreeSet<String>),
    All { reason: AllReason },
}
pub struct Usage {
    pub upstream: Upstream,
    pub columns: ColumnSet,
}
pub fn column_usage(_sql: &str, _dialect: crate::contract::Dialect) -> Vec<Usage> {
    Vec::new()
}
