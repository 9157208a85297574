//! `tessera sync` and the store's read commands on real dbt projects, plus the store's
//! reliability promises exercised through the binary.

use std::path::{Path, PathBuf};

use crate::common::{TestRepo, code, stderr, stdout, tessera};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A git repository holding a copy of `examples/<name>`.
fn example_repo(name: &str) -> TestRepo {
    let repo = TestRepo::new();
    copy_dir(&examples().join(name), repo.path());
    repo.commit(name);
    repo
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

fn store_arg(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("store.db").display())
}

fn sync(repo: &TestRepo, store: &str) -> std::process::Output {
    tessera()
        .current_dir(repo.path())
        .args(["sync", "--format", "json", "--store", store])
        .output()
        .expect("runs")
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

#[test]
fn a_producer_and_a_consumer_meet_in_one_store() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let shop = example_repo("shop");
    let bi = example_repo("bi");
    // The consumer syncs first: its registrations wait for the producer's assets.
    let o = sync(&bi, &store);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = sync(&shop, &store);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let linked = json(&o)["outcome"]["linked"]
        .as_array()
        .map(|a| a.len())
        .unwrap_or(0);
    assert!(
        linked >= 2,
        "the waiting registrations were linked: {}",
        stdout(&o)
    );

    let o = tessera()
        .current_dir(shop.path())
        .args(["consumers", "orders", "--format", "json", "--store", &store])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["asset"], "marts.orders");
    assert_eq!(v["producer"]["project"], "shop");
    let consumers = v["consumers"].as_array().expect("consumers");
    assert_eq!(consumers.len(), 1, "{v}");
    assert_eq!(consumers[0]["team"], "team-bi");
    assert_eq!(consumers[0]["project"], "bi");
    assert_eq!(consumers[0]["source"], "dbt_source");
    // The columns the consumer's SQL reads from the source (qualified, aliased, through a CTE and a join).
    let mut cols: Vec<String> = consumers[0]["columns"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    cols.sort();
    assert_eq!(
        cols,
        ["amount", "customer_id", "order_date", "status"],
        "{v}"
    );

    let o = tessera()
        .current_dir(shop.path())
        .args(["graph", "--store", &store])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0);
    let g = stdout(&o);
    assert!(g.starts_with("flowchart LR"), "{g}");
    assert!(g.contains("marts.orders") && g.contains("team-bi"), "{g}");

    // Syncing again changes nothing.
    let o = sync(&shop, &store);
    assert_eq!(json(&o)["outcome"]["changed"], false, "{}", stdout(&o));

    // Dropping a column the consumer reads names it; one nobody reads is not blocking.
    let props = shop.path().join("models/marts/_marts.yml");
    let text = std::fs::read_to_string(&props).expect("read");
    std::fs::write(&props, text.replace("      - name: status\n        data_type: text\n        data_tests:\n          - accepted_values: {values: [placed, shipped, completed, returned]}\n", "")).expect("write");
    edit_sql(&shop, |sql| sql.replace("    status,\n", ""));
    let o = tessera()
        .current_dir(shop.path())
        .args(["check", "--format", "json", "--store", &store])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["consumers_known"], true);
    assert_eq!(v["findings"][0]["rule"], "column_removed");
    assert_eq!(v["findings"][0]["impacted"], serde_json::json!(["team-bi"]));
}

#[test]
fn sixteen_syncs_of_different_projects_at_once_all_land() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let repos: Vec<TestRepo> = (0..16)
        .map(|i| {
            let repo = TestRepo::new();
            repo.write("tessera.yaml", &format!("project: p{i}\nowner: team-{i}\nteams: [{{name: team-{i}}}]\n"))
                .write("dbt_project.yml", &format!("name: p{i}\nversion: '1'\nprofile: p\nmodel-paths: [models]\n"));
            for m in 0..20 {
                repo.write(&format!("models/m{m}.sql"), "select 1 as id\n");
            }
            let props: String = (0..20).map(|m| format!("  - name: m{m}\n    config: {{schema: s{i}}}\n    columns: [{{name: id, data_type: int}}]\n")).collect();
            repo.write("models/schema.yml", &format!("version: 2\nmodels:\n{props}"));
            repo.commit("project");
            repo
        })
        .collect();
    let bin = assert_cmd::cargo::cargo_bin("tessera");
    let children: Vec<_> = repos
        .iter()
        .map(|r| {
            std::process::Command::new(&bin)
                .current_dir(r.path())
                .args(["sync", "--format", "json", "--store", &store])
                .env("TESSERA_TODAY", "2026-06-01")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "a sync failed: {err}");
        assert!(!err.contains("locked"), "{err}");
    }
    let o = tessera()
        .args(["status", "--format", "json", "--store", &store])
        .output()
        .expect("runs");
    let v = json(&o);
    assert_eq!(v["counts"]["projects"], 16, "{v}");
    assert_eq!(v["counts"]["assets"], 320, "{v}");
}

#[test]
fn a_sync_killed_mid_transaction_leaves_the_previous_state() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let repo = TestRepo::new();
    repo.write("tessera.yaml", "project: big\nowner: team-big\n")
        .write(
            "dbt_project.yml",
            "name: big\nversion: '1'\nprofile: p\nmodel-paths: [models]\n",
        );
    let write_models = |suffix: &str| {
        let props: String = (0..3000).map(|m| format!("  - name: m{m}\n    config: {{schema: s}}\n    columns: [{{name: id{suffix}, data_type: int}}]\n")).collect();
        repo.write(
            "models/schema.yml",
            &format!("version: 2\nmodels:\n{props}"),
        );
    };
    for m in 0..3000 {
        repo.write(&format!("models/m{m}.sql"), "select 1\n");
    }
    write_models("");
    repo.commit("v1");
    assert_eq!(code(&sync(&repo, &store)), 0);
    let versions_before = json(
        &tessera()
            .args(["status", "--format", "json", "--store", &store])
            .output()
            .expect("runs"),
    )["counts"]["contract_versions"]
        .clone();
    assert_eq!(versions_before, 3000);

    // Change every contract, then kill syncs at increasing delays, inside or around the write.
    write_models("_renamed");
    repo.commit("v2");
    let bin = assert_cmd::cargo::cargo_bin("tessera");
    let mut killed_mid_way = 0;
    for delay_ms in [50u64, 120, 200, 300, 450] {
        let mut child = std::process::Command::new(&bin)
            .current_dir(repo.path())
            .args(["sync", "--format", "json", "--store", &store])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().ok().flatten().is_some();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let o = tessera()
            .args(["status", "--format", "json", "--store", &store])
            .output()
            .expect("runs");
        assert_eq!(
            code(&o),
            0,
            "the store stays readable after a kill: {}",
            stderr(&o)
        );
        let n = json(&o)["counts"]["contract_versions"]
            .as_u64()
            .unwrap_or(0);
        // All or nothing: 3000 (old state) or 6000 (the sync committed before the kill).
        assert!(
            n == 3000 || n == 6000,
            "half-written store: {n} contract versions"
        );
        if n == 6000 {
            break;
        }
        if !finished {
            killed_mid_way += 1;
        }
    }
    assert!(
        killed_mid_way >= 1,
        "no sync was killed before it committed"
    );
    let o = sync(&repo, &store);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let n = json(
        &tessera()
            .args(["status", "--format", "json", "--store", &store])
            .output()
            .expect("runs"),
    )["counts"]["contract_versions"]
        .clone();
    assert_eq!(n, 6000);
}

fn refused_unchanged(content: &[u8], expect_in_message: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("store.db");
    std::fs::write(&path, content).expect("write");
    let repo = example_repo("shop");
    let store = format!("sqlite:{}", path.display());
    for args in [vec!["sync"], vec!["status"], vec!["assets"]] {
        let o = tessera()
            .current_dir(repo.path())
            .args(&args)
            .args(["--store", &store])
            .output()
            .expect("runs");
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).to_lowercase().contains(expect_in_message),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(
        std::fs::read(&path).expect("read"),
        content,
        "the file was modified"
    );
}

#[test]
fn a_corrupt_store_is_refused_and_left_alone() {
    refused_unchanged(
        b"this is not a database, just some bytes that happen to be here\n",
        "not a sqlite",
    );
}

#[test]
fn a_foreign_sqlite_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch("create table customers(id integer); insert into customers values (1);")
        .expect("create");
    drop(conn);
    let bytes = std::fs::read(&path).expect("read");
    refused_unchanged(&bytes, "not a tessera store");
}

#[test]
fn a_store_from_a_newer_tessera_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let repo = example_repo("shop");
    let store = store_arg(dir.path());
    assert_eq!(code(&sync(&repo, &store)), 0);
    let path = dir.path().join("store.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA user_version = 999;")
        .expect("bump");
    drop(conn);
    let bytes = std::fs::read(&path).expect("read");
    refused_unchanged(&bytes, "newer");
}

#[test]
fn another_teams_model_in_the_same_repo_is_a_consumer_of_the_columns_it_reads() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let repo = TestRepo::new();
    repo.write(
        "tessera.yaml",
        "project: mono\nowner: team-shop\ndbt: {target: {schema: core}}\nteams: [{name: team-shop}, {name: team-finance}]\nusers: [{email: fi@example.com, teams: [team-finance]}]\n",
    )
    .write("dbt_project.yml", "name: mono\nversion: '1'\nprofile: p\nmodel-paths: [models]\n")
    .write("models/orders.sql", "select 1 as id, 2 as amount, 'x' as status\n")
    .write("models/finance_report.sql", "select o.id, sum(o.amount) as total from {{ ref('orders') }} as o group by 1\n")
    .write(
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    config: {meta: {owner: team-shop}}\n    columns: [{name: id, data_type: int}, {name: amount, data_type: int}, {name: status, data_type: text}]\n  - name: finance_report\n    config: {meta: {owner: fi@example.com}}\n",
    );
    repo.commit("mono");
    let o = sync(&repo, &store);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = tessera()
        .current_dir(repo.path())
        .args([
            "consumers",
            "core.orders",
            "--format",
            "json",
            "--store",
            &store,
        ])
        .output()
        .expect("runs");
    let v = json(&o);
    let c = &v["consumers"][0];
    assert_eq!(c["team"], "team-finance", "{v}");
    assert_eq!(c["source"], "monorepo_ref");
    assert_eq!(c["columns"], serde_json::json!(["amount", "id"]));
}

#[test]
fn exposures_in_a_manifest_register_their_owners_as_consumers() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let repo = TestRepo::new();
    repo.write("tessera.yaml", "project: kipptaf\nowner: team-data\nteams: [{name: team-data}]\nassets: [{name: kipptaf.placeholder, columns: [{name: id, data_type: int}]}]\n");
    repo.commit("config only");
    let Some(fixtures) = crate::common::fixtures() else {
        return;
    };
    let manifest = fixtures.join("teamster_kipptaf-v12-dbt1.12.6/manifest.json.gz");
    let o = tessera()
        .current_dir(repo.path())
        .args(["sync", "--format", "json", "--store", &store, "--manifest"])
        .arg(&manifest)
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let exposures = v["outcome"]["consumers"]["registered"]
        .as_array()
        .map(|a| a.iter().filter(|c| c["source"] == "exposure").count())
        .unwrap_or(0);
    assert!(exposures >= 100, "exposure registrations: {exposures}\n{v}");
}

#[test]
fn a_models_dbt_group_owner_owns_it_when_meta_names_nobody() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let repo = TestRepo::new();
    repo.write("tessera.yaml", "project: grp\nowner: team-platform\ndbt: {target: {schema: fin}}\nteams: [{name: team-platform}, {name: team-finance}]\nusers: [{email: zach@example.com, name: Zach, teams: [team-finance]}]\n")
        .write("dbt_project.yml", "name: grp\nversion: '1'\nprofile: p\nmodel-paths: [models]\n")
        .write("models/revenue.sql", "select 1 as id\n")
        .write("models/_groups.yml", "groups:\n  - name: finance\n    owner: {email: zach@example.com, name: Zach}\n")
        .write("models/schema.yml", "version: 2\nmodels:\n  - name: revenue\n    config: {group: finance}\n    columns: [{name: id, data_type: int}]\n");
    repo.commit("grouped");
    assert_eq!(code(&sync(&repo, &store)), 0);
    let o = tessera()
        .current_dir(repo.path())
        .args(["assets", "--format", "json", "--store", &store])
        .output()
        .expect("runs");
    let v = json(&o);
    let asset = v["assets"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["key"] == "fin.revenue"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(asset["owner_team"], "team-finance", "{v}");
    assert_eq!(asset["owner_user"], "zach@example.com", "{v}");
}

#[test]
fn a_breaking_change_is_recorded_as_a_major_version_and_flagged_unacknowledged() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_arg(dir.path());
    let shop = example_repo("shop");
    assert_eq!(code(&sync(&shop, &store)), 0);
    let props = shop.path().join("models/marts/_marts.yml");
    let text = std::fs::read_to_string(&props).expect("read");
    // A compatible change first: a new nullable column is a minor version.
    std::fs::write(
        &props,
        text.replace(
            "      - name: amount\n",
            "      - name: channel\n        data_type: text\n      - name: amount\n",
        ),
    )
    .expect("write");
    // The contract is what the SQL outputs: the SQL changes with the YAML.
    edit_sql(&shop, |sql| {
        sql.replace("    amount\n", "    'web' as channel,\n    amount\n")
    });
    shop.commit("add channel");
    let v = json(&sync(&shop, &store));
    assert_eq!(v["outcome"]["versions"][0]["version"], "1.1.0", "{v}");
    assert_eq!(v["unacknowledged_breaks"], serde_json::json!([]));
    // Then a break: dropping a column is a major version, recorded but flagged.
    let text = std::fs::read_to_string(&props).expect("read");
    std::fs::write(
        &props,
        text.replace("      - name: channel\n        data_type: text\n", "")
            .replace("      - name: order_date\n        data_type: date\n", ""),
    )
    .expect("write");
    edit_sql(&shop, |sql| {
        sql.replace("    'web' as channel,\n", "")
            .replace("    order_date,\n", "")
    });
    shop.commit("drop order_date");
    let o = sync(&shop, &store);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let version = &v["outcome"]["versions"][0];
    assert_eq!(version["asset"], "marts.orders");
    assert_eq!(version["version"], "2.0.0", "{v}");
    assert_eq!(version["unacknowledged_break"], true);
    assert_eq!(
        v["unacknowledged_breaks"],
        serde_json::json!(["marts.orders"])
    );
    let o = tessera()
        .current_dir(shop.path())
        .args(["sync", "--store", &store])
        .output()
        .expect("runs");
    assert!(stdout(&o).contains("already in sync"), "{}", stdout(&o));
}

/// Rewrites the shop example's orders mart SQL.
fn edit_sql(shop: &TestRepo, edit: impl Fn(&str) -> String) {
    let path = shop.path().join("models/marts/orders.sql");
    let sql = std::fs::read_to_string(&path).expect("read orders.sql");
    let new = edit(&sql);
    assert_ne!(new, sql, "the edit changed nothing");
    std::fs::write(&path, new).expect("write orders.sql");
}
