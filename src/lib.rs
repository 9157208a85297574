pub mod compat;
pub mod contract;
