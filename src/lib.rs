pub mod config;
pub mod contract;
