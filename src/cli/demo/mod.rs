//! `tessera demo`: the whole loop on the shipped examples, with real commands. Two git
//! repositories (a producer and a consumer dbt project), one SQLite store and a throwaway SSH key
//! in a temporary directory; every step runs this same binary as a user would and is checked
//! against the outcome it should have.

mod workspace;

/// `println!` through [`crate::output::print`]: `tessera demo | head` must not panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = crate::output::print(&format!("{}\n", format_args!($($arg)*)));
    }};
}

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::store::{ProposalFilter, ProposalStatus, Store};

use super::context::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build the demo in this directory and leave it there to explore (it must be empty or new)
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// Variables that would steer the child commands away from the demo's own repositories, store,
/// key or change name.
const SCRUB: &[&str] = &[
    "TESSERA_CONFIG",
    "TESSERA_STORE",
    "TESSERA_FORMAT",
    "TESSERA_SIGNING_KEY",
    "TESSERA_SSH_PASSPHRASE",
    "TESSERA_CHANGE",
    "GITHUB_BASE_REF",
    "GITHUB_HEAD_REF",
    "GITHUB_STEP_SUMMARY",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_CONFIG_GLOBAL",
];

struct Demo {
    exe: PathBuf,
    root: PathBuf,
    store: PathBuf,
    step: usize,
}

impl Demo {
    /// Runs `tessera ARGS` in `dir` (`shop` or `bi`), printing the command and its output, and
    /// checks its exit status.
    fn run(
        &mut self,
        title: &str,
        dir: &str,
        args: &[&str],
        expect: u8,
    ) -> crate::error::Result<()> {
        self.step += 1;
        say!("\n== {}. {title}", self.step);
        let shown: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains(' ') {
                    format!("\"{a}\"")
                } else {
                    a.to_string()
                }
            })
            .collect();
        say!("{dir}$ tessera {}", shown.join(" "));
        flush();
        let mut cmd = Command::new(&self.exe);
        cmd.args(args).current_dir(self.root.join(dir));
        for var in SCRUB {
            cmd.env_remove(var);
        }
        cmd.env("TESSERA_STORE", format!("sqlite:{}", self.store.display()));
        // The examples' own profiles.yml says where their models land, not the caller's.
        cmd.env_remove("DBT_PROFILES_DIR").env_remove("DBT_TARGET");
        // Child output is forwarded as it comes; children see the same terminal (or pipe).
        let status = cmd.status().map_err(|e| Error::Usage {
            message: format!("the demo could not run {}: {e}", self.exe.display()),
            help: "run the demo from an installed or built tessera binary".into(),
        })?;
        let code = status.code().unwrap_or(-1);
        let meaning = match code {
            0 => "nothing blocks",
            1 => "blocks",
            2 => "error",
            _ => "interrupted",
        };
        say!("(exit {code}: {meaning})");
        if code != i32::from(expect) {
            return Err(Error::Usage {
                message: format!("demo step {} (`tessera {}`) exited {code}, expected {expect}", self.step, args.join(" ")),
                help: "this is a bug in tessera or its examples: please report it with the output above".into(),
            }
            .into());
        }
        Ok(())
    }

    fn note(&self, text: &str) {
        say!("\n{text}");
        flush();
    }

    fn open_store(&self) -> crate::error::Result<crate::store::SqliteStore> {
        Ok(crate::store::SqliteStore::open(&self.store, false)?)
    }
}

fn flush() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let exe = std::env::current_exe().map_err(|e| Error::Usage {
        message: format!("cannot find the tessera binary to run the demo with: {e}"),
        help: "run the demo from an installed or built tessera binary".into(),
    })?;
    let (root, _tmp) = match &args.keep {
        Some(dir) => (prepare_keep(&ctx.cwd.join(dir))?, None),
        None => {
            let tmp = tempfile::Builder::new()
                .prefix("tessera-demo")
                .tempdir()
                .map_err(|e| Error::Usage {
                    message: format!("cannot create a temporary directory for the demo: {e}"),
                    help: "set TMPDIR to a writable directory, or pass --keep DIR".into(),
                })?;
            (tmp.path().to_path_buf(), Some(tmp))
        }
    };
    let mut demo = Demo {
        exe,
        store: root.join("tessera.db"),
        root: root.clone(),
        step: 0,
    };
    say!("Tessera demo in {}", root.display());
    say!("  shop/  the producer: team-shop's dbt project with the orders and customers marts");
    say!("  bi/    the consumer: team-bi's dbt project, which reads the marts through dbt sources");
    say!("  tessera.db  the coordination store (SQLite)");

    workspace::write_examples(&root)?;
    let (key, public) = workspace::throwaway_key(&root)?;
    workspace::register_key(&root.join("bi"), &public)?;
    let shop = workspace::Git::init(&root.join("shop"), "ana@example.com", "Ana Lima")?;
    shop.commit_all("The shop's marts")?;
    let bi = workspace::Git::init(&root.join("bi"), "bo@example.com", "Bo Chen")?;
    bi.commit_all("Revenue reporting on the shop's marts")?;
    say!("  id_ed25519  a throwaway SSH key, registered for Bo (team-bi) in bi/tessera.yaml");

    demo.run(
        "The consumer registers what it reads: its dbt sources and the columns its SQL uses",
        "bi",
        &["sync"],
        0,
    )?;
    demo.run("The producer publishes its contracts", "shop", &["sync"], 0)?;
    demo.run(
        "Who reads the orders mart, and which columns",
        "shop",
        &["consumers", "orders"],
        0,
    )?;

    shop.branch("drop-status")?;
    workspace::drop_status(&root.join("shop"))?;
    demo.note("On a branch, the producer drops orders.status, which bi's revenue dashboard reads.");
    demo.run(
        "Pre-commit: check names the break and the team it hurts",
        "shop",
        &["check"],
        1,
    )?;
    shop.commit_all("Drop orders.status")?;
    demo.run(
        "CI on the pull request: impact opens a proposal and blocks the merge until team-bi acknowledges",
        "shop",
        &["impact", "--base", "main", "--propose", "--require-acks"],
        1,
    )?;
    let id = open_proposal(&demo)?;
    let key_arg = key.display().to_string();
    demo.run(
        "The consumer approves, signing with its SSH key",
        "bi",
        &[
            "ack",
            &id,
            "--approve",
            "--key",
            &key_arg,
            "--comment",
            "revenue_by_status moves to order_state first",
        ],
        0,
    )?;
    demo.run(
        "Anyone can re-check the signature and its binding",
        "shop",
        &["verify", &id],
        0,
    )?;
    demo.run(
        "CI re-runs: every impacted consumer approved, the merge goes through",
        "shop",
        &["impact", "--base", "main", "--require-acks"],
        0,
    )?;
    shop.merge_into_main("drop-status")?;
    demo.note("The pull request is merged into main.");
    demo.run(
        "On main, sync records the new contract version and publishes the proposal",
        "shop",
        &["sync"],
        0,
    )?;
    check_published(&demo, &id)?;

    say!(
        "\nThe loop is closed: break detected, consumer named, signed acknowledgment, merge, v2.0.0 published."
    );
    match &args.keep {
        Some(_) => say!(
            "The repositories and the store are in {}; try `tessera proposals show {id}` in shop/.",
            root.display()
        ),
        None => say!("Run `tessera demo --keep DIR` to keep the repositories and explore."),
    }
    Ok(ExitStatus::Success)
}

/// The proposal the impact step opened.
fn open_proposal(demo: &Demo) -> crate::error::Result<String> {
    let store = demo.open_store()?;
    let open = store.proposals(&ProposalFilter {
        statuses: vec![ProposalStatus::Pending],
        ..ProposalFilter::default()
    })?;
    match &open[..] {
        [one] => Ok(one.id.clone()),
        other => Err(Error::Usage {
            message: format!(
                "the demo expected one pending proposal, found {}",
                other.len()
            ),
            help:
                "this is a bug in tessera or its examples: please report it with the output above"
                    .into(),
        }
        .into()),
    }
}

fn check_published(demo: &Demo, id: &str) -> crate::error::Result<()> {
    let store = demo.open_store()?;
    let p = store.proposal(id)?;
    let version = p
        .as_ref()
        .filter(|p| p.status == ProposalStatus::Published)
        .and_then(|p| p.published_version.clone());
    match version {
        Some(v) if v == "2.0.0" => {
            demo.note(&format!(
                "✓ proposal {id} is published as {} v{v}",
                p.map(|p| p.asset).unwrap_or_default()
            ));
            Ok(())
        }
        other => Err(Error::Usage {
            message: format!(
                "the demo expected proposal {id} published as v2.0.0, found {other:?}"
            ),
            help:
                "this is a bug in tessera or its examples: please report it with the output above"
                    .into(),
        }
        .into()),
    }
}

/// `--keep DIR` must not mix the demo into someone's files.
fn prepare_keep(dir: &Path) -> crate::error::Result<PathBuf> {
    let nonempty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if nonempty {
        return Err(Error::Usage {
            message: format!("{} is not empty", dir.display()),
            help: "pass --keep with a new or empty directory".into(),
        }
        .into());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Usage {
        message: format!("cannot create {}: {e}", dir.display()),
        help: "pass --keep with a writable directory".into(),
    })?;
    Ok(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::workspace::FILES;

    /// The demo must ship every example file, or it silently diverges from `examples/`.
    #[test]
    fn embeds_every_example_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .filter(|p| p.starts_with("shop/") || p.starts_with("bi/"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
        for (path, text) in FILES {
            assert_eq!(&std::fs::read_to_string(root.join(path)).unwrap(), text);
        }
    }
}
