//! SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards. Waived and ignored
//! findings stay in the log as suppressed results, so dashboards show them as closed, not gone.

use serde::Serialize;
use serde_json::{Value, json};

use super::{RenderInput, Status, blocks, location, pretty, status};
use crate::compat::{Finding, Level, Mode, rule};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(super) fn render(input: &RenderInput) -> String {
    let findings = &input.report.findings;
    let mut ids: Vec<&str> = Vec::new();
    for f in findings {
        if !ids.contains(&f.rule) {
            ids.push(f.rule);
        }
    }
    let rules: Vec<Value> = ids
        .iter()
        .map(|id| {
            let r = rule(id);
            json!({
                "id": id,
                "shortDescription": { "text": r.map_or(*id, |r| r.meaning) },
                "help": { "text": r.map_or("", |r| r.hint) },
            })
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let index = ids.iter().position(|id| *id == f.rule).unwrap_or_default();
            result(input, f, index)
        })
        .collect();
    pretty(&Doc {
        schema: SCHEMA,
        runs: [Run {
            results,
            tool: Tool {
                driver: Driver {
                    name: "tessera",
                    rules,
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    })
}

// Typed documents rather than `serde_json::Value`: at 80,000 findings, building and dropping a
// tree of maps per result was most of the run. Fields are in alphabetical order, the order a
// `Value` map prints them in, so the output is unchanged.

#[derive(Serialize)]
struct Doc {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct Run {
    results: Vec<SarifResult>,
    tool: Tool,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    rules: Vec<Value>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    level: &'static str,
    locations: [SarifLocation; 1],
    message: Text,
    partial_fingerprints: Fingerprints,
    properties: Properties,
    rule_id: &'static str,
    rule_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "tesseraFinding/v1")]
    v1: String,
}

#[derive(Serialize)]
struct Properties {
    asset: String,
    blocking: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    impacted: Option<Vec<String>>,
    mode: Mode,
    path: String,
}

#[derive(Serialize)]
struct Suppression {
    justification: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    logical_locations: [Logical; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<Physical>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical {
    fully_qualified_name: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Uri,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Uri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

fn result(input: &RenderInput, f: &Finding, rule_index: usize) -> SarifResult {
    let level = match f.severity {
        Level::Err => "error",
        Level::Warn => "warning",
        Level::Info => "note",
    };
    let fqn = if f.path.is_empty() {
        f.asset.clone()
    } else {
        format!("{}.{}", f.asset, f.path)
    };
    let (file, line) = location(input, f);
    let physical_location = file.map(|file| Physical {
        artifact_location: Uri { uri: uri(&file) },
        region: line.map(|start_line| Region { start_line }),
    });
    let suppression = match status(f) {
        Status::Waived(reason) => Some(Suppression {
            justification: reason.to_string(),
            kind: "external",
        }),
        Status::Ignored => Some(Suppression {
            justification: "meta.tessera.ignore".to_string(),
            kind: "inSource",
        }),
        Status::Counts => None,
    };
    SarifResult {
        level,
        // Lets dashboards track one finding across runs even when its line moves.
        partial_fingerprints: Fingerprints {
            v1: format!("{}:{}:{}", f.rule, fqn, f.against.as_deref().unwrap_or("")),
        },
        locations: [SarifLocation {
            logical_locations: [Logical {
                fully_qualified_name: fqn,
                name: f.asset.clone(),
            }],
            physical_location,
        }],
        message: Text {
            text: f.message.clone(),
        },
        properties: Properties {
            asset: f.asset.clone(),
            blocking: blocks(f, input.fail_on),
            impacted: input.consumers_known.then(|| f.impacted.clone()),
            mode: f.mode,
            path: f.path.clone(),
        },
        rule_id: f.rule,
        rule_index,
        suppressions: suppression.map(|s| [s]),
    }
}

/// A relative path as a URI reference: forward slashes, and everything outside RFC 3986's path
/// characters percent-encoded (spaces, `#`, `?`, `%`, non-ASCII).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn parse(input: &RenderInput) -> Value {
        serde_json::from_str(&render(input)).unwrap_or(Value::Null)
    }

    #[test]
    fn rules_levels_locations_and_suppressions() {
        let report = fixture::report();
        let v = parse(&fixture::input(&report));
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "tessera");
        assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
        let rules = run["tool"]["driver"]["rules"].as_array().cloned();
        let ids: Vec<String> = rules
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect();
        for f in &report.findings {
            assert_eq!(ids.iter().filter(|id| *id == f.rule).count(), 1);
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), report.findings.len());
        for r in &results {
            let idx = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
            assert_eq!(ids.get(idx).map(String::as_str), r["ruleId"].as_str());
        }
        let by_path = |p: &str| {
            results
                .iter()
                .find(|r| r["properties"]["path"] == p)
                .cloned()
                .unwrap_or_default()
        };
        let amount = by_path("amount");
        assert_eq!(amount["level"], "error");
        let physical = &amount["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "models/orders.yml");
        assert_eq!(physical["region"]["startLine"], 12);
        assert!(amount.get("suppressions").is_none());
        assert_eq!(by_path("amount_usd")["level"], "note");

        let waived = by_path("legacy_flag");
        assert_eq!(waived["suppressions"][0]["kind"], "external");
        assert_eq!(
            waived["suppressions"][0]["justification"],
            "nobody reads it"
        );
        // Not located by the locator: the declaring file without a region.
        assert!(waived["locations"][0]["physicalLocation"]["region"].is_null());
        assert_eq!(by_path("internal")["suppressions"][0]["kind"], "inSource");
    }

    #[test]
    fn unlocated_findings_fall_back_to_a_logical_location() {
        let mut report = fixture::report();
        for f in &mut report.findings {
            f.file = None;
        }
        let mut input = fixture::input(&report);
        let nowhere = |_: &Finding| None;
        input.locate = &nowhere;
        let v = parse(&input);
        let loc = &v["runs"][0]["results"][0]["locations"][0];
        assert!(loc.get("physicalLocation").is_none());
        assert_eq!(loc["logicalLocations"][0]["name"], "analytics.prod.orders");
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("models/my orders#1.yml"), "models/my%20orders%231.yml");
        assert_eq!(uri("a\\b.yml"), "a/b.yml");
    }

    #[test]
    fn empty_report() {
        let report = fixture::empty();
        let v = parse(&fixture::input(&report));
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"][0]["results"], json!([]));
        assert_eq!(v["runs"][0]["tool"]["driver"]["rules"], json!([]));
    }
}
