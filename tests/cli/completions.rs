//! The checked-in completion scripts and man page in `completions/` match what the binary
//! generates from the clap definitions; `TESSERA_BLESS=1` rewrites them.

use std::path::Path;

use clap::CommandFactory;

use crate::common::{code, stderr, stdout, tessera};

const REGENERATE: &str = "TESSERA_BLESS=1 cargo test --test cli completions";

/// Runs `tessera ARGS` and compares its stdout with `completions/FILE`, or rewrites the file
/// under `TESSERA_BLESS=1`. Returns the generated text.
fn check_generated(args: &[&str], file: &str) -> String {
    let o = tessera().args(args).output().expect("tessera runs");
    assert_eq!(code(&o), 0, "tessera {args:?} failed:\n{}", stderr(&o));
    let actual = stdout(&o);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(file);
    if std::env::var("TESSERA_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir completions/");
        std::fs::write(&path, &actual).expect("write generated file");
        return actual;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}; generate it with `{REGENERATE}`",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} is out of date with the clap definitions (`tessera {}` prints something else); \
         regenerate with `{REGENERATE}`",
        path.display(),
        args.join(" ")
    );
    actual
}

fn assert_mentions_subcommands(text: &str, file: &str) {
    for sub in ["check", "sync"] {
        assert!(
            text.contains(sub),
            "completions/{file} does not mention the `{sub}` subcommand:\n{text}"
        );
    }
}

#[test]
fn completion_scripts_match_the_checked_in_files() {
    for (shell, file) in [
        ("bash", "tessera.bash"),
        ("zsh", "_tessera"),
        ("fish", "tessera.fish"),
        ("powershell", "_tessera.ps1"),
        ("elvish", "tessera.elv"),
    ] {
        let text = check_generated(&["completions", shell], file);
        assert_mentions_subcommands(&text, file);
    }
}

#[test]
fn man_page_matches_the_checked_in_file() {
    let text = check_generated(&["man"], "tessera.1");
    assert!(text.contains(".TH tessera 1"), "no .TH header:\n{text}");
    assert_mentions_subcommands(&text, "tessera.1");
}

#[test]
fn every_subcommand_has_its_man_page() {
    let pages = tessera::cli::man::subcommands();
    assert!(pages.len() > 10, "{pages:?}");
    for sub in &pages {
        let text = check_generated(&["man", sub], &format!("man/tessera-{sub}.1"));
        assert!(
            text.contains(&format!(".TH tessera-{sub} 1")),
            "no .TH header for {sub}:\n{text}"
        );
    }
    // The main page's SEE ALSO names exactly these pages.
    let main = check_generated(&["man"], "tessera.1");
    assert!(main.contains("tessera\\-check(1)"), "{main}");
    let o = tessera().args(["man", "nope"]).output().expect("runs");
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stderr(&o).contains("pages exist for"), "{}", stderr(&o));
}

#[test]
fn completions_rejects_an_unknown_shell() {
    let o = tessera()
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("invalid value"), "{}", stderr(&o));
}

#[test]
fn clap_definitions_are_consistent() {
    tessera::Cli::command().debug_assert();
}
