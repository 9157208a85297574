pub mod contract;
pub mod dbt;
