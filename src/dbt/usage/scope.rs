//! What is in scope while resolving a column: relations and CTEs, and what each exposes.

use std::collections::BTreeSet;

use sqlparser::ast::{Ident, TableAlias};

/// What a query makes visible to the query around it.
#[derive(Clone, Debug, Default)]
pub(super) struct Output {
    /// Columns it names (explicitly or by alias): their reads were counted where written.
    pub names: BTreeSet<String>,
    /// Upstreams whose every column passes through a `*`.
    pub stars: BTreeSet<usize>,
    /// A `*` over something that is not an upstream: any name may come from it.
    pub opaque: bool,
}

impl Output {
    pub fn merge(&mut self, other: Output) {
        self.names.extend(other.names);
        self.stars.extend(other.stars);
        self.opaque |= other.opaque;
    }

    pub fn absorb(&mut self, rel: &Rel) {
        match &rel.kind {
            Kind::Upstream(i) => {
                self.stars.insert(*i);
            }
            Kind::Derived(o) => self.merge(o.clone()),
            Kind::Unknown => self.opaque = true,
        }
    }
}

#[derive(Debug)]
pub(super) enum Kind {
    Upstream(usize),
    Derived(Output),
    /// A table that is no dbt upstream (`{{ this }}`, a hard-coded name, a table function).
    Unknown,
}

impl Kind {
    pub fn could_have(&self, name: &str) -> bool {
        match self {
            Kind::Upstream(_) | Kind::Unknown => true,
            Kind::Derived(o) => o.names.contains(name) || !o.stars.is_empty() || o.opaque,
        }
    }
}

#[derive(Debug)]
pub(super) struct Rel {
    /// Names a qualifier may use: the alias, else the table name (and, for an upstream, its
    /// dbt name, since `orders.id` works after `from {{ ref('orders') }}`).
    pub names: Vec<String>,
    pub kind: Kind,
}

pub(super) struct Scope<'p> {
    pub rels: Vec<Rel>,
    pub ctes: Vec<(String, Output)>,
    pub parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    pub fn new(parent: Option<&'p Scope<'p>>) -> Self {
        Scope {
            rels: Vec::new(),
            ctes: Vec::new(),
            parent,
        }
    }

    pub fn cte(&self, name: &str) -> Option<&Output> {
        let own = self.ctes.iter().rev().find(|(n, _)| n == name);
        own.map(|(_, o)| o)
            .or_else(|| self.parent.and_then(|p| p.cte(name)))
    }

    pub fn rel(&self, name: &str) -> Option<&Rel> {
        let own = self.rels.iter().find(|r| r.names.iter().any(|n| n == name));
        own.or_else(|| self.parent.and_then(|p| p.rel(name)))
    }
}

/// Identifiers are case-insensitive unless quoted: fold the unquoted ones, keep the others.
pub(super) fn norm(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

pub(super) fn placeholder(id: &Ident, prefix: &str) -> Option<usize> {
    if id.quote_style.is_some() {
        return None;
    }
    id.value.strip_prefix(prefix)?.parse().ok()
}

pub(super) fn alias_name(alias: Option<&TableAlias>) -> Vec<String> {
    alias.map(|a| norm(&a.name)).into_iter().collect()
}

pub(super) fn unknown(alias: Option<&TableAlias>) -> Rel {
    Rel {
        names: alias_name(alias),
        kind: Kind::Unknown,
    }
}
