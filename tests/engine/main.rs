//! The compatibility engine against shared/compat/vectors.yaml, plus property tests.

#[path = "../support/shared.rs"]
mod shared;
#[path = "../support/vectors.rs"]
mod vectors;

mod props;
mod suite;
