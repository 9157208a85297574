//! Reader for dbt's `target/manifest.json`, any schema version from v1 (dbt 0.19) to v12.
//!
//! The manifest is parsed in one streaming pass into small private structs that name only what
//! Tessera uses; the rest of the file (macros, docs, compiled SQL, lineage maps) is skipped
//! without being built, which keeps a 58 MB manifest well under the cost of a generic JSON tree.
//! The result is the contract model ([`Project`]) plus the lineage facts (node dependencies,
//! exposures, groups) that impact analysis needs.

mod build;
mod compiled;
mod datatests;
mod lenient;
mod md5;
mod raw;
mod refs;
mod strict;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::contract::Project;
use lenient::MetaMap;
use raw::{RawNode, RawSource, TopLevel};

pub use compiled::{CompiledCode, derive_changed};

/// What Tessera takes from one manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Manifest {
    /// `N` of `metadata.dbt_schema_version` (`.../manifest/vN.json`).
    pub schema_version: Option<u32>,
    pub dbt_version: Option<String>,
    pub adapter_type: Option<String>,
    /// The root project: `metadata.project_name`, or for manifests older than v10 (which lack it)
    /// the package whose name dbt hashed into `metadata.project_id`.
    pub project_name: Option<String>,
    /// One relation per enabled model (per version), seed, snapshot and source table, with the
    /// generic data tests that target them.
    pub relations: Project,
    /// Models, seeds and snapshots of `nodes`, in file order, including ones switched off with
    /// `config.enabled: false` (see [`NodeInfo::enabled`]).
    pub nodes: Vec<NodeInfo>,
    /// Enabled exposures: downstream consumers declared in the project.
    pub exposures: Vec<Exposure>,
    pub groups: Vec<Group>,
    pub counts: Counts,
    /// Source unique id → its relation name as compiled SQL spells it (`"db"."schema"."t"`);
    /// filled only when some model carries compiled SQL.
    pub source_relation_names: BTreeMap<String, String>,
}

/// Lineage facts of one model, seed or snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct NodeInfo {
    pub unique_id: String,
    /// `model`, `seed` or `snapshot`.
    pub resource_type: String,
    pub name: String,
    pub package: String,
    pub version: Option<String>,
    /// `depends_on.nodes`: the unique ids this node reads.
    pub depends_on: Vec<String>,
    pub group: Option<String>,
    pub original_file_path: Option<String>,
    /// The model's compiled SQL (`compiled_code`, `compiled_sql` before dbt 1.3), in manifests
    /// written by `dbt compile`, `build` or `run`; `None` after `dbt parse`.
    pub compiled_code: Option<String>,
    pub relation_name: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Exposure {
    pub unique_id: String,
    pub name: String,
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Group {
    pub name: String,
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
}

/// Tallies of the manifest as dbt wrote it, comparable with `fixtures/dbt/index.json`. Node
/// counts are entries of the `nodes` / `sources` / `exposures` / `groups` maps, so a node that
/// is present but switched off (`config.enabled: false`) still counts; the `disabled` map never
/// does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Counts {
    pub models: usize,
    pub sources: usize,
    pub tests: usize,
    pub seeds: usize,
    pub snapshots: usize,
    pub exposures: usize,
    pub groups: usize,
    pub unit_tests: usize,
    /// Models of the root project's package.
    pub root_models: usize,
    /// Every `resource_type` of `nodes`, plus `source`, across all packages.
    pub by_resource_type: BTreeMap<String, usize>,
    /// The same for the root project's package only.
    pub root_by_resource_type: BTreeMap<String, usize>,
    pub exposures_with_owner: usize,
    pub groups_with_owner: usize,
    /// Documented columns of nodes and sources, and how many have a non-empty `data_type` /
    /// a non-empty `constraints` list.
    pub columns: usize,
    pub columns_with_data_type: usize,
    pub columns_with_constraints: usize,
    pub nodes_with_model_level_constraints: usize,
    pub contracts_enforced: usize,
    pub versioned_models: usize,
    /// Nodes and sources with an `owner` key in `meta` or `config.meta`.
    pub nodes_or_sources_with_meta_owner: usize,
    /// Enabled generic data tests folded into a relation or column, and those that could not be
    /// (their node is disabled, or their column is not documented).
    pub tests_attached: usize,
    pub tests_unattached: usize,
    /// Relations left out of [`Manifest::relations`] because another one had the same key
    /// (the same model name in two packages); the root project's relation wins.
    pub shadowed_relations: usize,
}

impl Counts {
    fn count_node(&mut self, resource_type: &str, node: &RawNode, root: Option<&str>) {
        let config = node.config.0.as_ref();
        self.count(resource_type, node.package_name.as_deref(), root);
        self.count_columns(node.columns.0.iter().map(|(_, c)| c));
        if !node.constraints.0.is_empty() {
            self.nodes_with_model_level_constraints += 1;
        }
        if config.and_then(|c| c.contract.0) == Some(true) {
            self.contracts_enforced += 1;
        }
        if node.version.0.is_some() {
            self.versioned_models += 1;
        }
        if has_owner(&node.meta, config.map(|c| &c.meta)) {
            self.nodes_or_sources_with_meta_owner += 1;
        }
    }

    fn count_source(&mut self, source: &RawSource, root: Option<&str>) {
        self.count("source", source.package_name.as_deref(), root);
        self.count_columns(source.columns.0.iter().map(|(_, c)| c));
        if has_owner(&source.meta, source.config.0.as_ref().map(|c| &c.meta)) {
            self.nodes_or_sources_with_meta_owner += 1;
        }
    }

    fn count(&mut self, resource_type: &str, package: Option<&str>, root: Option<&str>) {
        *self
            .by_resource_type
            .entry(resource_type.to_string())
            .or_default() += 1;
        if root.is_some() && package == root {
            *self
                .root_by_resource_type
                .entry(resource_type.to_string())
                .or_default() += 1;
        }
    }

    fn count_columns<'a>(&mut self, columns: impl Iterator<Item = &'a raw::RawColumn>) {
        for column in columns {
            self.columns += 1;
            if column.data_type.as_deref().is_some_and(|t| !t.is_empty()) {
                self.columns_with_data_type += 1;
            }
            if !column.constraints.0.is_empty() {
                self.columns_with_constraints += 1;
            }
        }
    }

    fn finish(&mut self) {
        let get = |map: &BTreeMap<String, usize>, key: &str| map.get(key).copied().unwrap_or(0);
        self.models = get(&self.by_resource_type, "model");
        self.sources = get(&self.by_resource_type, "source");
        self.tests = get(&self.by_resource_type, "test");
        self.seeds = get(&self.by_resource_type, "seed");
        self.snapshots = get(&self.by_resource_type, "snapshot");
        self.root_models = get(&self.root_by_resource_type, "model");
    }
}

fn has_owner(meta: &MetaMap, config_meta: Option<&MetaMap>) -> bool {
    meta.0.contains_key("owner") || config_meta.is_some_and(|m| m.0.contains_key("owner"))
}

const REGENERATE: &str = "re-run `dbt parse` to regenerate target/manifest.json";

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ManifestError {
    #[error("cannot read the dbt manifest {}", path.display())]
    #[diagnostic(
        code(tessera::dbt::manifest_unreadable),
        help("check the path and its permissions; `dbt parse` writes target/manifest.json")
    )]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a readable gzip file", shown(path))]
    #[diagnostic(
        code(tessera::dbt::manifest_gzip),
        help("check it with `gzip -t`, or give Tessera the uncompressed manifest.json")
    )]
    Gzip {
        path: Option<PathBuf>,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is empty", shown(path))]
    #[diagnostic(code(tessera::dbt::manifest_empty), help("{}", REGENERATE))]
    Empty { path: Option<PathBuf> },

    #[error(
        "{} is not valid JSON: {message} at line {line}, column {column}",
        shown(path)
    )]
    #[diagnostic(code(tessera::dbt::manifest_syntax), help("{}", REGENERATE))]
    Syntax {
        path: Option<PathBuf>,
        message: String,
        line: usize,
        column: usize,
    },

    #[error(
        "{} ends early (line {line}, column {column}): the file is truncated",
        shown(path)
    )]
    #[diagnostic(
        code(tessera::dbt::manifest_truncated),
        help(
            "{}; an interrupted dbt run or copy can leave a partial file",
            REGENERATE
        )
    )]
    Truncated {
        path: Option<PathBuf>,
        line: usize,
        column: usize,
    },

    #[error("{} is not a dbt manifest: {reason}", shown(path))]
    #[diagnostic(
        code(tessera::dbt::manifest_not_a_manifest),
        help(
            "give the manifest.json that `dbt parse` writes under target/ (not run_results.json or catalog.json)"
        )
    )]
    NotAManifest {
        path: Option<PathBuf>,
        reason: String,
    },

    #[error(
        "{} has an unexpected structure: {message} at line {line}, column {column}",
        shown(path)
    )]
    #[diagnostic(
        code(tessera::dbt::manifest_structure),
        help(
            "{}; if it still fails, the manifest was written by a tool Tessera does not know",
            REGENERATE
        )
    )]
    Structure {
        path: Option<PathBuf>,
        message: String,
        line: usize,
        column: usize,
    },

    #[error(
        "{} is malformed at `{json_path}`: {message} (line {line}, column {column})",
        shown(path)
    )]
    #[diagnostic(
        code(tessera::dbt::manifest_shape),
        help(
            "{}. Tessera reads contracts from this value and will not guess what a malformed one means: a guessed node or column could hide a break",
            REGENERATE
        )
    )]
    Shape {
        path: Option<PathBuf>,
        json_path: String,
        message: String,
        line: usize,
        column: usize,
    },

    #[error(
        "{} is written in manifest schema {found}; Tessera reads v{MIN_SCHEMA} to v{MAX_SCHEMA}",
        shown(path)
    )]
    #[diagnostic(
        code(tessera::dbt::manifest_schema_version),
        help(
            "a newer schema may move or retype the fields contracts are read from: use a Tessera release that reads {found}, or write the manifest with a dbt version that produces v{MAX_SCHEMA} or older (dbt 1.8 to 1.12 write v12)"
        )
    )]
    SchemaVersion {
        path: Option<PathBuf>,
        found: String,
    },
}

/// The manifest schema versions Tessera reads: dbt 0.19 (v1) to dbt 1.12 (v12).
pub const MIN_SCHEMA: u32 = 1;
pub const MAX_SCHEMA: u32 = 12;

fn shown(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "the dbt manifest".to_string(),
    }
}

impl ManifestError {
    fn with_path(mut self, file: &Path) -> ManifestError {
        match &mut self {
            ManifestError::Unreadable { .. } => {}
            ManifestError::Gzip { path, .. }
            | ManifestError::Empty { path }
            | ManifestError::Syntax { path, .. }
            | ManifestError::Truncated { path, .. }
            | ManifestError::NotAManifest { path, .. }
            | ManifestError::Structure { path, .. }
            | ManifestError::Shape { path, .. }
            | ManifestError::SchemaVersion { path, .. } => *path = Some(file.to_path_buf()),
        }
        self
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Parses a manifest from its bytes: JSON, or gzip-compressed JSON (recognised by its magic).
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    if bytes.starts_with(&GZIP_MAGIC) {
        let json = gunzip(bytes)?;
        return parse_json(&json);
    }
    parse_json(bytes)
}

/// Reads and parses a manifest file, decompressing it when its name ends in `.gz` or its bytes
/// are gzip.
pub fn read_manifest_file(path: &Path) -> Result<Manifest, ManifestError> {
    let bytes = std::fs::read(path).map_err(|source| ManifestError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let named_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let result = if named_gz || bytes.starts_with(&GZIP_MAGIC) {
        gunzip(&bytes).and_then(|json| parse_json(&json))
    } else {
        parse_json(&bytes)
    };
    result.map_err(|e| e.with_path(path))
}

/// Reads two manifests (a change's base and head) at once, one per thread: reading is most of
/// a manifest comparison, and the two files do not depend on each other. Each result is what
/// [`read_manifest_file`] gives for that file.
pub fn read_manifest_pair(
    base: &Path,
    head: &Path,
) -> (
    Result<Manifest, ManifestError>,
    Result<Manifest, ManifestError>,
) {
    std::thread::scope(|s| {
        let other = s.spawn(|| read_manifest_file(base));
        let head = read_manifest_file(head);
        let base = match other.join() {
            Ok(result) => result,
            // The reader does not panic on any input (the proptests feed it arbitrary bytes);
            // if it ever did, the panic goes on as if the read had run on this thread.
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (base, head)
    })
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, ManifestError> {
    // The gzip trailer holds the uncompressed size mod 2^32; trusting it within reason avoids
    // regrowing a 58 MB buffer, and the cap keeps a forged trailer from reserving gigabytes.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map_or(0, |t| u32::from_le_bytes(t) as usize)
        .min(bytes.len().saturating_mul(64));
    let mut out = Vec::with_capacity(hint);
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|source| ManifestError::Gzip { path: None, source })?;
    Ok(out)
}

fn parse_json(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ManifestError::Empty { path: None });
    }
    let top: TopLevel = serde_json::from_slice(bytes).map_err(json_error)?;
    let not_manifest = |reason: &str| ManifestError::NotAManifest {
        path: None,
        reason: reason.to_string(),
    };
    let raw = top
        .0
        .ok_or_else(|| not_manifest("the top-level JSON value is not an object"))?;
    let metadata = raw
        .metadata
        .and_then(|m| m.0)
        .ok_or_else(|| not_manifest("it has no `metadata` object"))?;
    if let Some(url) = metadata.dbt_schema_version.as_deref()
        && url.contains("schemas.getdbt.com")
        && !url.contains("/manifest/")
    {
        return Err(not_manifest(&format!(
            "its metadata.dbt_schema_version is {url}"
        )));
    }
    check_schema_version(metadata.dbt_schema_version.as_deref())?;
    let nodes = raw
        .nodes
        .ok_or_else(|| not_manifest("it has no `nodes` object"))?;
    Ok(build::assemble(build::Parts {
        metadata,
        nodes: nodes.0,
        sources: raw.sources.0,
        exposures: raw.exposures.0,
        groups: raw.groups.0,
        unit_tests: raw.unit_tests.0,
    }))
}

/// A schema outside the range Tessera was built against may have moved the fields a contract is
/// read from, so it is refused rather than read as if it were v12. A version string that is not
/// dbt's URL (hand-written test manifests) is let through.
fn check_schema_version(url: Option<&str>) -> Result<(), ManifestError> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(());
    };
    let supported = |v: u32| (MIN_SCHEMA..=MAX_SCHEMA).contains(&v);
    let found = match build::schema_version(url) {
        Some(v) if supported(v) => return Ok(()),
        Some(v) => format!("v{v}"),
        None if url.contains("/manifest/") => url.to_string(),
        None => return Ok(()),
    };
    Err(ManifestError::SchemaVersion { path: None, found })
}

fn json_error(err: serde_json::Error) -> ManifestError {
    let (line, column) = (err.line(), err.column());
    match err.classify() {
        serde_json::error::Category::Eof => ManifestError::Truncated {
            path: None,
            line,
            column,
        },
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            ManifestError::Syntax {
                path: None,
                message: bare_message(&err),
                line,
                column,
            }
        }
        serde_json::error::Category::Data => {
            let message = bare_message(&err);
            match strict::split_path(&message) {
                Some((json_path, message)) => ManifestError::Shape {
                    path: None,
                    json_path,
                    message,
                    line,
                    column,
                },
                None => ManifestError::Structure {
                    path: None,
                    message,
                    line,
                    column,
                },
            }
        }
    }
}

/// serde_json's message without the " at line L column C" it appends; the error states those.
fn bare_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match text.strip_suffix(&suffix) {
        Some(bare) => bare.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_inputs;
