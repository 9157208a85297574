//! Which config file a run uses: `--config`, then `TESSERA_CONFIG`, then the nearest
//! `tessera.yaml` or `.tessera.yaml` from the working directory up to the git top level. The walk
//! stops there so a repository never picks up a config from a directory that contains it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::error::{ConfigError, ConfigOrigin};

/// Looked for in each directory, in this order.
pub const CONFIG_FILE_NAMES: &[&str] = &["tessera.yaml", ".tessera.yaml"];

/// The config file to load, or `None` when there is none (every key then takes its default).
///
/// `explicit` is `--config`, `env_value` the value of `TESSERA_CONFIG` (an empty value counts as
/// unset). Relative paths in either are taken from `start`. Both must name an existing file.
pub fn discover(
    start: &Path,
    explicit: Option<&Path>,
    env_value: Option<&OsStr>,
) -> Result<Option<PathBuf>, ConfigError> {
    let named = explicit.map(|p| (p, ConfigOrigin::Flag)).or_else(|| {
        env_value
            .filter(|v| !v.is_empty())
            .map(|v| (Path::new(v), ConfigOrigin::Env))
    });
    if let Some((path, origin)) = named {
        let path = start.join(path);
        let problem = if path.is_file() {
            return Ok(Some(path));
        } else if path.is_dir() {
            "is a directory, not a file"
        } else {
            "does not exist"
        };
        return Err(ConfigError::NotFound {
            path,
            origin,
            problem,
        });
    }
    let start = start
        .canonicalize()
        .or_else(|_| std::path::absolute(start))
        .unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        for name in CONFIG_FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(Some(candidate));
            }
        }
        // `.git` is a directory in a clone and a file in a worktree or submodule.
        if dir.join(".git").exists() {
            break;
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("outer/repo/.git")).unwrap();
        fs::create_dir_all(tmp.path().join("outer/repo/models/marts")).unwrap();
        tmp
    }

    #[test]
    fn finds_the_nearest_file_walking_up() {
        let tmp = tree();
        let repo = tmp.path().join("outer/repo");
        fs::write(repo.join("tessera.yaml"), "project: shop\n").unwrap();
        fs::write(repo.join("models/.tessera.yaml"), "project: inner\n").unwrap();
        let found = discover(&repo.join("models/marts"), None, None)
            .unwrap()
            .unwrap();
        assert_eq!(found.file_name().unwrap(), ".tessera.yaml");
        assert!(found.parent().unwrap().ends_with("models"));
        fs::remove_file(repo.join("models/.tessera.yaml")).unwrap();
        let found = discover(&repo.join("models/marts"), None, None)
            .unwrap()
            .unwrap();
        assert!(found.ends_with("repo/tessera.yaml"));
    }

    #[test]
    fn stops_at_the_git_top_level() {
        let tmp = tree();
        // A config above the repository must not leak into it.
        fs::write(tmp.path().join("outer/tessera.yaml"), "project: other\n").unwrap();
        let start = tmp.path().join("outer/repo/models/marts");
        assert_eq!(discover(&start, None, None).unwrap(), None);
        // A `.git` file (worktree, submodule) marks the top level too.
        let wt = tmp.path().join("outer/wt");
        fs::create_dir_all(&wt).unwrap();
        fs::write(wt.join(".git"), "gitdir: ../repo/.git/worktrees/wt\n").unwrap();
        assert_eq!(discover(&wt, None, None).unwrap(), None);
        // Outside any repository the walk goes on up.
        let plain = tmp.path().join("outer/plain/sub");
        fs::create_dir_all(&plain).unwrap();
        let found = discover(&plain, None, None).unwrap().unwrap();
        assert!(found.ends_with("outer/tessera.yaml"));
    }

    #[test]
    fn prefers_tessera_yaml_over_the_dot_file() {
        let tmp = tree();
        let repo = tmp.path().join("outer/repo");
        fs::write(repo.join("tessera.yaml"), "").unwrap();
        fs::write(repo.join(".tessera.yaml"), "").unwrap();
        let found = discover(&repo, None, None).unwrap().unwrap();
        assert_eq!(found.file_name().unwrap(), "tessera.yaml");
    }

    #[test]
    fn flag_beats_env_beats_walk() {
        let tmp = tree();
        let repo = tmp.path().join("outer/repo");
        fs::write(repo.join("tessera.yaml"), "").unwrap();
        fs::write(repo.join("flag.yaml"), "").unwrap();
        fs::write(repo.join("env.yaml"), "").unwrap();
        let env = OsStr::new("env.yaml");
        let found = discover(&repo, Some(Path::new("flag.yaml")), Some(env)).unwrap();
        assert_eq!(found, Some(repo.join("flag.yaml")));
        let found = discover(&repo, None, Some(env)).unwrap();
        assert_eq!(found, Some(repo.join("env.yaml")));
        let found = discover(&repo, None, Some(OsStr::new("")))
            .unwrap()
            .unwrap();
        assert!(found.ends_with("repo/tessera.yaml"));
    }

    #[test]
    fn named_files_must_exist() {
        let tmp = tree();
        let repo = tmp.path().join("outer/repo");
        let err = discover(&repo, Some(Path::new("nope.yaml")), None).unwrap_err();
        assert_eq!(err.code_str(), "tessera::config::not_found");
        assert!(err.to_string().contains("--config names"), "{err}");
        assert!(err.help_text().unwrap().contains("`--config` flag"));
        let err = discover(&repo, None, Some(OsStr::new("/no/such/tessera.yaml"))).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("TESSERA_CONFIG names /no/such/tessera.yaml")
        );
        assert!(
            err.help_text()
                .unwrap()
                .contains("TESSERA_CONFIG environment variable")
        );
        let err = discover(&repo, Some(Path::new("models")), None).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
    }
}
