//! Every `TESSERA_*` variable Tessera reads, in one place.

/// Fixes "today" (YYYY-MM-DD) for deprecations, waivers and expiry.
pub const TODAY: &str = "TESSERA_TODAY";
/// Path to tessera.yaml (same as `--config`).
pub const CONFIG: &str = "TESSERA_CONFIG";
/// Default `--format` of the commands that print reports.
pub const FORMAT: &str = "TESSERA_FORMAT";
/// `--color` default.
pub const COLOR: &str = "TESSERA_COLOR";
/// The SSH key `tessera ack` signs with, after `--key`.
pub const SIGNING_KEY: &str = "TESSERA_SIGNING_KEY";
/// The passphrase of an encrypted signing key, for runs without a terminal to prompt on.
pub const SSH_PASSPHRASE: &str = "TESSERA_SSH_PASSPHRASE";
/// The name of the change `tessera impact` proposes for (same as `--change`).
pub const CHANGE: &str = "TESSERA_CHANGE";

/// The day `TESSERA_TODAY` pins, when it is set: every command says so, on stderr and in JSON,
/// because a pinned date changes which waivers, deprecations and migrations count.
pub fn pinned_today() -> Option<String> {
    std::env::var(TODAY)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}
