//! Every way a caller may try to write what is not theirs, each refused with the right status
//! and the store file exactly as it was: no key, a revoked key, a read key that writes, team A's
//! key syncing, acking or registering keys for team B, oversized and malformed bodies, and path
//! traversal or injection in identifiers.

use serde_json::{Value, json};

use super::support::{BOOTSTRAP, Server, served_world};
use crate::common::{code, stderr, stdout, tessera};
use crate::coordination::support::{BO, World, tools_present};

/// One raw request to the server: its status and JSON body.
fn call(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (u16, Value) {
    try_call(server, method, path, token, body).expect("the server answers")
}

/// [`call`], or the transport error: a server that refuses a body by its declared length may
/// answer and close while the client is still sending it.
fn try_call(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<(u16, Value), ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", server.url))
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = match body {
        Some(b) => agent.run(req.body(b).expect("request")),
        None => agent.run(req.body(()).expect("request")),
    };
    let mut resp = resp?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .expect("body");
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

/// Every row of every table, to compare the store before and after a refused request.
fn fingerprint(w: &World) -> Vec<String> {
    let db = w.db();
    let mut out = Vec::new();
    for table in [
        "projects",
        "teams",
        "users",
        "assets",
        "contract_versions",
        "consumers",
        "proposals",
        "acks",
        "events",
        "team_claims",
        "api_keys",
    ] {
        let mut stmt = db
            .prepare(&format!("SELECT * FROM {table}"))
            .expect("select");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i)))
                    .collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .expect("rows");
        out.extend(rows.map(|r| r.expect("row")));
    }
    out.sort();
    out
}

fn refused(v: &Value, code_word: &str) {
    assert_eq!(v["error"]["code"], code_word, "{v}");
    assert!(
        v["error"]["help"].as_str().is_some_and(|h| !h.is_empty()),
        "{v}"
    );
}

fn declaration(project: &str, owner: &str, users: Value) -> String {
    json!({
        "declaration": {
            "project": project, "owner": owner, "teams": [], "users": users,
            "assets": [], "consumers": [],
        },
        "now": "2026-06-01T00:00:00Z",
        "commit": null,
    })
    .to_string()
}

fn ack_batch(proposal: &str, team: &str) -> String {
    json!({
        "seen": [],
        "writes": [{
            "write": "ack", "proposal": proposal, "team": team, "decision": "approve",
            "migrating_until": null, "signer": BO, "payload": "forged", "signature": "forged",
            "created_at": "2026-06-01T00:00:00Z",
        }],
        "now": "2026-06-01T00:00:00Z",
    })
    .to_string()
}

#[test]
fn keys_and_scopes_refuse_who_may_not_write() {
    if !tools_present() {
        return;
    }
    let (w, server) = served_world(true);
    let id = w.propose_id();
    let bi = w
        .remote
        .as_ref()
        .and_then(|r| r.bi_token.clone())
        .expect("bi key");
    let shop = w
        .remote
        .as_ref()
        .and_then(|r| r.shop_token.clone())
        .expect("shop key");
    let admin = server.key(BOOTSTRAP, "team-ops", "admin");
    let reader = server.key(&admin, "team-bi", "read");
    let before = fingerprint(&w);
    let event = json!({"at": "2026-06-01T00:00:00Z", "kind": "x.y", "project": "bi",
        "subject": null, "detail_json": "{}"})
    .to_string();

    // No key, a key this server never issued, and the bootstrap secret used to read.
    let (s, v) = call(&server, "GET", "/api/v1/assets", None, None);
    assert_eq!(s, 401, "{v}");
    refused(&v, "tessera::server::unauthorized");
    let (s, _) = call(&server, "POST", "/api/v1/events", None, Some(event.clone()));
    assert_eq!(s, 401);
    let (s, _) = call(
        &server,
        "GET",
        "/api/v1/assets",
        Some("tsk_kdeadbeef_00"),
        None,
    );
    assert_eq!(s, 401);
    let (s, _) = call(&server, "GET", "/api/v1/assets", Some(BOOTSTRAP), None);
    assert_eq!(s, 403, "the bootstrap secret only creates keys");

    // A read key reads, and cannot write.
    let (s, _) = call(&server, "GET", "/api/v1/assets", Some(&reader), None);
    assert_eq!(s, 200);
    let (s, v) = call(
        &server,
        "POST",
        "/api/v1/events",
        Some(&reader),
        Some(event.clone()),
    );
    assert_eq!(s, 403, "{v}");
    refused(&v, "tessera::server::forbidden");
    let o = w
        .cmd(&w.bi)
        .env("TESSERA_TOKEN", &reader)
        .args(["sync"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("tessera::server::forbidden"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("may only read"), "{}", stderr(&o));

    // Team bi's key syncing team shop's project, as itself or pretending to own it.
    let sync = "/api/v1/projects/shop/sync";
    let (s, v) = call(
        &server,
        "POST",
        sync,
        Some(&bi),
        Some(declaration("shop", "team-shop", json!([]))),
    );
    assert_eq!(s, 403, "{v}");
    let (s, v) = call(
        &server,
        "POST",
        sync,
        Some(&bi),
        Some(declaration("shop", "team-bi", json!([]))),
    );
    assert_eq!(s, 403, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("belongs to team `team-shop`"),
        "{v}"
    );

    // Team shop's key acking for team bi (a team acks with its own key), directly or in a batch.
    let (s, v) = call(
        &server,
        "POST",
        "/api/v1/commit",
        Some(&shop),
        Some(ack_batch(&id, "team-bi")),
    );
    assert_eq!(s, 403, "{v}");
    let ack = serde_json::from_str::<Value>(&ack_batch(&id, "team-bi")).expect("json")["writes"][0]
        .clone();
    let (s, _) = call(
        &server,
        "POST",
        &format!("/api/v1/proposals/{id}/acks"),
        Some(&shop),
        Some(ack.to_string()),
    );
    assert_eq!(s, 403);
    // Team bi's own key does not replace a member's signature.
    let (s, v) = call(
        &server,
        "POST",
        "/api/v1/commit",
        Some(&bi),
        Some(ack_batch(&id, "team-bi")),
    );
    assert_eq!(s, 403, "{v}");
    refused(&v, "tessera::server::ack_rejected");
    // Nor may team bi change the producer's proposal.
    let (s, _) = call(
        &server,
        "PUT",
        &format!("/api/v1/proposals/{id}/status"),
        Some(&bi),
        Some(json!({"status": "withdrawn", "now": "2026-06-01T00:00:00Z"}).to_string()),
    );
    assert_eq!(s, 403);

    // Team shop's key adding a key to Bo (team bi's member), or declaring members of team bi.
    let bo_with_key = json!([{"email": BO, "name": null, "teams": ["team-shop"], "github": null,
        "gitlab": null, "slack_member_id": null,
        "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHg7oFBkUWbwaeGbhuKOkd0sebM5rJFKVnGAgwRUCWH9 mallory"]}]);
    let (s, v) = call(
        &server,
        "POST",
        sync,
        Some(&shop),
        Some(declaration("shop", "team-shop", bo_with_key)),
    );
    assert_eq!(s, 403, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("would add the key"),
        "{v}"
    );
    let bo_in_bi = json!([{"email": "eve@example.com", "name": null, "teams": ["team-bi"],
        "github": null, "gitlab": null, "slack_member_id": null, "ssh_keys": []}]);
    let (s, v) = call(
        &server,
        "POST",
        sync,
        Some(&shop),
        Some(declaration("shop", "team-shop", bo_in_bi)),
    );
    assert_eq!(s, 403, "{v}");

    assert_eq!(
        fingerprint(&w),
        before,
        "no refused request changed the store"
    );

    // A revoked key is refused from then on; `keys list` shows it revoked.
    let o = tessera()
        .env("TESSERA_STORE", &server.url)
        .env("TESSERA_TOKEN", &admin)
        .args(["keys", "list", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let keys: Value = serde_json::from_slice(&o.stdout).expect("json");
    let listed = keys["keys"].as_array().expect("keys");
    assert_eq!(listed.len(), 4, "{keys}");
    assert!(
        !keys.to_string().contains("tsk_"),
        "no secret is listed: {keys}"
    );
    let bi_id = bi.split('_').nth(1).expect("id");
    let o = tessera()
        .env("TESSERA_STORE", &server.url)
        .env("TESSERA_TOKEN", &admin)
        .args(["keys", "revoke", bi_id])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (s, v) = call(&server, "GET", "/api/v1/assets", Some(&bi), None);
    assert_eq!(s, 401, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("revoked"),
        "{v}"
    );
    let (o, _) = w.ack(&id, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(w.stored_acks(), 0);
    // A write key cannot manage keys.
    let (s, _) = call(&server, "GET", "/api/v1/keys", Some(&shop), None);
    assert_eq!(s, 403);
}

#[test]
fn bodies_and_identifiers_are_checked_before_anything_is_written() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("store.db");
    let server = Server::start(
        &db,
        &["--max-body", "1"],
        &[("TESSERA_BOOTSTRAP_KEY", BOOTSTRAP)],
    );
    let admin = server.key(BOOTSTRAP, "team-ops", "admin");
    let w = World::at(
        dir,
        Some(crate::coordination::support::Remote {
            url: server.url.clone(),
            shop_token: Some(admin.clone()),
            bi_token: Some(admin.clone()),
        }),
    );
    let before = fingerprint(&w);
    let t = Some(admin.as_str());

    // 2 MiB against a 1 MiB limit.
    let big = format!(
        "{{\"seen\": [], \"writes\": [], \"now\": \"{}\"}}",
        "x".repeat(2 << 20)
    );
    // The answer can be lost when the server closes before the client has sent everything, so
    // a few tries get to read it; every try must leave the store as it was.
    let answered =
        (0..5).find_map(|_| try_call(&server, "POST", "/api/v1/commit", t, Some(big.clone())).ok());
    let (s, v) = answered.expect("the server answers one of the tries");
    assert_eq!(s, 413, "{v}");
    refused(&v, "tessera::server::too_large");
    // Not JSON, and JSON of the wrong shape.
    let (s, v) = call(
        &server,
        "POST",
        "/api/v1/commit",
        t,
        Some("{\"seen\": [".into()),
    );
    assert_eq!(s, 422, "{v}");
    refused(&v, "tessera::server::invalid_input");
    let (s, _) = call(
        &server,
        "POST",
        "/api/v1/commit",
        t,
        Some("{\"writes\": 3}".into()),
    );
    assert_eq!(s, 422);
    let (s, _) = call(&server, "GET", "/api/v1/proposals?status=done", t, None);
    assert_eq!(s, 422);

    // Path traversal and control characters in identifiers.
    for project in ["..", "../../etc/passwd", "a\u{0}b", "evil\nproject"] {
        let path = format!(
            "/api/v1/projects/{}/sync",
            tessera::store::http::segment(project)
        );
        let (s, v) = call(
            &server,
            "POST",
            &path,
            t,
            Some(declaration(project, "team-x", json!([]))),
        );
        assert_eq!(s, 422, "{project:?}: {v}");
    }
    let (s, _) = call(
        &server,
        "PUT",
        "/api/v1/proposals/..%2F..%2Fx",
        t,
        Some(json!({"id": "../../x"}).to_string()),
    );
    assert_eq!(s, 422);
    let (s, _) = call(
        &server,
        "POST",
        "/api/v1/events",
        t,
        Some(
            json!({"at": "2026-06-01T00:00:00Z", "kind": "../x", "project": null, "subject": null,
            "detail_json": "{}"})
            .to_string(),
        ),
    );
    assert_eq!(s, 422);
    let (s, _) = call(
        &server,
        "POST",
        "/api/v1/keys",
        t,
        Some(json!({"team": "../admins", "scope": "admin"}).to_string()),
    );
    assert_eq!(s, 422);
    // SQL in identifiers is only ever a value: it matches nothing.
    let (s, _) = call(&server, "GET", "/api/v1/assets/x'%20OR%20'1'%3D'1", t, None);
    assert_eq!(s, 404);
    let (s, v) = call(
        &server,
        "GET",
        "/api/v1/proposals?asset=x'%20OR%201%3D1%20--",
        t,
        None,
    );
    assert_eq!((s, v), (200, json!([])));

    assert_eq!(
        fingerprint(&w),
        before,
        "no refused request changed the store"
    );
}

#[test]
fn dev_mode_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("s.db");
    let o = tessera()
        .current_dir(dir.path())
        .args(["serve", "--dev", "--listen", "0.0.0.0:0"])
        .args(["--store", &format!("sqlite:{}", db.display())])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("listens only on loopback"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("listening"), "{}", stdout(&o));
    assert!(!db.exists(), "nothing was created");
}

#[test]
fn a_stalled_request_is_cut_off_at_the_timeout_and_the_server_keeps_serving() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start(&dir.path().join("s.db"), &["--dev", "--timeout", "1"], &[]);
    let addr = server.url.trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(addr).expect("connect");
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("read timeout");
    // Headers promise a body that never comes.
    conn.write_all(
        b"POST /api/v1/commit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .expect("send");
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
    let (s, _) = call(&server, "GET", "/health", None, None);
    assert_eq!(s, 200);
}
