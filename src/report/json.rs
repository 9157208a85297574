//! Machine-readable output. Key names and order are public interface: add keys, never rename
//! them, and bump `schema_version` when a meaning changes.

use serde::Serialize;

use super::{Counts, RenderInput, blocks, location, pretty};
use crate::compat::{Confidence, Finding, Hint, Level, Mode, Semver, Strength, Verdict};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    command: &'a str,
    verdict: Verdict,
    semver: Semver,
    fail_on: Level,
    base: Option<&'a str>,
    head: Option<&'a str>,
    counts: JsonCounts,
    consumers_known: bool,
    /// Present when `TESSERA_TODAY` fixed the date the run judged by.
    #[serde(skip_serializing_if = "Option::is_none")]
    today_pinned: Option<&'a str>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonCounts {
    err: usize,
    warn: usize,
    info: usize,
    waived: usize,
    ignored: usize,
    blocking: usize,
}

/// Every key is always present (`null` when absent) so consumers never probe for keys.
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Level,
    fwd: Level,
    bwd: Level,
    mode: Mode,
    asset: &'a str,
    node: &'a str,
    version: Option<&'a str>,
    unique_id: Option<&'a str>,
    path: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    message: &'a str,
    hint: &'a str,
    hints: &'a [Hint],
    /// `null` when the consumer list is unknown, which is not the same as nobody.
    impacted: Option<&'a [String]>,
    blocking: bool,
    waived_by: Option<&'a str>,
    /// The producer's waiver or ignore set aside because a registered consumer reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    overruled_waiver: Option<&'a str>,
    ignored: bool,
    confidence: &'a Confidence,
    against: Option<&'a str>,
    guarantee_strength: Option<Strength>,
    file: Option<String>,
    line: Option<usize>,
    /// What placed the relation in the warehouse: manifest, profile, config, store, unknown.
    placed_by: Option<&'static str>,
}

pub(super) fn render(input: &RenderInput) -> String {
    let c = Counts::of(input);
    let doc = Doc {
        schema_version: SCHEMA_VERSION,
        command: input.command,
        verdict: input.report.verdict,
        semver: input.report.semver,
        fail_on: input.fail_on,
        base: input.base,
        head: input.head,
        counts: JsonCounts {
            err: c.err,
            warn: c.warn,
            info: c.info,
            waived: c.waived,
            ignored: c.ignored,
            blocking: c.blocking,
        },
        consumers_known: input.consumers_known,
        today_pinned: input.today_pinned,
        findings: input
            .report
            .findings
            .iter()
            .map(|f| finding(input, f))
            .collect(),
    };
    pretty(&doc)
}

fn finding<'a>(input: &RenderInput, f: &'a Finding) -> JsonFinding<'a> {
    let (file, line) = location(input, f);
    JsonFinding {
        placed_by: (input.placed_by)(f),
        rule: f.rule,
        severity: f.severity,
        fwd: f.fwd,
        bwd: f.bwd,
        mode: f.mode,
        asset: &f.asset,
        node: &f.node,
        version: f.version.as_deref(),
        unique_id: f.unique_id.as_deref(),
        path: &f.path,
        before: f.before.as_deref(),
        after: f.after.as_deref(),
        message: &f.message,
        hint: &f.hint,
        hints: &f.hints,
        impacted: input.consumers_known.then_some(f.impacted.as_slice()),
        blocking: blocks(f, input.fail_on),
        waived_by: f.waived_by.as_deref(),
        overruled_waiver: f.overruled_waiver.as_deref(),
        ignored: f.ignored,
        confidence: &f.confidence,
        against: f.against.as_deref(),
        guarantee_strength: f.guarantee_strength,
        file,
        line,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::fixture;
    use super::*;

    const KEYS: &[&str] = &[
        "rule",
        "severity",
        "fwd",
        "bwd",
        "mode",
        "asset",
        "node",
        "version",
        "path",
        "before",
        "after",
        "message",
        "hint",
        "hints",
        "impacted",
        "waived_by",
        "ignored",
        "confidence",
        "against",
        "guarantee_strength",
        "file",
        "line",
    ];

    fn parse(input: &RenderInput) -> Value {
        serde_json::from_str(&render(input)).unwrap_or(Value::Null)
    }

    #[test]
    fn parses_back_with_stable_keys_and_counts() {
        let report = fixture::report();
        let v = parse(&fixture::input(&report));
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["command"], "check");
        assert_eq!(v["verdict"], "breaking");
        assert_eq!(v["semver"], "major");
        assert_eq!(v["fail_on"], "ERR");
        assert_eq!(v["base"], "HEAD (abc1234)");
        assert_eq!(v["consumers_known"], true);
        let counts = &v["counts"];
        assert_eq!(
            (counts["err"].as_u64(), counts["waived"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(counts["ignored"], 1);
        assert_eq!(counts["blocking"], 2);
        let findings = v["findings"].as_array().cloned().unwrap_or_default();
        assert_eq!(findings.len(), report.findings.len());
        for f in &findings {
            for k in KEYS {
                assert!(f.get(*k).is_some(), "missing {k} in {f}");
            }
        }
        let amount = findings.iter().find(|f| f["path"] == "amount");
        let amount = amount.cloned().unwrap_or_default();
        assert_eq!(amount["line"], 12);
        assert_eq!(amount["file"], "models/orders.yml");
        assert_eq!(amount["impacted"], serde_json::json!(["finance", "growth"]));
        assert_eq!(amount["hints"][0]["kind"], "possible_rename");
        let waived = findings.iter().find(|f| f["path"] == "legacy_flag");
        let waived = waived.cloned().unwrap_or_default();
        assert_eq!(waived["waived_by"], "nobody reads it");
        assert_eq!(waived["blocking"], false);
    }

    #[test]
    fn unknown_consumers_are_null_not_empty() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        input.consumers_known = false;
        let v = parse(&input);
        assert!(v["findings"][0]["impacted"].is_null());
    }

    #[test]
    fn empty_report() {
        let report = fixture::empty();
        let v = parse(&fixture::input(&report));
        assert_eq!(v["verdict"], "compatible");
        assert_eq!(v["semver"], "none");
        assert_eq!(v["findings"], serde_json::json!([]));
        assert_eq!(v["counts"]["err"], 0);
    }
}
