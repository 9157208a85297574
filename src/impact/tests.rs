use proptest::prelude::*;

use super::matching::top_column;
use super::*;
use crate::compat::{self, Confidence, Settings, Verdict, Waiver};
use crate::contract::{Column, Date, Dialect, Relation, ResourceType};

const HOUR: u64 = 3_600;

fn settings(mode: Mode, dialect: Dialect) -> Settings {
    let mut s = Settings::new(Date {
        year: 2026,
        month: 6,
        day: 1,
    });
    s.default_mode = mode;
    s.warehouse = Warehouse::new(dialect);
    s
}

fn rel(name: &str, cols: &[(&str, &str)]) -> Relation {
    let mut r = Relation::new(name);
    r.columns = cols.iter().map(|(n, t)| Column::new(*n, Some(t))).collect();
    r
}

fn project(rels: Vec<Relation>) -> Project {
    rels.into_iter().collect()
}

fn uses(team: &str, asset: &str, cols: Option<&[&str]>) -> ConsumerUse {
    ConsumerUse {
        team: team.into(),
        asset: asset.into(),
        columns: cols.map(|c| c.iter().map(|s| s.to_string()).collect()),
        ..ConsumerUse::default()
    }
}

fn expecting(mut c: ConsumerUse, col: &str, ty: &str) -> ConsumerUse {
    c.expects_types.insert(col.into(), ty.into());
    c
}

fn impact(authoritative: bool, dialect: Dialect) -> ImpactSettings {
    ImpactSettings {
        authoritative,
        warehouse: Warehouse::new(dialect),
        unplaced: BTreeSet::new(),
    }
}

/// Diffs two projects and runs the impact step, the way the CLI will.
fn run(
    before: &Project,
    after: &Project,
    s: &Settings,
    consumers: &[ConsumerUse],
    authoritative: bool,
) -> Report {
    let report = compat::diff(before, after, s);
    let imp = ImpactSettings {
        authoritative,
        warehouse: s.warehouse,
        unplaced: BTreeSet::new(),
    };
    apply(report, consumers, &imp, after)
}

/// `rule path SEVERITY impacted=[..]` for every finding.
fn lines(r: &Report) -> Vec<String> {
    let mut v: Vec<String> = r
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} impacted=[{}]",
                f.rule,
                f.display_path(),
                f.severity,
                f.impacted.join(",")
            )
        })
        .collect();
    v.sort();
    v
}

fn one(r: &Report) -> &Finding {
    assert_eq!(r.findings.len(), 1, "{:?}", lines(r));
    &r.findings[0]
}

fn removal() -> (Project, Project) {
    (
        project(vec![rel(
            "orders",
            &[("id", "int"), ("amount", "int"), ("status", "text")],
        )]),
        project(vec![rel("orders", &[("id", "int"), ("amount", "int")])]),
    )
}

#[test]
fn only_consumers_reading_the_column_are_impacted() {
    let (b, a) = removal();
    let s = settings(Mode::Forward, Dialect::Postgres);
    let consumers = [
        uses("A", "orders", Some(&["id", "amount"])),
        uses("B", "orders", Some(&["id", "status"])),
        uses("C", "orders", None),
        // Registered twice (two projects of one team): listed once.
        uses("B", "orders", Some(&["status"])),
        uses("D", "customers", None),
    ];
    let r = run(&b, &a, &s, &consumers, false);
    assert_eq!(
        lines(&r),
        ["column_removed orders.status ERR impacted=[B,C]"]
    );
    assert_eq!(r.verdict, Verdict::Breaking);
}

#[test]
fn unused_break_is_warn_unless_the_registry_is_authoritative() {
    let (b, a) = removal();
    let s = settings(Mode::Forward, Dialect::Postgres);
    let consumers = [uses("A", "orders", Some(&["id"]))];
    let r = run(&b, &a, &s, &consumers, false);
    assert_eq!(lines(&r), ["column_removed orders.status WARN impacted=[]"]);
    assert_eq!(r.verdict, Verdict::Warning);
    assert!(one(&r).message.contains("lowered from ERR to WARN"));

    let r = run(&b, &a, &s, &consumers, true);
    assert_eq!(lines(&r), ["column_removed orders.status INFO impacted=[]"]);
    assert_eq!(r.verdict, Verdict::Compatible);
}

#[test]
fn an_asset_without_registered_consumers_is_treated_as_unused() {
    let (b, a) = removal();
    let s = settings(Mode::Forward, Dialect::Postgres);
    let elsewhere = [uses("A", "customers", None)];
    for consumers in [&elsewhere[..], &[]] {
        let r = run(&b, &a, &s, consumers, false);
        assert_eq!(lines(&r), ["column_removed orders.status WARN impacted=[]"]);
        let r = run(&b, &a, &s, consumers, true);
        assert_eq!(lines(&r), ["column_removed orders.status INFO impacted=[]"]);
    }
}

#[test]
fn backward_side_breaks_are_not_lowered_by_usage() {
    let b = project(vec![rel("orders", &[("id", "int")])]);
    let mut after = rel("orders", &[("id", "int"), ("channel", "text")]);
    after.columns[1]
        .constraints
        .push(crate::contract::Constraint {
            kind: crate::contract::ConstraintKind::NotNull,
            columns: vec![],
        });
    let a = project(vec![after]);
    let s = settings(Mode::Full, Dialect::Postgres);
    let r = run(&b, &a, &s, &[], true);
    assert_eq!(
        lines(&r),
        ["column_added_required orders.channel ERR impacted=[]"]
    );
}

#[test]
fn full_mode_keeps_the_backward_level_when_lowering() {
    // FULL = max(fwd ERR, bwd WARN): readers can clear the ERR, the backward WARN remains.
    let mut f = finding("column_removed", "status", Level::Err);
    f.mode = Mode::Full;
    f.fwd = Level::Err;
    f.bwd = Level::Warn;
    let r = apply(
        Report::new(vec![f]),
        &[],
        &impact(true, Dialect::Postgres),
        &Project::default(),
    );
    assert_eq!(one(&r).severity, Level::Warn);
}

#[test]
fn a_declared_narrower_type_turns_a_widening_into_a_break() {
    let b = project(vec![rel("orders", &[("amount", "int")])]);
    let a = project(vec![rel("orders", &[("amount", "bigint")])]);
    let s = settings(Mode::Forward, Dialect::Postgres);
    let c = expecting(uses("C", "orders", Some(&["amount"])), "amount", "int");
    let r = run(&b, &a, &s, &[c], false);
    assert_eq!(
        lines(&r),
        ["column_type_widened orders.amount ERR impacted=[C]"]
    );
    assert!(one(&r).message.contains("raised from WARN to ERR"));

    // A declared type the new one fits (same, alias, wider) leaves the engine's WARN alone.
    for fits in ["bigint", "int8", "numeric(30,0)"] {
        let c = expecting(uses("C", "orders", Some(&["amount"])), "amount", fits);
        let r = run(&b, &a, &s, &[c], false);
        let want = if fits.starts_with("numeric") {
            // Promoted is not in the brief's "fits" list: conservative, a break.
            Level::Err
        } else {
            Level::Warn
        };
        assert_eq!(one(&r).severity, want, "{fits}");
    }
}

#[test]
fn a_type_expectation_implies_the_column_is_read() {
    let b = project(vec![rel("orders", &[("amount", "int")])]);
    let a = project(vec![rel("orders", &[("amount", "bigint")])]);
    let s = settings(Mode::Forward, Dialect::Postgres);
    let c = expecting(uses("C", "orders", Some(&["id"])), "AMOUNT", "int");
    let r = run(&b, &a, &s, &[c], false);
    assert_eq!(
        lines(&r),
        ["column_type_widened orders.amount ERR impacted=[C]"]
    );
}

#[test]
fn expectations_do_not_raise_outside_reader_modes() {
    let b = project(vec![rel("orders", &[("amount", "int")])]);
    let a = project(vec![rel("orders", &[("amount", "bigint")])]);
    for mode in [Mode::Backward, Mode::None] {
        let s = settings(mode, Dialect::Postgres);
        let c = expecting(uses("C", "orders", None), "amount", "int");
        let r = run(&b, &a, &s, &[c], false);
        assert_eq!(
            lines(&r),
            ["column_type_widened orders.amount INFO impacted=[C]"],
            "{mode:?}"
        );
    }
}

fn source(name: &str, warn_h: Option<u64>, error_h: Option<u64>) -> Relation {
    let mut r = rel(name, &[]);
    r.resource_type = ResourceType::Source;
    r.contract_enforced = false;
    let f = Freshness {
        warn_after_secs: warn_h.map(|h| h * HOUR),
        error_after_secs: error_h.map(|h| h * HOUR),
    };
    r.freshness = (!f.is_empty()).then_some(f);
    r
}

fn needs(team: &str, warn_h: Option<u64>, error_h: Option<u64>) -> ConsumerUse {
    let mut c = uses(team, "raw.orders", None);
    c.expects_freshness = Some(Freshness {
        warn_after_secs: warn_h.map(|h| h * HOUR),
        error_after_secs: error_h.map(|h| h * HOUR),
    });
    c
}

#[test]
fn a_looser_sla_than_a_consumer_needs_is_a_break() {
    let s = settings(Mode::Forward, Dialect::Postgres);
    let b = project(vec![source("raw.orders", None, Some(12))]);
    let a = project(vec![source("raw.orders", None, Some(48))]);
    let r = run(&b, &a, &s, &[needs("D", None, Some(24))], false);
    assert_eq!(
        lines(&r),
        ["freshness_loosened raw.orders ERR impacted=[D]"]
    );

    // 48h still meets a 72h need: the engine's level stands.
    let r = run(&b, &a, &s, &[needs("D", None, Some(72))], false);
    assert_eq!(
        lines(&r),
        ["freshness_loosened raw.orders WARN impacted=[D]"]
    );

    // A threshold the new SLA no longer has counts as infinite.
    let a = project(vec![source("raw.orders", None, None)]);
    let r = run(&b, &a, &s, &[needs("D", Some(100), None)], false);
    assert_eq!(
        lines(&r),
        ["freshness_loosened raw.orders ERR impacted=[D]"]
    );
}

#[test]
fn a_tightened_sla_that_is_still_too_loose_is_a_break() {
    let s = settings(Mode::Forward, Dialect::Postgres);
    let b = project(vec![source("raw.orders", None, Some(72))]);
    let a = project(vec![source("raw.orders", None, Some(48))]);
    let r = run(&b, &a, &s, &[needs("D", None, Some(24))], false);
    assert_eq!(
        lines(&r),
        ["freshness_tightened raw.orders ERR impacted=[D]"]
    );
    let r = run(&b, &a, &s, &[needs("D", None, Some(48))], false);
    assert_eq!(one(&r).severity, Level::Info);
}

#[test]
fn names_fold_like_the_warehouse() {
    let (b, a) = removal();
    for dialect in [Dialect::Snowflake, Dialect::Postgres, Dialect::Bigquery] {
        let s = settings(Mode::Forward, dialect);
        let consumers = [uses("B", "ORDERS", Some(&["Status"]))];
        let r = run(&b, &a, &s, &consumers, false);
        assert_eq!(
            lines(&r),
            ["column_removed orders.status ERR impacted=[B]"],
            "{dialect}"
        );
    }
}

#[test]
fn relation_level_findings_hit_every_consumer_of_the_asset() {
    let b = project(vec![rel("orders", &[("id", "int")]), rel("items", &[])]);
    let a = project(vec![rel("items", &[])]);
    let s = settings(Mode::Forward, Dialect::Postgres);
    let consumers = [
        uses("A", "orders", Some(&["id"])),
        uses("B", "orders", Some(&[])),
        uses("C", "items", None),
    ];
    let r = run(&b, &a, &s, &consumers, false);
    assert_eq!(lines(&r), ["relation_removed orders ERR impacted=[A,B]"]);
}

#[test]
fn consumers_match_by_node_version_or_relation_name() {
    let mut v1 = rel("orders", &[("id", "int"), ("note", "text")]);
    v1.version = Some("1".into());
    v1.database = Some("analytics".into());
    v1.schema = Some("public".into());
    v1.identifier = Some("orders_v1".into());
    let mut v1_after = v1.clone();
    v1_after.columns.truncate(1);
    let b = project(vec![v1]);
    let a = project(vec![v1_after]);
    let s = settings(Mode::Forward, Dialect::Postgres);
    let consumers = [
        uses("node", "orders", None),
        uses("version", "Orders.V1", None),
        uses("relation", "ANALYTICS.public.orders_v1", None),
        uses("other_version", "orders.v2", None),
        uses("other_relation", "analytics.public.orders_v2", None),
    ];
    let r = run(&b, &a, &s, &consumers, false);
    assert_eq!(
        lines(&r),
        ["column_removed orders.v1.note ERR impacted=[node,relation,version]"]
    );
}

#[test]
fn a_qualified_name_matches_a_relation_whose_location_is_unknown() {
    let (b, a) = removal();
    let s = settings(Mode::Forward, Dialect::Postgres);
    let consumers = [uses("B", "analytics.public.orders", Some(&["status"]))];
    let r = run(&b, &a, &s, &consumers, true);
    assert_eq!(lines(&r), ["column_removed orders.status ERR impacted=[B]"]);
}

#[test]
fn readers_of_the_old_location_are_hit_by_a_move() {
    let mut before = rel("orders", &[("id", "int")]);
    before.database = Some("analytics".into());
    before.schema = Some("public".into());
    before.identifier = Some("orders".into());
    let mut after = before.clone();
    after.schema = Some("core".into());
    let s = settings(Mode::Forward, Dialect::Postgres);
    let consumers = [uses("BI", "analytics.public.orders", None)];
    let r = run(
        &project(vec![before]),
        &project(vec![after]),
        &s,
        &consumers,
        true,
    );
    assert_eq!(
        lines(&r),
        ["relation_location_changed orders ERR impacted=[BI]"]
    );
}

#[test]
fn nested_paths_belong_to_their_top_level_column() {
    let b = project(vec![rel("orders", &[("payload", "struct<a int, b int>")])]);
    let a = project(vec![rel("orders", &[("payload", "struct<a int>")])]);
    let s = settings(Mode::Forward, Dialect::Bigquery);
    let consumers = [
        uses("P", "orders", Some(&["payload"])),
        uses("Q", "orders", Some(&["id"])),
    ];
    let r = run(&b, &a, &s, &consumers, false);
    assert_eq!(
        lines(&r),
        ["column_removed orders.payload.b ERR impacted=[P]"]
    );
    assert_eq!(top_column("payload.b"), Some("payload"));
    assert_eq!(top_column("tags[]"), Some("tags"));
    assert_eq!(top_column("attrs{key}"), Some("attrs"));
    assert_eq!(top_column(""), None);
}

#[test]
fn a_producers_waiver_settles_only_what_no_consumer_reads() {
    let (b, a) = removal();
    let mut s = settings(Mode::Forward, Dialect::Postgres);
    s.waivers.push(Waiver {
        rule: "column_removed".into(),
        target: "orders.status".into(),
        reason: "JIRA-42".into(),
        owner: None,
        expires: None,
    });
    let consumers = [uses("B", "orders", Some(&["status"]))];
    // B reads status: the waiver can't answer for B, so the break counts again.
    let r = run(&b, &a, &s, &consumers, true);
    let f = one(&r);
    assert!(f.waived_by.is_none(), "{f:?}");
    assert!(
        f.overruled_waiver
            .as_deref()
            .is_some_and(|w| w.contains("JIRA-42"))
    );
    assert!(f.message.contains("consumer not asked: B"), "{}", f.message);
    assert!(f.is_breaking());
    assert_eq!(f.impacted, ["B"]);
    // Nobody registered reads it: the waiver stands.
    let r = run(&b, &a, &s, &[], true);
    assert!(one(&r).waived_by.is_some());
    assert!(!one(&r).is_breaking());
    assert_eq!(one(&r).severity, Level::Err);

    let mut f = finding("column_type_widened", "amount", Level::Warn);
    f.ignored = true;
    let c = expecting(uses("C", "orders", None), "amount", "int");
    let after = project(vec![rel("orders", &[("amount", "bigint")])]);
    let r = apply(
        Report::new(vec![f]),
        &[c],
        &impact(false, Dialect::Postgres),
        &after,
    );
    assert_eq!(one(&r).severity, Level::Warn);
    assert_eq!(one(&r).impacted, ["C"]);
}

#[test]
fn an_undeclared_new_type_fails_closed_for_a_typed_consumer() {
    let mut f = finding("column_type_changed", "amount", Level::Warn);
    f.after = None;
    let c = expecting(uses("C", "orders", None), "amount", "int");
    let r = apply(
        Report::new(vec![f]),
        &[c],
        &impact(false, Dialect::Postgres),
        &Project::default(),
    );
    assert_eq!(one(&r).severity, Level::Err);
}

/// A finding built by hand, for shapes the differ does not easily produce.
pub(crate) fn finding(rule: &'static str, path: &str, severity: Level) -> Finding {
    Finding {
        rule,
        severity,
        fwd: severity,
        bwd: Level::Info,
        mode: Mode::Forward,
        asset: "orders".into(),
        node: "orders".into(),
        version: None,
        unique_id: None,
        path: path.into(),
        before: None,
        after: None,
        message: String::new(),
        hint: String::new(),
        hints: Vec::new(),
        guarantee_strength: None,
        confidence: Confidence::High,
        waived_by: None,
        ignored: false,
        overruled_waiver: None,
        against: None,
        impacted: Vec::new(),
        file: None,
    }
}

const RULES: &[&str] = &[
    "column_removed",
    "column_type_widened",
    "column_type_changed",
    "freshness_loosened",
    "relation_removed",
    "column_added",
];
const MODES: &[Mode] = &[
    Mode::None,
    Mode::Backward,
    Mode::Forward,
    Mode::Full,
    Mode::BackwardTransitive,
    Mode::ForwardTransitive,
    Mode::FullTransitive,
];
const LEVELS: &[Level] = &[Level::Info, Level::Warn, Level::Err];

fn arb_finding() -> impl Strategy<Value = Finding> {
    (
        0..RULES.len(),
        prop_oneof![Just(""), Just("amount"), Just("payload.b"), Just("tags[]")],
        (0..LEVELS.len(), 0..LEVELS.len(), 0..LEVELS.len()),
        0..MODES.len(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(rule, path, (sev, fwd, bwd), mode, waived, ignored)| {
            let mut f = finding(RULES[rule], path, LEVELS[sev]);
            f.fwd = LEVELS[fwd];
            f.bwd = LEVELS[bwd];
            f.mode = MODES[mode];
            f.waived_by = waived.then(|| "waiver".to_string());
            f.ignored = ignored;
            f
        })
}

proptest! {
    /// With nobody registered and a registry that may be incomplete, the impact step can only
    /// soften an ERR to WARN: it never raises, and never touches anything below ERR.
    #[test]
    fn no_consumers_never_raises_and_only_softens_err(
        findings in proptest::collection::vec(arb_finding(), 0..8)
    ) {
        // Report::new sorts stably and apply keeps the order, so findings pair up by position.
        let engine = Report::new(findings);
        let after = project(vec![rel("orders", &[("amount", "bigint")])]);
        let r = apply(engine.clone(), &[], &impact(false, Dialect::Postgres), &after);
        prop_assert_eq!(r.findings.len(), engine.findings.len());
        for (old, new) in engine.findings.iter().zip(&r.findings) {
            prop_assert_eq!((old.rule, &old.path), (new.rule, &new.path));
            if old.severity == Level::Err {
                prop_assert!(new.severity >= Level::Warn, "{:?} lowered to INFO", old);
            } else {
                prop_assert_eq!(new.severity, old.severity);
            }
            prop_assert!(new.severity <= old.severity);
            prop_assert!(new.impacted.is_empty());
        }
        prop_assert!(r.verdict <= engine.verdict);
    }
}

#[test]
fn an_unplaced_relation_keeps_its_err_with_nobody_registered() {
    let f = finding("column_removed", "status", Level::Err);
    let mut settings = impact(true, Dialect::Postgres);
    settings.unplaced.insert(f.node.clone());
    let r = apply(Report::new(vec![f]), &[], &settings, &Project::default());
    assert_eq!(one(&r).severity, Level::Err);
    assert!(
        one(&r).message.contains("kept at ERR"),
        "{}",
        one(&r).message
    );
}

#[test]
fn a_declared_rename_impacts_the_readers_of_the_old_name() {
    let mut f = finding("column_renamed", "order_state", Level::Err);
    f.before = Some("status".into());
    f.after = Some("order_state".into());
    let old_reader = uses("BI", "orders", Some(&["status"]));
    let unrelated = uses("OPS", "orders", Some(&["order_id"]));
    let r = apply(
        Report::new(vec![f]),
        &[old_reader, unrelated],
        &impact(false, Dialect::Postgres),
        &Project::default(),
    );
    let f = one(&r);
    assert_eq!(f.severity, Level::Err);
    assert_eq!(f.impacted, ["BI"]);
    assert!(
        f.message
            .contains("BI reads `status`, renamed to `order_state`"),
        "{}",
        f.message
    );
}
