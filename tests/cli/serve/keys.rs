//! `tessera keys`: the bootstrap secret creates keys and nothing else; a key's secret is shown
//! once and only its sha256 is stored; only admin keys manage keys.

use sha2::{Digest, Sha256};

use super::support::{BOOTSTRAP, Server};
use crate::common::{code, stderr, stdout, tessera};

fn keys(server: &Server, token: &str, args: &[&str]) -> std::process::Output {
    tessera()
        .env("TESSERA_STORE", &server.url)
        .env("TESSERA_TOKEN", token)
        .arg("keys")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn a_key_is_shown_once_and_stored_as_its_hash() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("store.db");
    let server = Server::with_keys(&db);

    let o = keys(
        &server,
        BOOTSTRAP,
        &["create", "--team", "platform", "--scope", "admin"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let admin = stdout(&o).trim().to_string();
    assert!(admin.starts_with("tsk_k"), "{admin}");
    assert!(
        stderr(&o).contains("only time its secret is shown"),
        "{}",
        stderr(&o)
    );

    let conn = rusqlite::Connection::open(&db).expect("open");
    let (id, hash): (String, String) = conn
        .query_row("SELECT id, hash FROM api_keys", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("one key");
    let expected: String = Sha256::digest(admin.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hash, format!("sha256:{expected}"));
    assert!(admin.contains(&id), "the token names its id");
    let created: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'key.created'",
            [],
            |r| r.get(0),
        )
        .expect("events");
    assert_eq!(created, 1);
    drop(conn);
    let _ = server.stop();
    let bytes = std::fs::read(&db).expect("db");
    let secret = admin.rsplit('_').next().expect("secret");
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret is nowhere in the store file"
    );
}

#[test]
fn only_admin_keys_manage_keys() {
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::with_keys(&dir.path().join("store.db"));
    let writer = server.key(BOOTSTRAP, "team-shop", "write");
    // The bootstrap secret creates, but neither lists nor revokes.
    let o = keys(&server, BOOTSTRAP, &["list"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tessera::server::forbidden"),
        "{}",
        stderr(&o)
    );
    // A write key manages nothing.
    for args in [
        &["list"][..],
        &["create", "--team", "team-shop", "--scope", "admin"][..],
    ] {
        let o = keys(&server, &writer, args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("not an admin key"), "{}", stderr(&o));
    }
    // An unknown key id is the server's 404, in its words.
    let admin = server.key(BOOTSTRAP, "platform", "admin");
    let o = keys(&server, &admin, &["revoke", "knothere"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no key `knothere`"), "{}", stderr(&o));
    // No key at all.
    let o = keys(&server, "", &["list"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("tessera::server::unauthorized"),
        "{}",
        stderr(&o)
    );
    // Keys belong to a server, not to a file.
    let o = tessera()
        .current_dir(dir.path())
        .args(["--store", "sqlite:x.db", "keys", "list"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("belong to a `tessera serve`"),
        "{}",
        stderr(&o)
    );
}
