//! `tessera replay`: runs the comparison `check --base C^ --head C` makes over each commit of
//! first-parent history, to size Tessera's friction on a project's own past before adopting it.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::Instant;

use serde::Serialize;

use crate::compat::{self, Level};
use crate::error::Error;
use crate::exit::ExitStatus;

use super::check::{self, output_columns, select, sides};
use super::context::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to replay: `REV` (its whole first-parent history) or `FROM..TO`
    #[arg(value_name = "REV_RANGE", default_value = "HEAD")]
    pub range: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct CommitResult {
    commit: String,
    subject: String,
    /// `blocked`, `passed`, `untouched` (no dbt file changed) or `error`.
    verdict: &'static str,
    /// Rule id → `[ERR, WARN, INFO]` counts among the findings that count.
    rules: BTreeMap<String, [usize; 3]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    millis: u128,
}

#[derive(Debug, Serialize)]
struct Summary {
    commits: usize,
    touched_dbt: usize,
    blocked: usize,
    errors: usize,
    /// Rule id → commits it would have blocked.
    blocked_by: BTreeMap<String, usize>,
    mean_millis_per_touched_commit: u128,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let repo = git2::Repository::discover(&ctx.cwd).map_err(|e| usage(&e.to_string()))?;
    let commits = first_parent(&repo, &args.range)?;
    let project_dir = sides::repo_relative(
        repo.workdir().unwrap_or(&ctx.cwd),
        &cfg.base_dir.join(&cfg.config.dbt.project_dir.value),
    );
    let progress = std::io::stderr().is_terminal();
    let mut results = Vec::with_capacity(commits.len());
    for (i, (id, subject)) in commits.iter().enumerate() {
        if progress {
            bar(i, commits.len());
        }
        let started = Instant::now();
        let touched = touches(&repo, *id, &project_dir);
        let mut r = CommitResult {
            commit: id.to_string(),
            subject: subject.clone(),
            verdict: "untouched",
            rules: BTreeMap::new(),
            error: None,
            millis: 0,
        };
        if touched {
            match compare(ctx, &cfg, &id.to_string()) {
                Ok(report) => {
                    let mut blocked = false;
                    for f in report.findings.iter().filter(|f| f.counts()) {
                        let slot = match f.severity {
                            Level::Err => 0,
                            Level::Warn => 1,
                            _ => 2,
                        };
                        r.rules.entry(f.rule.to_string()).or_default()[slot] += 1;
                        blocked |= f.severity == Level::Err;
                    }
                    r.verdict = if blocked { "blocked" } else { "passed" };
                }
                Err(e) => {
                    r.verdict = "error";
                    r.error = Some(format!("{e}"));
                }
            }
        }
        r.millis = started.elapsed().as_millis();
        results.push(r);
    }
    if progress {
        eprint!("\r\x1b[2K");
    }
    let summary = summarise(&results);
    let text = match args.format {
        Format::Json => {
            let v =
                serde_json::json!({"schema_version": 1, "commits": results, "summary": summary});
            format!("{v:#}\n")
        }
        Format::Human => human(&results, &summary),
    };
    crate::output::print(&text)?;
    Ok(ExitStatus::Success)
}

/// What `check --base C^ --head C` compares, without the store.
fn compare(
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
    commit: &str,
) -> crate::error::Result<compat::Report> {
    let args = check::Args {
        paths: Vec::new(),
        base: format!("{commit}^"),
        head: Some(commit.to_string()),
        staged: false,
        manifest: None,
        base_manifest: None,
        catalog: None,
        format: crate::report::Format::Json,
        fail_on: None,
    };
    let today = ctx.today()?;
    let (mut before, mut after) = sides::load(&args, ctx, cfg)?;
    let warehouse = super::settings::warehouse(
        &cfg.config,
        after.adapter.as_deref().or(before.adapter.as_deref()),
    );
    let settings = super::settings::compat_settings(&cfg.config, warehouse, today);
    let keys = select::relevant_keys(&args, ctx, cfg, &before, &after)?;
    output_columns::pair(&mut before, &mut after, &keys, warehouse.dialect);
    output_columns::catalog(&args, ctx, cfg, &mut before, &mut after)?;
    let (b, a) = select::restrict(&before.project, &after.project, &keys);
    Ok(compat::diff(&b, &a, &settings))
}

fn usage(message: &str) -> Error {
    Error::Usage {
        message: message.to_string(),
        help: "give a revision (`main`) or a range (`v1.0..main`) of this repository".into(),
    }
}

/// The commits of `range`, oldest first, each with a parent (a root commit has no "before").
fn first_parent(repo: &git2::Repository, range: &str) -> Result<Vec<(git2::Oid, String)>, Error> {
    let (from, to) = match range.split_once("..") {
        Some((a, b)) => (Some(a), if b.is_empty() { "HEAD" } else { b }),
        None => (None, range),
    };
    let resolve = |rev: &str| {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| usage(&format!("`{rev}` is not a commit here: {}", e.message())))
    };
    let stop = from.map(resolve).transpose()?.map(|c| c.id());
    let mut commit = resolve(to)?;
    let mut out = Vec::new();
    loop {
        if Some(commit.id()) == stop {
            break;
        }
        let Ok(parent) = commit.parent(0) else {
            break;
        };
        let subject = commit.summary().ok().flatten().unwrap_or("").to_string();
        out.push((commit.id(), subject));
        commit = parent;
    }
    out.reverse();
    Ok(out)
}

/// Whether the commit changed a dbt file (SQL, YAML, CSV) under the project directory.
fn touches(repo: &git2::Repository, id: git2::Oid, project_dir: &str) -> bool {
    let diff = (|| {
        let c = repo.find_commit(id)?;
        let tree = c.tree()?;
        let parent = c.parent(0)?.tree()?;
        repo.diff_tree_to_tree(Some(&parent), Some(&tree), None)
    })();
    let Ok(diff) = diff else { return true };
    let prefix = if project_dir.is_empty() {
        String::new()
    } else {
        format!("{project_dir}/")
    };
    diff.deltas().any(|d| {
        [d.old_file(), d.new_file()].iter().any(|f| {
            f.path().and_then(|p| p.to_str()).is_some_and(|p| {
                p.starts_with(&prefix)
                    && [".sql", ".yml", ".yaml", ".csv", ".py"]
                        .iter()
                        .any(|e| p.ends_with(e))
            })
        })
    })
}

fn summarise(results: &[CommitResult]) -> Summary {
    let touched: Vec<&CommitResult> = results
        .iter()
        .filter(|r| r.verdict != "untouched")
        .collect();
    let mut blocked_by = BTreeMap::new();
    for r in results.iter().filter(|r| r.verdict == "blocked") {
        for (rule, counts) in &r.rules {
            if counts[0] > 0 {
                *blocked_by.entry(rule.clone()).or_insert(0) += 1;
            }
        }
    }
    let total: u128 = touched.iter().map(|r| r.millis).sum();
    Summary {
        commits: results.len(),
        touched_dbt: touched.len(),
        blocked: results.iter().filter(|r| r.verdict == "blocked").count(),
        errors: results.iter().filter(|r| r.verdict == "error").count(),
        blocked_by,
        mean_millis_per_touched_commit: total / (touched.len().max(1) as u128),
    }
}

fn human(results: &[CommitResult], s: &Summary) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| r.verdict != "untouched") {
        let rules: Vec<String> = r
            .rules
            .iter()
            .map(|(rule, [e, w, i])| {
                let mut parts = Vec::new();
                for (n, label) in [(e, "ERR"), (w, "WARN"), (i, "INFO")] {
                    if *n > 0 {
                        parts.push(format!("{n} {label}"));
                    }
                }
                format!("{rule} ({})", parts.join(", "))
            })
            .collect();
        let detail = match &r.error {
            Some(e) => e.lines().next().unwrap_or("").to_string(),
            None => rules.join("; "),
        };
        out.push_str(&format!(
            "{} {:<8} {:>6} ms  {}\n",
            &r.commit[..r.commit.len().min(10)],
            r.verdict,
            r.millis,
            printable(&r.subject)
        ));
        if !detail.is_empty() {
            out.push_str(&format!("           {detail}\n"));
        }
    }
    out.push_str(&format!(
        "\n{} commits, {} touched the dbt project: {} would have been blocked, {} could not be compared; {} ms per compared commit\n",
        s.commits, s.touched_dbt, s.blocked, s.errors, s.mean_millis_per_touched_commit
    ));
    for (rule, n) in &s.blocked_by {
        out.push_str(&format!("  blocked by {rule}: {n} commit(s)\n"));
    }
    out
}

fn bar(done: usize, total: usize) {
    let width = 30;
    let filled = done * width / total.max(1);
    eprint!(
        "\r[{}{}] {done}/{total}",
        "=".repeat(filled),
        " ".repeat(width - filled)
    );
    let _ = std::io::stderr().flush();
}

/// A commit subject comes from the repository: no control characters reach the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
