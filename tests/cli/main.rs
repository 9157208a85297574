//! Tests of the built `tessera` binary: one integration binary, a module per command.

mod common;
mod rules;
