//! API keys of `tessera serve`, kept in the store they guard. Only the server uses these, so
//! they are a trait of their own beside [`Store`], which the CLI sees: every backend the server
//! can run on (SQLite, PostgreSQL) implements both.

use super::Store;
use super::error::Result;
use super::time::Timestamp;
use super::wire::KeyInfo;

/// Event kinds of key management, in the same log as everything else.
pub const KEY_CREATED: &str = "key.created";
pub const KEY_REVOKED: &str = "key.revoked";

pub trait KeyStore: Store {
    /// The key and its stored hash.
    fn api_key(&self, id: &str) -> Result<Option<(KeyInfo, String)>>;

    /// Every key, revoked ones included, oldest first.
    fn api_keys(&self) -> Result<Vec<KeyInfo>>;

    /// Records a new key (its hash only) and a `key.created` event.
    fn add_api_key(&self, key: &KeyInfo, hash: &str) -> Result<()>;

    /// Revokes a key; `None` when there is no such key. Revoking twice keeps the first time.
    /// Keys are never deleted (the database refuses it).
    fn revoke_api_key(&self, id: &str, now: Timestamp, by: &str) -> Result<Option<KeyInfo>>;
}
