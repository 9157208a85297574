//! Signed acknowledgments end to end with the real OpenSSH tools: an ack Tessera signs verifies
//! with `ssh-keygen -Y verify`, an agent-held key signs through `ssh-keygen -Y sign -U`, and every
//! way of forging or misusing an ack is rejected by `verify` and keeps the merge gate closed.

mod claims;
pub mod gate;
mod guidance;
mod newcomer;
mod output;
mod store_access;
pub mod support;

use support::{
    Agent, BO, ORDERS_ORDER_DATE, ORDERS_ORDER_ID, World, edit, json, keygen, ssh_keygen_y,
    ssh_sign, tools_present,
};

use crate::common::{code, have_tool, stderr, stdout};

fn approve(w: &World, id: &str) -> serde_json::Value {
    let (o, ack) = w.ack(id, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(ack["counts"], true, "{ack}");
    ack
}

#[test]
fn an_ack_verifies_with_ssh_keygen_alone() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let ack = approve(&w, &id);
    assert_eq!(ack["proposal"], id.as_str());
    assert_eq!(ack["signer"], BO);
    assert_eq!(ack["team"], "team-bi");
    let payload = ack["payload"].as_str().expect("payload");
    let signature = ack["signature"].as_str().expect("signature");
    assert!(payload.contains(&format!("proposal: {id}\n")), "{payload}");

    let signers = w.dir.path().join("allowed_signers");
    let o = w.run(
        &w.shop,
        &["signers", "export", "-o", signers.to_str().expect("utf-8")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let file = std::fs::read_to_string(&signers).expect("signers file");
    assert!(file.contains(BO), "{file}");
    let allowed = signers.to_str().expect("utf-8");

    let verify = |namespace: &str, principal: &str, payload: &str| {
        let args = ["verify", "-f", allowed, "-I", principal, "-n", namespace];
        ssh_keygen_y(&args, signature, payload)
    };
    let o = verify("tessera-ack", BO, payload);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("Good \"tessera-ack\" signature for bo@example.com"),
        "{}",
        stdout(&o)
    );
    // The same signature is no git signature, speaks for nobody else, and covers every byte.
    let o = verify("git", BO, payload);
    assert!(!o.status.success(), "-n git verified: {}", stdout(&o));
    let o = verify("tessera-ack", "ana@example.com", payload);
    assert!(!o.status.success(), "another principal: {}", stdout(&o));
    let altered = payload.replace("decision: approve", "decision: block");
    assert_ne!(altered, payload);
    let o = verify("tessera-ack", BO, &altered);
    assert!(!o.status.success(), "an altered payload: {}", stdout(&o));
}

#[test]
fn an_agent_held_key_signs_through_ssh_keygen() {
    if !tools_present() || !have_tool("ssh-agent") || !have_tool("ssh-add") {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let agent = Agent::start(w.dir.path());
    let o = std::process::Command::new("ssh-add")
        .arg(&w.bo_key)
        .env("SSH_AUTH_SOCK", &agent.sock)
        .output()
        .expect("ssh-add runs");
    assert!(o.status.success(), "ssh-add: {}", stderr(&o));
    // From here only the agent holds the private half.
    std::fs::rename(&w.bo_key, w.bo_key.with_extension("elsewhere")).expect("move the key");
    let public = format!("{}.pub", w.key());
    let args = [
        "ack",
        &id,
        "--approve",
        "--key",
        &public,
        "--format",
        "json",
    ];

    let o = w.run(&w.bi, &args);
    assert_eq!(code(&o), 2, "no agent, no signature: {}", stdout(&o));
    assert_eq!(w.verify(&[]).1.len(), 0, "a failed signing records nothing");

    let o = w
        .cmd(&w.bi)
        .env("SSH_AUTH_SOCK", &agent.sock)
        .args(args)
        .output()
        .expect("tessera runs");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let ack = json(&o);
    assert_eq!(ack["counts"], true, "{ack}");
    assert_eq!(ack["signer"], BO, "{ack}");

    let (status, acks) = w.verify(&[]);
    assert_eq!(status, 0, "{acks:?}");
    assert_eq!(acks.len(), 1, "{acks:?}");
    assert_eq!(acks[0]["valid"], true, "{acks:?}");
    assert_eq!(acks[0]["signer"], BO, "{acks:?}");
    assert_eq!(w.gate(&[]), 0, "team-bi approved");
    drop(agent);
}

#[test]
fn a_tampered_ack_is_rejected() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let comment = "not before the dashboards move";
    let (o, ack) = w.ack(&id, &["--block", "--comment", comment, "--key", &w.key()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(ack["counts"], true, "{ack}");
    let ack_id = ack["id"].as_i64().expect("id");
    assert_eq!(w.rejection(ack_id), None);
    let original = ack["payload"].as_str().expect("payload").to_string();
    assert!(original.contains("decision: block\n"), "{original}");
    assert!(
        original.contains(&format!("comment: {comment}\n")),
        "{original}"
    );

    let db = w.db();
    let err = db.execute("UPDATE acks SET decision = 'approve'", []);
    assert!(err.is_err(), "acks are append-only");
    db.execute_batch("DROP TRIGGER acks_no_update")
        .expect("drop trigger");
    let set = |decision: &str, payload: &str| {
        let n = db
            .execute(
                "UPDATE acks SET decision = ?1, payload = ?2 WHERE id = ?3",
                rusqlite::params![decision, payload, ack_id],
            )
            .expect("update");
        assert_eq!(n, 1);
    };

    // The record's decision alone: it no longer says what was signed.
    set("approve", &original);
    w.assert_rejected(ack_id, "payload_mismatch", &[]);
    // The signed text too: the signature no longer matches.
    let approving = original.replace("decision: block", "decision: approve");
    set("approve", &approving);
    w.assert_rejected(ack_id, "bad_signature", &[]);
    // Only the comment.
    set(
        "block",
        &original.replace(comment, "fine, ship it whenever you like"),
    );
    w.assert_rejected(ack_id, "bad_signature", &[]);
    // Put back as signed, it counts again: the rejections were the edits' doing.
    set("block", &original);
    assert_eq!(w.rejection(ack_id), None);
}

#[test]
fn a_signature_from_another_namespace_is_rejected() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    // A genuine approval made in a scratch copy of the store gives the payload Bo would sign.
    let scratch = w.dir.path().join("scratch.db");
    w.db()
        .execute("VACUUM INTO ?1", [scratch.to_str().expect("utf-8")])
        .expect("copy the store");
    let o = w
        .cmd(&w.bi)
        .env("TESSERA_STORE", format!("sqlite:{}", scratch.display()))
        .args([
            "ack",
            &id,
            "--approve",
            "--key",
            &w.key(),
            "--format",
            "json",
        ])
        .output()
        .expect("tessera runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let payload = json(&o)["payload"].as_str().expect("payload").to_string();

    // The same text, signed by Bo's key for git (as a commit signature would be).
    let git_sig = ssh_sign(&w.bo_key, "git", &payload);
    let o = ssh_keygen_y(&["check-novalidate", "-n", "git"], &git_sig, &payload);
    assert!(o.status.success(), "a good git signature: {}", stderr(&o));

    let db = w.db();
    db.execute(
        "ATTACH DATABASE ?1 AS scratch",
        [scratch.to_str().expect("utf-8")],
    )
    .expect("attach");
    let n = db
        .execute(
            "INSERT INTO main.acks (proposal, team, decision, migrating_until, signer, payload, signature, created_at)
             SELECT proposal, team, decision, migrating_until, signer, payload, ?1, created_at FROM scratch.acks",
            [&git_sig],
        )
        .expect("forge");
    assert_eq!(n, 1);
    let (_, acks) = w.verify(&[]);
    assert_eq!(acks.len(), 1, "only the forged ack: {acks:?}");
    let forged = acks[0]["ack"].as_i64().expect("id");
    w.assert_rejected(forged, "wrong_namespace", &[]);
    assert!(
        acks[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("`git`")),
        "{acks:?}"
    );
}

#[test]
fn an_unregistered_key_does_not_count() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let (other, _) = keygen(w.dir.path(), "other", "other@example.com");
    w.bi.git(&["config", "user.email", BO]);
    let key = other.display().to_string();
    let before = w.stored_acks();
    let (o, ack) = w.ack(&id, &["--approve", "--key", &key, "--team", "team-bi"]);
    assert!(
        stderr(&o).contains("not registered for any user"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("users:"),
        "says how to register: {}",
        stderr(&o)
    );
    w.assert_refused(&o, &ack, "unknown_key", before);
    let (status, acks) = w.verify(&[]);
    assert_eq!((status, acks.len()), (0, 0), "verify stays clean: {acks:?}");
}

#[test]
fn a_signer_outside_the_team_does_not_count() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let (ana, ana_pub) = keygen(w.dir.path(), "ana", "ana@example.com");
    let (mallory, mallory_pub) = keygen(w.dir.path(), "mallory", "mallory@example.com");
    let (impostor, impostor_pub) = keygen(w.dir.path(), "impostor", BO);
    // The producer declares its own member, one who claims team-bi, and a second key for Bo.
    w.shop.git(&["checkout", "-q", "main"]);
    edit(
        &w.shop,
        "tessera.yaml",
        "  - {email: ana@example.com, name: Ana Lima, teams: [team-shop]}\n",
        &format!(
            "  - {{email: ana@example.com, name: Ana Lima, teams: [team-shop], ssh_keys: [\"{ana_pub}\"]}}\n  \
             - {{email: mallory@example.com, name: Mallory, teams: [team-bi], ssh_keys: [\"{mallory_pub}\"]}}\n  \
             - {{email: {BO}, name: Bo Chen, teams: [team-bi], ssh_keys: [\"{impostor_pub}\"]}}\n"
        ),
    );
    w.shop.commit("users");
    w.sync(&w.shop);
    w.shop.git(&["checkout", "-q", "drop-status"]);

    for (key, signer) in [
        (&ana, "ana@example.com"),
        (&mallory, "mallory@example.com"),
        (&impostor, BO),
    ] {
        let key = key.display().to_string();
        let before = w.stored_acks();
        let (o, ack) = w.ack(&id, &["--approve", "--key", &key, "--team", "team-bi"]);
        assert!(stderr(&o).contains(signer), "{signer}: {}", stderr(&o));
        w.assert_refused(&o, &ack, "signer_not_in_team", before);
    }
    // Nor may those keys sign anything for team-bi outside Tessera.
    let o = w.run(&w.shop, &["signers", "export"]);
    let exported = stdout(&o);
    assert!(
        exported.contains(BO) && exported.contains("ana@example.com"),
        "{exported}"
    );
    for public in [&mallory_pub, &impostor_pub] {
        let material = public.split_whitespace().nth(1).expect("key material");
        assert!(!exported.contains(material), "{exported}");
    }
}

#[test]
fn an_ack_replayed_onto_another_proposal_is_rejected() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let other = w.propose(&["--change", "other"]);
    let other_id = other["id"].as_str().expect("id").to_string();
    assert_ne!(other_id, id);
    assert_eq!(other["digest"], w.propose(&[])["digest"], "the same break");
    let ack = approve(&w, &id);
    assert_eq!(w.gate(&[]), 0, "the acked proposal passes");

    let n = w
        .db()
        .execute(
            "INSERT INTO acks (proposal, team, decision, migrating_until, signer, payload, signature, created_at)
             SELECT ?1, team, decision, migrating_until, signer, payload, signature, created_at FROM acks WHERE id = ?2",
            rusqlite::params![other_id, ack["id"].as_i64().expect("id")],
        )
        .expect("replay");
    assert_eq!(n, 1);
    let (_, acks) = w.verify(&[&other_id]);
    assert_eq!(acks.len(), 1, "{acks:?}");
    assert_eq!(acks[0]["proposal"], other_id.as_str());
    let replayed = acks[0]["ack"].as_i64().expect("id");
    w.assert_rejected(replayed, "wrong_proposal", &["--change", "other"]);
    assert_eq!(w.rejection(ack["id"].as_i64().expect("id")), None);
}

#[test]
fn an_ack_for_a_revised_breaking_set_is_stale() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let first = w.propose(&[]);
    let id = first["id"].as_str().expect("id").to_string();
    let ack_id = approve(&w, &id)["id"].as_i64().expect("id");
    assert_eq!(w.gate(&[]), 0);

    // Dropping a column no consumer reads leaves the breaking set, and the ack, as they were.
    w.drop_column(ORDERS_ORDER_ID);
    let (status, v) = w.impact(&["--propose", "--require-acks"]);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["proposals"][0]["digest"], first["digest"], "{v}");
    assert_eq!(w.rejection(ack_id), None);

    // Dropping one bi reads revises it: same proposal, new set, the old ack no longer counts.
    edit(&w.shop, "models/marts/orders.sql", "    order_date,\n", "");
    w.drop_column(ORDERS_ORDER_DATE);
    let revised = w.propose(&[]);
    assert_eq!(revised["id"], id.as_str(), "{revised}");
    assert_ne!(revised["digest"], first["digest"], "{revised}");
    assert_eq!(revised["status"], "pending", "{revised}");
    w.assert_rejected(ack_id, "stale_digest", &[]);

    // Acknowledging the new set opens the gate again.
    approve(&w, &id);
    assert_eq!(w.gate(&[]), 0);
}

#[test]
fn proposals_show_lists_acks_and_a_withdrawn_proposal_takes_none() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let good = approve(&w, &id)["id"].as_i64().expect("id");
    let (other, _) = keygen(w.dir.path(), "other", "other@example.com");
    w.bi.git(&["config", "user.email", BO]);
    let key = other.display().to_string();
    let (o, _) = w.ack(&id, &["--block", "--key", &key, "--team", "team-bi"]);
    assert_eq!(code(&o), 1, "refused: {}", stderr(&o));
    // A block that could not count is refused; one forged into the file is shown as rejected.
    let bad = forge_copy(&w, good, "block");

    let show = |w: &World| {
        let o = w.run(&w.shop, &["proposals", "show", &id, "--format", "json"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json(&o)
    };
    let v = show(&w);
    assert_eq!(v["id"], id.as_str());
    assert_eq!(
        v["status"], "approved",
        "the unknown key's block does not count: {v}"
    );
    let acks = v["acks"].as_array().expect("acks");
    assert_eq!(acks.len(), 2, "{v}");
    let find = |n: i64| acks.iter().find(|a| a["id"] == n).expect("listed");
    assert_eq!(find(good)["valid"], true, "{v}");
    assert!(find(good)["rejection"].is_null(), "{v}");
    assert_eq!(find(bad)["valid"], false, "{v}");
    assert_eq!(find(bad)["rejection"], "payload_mismatch", "{v}");
    assert_eq!(find(bad)["decision"], "block", "{v}");

    let o = w.run(
        &w.shop,
        &["proposals", "withdraw", &id, "--reason", "abandoned"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (o, _) = w.ack(&id, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("proposal {id} is withdrawn")) && err.contains("no longer takes"),
        "{err}"
    );
    let v = show(&w);
    assert_eq!(v["status"], "withdrawn", "{v}");
    assert_eq!(
        v["acks"].as_array().map(Vec::len),
        Some(2),
        "nothing recorded: {v}"
    );
}

#[test]
fn another_project_can_neither_speak_for_a_team_nor_hijack_its_keys() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let (mallory, mallory_pub) = keygen(w.dir.path(), "mallory", "mallory@example.com");
    let bo_pub = std::fs::read_to_string(format!("{}.pub", w.key())).expect("Bo's public key");
    // The producer registers a consumption as team-bi (which would make it "speak" for team-bi
    // if registrations counted) and lists Bo's public key under a user sorting before Bo.
    w.shop.git(&["checkout", "-q", "main"]);
    edit(
        &w.shop,
        "tessera.yaml",
        "  - {email: ana@example.com, name: Ana Lima, teams: [team-shop]}\n",
        &format!(
            "  - {{email: ana@example.com, name: Ana Lima, teams: [team-shop]}}\n  \
             - {{email: mallory@example.com, teams: [team-bi], ssh_keys: [\"{mallory_pub}\"]}}\n  \
             - {{email: aaa@example.com, teams: [team-shop], ssh_keys: [\"{}\"]}}\nconsumes:\n  \
             - {{asset: elsewhere.raw.anything, team: team-bi}}\n",
            bo_pub.trim()
        ),
    );
    w.shop.commit("users and a consumption");
    w.sync(&w.shop);
    w.shop.git(&["checkout", "-q", "drop-status"]);

    let key = mallory.display().to_string();
    let (o, ack) = w.ack(&id, &["--approve", "--key", &key, "--team", "team-bi"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(ack["rejection"], "signer_not_in_team", "{ack}");
    assert!(
        ack["reason"]
            .as_str()
            .expect("reason")
            .contains("mallory@example.com")
    );
    assert_eq!(w.gate(&[]), 1, "a producer cannot approve its own break");

    let (o, ack) = w.ack(&id, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(ack["signer"], BO, "Bo's key still signs as Bo: {ack}");
    assert_eq!(ack["counts"], true, "{ack}");
    assert_eq!(w.gate(&[]), 0);
}

/// Copies ack `id` straight into the store with another decision, as someone with write access
/// to the file could: the signature no longer matches the record. Returns the new row's id.
fn forge_copy(w: &World, id: i64, decision: &str) -> i64 {
    let db = w.db();
    db.execute(
        "INSERT INTO acks (proposal, team, decision, migrating_until, signer, payload, signature, created_at)
         SELECT proposal, team, ?2, migrating_until, signer, payload, signature, created_at
         FROM acks WHERE id = ?1",
        rusqlite::params![id, decision],
    )
    .expect("forge");
    db.last_insert_rowid()
}

/// Declaring `renamed_from`, as the hint for a removed column recommends, must not make the
/// consumer of the old name drop out: the gate holds until that consumer acks.
#[test]
fn a_declared_rename_of_a_consumed_column_waits_for_its_reader() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    w.shop.git(&["checkout", "-q", "main"]);
    w.shop.git(&["checkout", "-q", "-b", "rename-status"]);
    edit(
        &w.shop,
        support::MARTS,
        "      - name: status\n        data_type: text\n",
        "      - name: order_state\n        data_type: text\n        meta: {tessera: {renamed_from: status}}\n",
    );
    edit(
        &w.shop,
        "models/marts/orders.sql",
        "    status,",
        "    status as order_state,",
    );
    w.shop.commit("rename status to order_state");
    let p = w.propose(&[]);
    let (_, v) = w.impact(&[]);
    let renamed = v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "column_renamed"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(renamed["impacted"], serde_json::json!(["team-bi"]), "{v}");
    let message = renamed["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("team-bi reads `status`, renamed to `order_state`"),
        "{message}"
    );
    assert_eq!(w.gate(&[]), 1);
    let id = p["id"].as_str().expect("id").to_string();
    approve(&w, &id);
    assert_eq!(w.gate(&[]), 0);
}
