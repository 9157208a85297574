//! Report renderers: one [`Report`](crate::compat::Report) in every format a person or a CI system
//! reads. Pure functions from data to text; printing is the caller's job.

mod concise;
pub mod coordination;
pub mod escape;
mod github;
mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

use crate::compat::{Finding, Hint, Level, Mode, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Markdown,
    Github,
    Sarif,
    Junit,
    /// One line per finding: `file:line: SEVERITY rule node.path message`.
    Concise,
}

/// Everything a renderer needs besides the report itself.
pub struct RenderInput<'a> {
    pub report: &'a Report,
    /// `check` or `impact`.
    pub command: &'a str,
    /// The two sides compared, as shown to people: `HEAD (abc1234)`, `working tree`.
    pub base: Option<&'a str>,
    pub head: Option<&'a str>,
    /// The lowest level that fails the run.
    pub fail_on: Level,
    /// False when no store was available, so `impacted` is unknown rather than empty.
    pub consumers_known: bool,
    /// The mode of each asset that has findings; empty means "take it from the findings".
    pub modes: Vec<(String, Mode)>,
    pub color: bool,
    /// File path and 1-based line of a finding, when known.
    pub locate: &'a dyn Fn(&Finding) -> Option<(String, usize)>,
    /// The day `TESSERA_TODAY` fixed "today" to, when it did.
    pub today_pinned: Option<&'a str>,
    /// What placed the finding's relation in the warehouse (`manifest`, `profile`, `config`,
    /// `store`, `unknown`), when known.
    pub placed_by: &'a dyn Fn(&Finding) -> Option<&'static str>,
}

/// The report in `format`, for stdout.
pub fn render(format: Format, input: &RenderInput) -> String {
    match format {
        Format::Human => human::render(input),
        Format::Json => json::render(input),
        Format::Markdown => markdown::render(input),
        Format::Github => github::render(input),
        Format::Sarif => sarif::render(input),
        Format::Junit => junit::render(input),
        Format::Concise => concise::render(input),
    }
}

/// Markdown for `$GITHUB_STEP_SUMMARY`: the same text as the PR comment.
pub fn step_summary(input: &RenderInput) -> String {
    markdown::render(input)
}

/// A finding blocks the run when it counts (not waived, not ignored) and reaches `fail_on`.
pub(crate) fn blocks(f: &Finding, fail_on: Level) -> bool {
    f.counts() && f.severity >= fail_on
}

/// Why a finding does not count, if it does not. An inline ignore wins over a waiver because
/// the waiver then never had anything to waive.
pub(crate) enum Status<'a> {
    Counts,
    Waived(&'a str),
    Ignored,
}

pub(crate) fn status(f: &Finding) -> Status<'_> {
    match (&f.waived_by, f.ignored) {
        (_, true) => Status::Ignored,
        (Some(w), false) => Status::Waived(w),
        (None, false) => Status::Counts,
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Findings that count, by severity.
    pub err: usize,
    pub warn: usize,
    pub info: usize,
    pub waived: usize,
    pub ignored: usize,
    pub blocking: usize,
}

impl Counts {
    pub fn of(input: &RenderInput) -> Counts {
        let mut c = Counts::default();
        for f in &input.report.findings {
            match status(f) {
                Status::Ignored => c.ignored += 1,
                Status::Waived(_) => c.waived += 1,
                Status::Counts => match f.severity {
                    Level::Err => c.err += 1,
                    Level::Warn => c.warn += 1,
                    Level::Info => c.info += 1,
                },
            }
            if blocks(f, input.fail_on) {
                c.blocking += 1;
            }
        }
        c
    }

    fn at(&self, level: Level) -> usize {
        match level {
            Level::Err => self.err,
            Level::Warn => self.warn,
            Level::Info => self.info,
        }
    }
}

/// The verdict word and the one-line detail after it:
/// `breaking` + `2 findings block (ERR), 1 warning, 3 info · suggested version bump: major`.
pub(crate) fn summary(input: &RenderInput) -> (&'static str, String) {
    let report = input.report;
    if report.findings.is_empty() {
        return ("compatible", "no changes".to_string());
    }
    let c = Counts::of(input);
    let mut parts = Vec::new();
    if c.blocking > 0 {
        let levels: Vec<(Level, usize)> = [Level::Err, Level::Warn, Level::Info]
            .into_iter()
            .filter(|l| *l >= input.fail_on)
            .map(|l| (l, c.at(l)))
            .filter(|(_, n)| *n > 0)
            .collect();
        let detail = match levels[..] {
            [(l, _)] => l.name().to_string(),
            _ => levels
                .iter()
                .map(|(l, n)| format!("{n} {l}"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        // Under `impact` acknowledgments decide what blocks, not severities.
        parts.push(match (input.command, c.blocking) {
            ("impact", n) => format!("{} ({detail})", plural(n, "breaking finding")),
            (_, 1) => format!("1 finding blocks ({detail})"),
            (_, n) => format!("{n} findings block ({detail})"),
        });
    }
    if input.fail_on > Level::Warn && c.warn > 0 {
        parts.push(plural(c.warn, "warning"));
    }
    if input.fail_on > Level::Info && c.info > 0 {
        parts.push(format!("{} info", c.info));
    }
    if c.waived > 0 {
        parts.push(format!("{} waived", c.waived));
    }
    if c.ignored > 0 {
        parts.push(format!("{} ignored", c.ignored));
    }
    (
        report.verdict.name(),
        format!(
            "{} · suggested version bump: {}",
            parts.join(", "),
            report.semver.name()
        ),
    )
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `orders`, `orders.v2`: the relation part of a finding's name.
pub(crate) fn relation_label(f: &Finding) -> String {
    match &f.version {
        Some(v) => format!("{}.v{v}", f.node),
        None => f.node.clone(),
    }
}

/// `BIGINT → VARCHAR`, `amount BIGINT → —`; empty when the finding has neither side.
pub(crate) fn change(f: &Finding) -> String {
    match (&f.before, &f.after) {
        (None, None) => String::new(),
        (b, a) => format!(
            "{} → {}",
            b.as_deref().unwrap_or("—"),
            a.as_deref().unwrap_or("—")
        ),
    }
}

/// Where a finding points: the caller's locator, else the declaring file without a line.
pub(crate) fn location(input: &RenderInput, f: &Finding) -> (Option<String>, Option<usize>) {
    match (input.locate)(f) {
        Some((file, line)) => (Some(file), Some(line)),
        None => (f.file.clone(), None),
    }
}

/// Each distinct mode once, with the assets it applies to, in first-seen order.
pub(crate) fn modes(input: &RenderInput) -> Vec<(Mode, Vec<String>)> {
    let from_findings: Vec<(String, Mode)>;
    let pairs = if input.modes.is_empty() {
        from_findings = input
            .report
            .findings
            .iter()
            .map(|f| (relation_label(f), f.mode))
            .collect();
        &from_findings
    } else {
        &input.modes
    };
    let mut out: Vec<(Mode, Vec<String>)> = Vec::new();
    for (asset, mode) in pairs {
        let idx = match out.iter().position(|(m, _)| m == mode) {
            Some(i) => i,
            None => {
                out.push((*mode, Vec::new()));
                out.len() - 1
            }
        };
        if !out[idx].1.contains(asset) {
            out[idx].1.push(asset.clone());
        }
    }
    out
}

/// Advice lines shared by the human and markdown formats. `code` quotes an identifier and `text`
/// escapes prose, so each format keeps its own quoting rules.
pub(crate) fn hints(
    input: &RenderInput,
    code: &dyn Fn(&str) -> String,
    text: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    for f in &input.report.findings {
        for h in &f.hints {
            let Hint::PossibleRename {
                from,
                to,
                confidence,
            } = h;
            let rel = relation_label(f);
            out.push(format!(
                "{} may have been renamed to {} (confidence {}); if so, declare {} on {}",
                code(&format!("{rel}.{from}")),
                code(to),
                text(confidence),
                code(&format!("meta: {{tessera: {{renamed_from: {from}}}}}")),
                code(to),
            ));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for f in &input.report.findings {
        if f.is_breaking() && !f.hint.is_empty() && !seen.contains(&f.rule) {
            seen.push(f.rule);
            out.push(format!("{}: {}", code(f.rule), text(&f.hint)));
        }
    }
    out
}

/// Impacted teams per blocking finding, or `None` when the consumer list is unknown.
pub(crate) fn impacted<'a>(input: &RenderInput<'a>) -> Option<Vec<(&'a Finding, String)>> {
    if !input.consumers_known {
        return None;
    }
    Some(
        input
            .report
            .findings
            .iter()
            .filter(|f| blocks(f, input.fail_on))
            .map(|f| (f, teams(f)))
            .collect(),
    )
}

pub(crate) fn teams(f: &Finding) -> String {
    if f.impacted.is_empty() {
        "no known consumers".to_string()
    } else {
        f.impacted.join(", ")
    }
}

pub(crate) const UNKNOWN_CONSUMERS: &str = "consumer list unknown (no store)";

/// Serialises a document that cannot fail to serialise (string keys only); should it ever,
/// the output still says what went wrong instead of being empty.
pub(crate) fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_splits_blocking_levels_by_fail_on() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        input.fail_on = Level::Warn;
        assert_eq!(
            summary(&input),
            (
                "breaking",
                "3 findings block (2 ERR, 1 WARN), 1 info, 1 waived, 1 ignored · suggested version bump: major".to_string()
            )
        );
    }

    #[test]
    fn modes_are_explained_once_each() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        assert_eq!(
            modes(&input),
            vec![(Mode::Forward, vec!["orders".to_string()])]
        );
        input.modes = vec![
            ("orders".into(), Mode::Forward),
            ("customers".into(), Mode::Full),
            ("payments".into(), Mode::Forward),
        ];
        assert_eq!(
            modes(&input),
            vec![
                (
                    Mode::Forward,
                    vec!["orders".to_string(), "payments".to_string()]
                ),
                (Mode::Full, vec!["customers".to_string()]),
            ]
        );
    }
}
