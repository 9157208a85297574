//! Every `TESSERA_*` variable Tessera reads, in one place.

/// Fixes "today" (YYYY-MM-DD) for deprecations, waivers and expiry.
pub const TODAY: &str = "TESSERA_TODAY";
/// Path to tessera.yaml (same as `--config`).
pub const CONFIG: &str = "TESSERA_CONFIG";
/// Default `--format` of the commands that print reports.
pub const FORMAT: &str = "TESSERA_FORMAT";
/// `--color` default.
pub const COLOR: &str = "TESSERA_COLOR";
