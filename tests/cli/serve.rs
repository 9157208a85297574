//! `tessera serve` as a real child process on 127.0.0.1, and the CLI's HTTP store against it:
//! the whole coordination loop behaves as it does on a local file, over SQLite and PostgreSQL, and the API keys enforce the
//! claims (every refusal leaves the store as it was).

mod keys;
mod postgres;
mod replicas;
mod scenario;
mod security;
mod support;
