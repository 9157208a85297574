//! What every command shares: the working directory, the global flags, the configuration and
//! "today", each resolved once.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::contract::Date;
use crate::error::Error;

use super::GlobalArgs;

pub struct Context {
    pub cwd: PathBuf,
    pub global: GlobalArgs,
}

/// The configuration in force, and where relative paths in it start from.
pub struct LoadedConfig {
    pub config: Config,
    /// The file it came from; `None` when no `tessera.yaml` exists (all defaults).
    pub path: Option<PathBuf>,
    pub base_dir: PathBuf,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Result<Context, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::Usage {
            message: format!("cannot read the current directory: {e}"),
            help: "run tessera from an existing directory".into(),
        })?;
        Ok(Context { cwd, global })
    }

    /// `--config` (or `TESSERA_CONFIG`, which clap folds into it), else the nearest
    /// `tessera.yaml` up to the git top level, else the defaults.
    pub fn config(&self) -> crate::error::Result<LoadedConfig> {
        let found = config::discover(&self.cwd, self.global.config.as_deref(), None)?;
        match found {
            Some(path) => {
                let loaded = config::load(&path)?;
                let base_dir = absolute(&self.cwd, loaded.base_dir());
                Ok(LoadedConfig {
                    config: loaded.config,
                    path: Some(absolute(&self.cwd, &loaded.path)),
                    base_dir,
                })
            }
            None => Ok(LoadedConfig {
                config: config::parse("", "tessera.yaml")?,
                path: None,
                base_dir: self.cwd.clone(),
            }),
        }
    }

    pub fn today(&self) -> Result<Date, Error> {
        super::settings::today(std::env::var(crate::env::TODAY).ok().as_deref())
    }

    /// A message for people, on stderr, never mixed into data.
    pub fn warn(&self, message: &str) {
        crate::output::message(&format!("warning: {message}"));
    }

    /// Why the command refused, on stderr, when it still exits with a status of its own.
    pub fn error(&self, message: &str) {
        say("error", message);
    }

    /// Something a reader of the output must know, on stderr.
    pub fn note(&self, message: &str) {
        say("note", message);
    }
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// `--color` (or `TESSERA_COLOR`), set once by [`super::run`] before any output.
static COLOR: std::sync::OnceLock<crate::output::ColorChoice> = std::sync::OnceLock::new();

pub fn set_color(choice: crate::output::ColorChoice) {
    let _ = COLOR.set(choice);
}

/// Colour on stdout: `--color always|never` decides; under `auto`, only on a terminal and never
/// with `NO_COLOR`.
pub fn stdout_color() -> bool {
    COLOR.get().copied().unwrap_or_default().enabled(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").is_some(),
    )
}

/// One line on stderr, through the same filter as every message.
fn say(label: &str, message: &str) {
    crate::output::message(&format!("{label}: {message}"));
}
