//! Every vector of shared/compat/vectors.yaml rendered as a real dbt project (property files,
//! SQL files, tessera.yaml) in a real git repository: commit "before", write "after", run the
//! built binary, and expect the same findings as the library harness.

use std::fmt::Write;

use crate::common::{TestRepo, code, stderr};
use crate::vectors::{self, Node, Vector};

/// Vectors a single `check` cannot express: version histories (transitive modes) and consumer
/// usage (the store).
fn skipped(v: &Vector) -> bool {
    v.raw.get("history").is_some() || v.requires.is_some()
}

/// The vectors state contracts as YAML; SQL whose output Tessera cannot list (a `*` over a
/// table dbt does not know) lets the YAML stand in, so each vector is compared as written.
const VECTOR_SQL: &str = "select * from raw.vector_input\n";

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn ref_of(target: &str) -> String {
    match target.split_once('.') {
        Some((src, tbl)) => format!("source('{src}', '{tbl}')"),
        None => format!("ref('{target}')"),
    }
}

fn render_column(out: &mut String, name: &str, c: &Node, indent: &str) {
    let _ = writeln!(out, "{indent}- name: {}", q(name));
    if let Some(t) = c.str_at("type") {
        let _ = writeln!(out, "{indent}  data_type: {}", q(t));
    }
    if c.is_true("quote") {
        let _ = writeln!(out, "{indent}  quote: true");
    }
    let mut tessera_meta = Vec::new();
    for key in ["renamed_from", "deprecation_date", "default"] {
        if let Some(v) = c.str_at(key) {
            tessera_meta.push(format!("{key}: {}", q(v)));
        }
    }
    if !tessera_meta.is_empty() {
        let _ = writeln!(
            out,
            "{indent}  meta: {{tessera: {{{}}}}}",
            tessera_meta.join(", ")
        );
    }
    let mut constraints = Vec::new();
    if c.is_true("not_null") {
        constraints.push("{type: not_null}".to_string());
    }
    for k in c.get("constraints").map(Node::items).unwrap_or_default() {
        constraints.push(match k {
            Node::Scalar(s) => format!("{{type: {s}}}"),
            Node::Map(m) => match m.first() {
                Some((t, v)) if t == "check" => {
                    format!("{{type: check, expression: {}}}", q(v.str().unwrap_or("")))
                }
                Some((t, v)) if t == "foreign_key" => format!(
                    "{{type: foreign_key, to: {}, to_columns: [{}]}}",
                    q(&ref_of(v.str_at("to").unwrap_or(""))),
                    v.str_at("field").unwrap_or("")
                ),
                Some((t, _)) => format!("{{type: {t}}}"),
                None => continue,
            },
            _ => continue,
        });
    }
    if !constraints.is_empty() {
        let _ = writeln!(out, "{indent}  constraints: [{}]", constraints.join(", "));
    }
    let tests = c.get("tests").map(Node::items).unwrap_or_default();
    if !tests.is_empty() {
        let _ = writeln!(out, "{indent}  data_tests:");
        for t in tests {
            match t {
                Node::Scalar(s) => {
                    let _ = writeln!(out, "{indent}    - {s}");
                }
                Node::Map(m) => {
                    let Some((name, args)) = m.first() else {
                        continue;
                    };
                    let severity = args
                        .str_at("severity")
                        .map(|s| format!(", config: {{severity: {s}}}"))
                        .unwrap_or_default();
                    let body = match name.as_str() {
                        "accepted_values" => {
                            let vals = match args {
                                Node::Seq(_) => args.items(),
                                _ => args.get("values").map(Node::items).unwrap_or_default(),
                            };
                            let vals: Vec<String> =
                                vals.iter().filter_map(|v| v.str().map(q)).collect();
                            format!("{{values: [{}]{severity}}}", vals.join(", "))
                        }
                        "relationships" => format!(
                            "{{to: {}, field: {}{severity}}}",
                            q(&ref_of(args.str_at("to").unwrap_or(""))),
                            args.str_at("field").unwrap_or("")
                        ),
                        _ => format!("{{{}}}", severity.trim_start_matches(", ")),
                    };
                    let _ = writeln!(out, "{indent}    - {name}: {body}");
                }
                Node::Null | Node::Seq(_) => {}
            }
        }
    }
}

fn columns(out: &mut String, rel: &Node, indent: &str) {
    let cols = rel.get("cols").map(Node::entries).unwrap_or_default();
    if cols.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}columns:");
    for (name, c) in cols {
        render_column(out, name, c, &format!("{indent}  "));
    }
}

fn freshness(out: &mut String, rel: &Node, indent: &str) {
    let Some(f) = rel.get("freshness") else {
        return;
    };
    let _ = writeln!(out, "{indent}freshness:");
    for key in ["warn_after", "error_after"] {
        if let Some(d) = f.get(key) {
            let _ = writeln!(
                out,
                "{indent}  {key}: {{count: {}, period: {}}}",
                d.str_at("count").unwrap_or("0"),
                d.str_at("period").unwrap_or("hour")
            );
        }
    }
}

/// One side of a vector as files: path → content.
fn render_side(side: &Node, source: bool) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut props = String::from("version: 2\n");
    if source {
        props.push_str("sources:\n");
        for (name, rel) in side.entries() {
            let (src, tbl) = name.split_once('.').unwrap_or(("raw", name));
            // The vectors judge a source from its owner's side: the project owns it.
            let _ = writeln!(
                props,
                "  - name: {src}\n    meta: {{owner: team-vectors}}\n    tables:\n      - name: {tbl}"
            );
            freshness(&mut props, rel, "        ");
            columns(&mut props, rel, "        ");
        }
    } else {
        props.push_str("models:\n");
        for (name, rel) in side.entries() {
            let _ = writeln!(props, "  - name: {name}");
            let materialized = rel.str_at("materialized").unwrap_or("table");
            let enforced = rel.str_at("contract").unwrap_or("enforced") == "enforced";
            let mut config = vec![
                format!("materialized: {materialized}"),
                format!("contract: {{enforced: {enforced}}}"),
            ];
            if let Some(a) = rel.str_at("alias") {
                config.push(format!("alias: {a}"));
            }
            let _ = writeln!(props, "    config: {{{}}}", config.join(", "));
            if let Some(a) = rel.str_at("access") {
                let _ = writeln!(props, "    access: {a}");
            }
            if let Some(d) = rel.str_at("deprecation_date") {
                let _ = writeln!(props, "    deprecation_date: {}", q(d));
            }
            if let Some(meta) = rel.get("meta") {
                let _ = writeln!(props, "    meta: {}", meta.to_json());
            }
            if let Some(versions) = rel.get("versions") {
                if let Some(l) = rel.str_at("latest_version") {
                    let _ = writeln!(props, "    latest_version: {l}");
                }
                let _ = writeln!(props, "    versions:");
                for (v, vn) in versions.entries() {
                    let _ = writeln!(props, "      - v: {v}");
                    if let Some(d) = vn.str_at("deprecation_date") {
                        let _ = writeln!(props, "        deprecation_date: {}", q(d));
                    }
                    // The model itself declares no columns, so each version's list is complete.
                    columns(&mut props, vn, "        ");
                    files.push((format!("models/{name}_v{v}.sql"), VECTOR_SQL.to_string()));
                }
            } else {
                columns(&mut props, rel, "    ");
                files.push((format!("models/{name}.sql"), VECTOR_SQL.to_string()));
            }
        }
    }
    files.push(("models/schema.yml".to_string(), props));
    files
}

fn tessera_yaml(v: &Vector) -> String {
    let ctx = vectors::ctx(v);
    let mut y = String::from(
        "project: vectors\nowner: team-vectors\nteams: [{name: team-vectors}]\ndbt: {project_dir: ., contracts: all}\n",
    );
    let adapter = ctx.and_then(|c| c.str_at("adapter")).unwrap_or("postgres");
    match ctx.and_then(|c| c.str_at("timestamp_type_mapping")) {
        Some(m) => {
            let _ = writeln!(
                y,
                "warehouse: {{type: {adapter}, timestamp_type_mapping: {m}}}"
            );
        }
        None => {
            let _ = writeln!(y, "warehouse: {adapter}");
        }
    }
    let _ = writeln!(y, "compatibility:\n  default_mode: {}", v.mode.name());
    if let Some(c) = ctx {
        for key in ["rules", "policy", "waivers"] {
            if let Some(n) = c.get(key) {
                let _ = writeln!(y, "  {key}: {}", n.to_json());
            }
        }
    }
    y
}

fn run_vector(v: &Vector) -> Result<(), String> {
    let source = vectors::resource(v) == tessera::contract::ResourceType::Source;
    let repo = TestRepo::new();
    repo.write(
        "dbt_project.yml",
        "name: vectors\nversion: '1.0'\nprofile: vectors\nmodel-paths: [models]\n",
    );
    repo.write("tessera.yaml", &tessera_yaml(v));
    let empty = Node::Map(Vec::new());
    let before = render_side(v.raw.get("before").unwrap_or(&empty), source);
    for (p, c) in &before {
        repo.write(p, c);
    }
    repo.commit("before");
    for (p, _) in &before {
        repo.remove(p);
    }
    for (p, c) in render_side(v.raw.get("after").unwrap_or(&empty), source) {
        repo.write(&p, &c);
    }
    let now = v.raw.str_at("now").unwrap_or("2026-06-01");
    let o = crate::common::tessera()
        .current_dir(repo.path())
        .env("TESSERA_TODAY", now)
        .args(["check", "--format", "json"])
        .output()
        .map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_slice(&o.stdout)
        .map_err(|e| format!("exit {}, not JSON ({e}); stderr: {}", code(&o), stderr(&o)))?;
    let mut got: Vec<String> = json["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    let mut path = f["node"].as_str().unwrap_or("").to_string();
                    if let Some(ver) = f["version"].as_str() {
                        path.push_str(&format!(".v{ver}"));
                    }
                    if let Some(p) = f["path"].as_str().filter(|p| !p.is_empty()) {
                        path.push('.');
                        path.push_str(p);
                    }
                    let mut s = format!(
                        "{} {} {}",
                        f["rule"].as_str().unwrap_or(""),
                        path,
                        f["severity"].as_str().unwrap_or("")
                    );
                    if !f["waived_by"].is_null() {
                        s.push_str(" (waived)");
                    }
                    if f["ignored"] == true {
                        s.push_str(" (ignored)");
                    }
                    s
                })
                .collect()
        })
        .unwrap_or_default();
    got.sort();
    let want = vectors::sorted(v.findings.clone());
    let verdict = json["verdict"].as_str().unwrap_or("");
    let want_code = if v.expect == "breaking" { 1 } else { 0 };
    if got != want || verdict != v.expect || code(&o) != want_code {
        return Err(format!(
            "want {want:?} ({}, exit {want_code})\n      got  {got:?} ({verdict}, exit {})\n      stderr: {}",
            v.expect,
            code(&o),
            stderr(&o).trim()
        ));
    }
    Ok(())
}

#[test]
fn vectors_hold_end_to_end_through_git_and_dbt_files() {
    if !crate::common::have_tool("git") {
        return;
    }
    let Some(all) = vectors::load() else {
        return;
    };
    let mut failures = Vec::new();
    let mut ran = 0;
    for v in all.iter().filter(|v| !skipped(v)) {
        ran += 1;
        if let Err(e) = run_vector(v) {
            failures.push(format!("  {}: {e}", v.id));
        }
    }
    println!(
        "end-to-end vectors: {ran} run, {} skipped (history or store), {} failed",
        all.len() - ran,
        failures.len()
    );
    assert!(ran >= 90, "too few vectors ran: {ran}");
    assert!(
        failures.is_empty(),
        "{} vectors differ end to end:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
