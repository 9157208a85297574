//! dbt property YAML: the fuzzed bytes are `models/schema.yml` of a fixed one-model project, read
//! through `read_project` as `tessera check` reads a revision.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use tessera::git::{FileTree, GitError};

const PROJECT: &str = "name: shop\nversion: '1.0'\nprofile: shop\nmodel-paths: [models]\nmodels:\n  shop:\n    +materialized: table\n";
const ORDERS_SQL: &str = "select 1 as id, 'x' as status, 1.0 as amount\n";

/// A revision held in memory: repository-relative path to bytes.
struct MemTree(BTreeMap<String, Vec<u8>>);

impl FileTree for MemTree {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        Ok(self.0.get(path).cloned())
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, GitError> {
        let Some(dir) = tessera::git::clean(dir) else {
            return Ok(Vec::new());
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // BTreeMap keys are already sorted.
        Ok(self
            .0
            .keys()
            .filter(|p| p.starts_with(&prefix))
            .cloned()
            .collect())
    }

    fn label(&self) -> String {
        "fuzz tree".to_string()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    files.insert("dbt_project.yml".to_string(), PROJECT.as_bytes().to_vec());
    files.insert(
        "models/orders.sql".to_string(),
        ORDERS_SQL.as_bytes().to_vec(),
    );
    files.insert("models/schema.yml".to_string(), data.to_vec());
    let _ = tessera::dbt::read_project(&MemTree(files), "");
});
