//! Resolves every column reference of a parsed model to the upstreams it can come from.
//!
//! Why a column counts: a model breaks when a column it names disappears, whether or not that
//! column reaches the model's output. So every explicit reference counts where it is written
//! (a CTE's select list included), while `*` is lazy: `select *` inside a CTE only passes the
//! upstream's columns through, and a column counts when an outer query names it. A `*` that
//! reaches the model's output (or a set operation, whose shape it changes) reads everything.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    ExcludeSelectItem, Expr, Ident, JoinConstraint, JoinOperator, ObjectName, OrderBy, Query,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableAlias,
    TableFactor, TableWithJoins, Visit, Visitor, WildcardAdditionalOptions, visit_relations,
};

use super::AllReason;
use super::Upstream;
use super::jinja::{self, Prepared};
use super::scope::{Kind, Output, Rel, Scope, alias_name, norm, placeholder, unknown};

/// Deeper query nesting than this is given up on (the parser's own limit normally stops first).
const MAX_DEPTH: usize = 256;
/// Query nesting recurses without going through sqlparser's stack-growing visitor (CTEs and
/// subqueries in FROM), so it grows the stack itself.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

pub(super) struct Walker<'a> {
    prep: &'a Prepared,
    pub reads: Vec<BTreeSet<String>>,
    pub all: Vec<Option<AllReason>>,
    /// Placeholder relations the walk resolved; any other left in the AST sat somewhere the
    /// walk does not look.
    reached: BTreeSet<String>,
    depth: usize,
    pub too_deep: bool,
}

impl<'a> Walker<'a> {
    pub fn new(prep: &'a Prepared) -> Self {
        let n = prep.upstreams.len();
        Walker {
            prep,
            reads: vec![BTreeSet::new(); n],
            all: vec![None; n],
            reached: BTreeSet::new(),
            depth: 0,
            too_deep: false,
        }
    }

    pub fn walk(&mut self, statements: &[Statement]) {
        let root = Scope::new(None);
        for statement in statements {
            match statement {
                Statement::Query(q) => {
                    let out = self.query(q, None);
                    self.model_output(&out);
                }
                other => self.visit(other, &root, None, true),
            }
        }
        for statement in statements {
            let _ = visit_relations(statement, |name| {
                if !self.reached.contains(&name.to_string()) {
                    self.opaque_relation(name, "in a SQL construct Tessera does not analyse");
                }
                ControlFlow::<()>::Continue(())
            });
        }
    }

    fn read(&mut self, upstream: usize, column: &str) {
        if let Some(set) = self.reads.get_mut(upstream) {
            set.insert(column.to_string());
        }
    }

    fn set_all(&mut self, upstream: usize, reason: AllReason) {
        if let Some(slot @ None) = self.all.get_mut(upstream) {
            *slot = Some(reason);
        }
    }

    fn model_output(&mut self, out: &Output) {
        for &i in &out.stars {
            self.set_all(i, AllReason::SelectStar);
        }
    }

    fn query(&mut self, q: &Query, parent: Option<&Scope<'_>>) -> Output {
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return Output::default();
        }
        self.depth += 1;
        let out = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.query_body(q, parent));
        self.depth -= 1;
        out
    }

    fn query_body(&mut self, q: &Query, parent: Option<&Scope<'_>>) -> Output {
        let mut scope = Scope::new(parent);
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let out = self.query(&cte.query, Some(&scope));
                let out = self.renamed(out, Some(&cte.alias));
                scope.ctes.push((norm(&cte.alias.name), out));
            }
        }
        self.set_expr(&q.body, &scope, q.order_by.as_ref())
    }

    /// `name (a, b)` renames columns by position, so a `*` under it depends on every column.
    fn renamed(&mut self, out: Output, alias: Option<&TableAlias>) -> Output {
        let Some(alias) = alias.filter(|a| !a.columns.is_empty()) else {
            return out;
        };
        for &i in &out.stars {
            self.set_all(i, AllReason::Other("columns renamed by position".into()));
        }
        Output {
            names: alias.columns.iter().map(|c| norm(&c.name)).collect(),
            ..Output::default()
        }
    }

    fn set_expr(
        &mut self,
        body: &SetExpr,
        scope: &Scope<'_>,
        order_by: Option<&OrderBy>,
    ) -> Output {
        // Left-deep UNION chains can be long: flatten them without recursion.
        let mut leaves = Vec::new();
        let mut stack = vec![body];
        while let Some(e) = stack.pop() {
            match e {
                SetExpr::SetOperation { left, right, .. } => {
                    stack.push(right);
                    stack.push(left);
                }
                other => leaves.push(other),
            }
        }
        if let [SetExpr::Select(s)] = leaves.as_slice() {
            return self.select(s, scope, order_by);
        }
        let branches = leaves.len();
        let mut out = Output::default();
        for leaf in leaves {
            let o = match leaf {
                SetExpr::Select(s) => self.select(s, scope, None),
                SetExpr::Query(q) => self.query(q, Some(scope)),
                SetExpr::Values(v) => {
                    self.visit(v, scope, None, false);
                    Output::default()
                }
                other => {
                    self.visit(other, scope, None, false);
                    Output {
                        opaque: true,
                        ..Output::default()
                    }
                }
            };
            // Branches line up by position: any column an upstream gains or loses breaks it.
            if branches > 1 {
                for &i in &o.stars {
                    self.set_all(i, AllReason::SelectStar);
                }
            }
            out.merge(o);
        }
        if let Some(order_by) = order_by {
            let mut result = Scope::new(Some(scope));
            result.rels.push(Rel {
                names: Vec::new(),
                kind: Kind::Derived(out.clone()),
            });
            self.visit(order_by, &result, None, false);
        }
        out
    }

    fn select(&mut self, s: &Select, parent: &Scope<'_>, order_by: Option<&OrderBy>) -> Output {
        let mut scope = Scope::new(Some(parent));
        let mut joins = Vec::new();
        for twj in &s.from {
            self.table_with_joins(twj, &mut scope, &mut joins);
        }
        for op in joins {
            self.join(op, &scope);
        }
        let mut out = Output::default();
        let mut aliases = BTreeSet::new();
        for item in &s.projection {
            match item {
                SelectItem::Wildcard(opts) => {
                    let covered: Vec<&Rel> = scope.rels.iter().collect();
                    self.star(&mut out, &covered, opts, &scope);
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    opts,
                ) => {
                    let rel = n.0.last().and_then(|p| p.as_ident()).map(norm);
                    let covered: Vec<&Rel> = rel.and_then(|r| scope.rel(&r)).into_iter().collect();
                    self.star(&mut out, &covered, opts, &scope);
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(e), _) => {
                    self.visit(e, &scope, None, false);
                }
                SelectItem::UnnamedExpr(e) => {
                    if let Expr::Identifier(id) = e
                        && let Some(k) = placeholder(id, jinja::STAR)
                    {
                        out.stars
                            .extend(self.prep.stars.get(k).into_iter().flatten());
                        continue;
                    }
                    self.visit(e, &scope, None, false);
                    let name = match e {
                        Expr::Identifier(id) => Some(id),
                        Expr::CompoundIdentifier(ids) => ids.last(),
                        _ => None,
                    };
                    out.names
                        .extend(name.map(norm).filter(|n| !n.starts_with("__tessera_")));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    self.visit(expr, &scope, None, false);
                    aliases.insert(norm(alias));
                }
                SelectItem::ExprWithAliases {
                    expr,
                    aliases: names,
                } => {
                    self.visit(expr, &scope, None, false);
                    aliases.extend(names.iter().map(norm));
                }
            }
        }
        out.names.extend(aliases.iter().cloned());
        self.visit(&s.prewhere, &scope, None, false);
        self.visit(&s.selection, &scope, None, false);
        self.visit(&s.lateral_views, &scope, None, false);
        self.visit(&s.connect_by, &scope, None, false);
        self.visit(&s.distinct, &scope, None, false);
        self.visit(&s.top, &scope, None, false);
        self.visit(&s.cluster_by, &scope, None, false);
        self.visit(&s.distribute_by, &scope, None, false);
        // These may name the select list's aliases (standard for ORDER BY, allowed elsewhere by
        // most warehouses); those expressions were already counted.
        let aliases = Some(&aliases);
        self.visit(&s.group_by, &scope, aliases, false);
        self.visit(&s.having, &scope, aliases, false);
        self.visit(&s.qualify, &scope, aliases, false);
        self.visit(&s.named_window, &scope, aliases, false);
        self.visit(&s.sort_by, &scope, aliases, false);
        if let Some(order_by) = order_by {
            self.visit(order_by, &scope, aliases, false);
        }
        out
    }

    fn star(
        &mut self,
        out: &mut Output,
        covered: &[&Rel],
        opts: &WildcardAdditionalOptions,
        scope: &Scope<'_>,
    ) {
        for rel in covered {
            out.absorb(rel);
        }
        self.visit(opts, scope, None, false);
        // Excluding a column that does not exist is an error: the excluded columns are read.
        let mut excluded: Vec<&Ident> = Vec::new();
        match &opts.opt_exclude {
            Some(ExcludeSelectItem::Single(n)) => {
                excluded.extend(n.0.last().and_then(|p| p.as_ident()))
            }
            Some(ExcludeSelectItem::Multiple(ns)) => {
                excluded.extend(
                    ns.iter()
                        .filter_map(|n| n.0.last().and_then(|p| p.as_ident())),
                );
            }
            None => {}
        }
        if let Some(except) = &opts.opt_except {
            excluded.push(&except.first_element);
            excluded.extend(&except.additional_elements);
        }
        for id in excluded {
            let name = norm(id);
            for rel in covered {
                self.apply(rel, &name);
            }
        }
    }

    fn table_with_joins<'q>(
        &mut self,
        twj: &'q TableWithJoins,
        scope: &mut Scope<'_>,
        joins: &mut Vec<&'q JoinOperator>,
    ) {
        self.factor(&twj.relation, scope, joins);
        for join in &twj.joins {
            self.factor(&join.relation, scope, joins);
            joins.push(&join.join_operator);
        }
    }

    fn factor<'q>(
        &mut self,
        tf: &'q TableFactor,
        scope: &mut Scope<'_>,
        joins: &mut Vec<&'q JoinOperator>,
    ) {
        let rel = match tf {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                self.visit(args, scope, None, false);
                self.table(name, alias.as_ref(), scope)
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let out = self.query(subquery, Some(&*scope));
                Rel {
                    names: alias_name(alias.as_ref()),
                    kind: Kind::Derived(self.renamed(out, alias.as_ref())),
                }
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => return self.table_with_joins(table_with_joins, scope, joins),
            TableFactor::UNNEST {
                alias, array_exprs, ..
            } => {
                self.visit(array_exprs, scope, None, false);
                unknown(alias.as_ref())
            }
            TableFactor::Function { args, alias, .. } => {
                self.visit(args, scope, None, false);
                unknown(alias.as_ref())
            }
            TableFactor::TableFunction { expr, alias } => {
                self.visit(expr, scope, None, false);
                unknown(alias.as_ref())
            }
            // PIVOT and UNPIVOT group by every column they do not name, MATCH_RECOGNIZE may
            // return them all: the table underneath counts as read in full. Its columns named
            // in the construct are then counted already, so its expressions are not visited.
            TableFactor::Pivot { table, alias, .. }
            | TableFactor::Unpivot { table, alias, .. }
            | TableFactor::MatchRecognize { table, alias, .. } => {
                let mut inner = Scope::new(Some(&*scope));
                let mut inner_joins = Vec::new();
                self.factor(table, &mut inner, &mut inner_joins);
                for op in inner_joins {
                    self.join(op, &inner);
                }
                for rel in &inner.rels {
                    let upstreams = match &rel.kind {
                        Kind::Upstream(i) => BTreeSet::from([*i]),
                        Kind::Derived(o) => o.stars.clone(),
                        Kind::Unknown => BTreeSet::new(),
                    };
                    for i in upstreams {
                        self.set_all(
                            i,
                            AllReason::Other("under PIVOT, UNPIVOT or MATCH_RECOGNIZE".into()),
                        );
                    }
                }
                unknown(alias.as_ref())
            }
            // JSON_TABLE, XMLTABLE…: rare in dbt models; any upstream named inside counts in full.
            other => {
                let _ = visit_relations(other, |name| {
                    self.opaque_relation(name, "in a table function Tessera does not analyse");
                    ControlFlow::<()>::Continue(())
                });
                self.visit(other, scope, None, false);
                unknown(None)
            }
        };
        scope.rels.push(rel);
    }

    fn table(&mut self, name: &ObjectName, alias: Option<&TableAlias>, scope: &Scope<'_>) -> Rel {
        let named = |default: Vec<String>| alias.map_or(default, |a| vec![norm(&a.name)]);
        let single = match name.0.as_slice() {
            [part] => part.as_ident(),
            _ => None,
        };
        if let Some(id) = single {
            let upstream = placeholder(id, jinja::UPSTREAM)
                .and_then(|i| self.prep.upstreams.get(i).map(|u| (i, u)));
            if let Some((i, upstream)) = upstream {
                let short = match upstream {
                    Upstream::Source { table, .. } => table.to_lowercase(),
                    Upstream::Ref { name, .. } => name.to_lowercase(),
                };
                self.reached.insert(id.value.clone());
                if alias.is_some_and(|a| !a.columns.is_empty()) {
                    self.set_all(i, AllReason::Other("columns renamed by position".into()));
                }
                return Rel {
                    names: named(vec![id.value.clone(), short]),
                    kind: Kind::Upstream(i),
                };
            }
            if let Some(k) = placeholder(id, jinja::RELATION) {
                self.reached.insert(id.value.clone());
                let stars = self.prep.relations.get(k).cloned().unwrap_or_default();
                let kind = if stars.is_empty() {
                    Kind::Unknown
                } else {
                    Kind::Derived(Output {
                        stars,
                        opaque: true,
                        ..Output::default()
                    })
                };
                return Rel {
                    names: named(Vec::new()),
                    kind,
                };
            }
            let key = norm(id);
            if let Some(out) = scope.cte(&key) {
                let out = out.clone();
                return Rel {
                    names: named(vec![key]),
                    kind: Kind::Derived(self.renamed(out, alias)),
                };
            }
        }
        let last = name.0.last().and_then(|p| p.as_ident()).map(norm);
        Rel {
            names: named(last.into_iter().collect()),
            kind: Kind::Unknown,
        }
    }

    fn join(&mut self, op: &JoinOperator, scope: &Scope<'_>) {
        // ON and ASOF conditions are ordinary expressions.
        self.visit(op, scope, None, false);
        let constraint = match op {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::Left(c)
            | JoinOperator::LeftOuter(c)
            | JoinOperator::Right(c)
            | JoinOperator::RightOuter(c)
            | JoinOperator::FullOuter(c)
            | JoinOperator::CrossJoin(c)
            | JoinOperator::Semi(c)
            | JoinOperator::LeftSemi(c)
            | JoinOperator::RightSemi(c)
            | JoinOperator::Anti(c)
            | JoinOperator::LeftAnti(c)
            | JoinOperator::RightAnti(c)
            | JoinOperator::StraightJoin(c)
            | JoinOperator::AsOf { constraint: c, .. } => c,
            _ => return,
        };
        match constraint {
            JoinConstraint::Using(names) => {
                for id in names
                    .iter()
                    .filter_map(|n| n.0.last().and_then(|p| p.as_ident()))
                {
                    let name = norm(id);
                    for rel in scope.rels.iter().filter(|r| r.kind.could_have(&name)) {
                        self.apply(rel, &name);
                    }
                }
            }
            JoinConstraint::Natural => {
                for rel in &scope.rels {
                    let stars = match &rel.kind {
                        Kind::Upstream(i) => BTreeSet::from([*i]),
                        Kind::Derived(o) => o.stars.clone(),
                        Kind::Unknown => BTreeSet::new(),
                    };
                    for i in stars {
                        self.set_all(i, AllReason::Other("NATURAL JOIN".into()));
                    }
                }
            }
            JoinConstraint::On(_) | JoinConstraint::None => {}
        }
    }

    /// A placeholder relation where column usage cannot be followed: all of its upstreams.
    fn opaque_relation(&mut self, name: &ObjectName, why: &str) {
        let [part] = name.0.as_slice() else { return };
        let Some(id) = part.as_ident() else { return };
        let upstreams: BTreeSet<usize> = if let Some(i) = placeholder(id, jinja::UPSTREAM) {
            BTreeSet::from([i])
        } else if let Some(k) = placeholder(id, jinja::RELATION) {
            self.prep.relations.get(k).cloned().unwrap_or_default()
        } else {
            return;
        };
        self.reached.insert(id.value.clone());
        for i in upstreams {
            self.set_all(i, AllReason::Other(why.to_string()));
        }
    }

    fn apply(&mut self, rel: &Rel, name: &str) {
        match &rel.kind {
            Kind::Upstream(i) => self.read(*i, name),
            Kind::Derived(o) if !o.names.contains(name) => {
                for &i in &o.stars {
                    self.read(i, name);
                }
            }
            Kind::Derived(_) | Kind::Unknown => {}
        }
    }

    fn column(&mut self, scope: &Scope<'_>, ids: &[Ident], aliases: Option<&BTreeSet<String>>) {
        if let [id] = ids {
            if let Some(k) = placeholder(id, jinja::COLUMNS) {
                let names = self.prep.columns.get(k).cloned().unwrap_or_default();
                for name in names {
                    let parts: Vec<String> = name.split('.').map(str::to_lowercase).collect();
                    self.column_path(scope, &parts);
                }
                return;
            }
            let name = norm(id);
            if name.starts_with("__tessera_") || aliases.is_some_and(|a| a.contains(&name)) {
                return;
            }
        }
        let parts: Vec<String> = ids.iter().map(norm).collect();
        if parts.last().is_some_and(|p| p.contains(jinja::GLUE)) {
            return;
        }
        self.column_path(scope, &parts);
    }

    fn column_path(&mut self, scope: &Scope<'_>, parts: &[String]) {
        let Some(first) = parts.first() else { return };
        // `o.col`, `schema.o.col`, `o.struct_col.field`: the first part naming a relation in
        // scope qualifies the next one.
        for (k, qualifier) in parts.iter().enumerate().take(parts.len() - 1) {
            if let Some(rel) = scope.rel(qualifier) {
                self.apply(rel, &parts[k + 1]);
                return;
            }
        }
        // No qualifier matched: a plain column, or a struct field access on one.
        let mut current = Some(scope);
        while let Some(s) = current {
            let candidates: Vec<&Rel> =
                s.rels.iter().filter(|r| r.kind.could_have(first)).collect();
            if !candidates.is_empty() {
                for rel in candidates {
                    self.apply(rel, first);
                }
                return;
            }
            current = s.parent;
        }
    }

    /// Resolves the column references in `node` (and the queries nested in it) in `scope`.
    /// `model_output`: the queries found are the model's own output (a statement other than a
    /// plain query, such as `create table … as select`).
    fn visit<V: Visit>(
        &mut self,
        node: &V,
        scope: &Scope<'_>,
        aliases: Option<&BTreeSet<String>>,
        model_output: bool,
    ) {
        let mut v = Columns {
            walker: self,
            scope,
            aliases,
            nested: 0,
            model_output,
        };
        let _ = node.visit(&mut v);
    }
}

struct Columns<'w, 'a, 's, 'p> {
    walker: &'w mut Walker<'a>,
    scope: &'s Scope<'p>,
    aliases: Option<&'s BTreeSet<String>>,
    /// Inside a nested query, which resolves its own columns (in its own scope).
    nested: usize,
    model_output: bool,
}

impl Visitor for Columns<'_, '_, '_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if self.nested == 0 {
            let out = self.walker.query(query, Some(self.scope));
            if self.model_output {
                self.walker.model_output(&out);
            }
        }
        self.nested += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.nested = self.nested.saturating_sub(1);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if self.nested == 0 {
            match expr {
                Expr::Identifier(id) => {
                    self.walker
                        .column(self.scope, std::slice::from_ref(id), self.aliases);
                }
                Expr::CompoundIdentifier(ids) => self.walker.column(self.scope, ids, None),
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}
