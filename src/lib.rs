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

pub use cli::{Cli, run};
pub use exit::ExitStatus;
