//! The `shared/` folder (real dbt manifests, the compatibility vectors) sits beside this
//! project's checkout on its developers' machines and in CI, but a plain `git clone` has none.
//! Tests that read it go through [`shared_path`], so a fresh clone skips them with a printed
//! reason instead of failing, and CI (`TESSERA_TEST_REQUIRE_SHARED=1`) still insists on them.
//!
//! One file for every test target: the library's unit tests include it with `#[path]`, as do
//! the `cli` and `engine` integration binaries.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Set to `1` where the shared folder must be present (CI), so its tests can never skip silently.
pub const REQUIRE_SHARED: &str = "TESSERA_TEST_REQUIRE_SHARED";

/// `shared/<rel>` in the nearest ancestor of the crate directory that holds it. Worktrees sit at
/// different depths below the folder that holds `shared/`, hence the walk instead of `../shared`.
pub fn find_shared(rel: &str) -> Option<PathBuf> {
    find_shared_from(Path::new(env!("CARGO_MANIFEST_DIR")), rel)
}

fn find_shared_from(start: &Path, rel: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join("shared").join(rel))
        .find(|p| p.exists())
}

/// [`find_shared`] for a test that cannot run without it: when it is missing, prints why the
/// calling test is skipped and returns `None` (the test then returns), or panics under
/// `TESSERA_TEST_REQUIRE_SHARED=1`.
#[track_caller]
pub fn shared_path(rel: &str) -> Option<PathBuf> {
    let found = find_shared(rel);
    if found.is_none() {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("this test");
        let crate_dir = env!("CARGO_MANIFEST_DIR");
        assert!(
            std::env::var(REQUIRE_SHARED).as_deref() != Ok("1"),
            "{test}: shared/{rel} not found in any folder above {crate_dir}, \
             and {REQUIRE_SHARED}=1 requires it"
        );
        println!(
            "skipped {test}: it reads shared/{rel}, which is not in any folder above {crate_dir} \
             (a fresh clone has no shared/; set {REQUIRE_SHARED}=1 to make this a failure)"
        );
    }
    found
}
