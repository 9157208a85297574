//! Tests of the built `tessera` binary: one integration binary, a module per command.

#[path = "../support/shared.rs"]
mod shared;
#[path = "../support/vectors.rs"]
mod vectors;

mod check;
mod common;
mod compiled_manifest;
mod completions;
mod coordination;
mod demo;
mod guidance;
mod identity;
mod impact;
mod inputs;
mod jinja_context;
mod precommit;
mod replayed;
mod rules;
mod serve;
mod sql_contract;
mod sql_history;
mod sql_types;
mod sql_unresolved;
mod sync;
mod vectors_e2e;
mod yaml_vs_manifest;
