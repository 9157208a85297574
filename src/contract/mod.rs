//! The contract model, per-warehouse type canonicalization and canonical digests. Pure data:
//! no IO, no clap.

pub mod date;
pub mod dialect;
pub mod digest;
pub mod model;
pub mod types;

pub use date::Date;
pub use dialect::{ConstraintClass, Dialect, TimestampMapping, Warehouse};
pub use digest::{project_digest, relation_digest};
pub use model::*;
