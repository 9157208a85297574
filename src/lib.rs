//! Tessera: detect a breaking schema change, name who it hurts, collect their signed sign-off,
//! then let the merge through.

pub mod cli;
pub mod compat;
pub mod config;
pub mod contract;
pub mod dbt;
pub mod env;
pub mod error;
pub mod exit;
pub mod git;
pub mod impact;
pub mod output;
pub mod report;
pub mod server;
pub mod sign;
pub mod store;
pub mod suggest;

/// Finds `shared/` beside the checkout for the tests that read real fixtures (one file shared
/// with the integration tests).
#[cfg(test)]
#[path = "../tests/support/shared.rs"]
pub(crate) mod test_shared;

pub use cli::{Cli, run};
pub use exit::ExitStatus;
