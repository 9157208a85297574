//! A column listed twice in one property-file entry. dbt keeps one of the two silently; which one
//! a reader of the table sees is not something Tessera can know, and comparing either could hide
//! a break (`amount numeric` then `amount text`). So the file is refused at the second entry.
//!
//! Checked once per file on the entries as read (quick reader or serde-saphyr, in document
//! order). Only when a duplicate is found is the file read again to find its lines: the quick
//! reader keeps no positions, and column entries carry none either.

use std::collections::HashMap;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::DbtError;
use super::properties::{ColumnProps, NodeProps, PropertyFile, VersionColumn};

const HELP: &str = "keep one entry per column: merge the two (name, data_type, constraints, \
    tests) into one, or rename one if they are different columns";

/// Where in the file a column list sits, by index, the same in both readers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum List {
    Entry {
        section: Section,
        entry: usize,
    },
    Version {
        section: Section,
        entry: usize,
        version: usize,
    },
    Table {
        source: usize,
        table: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Models,
    Seeds,
    Snapshots,
}

impl Section {
    fn word(self) -> &'static str {
        match self {
            Section::Models => "model",
            Section::Seeds => "seed",
            Section::Snapshots => "snapshot",
        }
    }
}

struct Found {
    list: List,
    /// What holds the list, for the message: "model `orders`", "source table `raw.orders`".
    owner: String,
    name: String,
    first: usize,
    second: usize,
}

/// Refuses a file in which one entry lists a column twice.
pub(crate) fn check(path: &str, text: &str, props: &PropertyFile<'_>) -> Result<(), DbtError> {
    match find(props) {
        None => Ok(()),
        Some(found) => Err(diagnostic(path, text, &found)),
    }
}

fn find(props: &PropertyFile<'_>) -> Option<Found> {
    let sections = [
        (Section::Models, &props.models),
        (Section::Seeds, &props.seeds),
        (Section::Snapshots, &props.snapshots),
    ];
    for (section, entries) in sections {
        for (entry, node) in entries.iter().enumerate() {
            if let Some(found) = in_node(section, entry, &node.value) {
                return Some(found);
            }
        }
    }
    for (source, s) in props.sources.iter().enumerate() {
        for (table, t) in s.value.tables.iter().enumerate() {
            let columns = t.value.columns.iter().map(Some);
            if let Some((name, first, second)) = first_duplicate(columns) {
                return Some(Found {
                    list: List::Table { source, table },
                    owner: format!("source table `{}.{}`", s.value.name, t.value.name),
                    name,
                    first,
                    second,
                });
            }
        }
    }
    None
}

fn in_node(section: Section, entry: usize, node: &NodeProps<'_>) -> Option<Found> {
    let owner = format!("{} `{}`", section.word(), node.name);
    if let Some((name, first, second)) = first_duplicate(node.columns.iter().map(Some)) {
        return Some(Found {
            list: List::Entry { section, entry },
            owner,
            name,
            first,
            second,
        });
    }
    for (version, v) in node.versions.iter().enumerate() {
        // A version's own column may replace the model's column of that name (dbt's rule);
        // only a repeat inside the version's own list is a duplicate.
        let own = v.columns.iter().map(|c| match c {
            VersionColumn::Column(c) => Some(c.as_ref()),
            VersionColumn::Select(_) => None,
        });
        if let Some((name, first, second)) = first_duplicate(own) {
            let v = v.v.as_ref().map(|v| v.0.as_str()).unwrap_or("?");
            return Some(Found {
                list: List::Version {
                    section,
                    entry,
                    version,
                },
                owner: format!("version {v} of {owner}"),
                name,
                first,
                second,
            });
        }
    }
    None
}

/// The first name given twice, with both positions in the list. Unquoted names are compared
/// without case, as warehouses fold them; a quoted one only matches exactly.
fn first_duplicate<'a, 't: 'a>(
    columns: impl Iterator<Item = Option<&'a ColumnProps<'t>>>,
) -> Option<(String, usize, usize)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, c) in columns.enumerate() {
        let Some(c) = c else { continue };
        let name = c.name.trim();
        if name.is_empty() {
            continue;
        }
        let key = if c.quote == Some(true) {
            name.to_string()
        } else {
            name.to_ascii_lowercase()
        };
        if let Some(&first) = seen.get(&key) {
            return Some((name.to_string(), first, i));
        }
        seen.insert(key, i);
    }
    None
}

fn diagnostic(path: &str, text: &str, found: &Found) -> DbtError {
    let (first, second) = locate(text, found.list, found.first, found.second)
        .unwrap_or((Location::UNKNOWN, Location::UNKNOWN));
    let earlier = if first == Location::UNKNOWN {
        String::new()
    } else {
        format!(" (first at line {})", first.line())
    };
    let message = format!(
        "column `{}` is listed twice in {}{earlier}; dbt keeps only one of them, so which type and guarantees the table has is unknown",
        found.name, found.owner
    );
    DbtError::invalid(path, text, second, message, HELP)
}

/// Positions of two columns of one list, from a second, position-keeping read of the file.
fn locate(text: &str, list: List, first: usize, second: usize) -> Option<(Location, Location)> {
    let doc: Doc = super::error::parse_yaml("", text, &mut Vec::new()).ok()?;
    let columns = match list {
        List::Entry { section, entry } => &doc.section(section).get(entry)?.columns,
        List::Version {
            section,
            entry,
            version,
        } => {
            let versions = doc.section(section).get(entry)?.versions.as_deref()?;
            &versions.get(version)?.columns
        }
        List::Table { source, table } => {
            let sources = doc.sources.as_deref()?;
            &sources.get(source)?.tables.as_deref()?.get(table)?.columns
        }
    };
    let columns = columns.as_deref()?;
    let at = |i: usize| -> Option<Location> {
        let column = columns.get(i)?;
        Some(
            column
                .value
                .name
                .as_ref()
                .map_or(column.referenced, |n| n.referenced),
        )
    };
    Some((at(first)?, at(second)?))
}

/// Just enough of a property file to find a column entry again.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Doc {
    models: Option<Vec<LocEntry>>,
    seeds: Option<Vec<LocEntry>>,
    snapshots: Option<Vec<LocEntry>>,
    sources: Option<Vec<LocSource>>,
}

impl Doc {
    fn section(&self, section: Section) -> &[LocEntry] {
        let entries = match section {
            Section::Models => &self.models,
            Section::Seeds => &self.seeds,
            Section::Snapshots => &self.snapshots,
        };
        entries.as_deref().unwrap_or(&[])
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocEntry {
    columns: Option<Vec<Spanned<LocColumn>>>,
    versions: Option<Vec<LocVersion>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocVersion {
    columns: Option<Vec<Spanned<LocColumn>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocSource {
    tables: Option<Vec<LocTable>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocTable {
    columns: Option<Vec<Spanned<LocColumn>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocColumn {
    name: Option<Spanned<serde_json::Value>>,
}
