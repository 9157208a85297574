//! Messages that tell a newcomer what to do: the blocked check's next steps, a `column_removed`
//! hint whose syntax works, a PATH that names no file, and examples in `--help`.

use crate::common::{SHOP_ORDERS, SHOP_ORDERS_SQL, code, stderr, stdout};

use crate::common::shop_repo as shop;

const STATUS: &str = "      - name: status\n        data_type: text\n";
/// The model's SQL without `status`: the column is gone from what the model outputs.
const NO_STATUS_SQL: &str = "select 1 as id, 1.0 as amount\n";

#[test]
fn a_blocked_check_says_how_to_let_a_break_through_and_the_hint_syntax_works() {
    let repo = shop();
    let schema = SHOP_ORDERS.replace(STATUS, "");
    assert_ne!(schema, SHOP_ORDERS);
    repo.write("models/schema.yml", &schema);
    repo.write("models/orders.sql", NO_STATUS_SQL);
    let o = repo.run(&["check"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    for want in ["--no-verify", "tessera impact --propose", "renamed_from"] {
        assert!(stderr(&o).contains(want), "{want}: {}", stderr(&o));
    }
    let hint = "meta: {tessera: {deprecation_date: YYYY-MM-DD}}";
    assert!(stdout(&o).contains(hint), "{}", stdout(&o));

    // Following the hint: deprecate the column first, remove it after the date.
    let deprecated = SHOP_ORDERS.replace(
        STATUS,
        "      - name: status\n        data_type: text\n        meta: {tessera: {deprecation_date: 2026-01-01}}\n",
    );
    repo.write("models/schema.yml", &deprecated);
    repo.write("models/orders.sql", SHOP_ORDERS_SQL);
    repo.commit("deprecate status");
    repo.write("models/schema.yml", &schema);
    repo.write("models/orders.sql", NO_STATUS_SQL);
    let o = repo.run(&["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"column_removed_after_deprecation_date"),
        "{rules:?}"
    );
}

#[test]
fn a_path_that_names_no_file_is_an_error_with_the_nearest_names() {
    let repo = shop();
    let o = repo.run(&["check", "models/shema.yml"]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("matches no file"), "{}", stderr(&o));
    assert!(stderr(&o).contains("models/schema.yml"), "{}", stderr(&o));
    // A file deleted in the change is still a file of the base: no error.
    repo.remove("models/schema.yml");
    let o = repo.run(&["check", "models/schema.yml"]);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn help_shows_examples_for_the_everyday_commands() {
    for cmd in ["check", "impact", "ack", "sync", "init"] {
        let o = crate::common::tessera()
            .args([cmd, "--help"])
            .output()
            .expect("runs");
        assert_eq!(code(&o), 0);
        let text = stdout(&o);
        assert!(
            text.contains("Examples:") && text.contains(&format!("tessera {cmd}")),
            "{cmd}:\n{text}"
        );
    }
}

#[test]
fn color_flag_wins_over_the_terminal_and_concise_prints_one_line_per_finding() {
    let repo = shop();
    repo.write("models/schema.yml", &SHOP_ORDERS.replace(STATUS, ""));
    repo.write("models/orders.sql", NO_STATUS_SQL);
    let run = |args: &[&str]| repo.run(args);
    let o = run(&["check", "--color", "always"]);
    assert!(
        stdout(&o).contains("\x1b["),
        "--color always colours a pipe: {}",
        stdout(&o)
    );
    let o = run(&["check", "--color", "never"]);
    assert!(!stdout(&o).contains("\x1b["), "{}", stdout(&o));
    let o = run(&["check", "--format", "concise"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with("models/schema.yml:")
            && l.contains(": ERR column_removed orders.status ")),
        "{out}"
    );
}

#[test]
fn tables_never_split_an_identifier_to_fit_the_width() {
    let repo = shop();
    let long = "customer_lifetime_value_in_reporting_currency_after_refunds";
    let schema = SHOP_ORDERS.replace(
        STATUS,
        &format!("      - name: {long}\n        data_type: text\n"),
    );
    repo.write("models/schema.yml", &schema);
    repo.write(
        "models/orders.sql",
        &format!("select 1 as id, 'x' as {long}, 1.0 as amount\n"),
    );
    repo.commit("a long column name");
    repo.write("models/schema.yml", SHOP_ORDERS);
    repo.write("models/orders.sql", SHOP_ORDERS_SQL);
    let o = repo.run(&["check"]);
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.contains(long)),
        "the identifier stays on one line:\n{out}"
    );
}

#[test]
fn sync_shows_progress_on_a_terminal_and_nothing_when_piped() {
    if !crate::common::have_tool("script") {
        return;
    }
    let repo = shop();
    repo.write(
        "tessera.yaml",
        "project: shop\nowner: team-shop\nteams: [{name: team-shop}]\ndbt:\n  target: {schema: analytics}\n",
    );
    repo.commit("tessera.yaml");
    let o = repo.run(&["sync"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("reading the dbt project") && !stderr(&o).contains('\r'),
        "nothing when piped: {}",
        stderr(&o)
    );
    // `script` gives the command a terminal; each step overwrites one line there.
    let bin = env!("CARGO_BIN_EXE_tessera");
    let o = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} sync"), "/dev/null"])
        .current_dir(repo.path())
        .env("TESSERA_TODAY", "2026-06-01")
        .env("NO_COLOR", "1")
        .output()
        .expect("script runs");
    let seen = String::from_utf8_lossy(&o.stdout);
    assert!(
        seen.contains("sync: reading the dbt project") && seen.contains("\r\x1b[2K"),
        "{seen:?}"
    );
}
