//! Tests of the built `tessera` binary: one integration binary, a module per command.

#[path = "../support/vectors.rs"]
mod vectors;

mod check;
mod common;
mod completions;
mod coordination;
mod demo;
mod guidance;
mod impact;
mod precommit;
mod rules;
mod serve;
mod sync;
mod vectors_e2e;
mod yaml_vs_manifest;
