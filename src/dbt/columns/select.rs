//! The output columns of a rendered model: its final select parsed with sqlparser, followed
//! through CTEs, subqueries and set operations, with `*` expanded through the upstreams'
//! known columns.
//!
//! Lazy about the unknown: a relation whose columns are not known (a hard-coded table, a
//! source without YAML columns) is fine until a `*` has to list them; only then does the model
//! become unresolved. Anything else Tessera cannot name (an unaliased expression in the output)
//! makes it unresolved too. Never a guess.

use sqlparser::ast::{
    CastKind, ExcludeSelectItem, Expr, Ident, JoinConstraint, ObjectName, Query, RenameSelectItem,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableAlias,
    TableFactor, TableWithJoins, Value, WildcardAdditionalOptions,
};

use super::OutputColumn;
use super::output::{NILADIC, concat, duplicate, join_constraint, merge_using, warehouse_name};
use super::render::{OPAQUE, UPSTREAM};
use crate::contract::Dialect;

const MAX_DEPTH: usize = 128;

const STAR_UNKNOWN: &str = "`*` over a relation whose columns are unknown: ";

/// What a relation in a FROM clause exposes.
#[derive(Clone, Debug)]
pub(super) enum Cols {
    Known(Vec<OutputColumn>),
    /// Its columns cannot be listed; the string says why, for a `*` that needs them.
    Unknown(String),
}

struct Rel {
    names: Vec<String>,
    /// How messages name it: the upstream model or source, else as the SQL names it.
    label: String,
    /// Its columns are a model's derived output, all of them: a column it lacks is not there.
    /// (A source's or seed's are what its YAML declares, often only some.)
    complete: bool,
    cols: Cols,
}

/// How an upstream is named: its relation key in messages, its table name where the SQL
/// qualifies it without an alias, and whether its columns were derived (so are complete).
pub(super) struct UpstreamName {
    pub key: String,
    pub table: String,
    pub derived: bool,
}

struct Scope<'p> {
    ctes: Vec<(String, Cols)>,
    parent: Option<&'p Scope<'p>>,
}

impl Scope<'_> {
    fn cte(&self, name: &str) -> Option<&Cols> {
        let own = self.ctes.iter().rev().find(|(n, _)| n == name);
        own.map(|(_, c)| c)
            .or_else(|| self.parent.and_then(|p| p.cte(name)))
    }
}

pub(super) struct Analyser<'u> {
    /// Columns of upstream `N` (the `__tessera_up_N` placeholders).
    pub upstreams: &'u [Cols],
    /// How the warehouse names an output column that has no alias.
    dialect: Dialect,
    /// How upstream `N` is named.
    names: &'u [UpstreamName],
    /// Output columns the final select reads from a relation that does not output them, with
    /// what it reads (`` reads `status` from `stg_orders` ``): the warehouse refuses the model.
    pub unread: Vec<(String, String)>,
    /// When the output is unknown only because Jinja Tessera cannot expand yields some of its
    /// columns: the ones the select names itself.
    pub named_outside: Option<Vec<OutputColumn>>,
    depth: usize,
}

type Res<T> = Result<T, String>;

impl<'u> Analyser<'u> {
    pub fn new(upstreams: &'u [Cols], dialect: Dialect) -> Self {
        Analyser {
            upstreams,
            dialect,
            names: &[],
            unread: Vec::new(),
            named_outside: None,
            depth: 0,
        }
    }

    /// Names the upstreams.
    pub fn named(self, names: &'u [UpstreamName]) -> Self {
        Analyser { names, ..self }
    }

    /// The output of the model: its last statement, which must be a query.
    pub fn model(&mut self, statements: &[Statement]) -> Res<Vec<OutputColumn>> {
        let Some(Statement::Query(q)) = statements.last() else {
            return Err("the SQL does not end with a select".into());
        };
        match self.query(q, None)? {
            Cols::Known(cols) => {
                if let Some(c) = cols.iter().find(|c| c.name.is_empty()) {
                    return Err(format!(
                        "an output column has no alias: `{}`",
                        short(c.expr.as_deref().unwrap_or(""))
                    ));
                }
                if cols.iter().any(|c| c.name.contains("__tessera_")) {
                    let named = cols.iter().filter(|c| !c.name.contains("__tessera_"));
                    self.named_outside = Some(named.cloned().collect());
                    return Err("an output column comes from Jinja Tessera cannot expand".into());
                }
                if let Some(name) = duplicate(&cols) {
                    return Err(format!(
                        "it outputs `{name}` twice, which the warehouse refuses: dbt cannot \
                         build it"
                    ));
                }
                // A column read from where it no longer is: not output (the model fails).
                let unread = std::mem::take(&mut self.unread);
                self.unread = unread
                    .into_iter()
                    .filter(|(n, _)| cols.iter().any(|c| &c.name == n))
                    .collect();
                let cols = cols
                    .into_iter()
                    .filter(|c| !self.unread.iter().any(|(n, _)| n == &c.name))
                    .collect();
                Ok(cols)
            }
            Cols::Unknown(why) => Err(why),
        }
    }

    fn query(&mut self, q: &Query, parent: Option<&Scope<'_>>) -> Res<Cols> {
        if self.depth >= MAX_DEPTH {
            return Err("the SQL is nested too deeply".into());
        }
        self.depth += 1;
        let out = stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, || self.query_body(q, parent));
        self.depth -= 1;
        out
    }

    fn query_body(&mut self, q: &Query, parent: Option<&Scope<'_>>) -> Res<Cols> {
        let mut scope = Scope {
            ctes: Vec::new(),
            parent,
        };
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let cols = match self.query(&cte.query, Some(&scope)) {
                    Ok(c) => c,
                    // A CTE that cannot be analysed only matters if the output needs it.
                    Err(why) => Cols::Unknown(why),
                };
                let cols = renamed(cols, Some(&cte.alias));
                scope.ctes.push((norm(&cte.alias.name), cols));
            }
        }
        self.set_expr(&q.body, &scope)
    }

    fn set_expr(&mut self, body: &SetExpr, scope: &Scope<'_>) -> Res<Cols> {
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
        let mut branches = Vec::with_capacity(leaves.len());
        for leaf in leaves {
            let cols = match leaf {
                SetExpr::Select(s) => self.select(s, scope)?,
                SetExpr::Query(q) => self.query(q, Some(scope))?,
                _ => Cols::Unknown("a set operation branch Tessera does not analyse".into()),
            };
            branches.push(cols);
        }
        // The first branch names the columns; a type holds only when every branch agrees.
        let mut iter = branches.into_iter();
        let Some(first) = iter.next() else {
            return Err("an empty query".into());
        };
        let Cols::Known(mut cols) = first else {
            return Ok(first);
        };
        for other in iter {
            match other {
                Cols::Known(o) if o.len() == cols.len() => {
                    for (c, oc) in cols.iter_mut().zip(o) {
                        if c.data_type != oc.data_type {
                            c.data_type = None;
                        }
                        c.cast &= oc.cast;
                    }
                }
                Cols::Known(_) => {
                    return Err("the branches of a UNION have different column counts".into());
                }
                Cols::Unknown(why) => return Ok(Cols::Unknown(why)),
            }
        }
        Ok(Cols::Known(cols))
    }

    fn select(&mut self, s: &Select, scope: &Scope<'_>) -> Res<Cols> {
        let mut rels: Vec<Rel> = Vec::new();
        // What an unqualified `*` lists: the FROM items in order, joins merged as SQL merges them.
        let mut from_star = Cols::Known(Vec::new());
        for twj in &s.from {
            let item = self.table_with_joins(twj, scope, &mut rels)?;
            from_star = concat(from_star, item);
        }
        let mut out: Vec<OutputColumn> = Vec::new();
        for item in &s.projection {
            match item {
                SelectItem::Wildcard(opts) => {
                    let all = Rel {
                        names: Vec::new(),
                        label: String::new(),
                        complete: false,
                        cols: from_star.clone(),
                    };
                    match star(&[&all], opts, &rels)? {
                        Cols::Known(c) => out.extend(c),
                        unknown => return Ok(unknown),
                    }
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    opts,
                ) => {
                    let name = last_ident(n);
                    let rel = rels
                        .iter()
                        .find(|r| r.names.iter().any(|x| Some(x) == name.as_ref()));
                    let Some(rel) = rel else {
                        return Ok(Cols::Unknown(format!("`{n}.*` names no relation in FROM")));
                    };
                    match star(&[rel], opts, &rels)? {
                        Cols::Known(c) => out.extend(c),
                        unknown => return Ok(unknown),
                    }
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(e), _) => {
                    return Ok(Cols::Unknown(format!("`{e}.*` is not analysed")));
                }
                SelectItem::UnnamedExpr(e) => {
                    let name = match e {
                        Expr::Identifier(id) => id,
                        Expr::CompoundIdentifier(ids) => match ids.last() {
                            Some(id) => id,
                            None => continue,
                        },
                        other => {
                            let text = other.to_string();
                            if text.contains(OPAQUE) {
                                return Ok(Cols::Unknown(
                                    "the select list comes from a macro Tessera cannot expand"
                                        .into(),
                                ));
                            }
                            // Unnamed: fine in a later UNION branch, unresolved if it is output,
                            // unless the warehouse's own name for it is certain.
                            let (data_type, cast) = infer(other, &rels);
                            out.push(OutputColumn {
                                name: warehouse_name(other, self.dialect).unwrap_or_default(),
                                quoted: false,
                                data_type,
                                cast,
                                expr: Some(text),
                            });
                            continue;
                        }
                    };
                    self.note_unread(e, &norm(name), &rels, &out);
                    let (data_type, cast) = infer(e, &rels);
                    out.push(OutputColumn {
                        name: norm(name),
                        quoted: name.quote_style.is_some(),
                        data_type,
                        cast,
                        expr: Some(e.to_string()),
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    self.note_unread(expr, &norm(alias), &rels, &out);
                    let (data_type, cast) = infer(expr, &rels);
                    out.push(OutputColumn {
                        name: norm(alias),
                        quoted: alias.quote_style.is_some(),
                        data_type,
                        cast,
                        expr: Some(expr.to_string()),
                    });
                }
                SelectItem::ExprWithAliases { .. } => {
                    return Ok(Cols::Unknown("a multi-alias select item".into()));
                }
            }
        }
        Ok(Cols::Known(out))
    }

    /// Records output column `output` when the final select reads it as a column that the
    /// relations in FROM, all of known columns, do not have (and no earlier output column of
    /// the same select is named so, which some warehouses let it mean).
    fn note_unread(&mut self, e: &Expr, output: &str, rels: &[Rel], earlier: &[OutputColumn]) {
        if self.depth != 1 || rels.is_empty() {
            return;
        }
        let has = |r: &Rel, col: &str| match &r.cols {
            Cols::Known(c) => c.iter().any(|c| same(&c.name, col)),
            Cols::Unknown(_) => true,
        };
        let from = match e {
            Expr::Identifier(id) => {
                let col = norm(id);
                if id.quote_style.is_none()
                    && (NILADIC.contains(&col.as_str()) || col.starts_with('$'))
                {
                    return;
                }
                let lateral = earlier.iter().any(|c| same(&c.name, &col));
                // A bare relation name is a whole-row reference in PostgreSQL.
                let whole_row = rels.iter().any(|r| r.names.contains(&col));
                let all_complete = rels.iter().all(|r| r.complete);
                if lateral || whole_row || !all_complete || rels.iter().any(|r| has(r, &col)) {
                    return;
                }
                let labels: Vec<String> = rels.iter().map(|r| format!("`{}`", r.label)).collect();
                format!("reads `{col}` from {}", labels.join(" or "))
            }
            Expr::CompoundIdentifier(ids) => {
                let [.., q, col] = ids.as_slice() else { return };
                let Some(rel) = rels.iter().find(|r| r.names.contains(&norm(q))) else {
                    return;
                };
                if !rel.complete || has(rel, &norm(col)) {
                    return;
                }
                format!("reads `{}` from `{}`", norm(col), rel.label)
            }
            _ => return,
        };
        self.unread.push((output.to_string(), from));
    }

    /// Adds the relations of one FROM item to `rels` and returns what `*` lists over it.
    fn table_with_joins(
        &mut self,
        twj: &TableWithJoins,
        scope: &Scope<'_>,
        rels: &mut Vec<Rel>,
    ) -> Res<Cols> {
        let mut all = self.factor(&twj.relation, scope, rels)?;
        for join in &twj.joins {
            let right = self.factor(&join.relation, scope, rels)?;
            all = match join_constraint(&join.join_operator) {
                Some(JoinConstraint::Using(names)) => {
                    let names: Vec<String> = names.iter().filter_map(last_ident).collect();
                    merge_using(all, right, &names)
                }
                Some(JoinConstraint::Natural) => match (&all, &right) {
                    (Cols::Known(l), Cols::Known(r)) => {
                        let common: Vec<String> = l
                            .iter()
                            .filter(|c| r.iter().any(|x| same(&x.name, &c.name)))
                            .map(|c| c.name.clone())
                            .collect();
                        merge_using(all, right, &common)
                    }
                    _ => Cols::Unknown("`*` over a NATURAL join with a side unknown".into()),
                },
                _ => concat(all, right),
            };
        }
        Ok(all)
    }

    /// Adds the relations of one FROM factor to `rels` and returns what `*` lists over it.
    fn factor(&mut self, tf: &TableFactor, scope: &Scope<'_>, rels: &mut Vec<Rel>) -> Res<Cols> {
        let rel = match tf {
            TableFactor::Table { name, alias, .. } => self.table(name, alias.as_ref(), scope),
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let cols = self
                    .query(subquery, Some(scope))
                    .unwrap_or_else(Cols::Unknown);
                Rel {
                    names: alias.iter().map(|a| norm(&a.name)).collect(),
                    label: alias
                        .as_ref()
                        .map_or("a subquery".into(), |a| a.name.value.clone()),
                    complete: false,
                    cols: renamed(cols, alias.as_ref()),
                }
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => return self.table_with_joins(table_with_joins, scope, rels),
            other => Rel {
                names: Vec::new(),
                label: short(&other.to_string()),
                complete: false,
                cols: Cols::Unknown(format!("`{}` is not analysed", short(&other.to_string()))),
            },
        };
        let cols = rel.cols.clone();
        rels.push(rel);
        Ok(cols)
    }

    fn table(&self, name: &ObjectName, alias: Option<&TableAlias>, scope: &Scope<'_>) -> Rel {
        let last = last_ident(name);
        let mut names: Vec<String> = match alias {
            Some(a) => vec![norm(&a.name)],
            None => last.iter().cloned().collect(),
        };
        let single = match name.0.as_slice() {
            [part] => part.as_ident(),
            _ => None,
        };
        let mut label = name.to_string();
        let mut upstream: Option<&UpstreamName> = None;
        let cols = match single {
            Some(id) if id.quote_style.is_none() && id.value.starts_with(UPSTREAM) => {
                let i: Option<usize> = id.value[UPSTREAM.len()..].parse().ok();
                upstream = i.and_then(|i| self.names.get(i));
                label = upstream.map_or("an upstream".into(), |u| u.key.clone());
                match i.and_then(|i| self.upstreams.get(i)) {
                    Some(c) => c.clone(),
                    None => Cols::Unknown(format!("`{}` is no known upstream", id.value)),
                }
            }
            Some(id) => match scope.cte(&norm(id)) {
                Some(c) => c.clone(),
                None => Cols::Unknown(format!("`{name}` is not a dbt ref or source")),
            },
            None => Cols::Unknown(format!("`{name}` is not a dbt ref or source")),
        };
        if alias.is_none()
            && let Some(l) = last
            && !names.contains(&l)
        {
            names.push(l);
        }
        // Unaliased, a ref or source is qualified by its table's name (`stg_orders.id`), which
        // the placeholder standing for it no longer shows.
        if alias.is_none()
            && let Some(u) = upstream
            && !u.table.is_empty()
            && !names.contains(&u.table)
        {
            names.push(u.table.clone());
        }
        Rel {
            names,
            label,
            complete: upstream.is_some_and(|u| u.derived),
            cols: renamed(cols, alias),
        }
    }
}

/// `name (a, b)` renames columns by position.
fn renamed(cols: Cols, alias: Option<&TableAlias>) -> Cols {
    let Some(alias) = alias.filter(|a| !a.columns.is_empty()) else {
        return cols;
    };
    let names: Vec<OutputColumn> = alias
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (data_type, cast) = match &cols {
                Cols::Known(k) => k
                    .get(i)
                    .map_or((None, false), |k| (k.data_type.clone(), k.cast)),
                Cols::Unknown(_) => (None, false),
            };
            OutputColumn {
                name: norm(&c.name),
                quoted: c.name.quote_style.is_some(),
                data_type,
                cast,
                expr: None,
            }
        })
        .collect();
    Cols::Known(names)
}

/// `*` over `covered`, less `exclude`/`except`, with `replace` and `rename` applied; a
/// replacing expression is typed against `rels`, every relation of the FROM clause.
fn star(covered: &[&Rel], opts: &WildcardAdditionalOptions, rels: &[Rel]) -> Res<Cols> {
    if opts.opt_ilike.is_some() {
        return Ok(Cols::Unknown("`* ilike` is not analysed".into()));
    }
    let mut out = Vec::new();
    for rel in covered {
        match &rel.cols {
            Cols::Known(c) => out.extend(c.iter().cloned()),
            // A `*` over a CTE that is itself a `*` over the unknown: say it once.
            Cols::Unknown(why) if why.starts_with(STAR_UNKNOWN) => {
                return Ok(Cols::Unknown(why.clone()));
            }
            Cols::Unknown(why) => {
                return Ok(Cols::Unknown(format!("{STAR_UNKNOWN}{why}")));
            }
        }
    }
    let mut excluded: Vec<String> = Vec::new();
    match &opts.opt_exclude {
        Some(ExcludeSelectItem::Single(n)) => excluded.extend(last_ident(n)),
        Some(ExcludeSelectItem::Multiple(ns)) => excluded.extend(ns.iter().filter_map(last_ident)),
        None => {}
    }
    if let Some(except) = &opts.opt_except {
        excluded.push(norm(&except.first_element));
        excluded.extend(except.additional_elements.iter().map(norm));
    }
    out.retain(|c| !excluded.iter().any(|e| same(e, &c.name)));
    if let Some(replace) = &opts.opt_replace {
        for r in &replace.items {
            let name = norm(&r.column_name);
            if let Some(c) = out.iter_mut().find(|c| same(&c.name, &name)) {
                (c.data_type, c.cast) = infer(&r.expr, rels);
                c.expr = Some(r.expr.to_string());
            }
        }
    }
    if let Some(rename) = &opts.opt_rename {
        let pairs: Vec<(String, &Ident)> = match rename {
            RenameSelectItem::Single(p) => vec![(norm(&p.ident), &p.alias)],
            RenameSelectItem::Multiple(ps) => {
                ps.iter().map(|p| (norm(&p.ident), &p.alias)).collect()
            }
        };
        for (from, to) in pairs {
            if let Some(c) = out.iter_mut().find(|c| same(&c.name, &from)) {
                c.name = norm(to);
                c.quoted = to.quote_style.is_some();
            }
        }
    }
    Ok(Cols::Known(out))
}

pub(super) fn same(a: &str, b: &str) -> bool {
    a == b || a.eq_ignore_ascii_case(b)
}

/// The type an expression is known to have: a cast's target, a literal's kind, or the type of
/// the upstream column it passes through; and whether that type is an explicit cast's.
fn infer(e: &Expr, rels: &[Rel]) -> (Option<String>, bool) {
    match e {
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon | CastKind::TryCast | CastKind::SafeCast,
            data_type,
            ..
        } => (Some(data_type.to_string().to_lowercase()), true),
        Expr::Nested(inner) => infer(inner, rels),
        Expr::Value(v) => {
            let t = match &v.value {
                Value::Number(n, _) if n.contains(['.', 'e', 'E']) => Some("numeric".into()),
                Value::Number(..) => Some("integer".into()),
                Value::SingleQuotedString(_) => Some("varchar".into()),
                Value::Boolean(_) => Some("boolean".into()),
                _ => None,
            };
            (t, false)
        }
        Expr::Identifier(id) => {
            let name = norm(id);
            let mut found = rels.iter().filter_map(|r| match &r.cols {
                Cols::Known(c) => c.iter().find(|c| same(&c.name, &name)),
                Cols::Unknown(_) => None,
            });
            match (found.next(), found.next()) {
                (Some(first), None) => (first.data_type.clone(), first.cast),
                // Ambiguous across relations: SQL would refuse it; no type either way.
                _ => (None, false),
            }
        }
        Expr::CompoundIdentifier(ids) => {
            let [.., q, col] = ids.as_slice() else {
                return (None, false);
            };
            let (q, col) = (norm(q), norm(col));
            let found =
                rels.iter()
                    .find(|r| r.names.contains(&q))
                    .and_then(|rel| match &rel.cols {
                        Cols::Known(c) => c.iter().find(|c| same(&c.name, &col)),
                        Cols::Unknown(_) => None,
                    });
            found.map_or((None, false), |c| (c.data_type.clone(), c.cast))
        }
        _ => (None, false),
    }
}

pub(super) fn last_ident(n: &ObjectName) -> Option<String> {
    n.0.last().and_then(|p| p.as_ident()).map(norm)
}

/// Unquoted identifiers are case-insensitive: fold them; quoted ones keep their case.
pub(super) fn norm(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn short(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s
    }
}
