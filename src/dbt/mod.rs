//! Readers for dbt's own files.

pub mod columns;
pub mod identity;
pub mod manifest;
pub mod project;
pub mod usage;

pub use manifest::{
    Counts, Exposure, Group, Manifest, ManifestError, NodeInfo, parse_manifest, read_manifest_file,
    read_manifest_pair,
};

pub use project::{
    DbtError, DbtProject, ModelSource, read_project, read_project_scoped, sql_change_scope,
};
