//! dbt: the project's own files (any git revision) and, elsewhere, its manifest.

pub mod project;
