//! Findings and the report of one comparison.

use serde::Serialize;

use super::level::{Level, Mode, Strength, Verdict};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Low,
}

/// Advice attached to a finding that does not change its severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hint {
    PossibleRename {
        from: String,
        to: String,
        confidence: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Level,
    pub fwd: Level,
    pub bwd: Level,
    pub mode: Mode,
    /// The asset key: `database.schema.identifier` when known, else the node key.
    pub asset: String,
    /// The dbt name (`orders`, `raw.orders`).
    pub node: String,
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_id: Option<String>,
    /// Column path inside the relation (`amount`, `payload.b`, `tags[]`); empty for the relation.
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub message: String,
    pub hint: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<Hint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guarantee_strength: Option<Strength>,
    pub confidence: Confidence,
    pub waived_by: Option<String>,
    pub ignored: bool,
    /// A producer's waiver or ignore that the impact step set aside because a registered
    /// consumer reads what changed: only the consumer can accept its own break.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overruled_waiver: Option<String>,
    /// In transitive modes: the history version this finding was compared against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<String>,
    /// Consumer teams this finding hurts (filled by the impact step).
    pub impacted: Vec<String>,
    /// Where the relation is declared, for annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Finding {
    /// `orders.amount`, `orders.v2`, `raw.orders`: how the finding is named in one line.
    pub fn display_path(&self) -> String {
        let mut s = self.node.clone();
        if let Some(v) = &self.version {
            s.push_str(".v");
            s.push_str(v);
        }
        if !self.path.is_empty() {
            s.push('.');
            s.push_str(&self.path);
        }
        s
    }

    /// Whether the finding counts toward the verdict.
    pub fn counts(&self) -> bool {
        self.waived_by.is_none() && !self.ignored
    }

    pub fn is_breaking(&self) -> bool {
        self.counts() && self.severity == Level::Err
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Semver {
    None,
    Patch,
    Minor,
    Major,
}

impl Semver {
    pub fn name(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }

    /// Applies the bump to `major.minor.patch`; anything unparsable starts again at 1.0.0.
    pub fn bump(self, version: &str) -> String {
        let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
        let (Some(Some(ma)), Some(Some(mi)), Some(Some(pa))) =
            (parts.next(), parts.next(), parts.next())
        else {
            return "1.0.0".to_string();
        };
        match self {
            Semver::Major => format!("{}.0.0", ma + 1),
            Semver::Minor => format!("{ma}.{}.0", mi + 1),
            Semver::Patch => format!("{ma}.{mi}.{}", pa + 1),
            Semver::None => format!("{ma}.{mi}.{pa}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub semver: Semver,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(mut findings: Vec<Finding>) -> Report {
        findings.sort_by(|a, b| {
            (
                a.node.as_str(),
                &a.version,
                a.path.as_str(),
                a.rule,
                &a.against,
            )
                .cmp(&(
                    b.node.as_str(),
                    &b.version,
                    b.path.as_str(),
                    b.rule,
                    &b.against,
                ))
        });
        let verdict = Verdict::from_level(
            findings
                .iter()
                .filter(|f| f.counts())
                .map(|f| f.severity)
                .max(),
        );
        let semver = suggest_semver(&findings);
        Report {
            verdict,
            semver,
            findings,
        }
    }

    /// The worst level among findings that count (not waived, not ignored).
    pub fn max_level(&self) -> Option<Level> {
        self.findings
            .iter()
            .filter(|f| f.counts())
            .map(|f| f.severity)
            .max()
    }
}

/// major: a reader of the old contract may break (ERR under FORWARD, whatever the mode or waivers);
/// minor: anything else the contract promises changed; patch: documentation only.
fn suggest_semver(findings: &[Finding]) -> Semver {
    findings
        .iter()
        .map(|f| {
            if f.fwd == Level::Err {
                Semver::Major
            } else if matches!(
                f.rule,
                "relation_metadata_changed"
                    | "column_metadata_changed"
                    | "column_type_alias_changed"
            ) {
                Semver::Patch
            } else {
                Semver::Minor
            }
        })
        .max()
        .unwrap_or(Semver::None)
}
