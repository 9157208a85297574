use crate::common::{code, stderr, stdout, tessera};

#[test]
fn help_documents_the_exit_codes() {
    let o = tessera().arg("--help").output().expect("runs");
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    for line in [
        "0    nothing blocks",
        "1    findings block",
        "2    tessera could not do its job",
        "130  interrupted",
    ] {
        assert!(out.contains(line), "--help lacks `{line}`:\n{out}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = tessera().arg("no-such-command").output().expect("runs");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unrecognized subcommand"));
    let o = tessera()
        .args(["rules", "--format", "yaml"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2);
}

#[test]
fn rules_json_lists_every_rule_with_directional_defaults() {
    let o = tessera()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["schema_version"], 1);
    let rules = v["rules"].as_array().expect("rules array");
    assert_eq!(rules.len(), tessera::compat::RULES.len());
    let removed = rules
        .iter()
        .find(|r| r["id"] == "column_removed")
        .expect("column_removed listed");
    assert_eq!(removed["forward"], "ERR");
    assert_eq!(removed["backward"], "INFO");
    let tightened = rules
        .iter()
        .find(|r| r["id"] == "column_nullability_tightened")
        .expect("listed");
    assert_eq!(tightened["backward"], "ERR*");
}

#[test]
fn rules_human_is_a_table_with_the_modes_explained() {
    let o = tessera().arg("rules").output().expect("runs");
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("column_type_widened"));
    assert!(out.contains("FORWARD: readers of the old contract keep working"));
}

#[test]
fn a_closed_pipe_is_a_clean_exit() {
    // `tessera rules | true`: the reader is gone before the first write; that is not an error.
    let bin = assert_cmd::cargo::cargo_bin("tessera");
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' rules --format json | true; echo ${{PIPESTATUS[0]}}",
            bin.display()
        ))
        .output()
        .expect("bash runs");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "0",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn one_rule_is_explained_with_a_before_and_after_example() {
    let o = tessera()
        .args(["rules", "column_type_narrowed"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "column_type_narrowed",
        "BACKWARD ERR",
        "before:",
        "bigint",
        "after:",
        "integer",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    let o = tessera()
        .args(["rules", "column_removed", "--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["forward"], "ERR");
    assert!(
        v["example"]["before"]
            .as_str()
            .is_some_and(|b| b.contains("status"))
    );
    let o = tessera()
        .args(["rules", "column_remove"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean column_removed"),
        "{}",
        stderr(&o)
    );
}
