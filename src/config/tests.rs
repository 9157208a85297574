//! Parsing tests: typed values of a full file, defaults, and one test per error kind asserting
//! the code, the place and the help.

use std::path::PathBuf;

use miette::Diagnostic;
use proptest::prelude::*;

use super::*;
use crate::contract::{ConstraintKind, Date, Dialect, Materialization, TestKind, TimestampMapping};

const FULL: &str = r##"
project: shop
owner: team-shop
store: sqlite:.tessera/tessera.db
warehouse: snowflake
dbt:
  project_dir: .
  manifest: target/manifest.json
  contracts: public
compatibility:
  default_mode: forward
  transitive_window: 5
  fail_on: ERR
  overrides:
    - {select: "resource_type:snapshot", mode: FULL_TRANSITIVE}
  rules:
    column_type_widened: info
    accepted_values_extended: {fwd: err}
  policy:
    type_widening: warn
    enum_extension: strict
    positional_consumers: true
    min_deprecation_days: 14
    unversioned_breaking: warn
    unenforced_constraints: none
  consumer_registry: {authoritative: true}
  waivers:
    - {rule: column_removed, target: orders.legacy_flag, reason: "JIRA-42", owner: team-shop, expires: 2026-07-01}
waivers:
  - {rule: column_renamed, target: orders.id, reason: r, expires: "2026-08-01"}
teams:
  - {name: team-shop, slack_channel: "#shop-data", email: shop-data@example.com}
users:
  - {email: ana@example.com, name: Ana Lima, teams: [team-shop], github: ana-l, gitlab: alima, slack_member_id: U012AB3CD, ssh_keys: ["ssh-ed25519 AAAA ana@laptop"]}
assets:
  - name: analytics.raw.events
    owner: team-shop
    description: raw events
    mode: BACKWARD
    materialized: incremental
    deprecation_date: 2027-01-01
    freshness: {warn_after: {count: 12, period: hour}, error_after: {count: 1, period: day}}
    columns:
      - {name: id, data_type: bigint, description: pk, constraints: [{type: not_null}], tests: [unique], meta: {}}
      - name: kind
        data_tests: [{accepted_values: {values: [a, b]}}]
consumes:
  - {asset: analytics.core.orders, team: team-bi, columns: [id, status], purpose: revenue dashboard, contact: bi@example.com}
notify:
  webhooks: [{url: "https://hooks.example.com/t", events: [proposal.created], format: json, secret_env: TESSERA_WEBHOOK_SECRET}]
  slack: {webhook_env: TESSERA_SLACK_WEBHOOK, channel: "#data-contracts"}
  email: {smtp_env: TESSERA_SMTP_URL, from: tessera@example.com}
proposals: {expire_after_days: 45}
"##;

fn parse_ok(src: &str) -> Config {
    match parse(src, "tessera.yaml") {
        Ok(c) => c,
        Err(e) => panic!("{:?}", miette::Report::new(e)),
    }
}

fn parse_err(src: &str) -> ConfigError {
    match parse(src, "tessera.yaml") {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e,
    }
}

/// The text a diagnostic's label underlines.
fn labelled<'a>(err: &ConfigError, src: &'a str) -> &'a str {
    let label = err.labels().and_then(|mut l| l.next()).expect("a label");
    &src[label.offset()..label.offset() + label.len()]
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

#[test]
fn full_config_has_typed_values() {
    let c = parse_ok(FULL);
    assert_eq!(c.project(), Some("shop"));
    assert_eq!(c.owner(), Some("team-shop"));
    assert_eq!(
        c.store.value,
        Store::Sqlite(PathBuf::from(".tessera/tessera.db"))
    );
    let wh = c.warehouse.as_ref().unwrap();
    assert_eq!(wh.value.dialect, Dialect::Snowflake);
    assert_eq!(
        c.dbt.manifest.as_ref().unwrap().value,
        PathBuf::from("target/manifest.json")
    );
    assert_eq!(c.dbt.contracts.value, Contracts::Public);
    let compat = &c.compatibility;
    assert_eq!(compat.default_mode.value, Mode::Forward);
    assert_eq!(compat.default_mode.value.to_string(), "FORWARD");
    assert_eq!(compat.transitive_window.value, 5);
    assert_eq!(compat.fail_on.value, FailOn::Err);
    assert_eq!(compat.overrides[0].select.value, "resource_type:snapshot");
    assert_eq!(compat.overrides[0].mode.value, Mode::FullTransitive);
    let widened = compat.rule("column_type_widened").unwrap();
    assert_eq!(
        widened.setting.value,
        RuleSetting {
            fwd: Some(Level::Info),
            bwd: Some(Level::Info)
        }
    );
    let extended = compat.rule("accepted_values_extended").unwrap();
    assert_eq!(
        extended.setting.value,
        RuleSetting {
            fwd: Some(Level::Err),
            bwd: None
        }
    );
    assert_eq!(extended.rule.referenced.line(), 18);
    let p = &compat.policy;
    assert_eq!(p.type_widening.value, TypeWidening::Warn);
    assert_eq!(p.enum_extension.value, EnumExtension::Strict);
    assert!(p.positional_consumers.value);
    assert_eq!(p.min_deprecation_days.value, 14);
    assert_eq!(p.unversioned_breaking.value, UnversionedBreaking::Warn);
    assert_eq!(p.unenforced_constraints.value, UnenforcedConstraints::None);
    assert!(compat.consumer_registry.authoritative);
    // Both waiver lists end up in one, `compatibility.waivers` first.
    assert!(compat.waivers.is_empty());
    assert_eq!(c.waivers.len(), 2);
    assert_eq!(c.waivers[0].rule.value.as_str(), "column_removed");
    assert_eq!(c.waivers[0].expires.value, date("2026-07-01"));
    assert_eq!(c.waivers[1].expires.value, date("2026-08-01"));
    assert!(c.waivers[1].owner.is_none());
    assert_eq!(c.teams[0].slack_channel.as_deref(), Some("#shop-data"));
    let ana = c.user("ANA@example.com").unwrap();
    assert_eq!(ana.teams[0].value, "team-shop");
    assert_eq!(ana.slack_member_id.as_deref(), Some("U012AB3CD"));
    let asset = &c.assets[0];
    assert_eq!(asset.mode.as_ref().unwrap().value, Mode::Backward);
    assert_eq!(
        asset.deprecation_date.as_ref().unwrap().value,
        date("2027-01-01")
    );
    assert_eq!(asset.columns[1].tests[0].value.name, "accepted_values");
    assert_eq!(c.consumes[0].columns.len(), 2);
    assert_eq!(
        c.notify.webhooks[0].url.value,
        "https://hooks.example.com/t"
    );
    assert_eq!(
        c.notify.slack.as_ref().unwrap().channel.as_deref(),
        Some("#data-contracts")
    );
    assert_eq!(
        c.notify.email.as_ref().unwrap().from.as_deref(),
        Some("tessera@example.com")
    );
    assert_eq!(c.proposals.expire_after_days.value, 45);
}

#[test]
fn spans_point_at_values() {
    let c = parse_ok(FULL);
    let span = span_of(&c.compatibility.default_mode);
    assert_eq!(&FULL[span.offset()..span.offset() + span.len()], "forward");
    let span = span_of(&c.waivers[0].expires);
    assert_eq!(
        &FULL[span.offset()..span.offset() + span.len()],
        "2026-07-01"
    );
    assert!(is_explicit(&c.compatibility.default_mode));
    assert!(!is_explicit(&Config::default().compatibility.default_mode));
    assert_eq!(span_of(&Config::default().store).len(), 0);
}

#[test]
fn assets_become_relations() {
    let c = parse_ok(FULL);
    let rel = c.assets[0].to_relation(c.owner());
    assert_eq!(rel.relation_name().as_deref(), Some("analytics.raw.events"));
    assert_eq!(rel.schema.as_deref(), Some("raw"));
    assert_eq!(rel.materialized, Materialization::Incremental);
    let fresh = rel.freshness.unwrap();
    assert_eq!(
        (fresh.warn_after_secs, fresh.error_after_secs),
        (Some(43_200), Some(86_400))
    );
    assert_eq!(rel.columns[0].data_type.as_deref(), Some("bigint"));
    assert_eq!(rel.columns[0].constraints[0].kind, ConstraintKind::NotNull);
    assert_eq!(rel.columns[0].tests[0].kind, TestKind::Unique);
    let values = TestKind::AcceptedValues {
        values: vec!["a".into(), "b".into()],
    };
    assert_eq!(rel.columns[1].tests[0].kind, values);
    assert_eq!(rel.owner.as_deref(), Some("team-shop"));
}

#[test]
fn empty_files_take_every_default() {
    for src in ["", "\n", "# nothing yet\n", "~\n", "---\n"] {
        let c = parse_ok(src);
        assert_eq!(c.compatibility.default_mode.value, Mode::Forward);
        assert_eq!(c.compatibility.transitive_window.value, 5);
        assert_eq!(c.compatibility.fail_on.value, FailOn::Err);
        assert_eq!(
            c.compatibility.policy.type_widening.value,
            TypeWidening::Warn
        );
        assert_eq!(c.store.value, Store::default());
        assert_eq!(c.dbt.project_dir.value, PathBuf::from("."));
        assert_eq!(c.dbt.contracts.value, Contracts::All);
        assert_eq!(c.proposals.expire_after_days.value, 30);
        assert!(c.warehouse.is_none() && c.project.is_none() && c.waivers.is_empty());
    }
    // Keys present but empty are empty too.
    let c = parse_ok("teams:\nwaivers:\ncompatibility:\n  rules:\n");
    assert!(c.teams.is_empty() && c.compatibility.rules.is_empty());
}

#[test]
fn warehouse_as_name_or_mapping() {
    let c = parse_ok("warehouse: BigQuery\n");
    let wh = c.warehouse.unwrap().value;
    assert_eq!(wh.dialect, Dialect::Bigquery);
    assert_eq!(wh.timestamp_type_mapping, TimestampMapping::Ntz);
    let c = parse_ok("warehouse: {type: snowflake, timestamp_type_mapping: TIMESTAMP_LTZ}\n");
    let wh = c.warehouse.unwrap().value;
    assert_eq!(wh.dialect, Dialect::Snowflake);
    assert_eq!(wh.timestamp_type_mapping, TimestampMapping::Ltz);
    let c = parse_ok("warehouse:\n  type: duckdb\n");
    assert_eq!(c.warehouse.unwrap().value.dialect, Dialect::Duckdb);
}

#[test]
fn stores_and_contracts() {
    let c = parse_ok("store: https://tessera.example.com/\n");
    assert_eq!(
        c.store.value,
        Store::Remote("https://tessera.example.com".into())
    );
    let c = parse_ok("dbt: {contracts: [tag:contract, 'path:models/marts']}\n");
    let sel = Contracts::Selectors(vec!["tag:contract".into(), "path:models/marts".into()]);
    assert_eq!(c.dbt.contracts.value, sel);
    assert_eq!(
        parse_ok("dbt: {contracts: ALL}\n").dbt.contracts.value,
        Contracts::All
    );
    let c = parse_ok("dbt: {contracts: enforced}\n");
    assert_eq!(c.dbt.contracts.value, Contracts::Enforced);
}

#[test]
fn the_example_file_parses() {
    let src = include_str!("../../tessera.yaml.example");
    let c = match parse(src, "tessera.yaml.example") {
        Ok(c) => c,
        Err(e) => panic!("{:?}", miette::Report::new(e)),
    };
    assert_eq!(c.project(), Some("shop"));
    let wh = c.warehouse.as_ref().unwrap().value;
    assert_eq!(wh.timestamp_type_mapping, TimestampMapping::Ltz);
    assert_eq!(c.compatibility.overrides.len(), 3);
    let off = c.compatibility.rule("relation_metadata_changed").unwrap();
    assert_eq!(off.setting.value.fwd, Some(Level::Off));
    assert_eq!(c.compatibility.policy.min_deprecation_days.value, 30);
    assert_eq!(c.waivers.len(), 2);
    assert_eq!(c.assets[0].columns.len(), 3);
    assert_eq!(c.users[0].ssh_keys.len(), 1);
    assert_eq!(c.notify.webhooks[0].events.len(), 2);
}

#[test]
fn syntax_error() {
    let src = "project: shop\n  owner: team\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::syntax");
    assert_eq!(err.line_col(), Some((2, 8)));
    assert!(err.to_string().starts_with("invalid YAML"), "{err}");
    assert!(err.help_text().unwrap().contains("brackets"));
    let err = parse_err("project: a\n---\nproject: b\n");
    assert_eq!(err.code_str(), "tessera::config::syntax");
    assert!(err.help_text().unwrap().contains("single YAML document"));
    let err = parse_err("project: a\n\towner: b\n");
    assert_eq!(err.code_str(), "tessera::config::syntax");
}

#[test]
fn unknown_key_suggests_the_nearest() {
    let src = "project: shop\ncompatability:\n  default_mode: FORWARD\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::unknown_key");
    assert_eq!(err.line_col(), Some((2, 1)));
    assert_eq!(labelled(&err, src), "compatability");
    assert!(
        err.help_text()
            .unwrap()
            .starts_with("did you mean `compatibility`?")
    );
    let src = "teams:\n  - name: a\n    emial: a@example.com\n";
    let err = parse_err(src);
    assert_eq!(err.line_col(), Some((3, 5)));
    assert!(err.help_text().unwrap().contains("did you mean `email`?"));
    let src = "compatibility:\n  rules:\n    column_added: {fdw: err}\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::unknown_key");
    assert_eq!(labelled(&err, src), "fdw");
    assert!(err.help_text().unwrap().contains("did you mean `fwd`?"));
}

#[test]
fn unknown_mode_lists_the_modes() {
    let src = "compatibility:\n  default_mode: FORWARDS\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::invalid_value");
    assert_eq!(err.line_col(), Some((2, 17)));
    assert_eq!(labelled(&err, src), "FORWARDS");
    assert_eq!(err.to_string(), "unknown compatibility mode `FORWARDS`");
    let help = err.help_text().unwrap();
    assert!(help.starts_with("did you mean `FORWARD`?"), "{help}");
    assert!(
        help.contains("NONE, BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE"),
        "{help}"
    );
    let src = "compatibility:\n  overrides:\n    - {select: x, mode: ful}\n";
    let err = parse_err(src);
    assert_eq!(labelled(&err, src), "ful");
    assert!(err.help_text().unwrap().starts_with("did you mean `FULL`?"));
}

#[test]
fn other_bad_values() {
    let src = "warehouse: snowflak\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::invalid_value");
    assert_eq!(labelled(&err, src), "snowflak");
    let help = err.help_text().unwrap();
    assert!(
        help.contains("did you mean `snowflake`?") && help.contains("duckdb"),
        "{help}"
    );
    let src = "warehouse: {type: oracle}\n";
    assert_eq!(labelled(&parse_err(src), src), "oracle");
    let src = "store: postgres://db/tessera\n";
    let err = parse_err(src);
    assert_eq!(labelled(&err, src), "postgres://db/tessera");
    assert!(err.help_text().unwrap().contains("sqlite:PATH"));
    let src = "compatibility:\n  fail_on: INFO\n";
    let err = parse_err(src);
    assert!(err.help_text().unwrap().contains("ERR, WARN"));
    let src = "compatibility:\n  rules:\n    column_added: loud\n";
    let err = parse_err(src);
    assert_eq!(labelled(&err, src), "loud");
    assert!(err.help_text().unwrap().contains("err, warn, info, off"));
    let src = "compatibility:\n  transitive_window: 0\n";
    assert_eq!(parse_err(src).code_str(), "tessera::config::invalid_value");
    let src = "dbt: {contracts: publik}\n";
    let err = parse_err(src);
    assert!(
        err.help_text()
            .unwrap()
            .starts_with("did you mean `public`?")
    );
    let src = "assets:\n  - name: a..b\n";
    assert_eq!(labelled(&parse_err(src), src), "a..b");
    let src = "notify: {webhooks: [{url: hooks.example.com}]}\n";
    assert_eq!(labelled(&parse_err(src), src), "hooks.example.com");
}

#[test]
fn unknown_rule_id_suggests_the_nearest() {
    let src = "compatibility:\n  rules:\n    colum_removed: err\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::unknown_rule");
    assert_eq!(err.line_col(), Some((3, 5)));
    assert_eq!(labelled(&err, src), "colum_removed");
    assert!(
        err.help_text()
            .unwrap()
            .starts_with("did you mean `column_removed`?")
    );
    let src = "waivers:\n  - {rule: nope, target: t, reason: r, expires: 2026-01-01}\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::unknown_rule");
    assert_eq!(labelled(&err, src), "nope");
    assert!(err.help_text().unwrap().contains("`tessera rules`"));
}

#[test]
fn bad_dates() {
    let src = "waivers:\n  - {rule: column_removed, target: t, reason: r, expires: 2026-02-30}\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::invalid_date");
    assert_eq!(labelled(&err, src), "2026-02-30");
    assert_eq!(err.line_col(), Some((2, 59)));
    assert!(err.help_text().unwrap().contains("YYYY-MM-DD"));
    let src = "assets:\n  - name: a.b.c\n    deprecation_date: next year\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::invalid_date");
    assert_eq!(labelled(&err, src), "next year");
}

#[test]
fn wrong_types() {
    let src = "teams: team-shop\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::wrong_type");
    assert_eq!(err.line_col(), Some((1, 8)));
    assert_eq!(err.to_string(), "`teams` expects a list, found `team-shop`");
    assert!(err.help_text().unwrap().contains("`- item`"));
    let src = "compatibility:\n  transitive_window: five\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::wrong_type");
    assert_eq!(labelled(&err, src), "five");
    assert!(err.to_string().contains("whole number"));
    let src = "project: [a, b]\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::wrong_type");
    assert_eq!(err.to_string(), "`project` expects a single value");
    let err = parse_err("compatibility: strict\n");
    assert_eq!(
        err.to_string(),
        "`compatibility` expects a mapping, found `strict`"
    );
    let err = parse_err("- project: shop\n");
    assert_eq!(err.to_string(), "the file must be a mapping");
    let src = "compatibility: {policy: {positional_consumers: maybe}}\n";
    let err = parse_err(src);
    assert_eq!(
        err.to_string(),
        "`positional_consumers` expects `true` or `false`, found `maybe`"
    );
    let src = "assets: [{name: a, columns: [{name: id, tests: [{a: 1, b: 2}]}]}]\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::wrong_type");
    assert_eq!(labelled(&err, src), "{a: 1, b: 2}");
}

#[test]
fn missing_and_duplicate_keys() {
    let src = "teams:\n  - {email: a@example.com}\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::missing_key");
    assert!(err.to_string().contains("`name`"));
    assert!(err.help_text().unwrap().contains("add `name: …`"));
    let err = parse_err("warehouse: {timestamp_type_mapping: TZ}\n");
    assert_eq!(err.code_str(), "tessera::config::missing_key");
    let src = "project: a\nowner: b\nproject: c\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::duplicate");
    assert_eq!(err.line_col(), Some((3, 1)));
    let src = "assets: [{name: a, columns: [{name: id, tests: [unique], data_tests: [unique]}]}]\n";
    assert_eq!(parse_err(src).code_str(), "tessera::config::duplicate");
    let src = "teams:\n  - {name: bi}\n  - {name: shop}\n  - {name: bi}\n";
    let err = parse_err(src);
    assert_eq!(err.code_str(), "tessera::config::duplicate");
    assert_eq!(err.line_col(), Some((4, 12)));
    assert!(err.help_text().unwrap().contains("line 2"));
}

#[test]
fn errors_carry_the_file_name() {
    let err = parse(
        FULL.replace("FULL_TRANSITIVE", "SOMETIMES").as_str(),
        "repo/tessera.yaml",
    )
    .unwrap_err();
    let src = err.source_code().unwrap();
    let span = err.labels().unwrap().next().unwrap();
    let contents = src.read_span(span.inner(), 0, 0).unwrap();
    assert_eq!(contents.name(), Some("repo/tessera.yaml"));
    assert_eq!(contents.line(), 14);
}

#[test]
fn load_reads_files_and_reports_unreadable_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.yaml");
    std::fs::write(&path, "project: shop\nowner: [x]\n").unwrap();
    let err = load(&path).unwrap_err();
    let rendered = render(&err);
    assert!(
        rendered.contains(&format!("{}:2:8", path.display())),
        "{rendered}"
    );
    std::fs::write(&path, "project: shop\n").unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.config.project(), Some("shop"));
    let project = loaded.config.project.as_ref().unwrap();
    let err = loaded.error_at(
        ErrorKind::InvalidValue,
        project,
        "no such project",
        "here",
        None,
    );
    assert_eq!(labelled(&err, &loaded.source), "shop");
    assert_eq!(loaded.base_dir(), dir.path());
    let err = load(&dir.path().join("missing.yaml")).unwrap_err();
    assert_eq!(err.code_str(), "tessera::config::read");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(load(&path).unwrap_err().code_str(), "tessera::config::read");
}

fn render(err: &ConfigError) -> String {
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    handler.render_report(&mut out, err).unwrap();
    out
}

#[test]
fn rendered_diagnostic() {
    let src = "project: shop\ncompatibility:\n  default_mode: FORWARDS\n";
    let out = render(&parse_err(src));
    println!("{out}");
    assert!(out.contains("tessera::config::invalid_value"), "{out}");
    assert!(out.contains("[tessera.yaml:3:17]"), "{out}");
    assert!(out.contains("not a compatibility mode"), "{out}");
    assert!(out.contains("help: did you mean `FORWARD`?"), "{out}");
    let out = render(&parse_err("project: shop\ncompatability: {}\n"));
    println!("{out}");
    assert!(out.contains("[tessera.yaml:2:1]"), "{out}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        let _ = parse(&src, "tessera.yaml");
    }

    #[test]
    fn yaml_like_text_never_panics(
        lines in proptest::collection::vec(
            "( {0,4})(project|compatibility|default_mode|rules|waivers|warehouse|type|- |\\{|\\[)(: ?)([a-zA-Z0-9_.:\\-\\[\\]{},'\" ]{0,12})",
            0..12,
        )
    ) {
        let _ = parse(&lines.join("\n"), "tessera.yaml");
    }
}
