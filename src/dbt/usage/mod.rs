//! Which columns a dbt model reads from each `source()` and `ref()` it names, so that a dropped
//! column only impacts the consumers that use it.
//!
//! The model's Jinja is replaced by placeholders (`jinja.rs`), the SQL is parsed with sqlparser
//! in the warehouse's dialect and the references are resolved through CTEs, subqueries, joins
//! and set operations (`walk.rs`). When in doubt the answer errs towards more usage: a column
//! that cannot be pinned to one upstream counts for every upstream that could have it, and
//! anything that cannot be followed (`select *` in the output, SQL that does not parse)
//! counts as every column, with the reason.
//!
//! Column names are lower-cased unless quoted in the SQL (quoted names keep their case); the
//! caller folds them per warehouse.
//!
//! Known limits: the Jinja is not evaluated (`{% for %}` bodies count once, `{% if %}` branches
//! are all kept, or tried one side at a time when together they do not parse; middle `elif`
//! branches are then not seen); macro output is guessed from identifier-like string arguments;
//! names assembled by Jinja (`{{ method }}_amount`) cannot be known and are skipped; in GROUP BY,
//! HAVING, QUALIFY and ORDER BY a name that is also a select-list alias is taken as the alias;
//! an unqualified name inside a subquery is resolved in the subquery's own FROM first, as SQL
//! does, without also counting it for the outer query; Postgres-style whole-row references
//! (`to_json(o)`) are not recognised as reading every column.

mod jinja;
mod scope;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde::Serialize;
use sqlparser::dialect as sql_dialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserOptions};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::contract::Dialect;

/// A model's upstream, as its SQL names it (package names of cross-package refs are dropped:
/// dbt resolves a ref by model name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Upstream {
    Source {
        source: String,
        table: String,
    },
    Ref {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<String>,
    },
}

impl Upstream {
    /// The same key as [`Dependency::key`](crate::dbt::project::Dependency::key).
    pub fn key(&self) -> String {
        match self {
            Upstream::Source { source, table } => format!("{source}.{table}"),
            Upstream::Ref {
                name,
                version: Some(v),
            } => format!("{name}.v{v}"),
            Upstream::Ref { name, .. } => name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnSet {
    /// Exactly these columns (possibly none: `select count(*)`).
    Columns(BTreeSet<String>),
    /// Every column, and why no list could be given.
    All { reason: AllReason },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllReason {
    /// `select *` or `alias.*` (also `dbt_utils.star()`) reaches the model's output or a set
    /// operation.
    SelectStar,
    /// The SQL (after the Jinja pre-pass) does not parse. Line and column in `error` refer to
    /// that rewritten SQL.
    Unparsed {
        error: String,
    },
    /// Python models are not analysed.
    PythonModel,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub upstream: Upstream,
    pub columns: ColumnSet,
}

/// The parser's recursion limit. Parsing itself grows its stack as needed, so this only bounds
/// the nesting the walk and the drop of the syntax tree have to go through.
pub(crate) const RECURSION_LIMIT: usize = 256;
/// Left-deep chains (`a + b + … `, `… union …`) are built by loops, not recursion, so the parser
/// accepts any length; dropping the tree recurses once per link. Measured: 20,000 links drop
/// fine on a 2 MiB stack in a debug build, 40,000 do not.
pub(crate) const MAX_CHAIN: usize = 10_000;

/// The columns `sql` (raw dbt SQL with Jinja) reads from each `source()`/`ref()` it names, in
/// the order they first appear. Never panics.
pub fn column_usage(sql: &str, dialect: Dialect) -> Vec<Usage> {
    let prep = jinja::prepare(sql);
    if prep.upstreams.is_empty() {
        return Vec::new();
    }
    let found = match analyse(&prep.sql[0], dialect, &prep) {
        Ok(found) => Ok(found),
        // `{% if %} … {% else %} … {% endif %}` kept whole may not be SQL; each side may be.
        Err(Failure::Syntax(error)) if prep.conditional => {
            let first = analyse(&prep.sql[1], dialect, &prep);
            let other = analyse(&prep.sql[2], dialect, &prep);
            match (first, other) {
                (Ok(a), Ok(b)) => Ok(a.merge(b)),
                _ => Err(Failure::Syntax(error)),
            }
        }
        Err(e) => Err(e),
    };
    let found = match found {
        Ok(found) => found,
        Err(failure) => {
            let reason = match failure {
                Failure::Syntax(error) => AllReason::Unparsed { error },
                Failure::TooComplex => {
                    AllReason::Other("the SQL is too large or too deeply nested".into())
                }
            };
            return every(prep.upstreams, reason);
        }
    };
    prep.upstreams
        .into_iter()
        .zip(found.reads.into_iter().zip(found.all))
        .enumerate()
        .map(|(i, (upstream, (reads, all)))| {
            let all = all.or_else(|| {
                prep.in_jinja.contains(&i).then(|| {
                    AllReason::Other("named in a Jinja statement, read at compile time".into())
                })
            });
            let columns = match all {
                Some(reason) => ColumnSet::All { reason },
                None => ColumnSet::Columns(reads),
            };
            Usage { upstream, columns }
        })
        .collect()
}

/// The upstreams of a Python model (`dbt.ref(…)`, `dbt.source(…)`), each read in full.
pub fn python_usage(code: &str) -> Vec<Usage> {
    let mut upstreams: Vec<Upstream> = Vec::new();
    for call in jinja::relation_calls(code) {
        if !upstreams.contains(&call.upstream) {
            upstreams.push(call.upstream);
        }
    }
    every(upstreams, AllReason::PythonModel)
}

fn every(upstreams: Vec<Upstream>, reason: AllReason) -> Vec<Usage> {
    upstreams
        .into_iter()
        .map(|upstream| Usage {
            upstream,
            columns: ColumnSet::All {
                reason: reason.clone(),
            },
        })
        .collect()
}

enum Failure {
    Syntax(String),
    TooComplex,
}

struct Found {
    reads: Vec<BTreeSet<String>>,
    all: Vec<Option<AllReason>>,
}

impl Found {
    fn merge(mut self, other: Found) -> Found {
        for (mine, theirs) in self.reads.iter_mut().zip(other.reads) {
            mine.extend(theirs);
        }
        for (mine, theirs) in self.all.iter_mut().zip(other.all) {
            if mine.is_none() {
                *mine = theirs;
            }
        }
        self
    }
}

fn analyse(sql: &str, dialect: Dialect, prep: &jinja::Prepared) -> Result<Found, Failure> {
    let dialect = sql_dialect_for(dialect);
    let tokens = Tokenizer::new(dialect.as_ref(), sql)
        .tokenize_with_location()
        .map_err(|e| Failure::Syntax(e.to_string()))?;
    if longest_chain(&tokens) > MAX_CHAIN {
        return Err(Failure::TooComplex);
    }
    let statements = Parser::new(dialect.as_ref())
        .with_options(ParserOptions::new().with_trailing_commas(true))
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| Failure::Syntax(e.to_string()))?;
    let mut walker = walk::Walker::new(prep);
    walker.walk(&statements);
    if walker.too_deep {
        return Err(Failure::TooComplex);
    }
    Ok(Found {
        reads: walker.reads,
        all: walker.all,
    })
}

pub(crate) fn sql_dialect_for(dialect: Dialect) -> Box<dyn sql_dialect::Dialect> {
    match dialect {
        Dialect::Postgres => Box::new(sql_dialect::PostgreSqlDialect {}),
        Dialect::Snowflake => Box::new(sql_dialect::SnowflakeDialect {}),
        Dialect::Bigquery => Box::new(sql_dialect::BigQueryDialect {}),
        Dialect::Redshift => Box::new(sql_dialect::RedshiftSqlDialect {}),
        Dialect::Databricks => Box::new(sql_dialect::DatabricksDialect {}),
        Dialect::Duckdb => Box::new(sql_dialect::DuckDbDialect {}),
        Dialect::Generic => Box::new(sql_dialect::GenericDialect {}),
    }
}

/// An upper bound on the longest operator or set-operation chain: operators counted per
/// parenthesis level and comma-separated item, summed over the open levels; set operations
/// counted over the whole text.
pub(crate) fn longest_chain(tokens: &[TokenWithSpan]) -> usize {
    let mut levels: Vec<usize> = vec![0];
    let mut open = 0usize;
    let mut longest = 0usize;
    let mut set_operations = 0usize;
    for t in tokens {
        let link = match &t.token {
            Token::LParen => {
                levels.push(0);
                false
            }
            Token::RParen => {
                if levels.len() > 1 {
                    open -= levels.pop().unwrap_or(0);
                }
                false
            }
            Token::Comma => {
                if let Some(top) = levels.last_mut() {
                    open -= *top;
                    *top = 0;
                }
                false
            }
            Token::Word(w) => match w.keyword {
                Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT | Keyword::MINUS => {
                    set_operations += 1;
                    false
                }
                Keyword::AND
                | Keyword::OR
                | Keyword::NOT
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::IN
                | Keyword::BETWEEN
                | Keyword::COLLATE
                | Keyword::AT => true,
                _ => false,
            },
            Token::Whitespace(_)
            | Token::Period
            | Token::SemiColon
            | Token::EOF
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::Placeholder(_) => false,
            _ => true,
        };
        if link && let Some(top) = levels.last_mut() {
            *top += 1;
            open += 1;
            longest = longest.max(open);
        }
    }
    longest.max(set_operations)
}
