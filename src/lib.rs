pub mod contract;
pub mod dbt;
pub mod git;
