//! `tessera hook install`: a plain git pre-commit hook for repositories that do not use the
//! pre-commit framework.

use std::path::PathBuf;

use crate::error::Error;
use crate::exit::ExitStatus;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Write .git/hooks/pre-commit, which runs `tessera check` on the staged files
    Install {
        /// Replace an existing pre-commit hook
        #[arg(long)]
        force: bool,
    },
}

/// Marks a hook Tessera wrote, so re-running `install` may replace it without `--force`.
const MARKER: &str = "# installed by `tessera hook install`";

fn script(tessera: &str) -> String {
    format!(
        "#!/bin/sh\n{MARKER}\n# Checks the contracts touched by this commit; remove this file to disable.\n\
         # The binary that installed this hook, else `tessera` on PATH once that one is gone.\n\
         tessera={tessera}\n\
         [ -x \"$tessera\" ] || tessera=tessera\n\
         if ! command -v \"$tessera\" >/dev/null 2>&1; then\n\
         \x20 echo \"tessera pre-commit hook: tessera is not installed (skip once with git commit --no-verify)\" >&2\n\
         \x20 exit 1\n\
         fi\n\
         # --staged compares what is being committed (the index), not unstaged edits.\n\
         git diff --cached --name-only -z --diff-filter=ACMRD -- '*.yml' '*.yaml' '*.sql' '*.py' \\\n\
         \x20 | xargs -0 -r \"$tessera\" check --staged --\n"
    )
}

/// Where git looks for hooks: honours `core.hooksPath` and linked worktrees, which only git
/// itself resolves reliably.
fn hooks_dir(root: &std::path::Path) -> Result<PathBuf, Error> {
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .map_err(|e| Error::Usage {
            message: format!("could not run git to find the hooks directory: {e}"),
            help: "install git, or write .git/hooks/pre-commit by hand: `tessera check --staged`"
                .into(),
        })?;
    if !out.status.success() {
        return Err(Error::Usage {
            message: format!(
                "git could not name the hooks directory: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            help: "run `tessera hook install` inside the repository".into(),
        });
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

pub fn run(args: &Args, ctx: &super::context::Context) -> crate::error::Result<ExitStatus> {
    let Action::Install { force } = args.action;
    let repo = crate::git::Repo::discover(&ctx.cwd)?;
    let hooks: PathBuf = hooks_dir(repo.root())?;
    std::fs::create_dir_all(&hooks).map_err(Error::Output)?;
    let path = hooks.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && !existing.contains(MARKER)
        && !force
    {
        return Err(Error::Usage {
            message: format!(
                "{} already exists and was not written by tessera",
                path.display()
            ),
            help: "add `tessera check` to it by hand, or pass --force to replace it".into(),
        }
        .into());
    }
    // The hook calls the binary that installed it when that path still works, else `tessera` on PATH.
    let exe = std::env::current_exe()
        .ok()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "tessera".into());
    let quoted = format!("'{}'", exe.replace('\'', "'\\''"));
    std::fs::write(&path, script(&quoted)).map_err(Error::Output)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(Error::Output)?;
    }
    crate::output::message(&format!("wrote {}", path.display()));
    Ok(ExitStatus::Success)
}
