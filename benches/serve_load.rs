//! Load on `tessera serve`, on loopback only, bounded in clients and time:
//! `cargo bench --bench serve_load` (TESSERA_LOAD_CLIENTS, default 50; TESSERA_LOAD_SECS,
//! default 60). Each client is a thread with its own HTTP store that, in turn, syncs its own
//! project (a changed consumer registration every time, so every sync writes), re-proposes its
//! own proposal through a guarded batch (as `impact` does) and appends an ack to it (as `ack`
//! does). Afterwards the store file is read directly: every write a client saw succeed is there
//! exactly once, and none that failed is. Prints p50/p99 latency per operation, throughput, and
//! the number of 5xx answers. With TESSERA_LOAD_KILL=1 the server is killed with SIGKILL half-way
//! and restarted on the same store and port: the file must pass SQLite's integrity check, and an
//! ack whose answer was lost with the server may be stored or not, but never twice.
//!
//! With TESSERA_LOAD_STORE=postgres://USER@HOST:PORT/DATABASE (an existing, empty database) the
//! servers run over PostgreSQL instead, TESSERA_LOAD_REPLICAS of them (default 2) on one
//! database, with the clients spread across them; the checks read the database afterwards.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tessera::store::*;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    /// (operation, microseconds)
    latencies: Vec<(usize, u64)>,
    acks_ok: u64,
    /// Acks whose answer never came (the server was killed): stored or not, never twice.
    acks_unknown: u64,
    syncs_ok: u64,
    failures: Vec<String>,
}

const OPS: [&str; 3] = ["sync", "propose", "ack"];

fn declaration(client: usize, round: u64) -> Declaration {
    let team = format!("team-load-{client}");
    Declaration {
        project: format!("load-{client}"),
        owner: Some(team.clone()),
        teams: vec![Team {
            name: team.clone(),
            slack_channel: None,
            email: None,
            project: String::new(),
        }],
        consumers: vec![Consumer {
            asset: "load.orders".into(),
            team,
            project: String::new(),
            columns: Some(vec!["id".into()]),
            all_columns_reason: None,
            purpose: Some(format!("round {round}")),
            contact: None,
            source: RegistrationSource::Consumes,
            retired: false,
        }],
        repository: Repository {
            root_commit: Some(format!("{client:040x}")),
            remote_url: None,
        },
        ..Declaration::default()
    }
}

fn proposal(client: usize, now: Timestamp) -> Proposal {
    Proposal {
        id: format!("P-load-{client}"),
        asset: "load.orders".into(),
        base_digest: "sha256:base".into(),
        head_digest: "sha256:head".into(),
        breaking_digest: "sha256:breaking".into(),
        findings_json: "[]".into(),
        impacted: vec![format!("team-load-{client}")],
        status: ProposalStatus::Pending,
        created_at: now,
        updated_at: now,
        created_by: "load".into(),
        force_reason: None,
        change_ref: None,
        published_version: None,
    }
}

fn client(url: &str, me: usize, until: Instant) -> Tally {
    let mut t = Tally::default();
    let store = match HttpStore::open(url, None) {
        Ok(s) => s,
        Err(e) => {
            t.failures.push(format!("open: {e}"));
            return t;
        }
    };
    let mut round = 0u64;
    while Instant::now() < until {
        let op = (round % 3) as usize;
        let now = Timestamp::now();
        let start = Instant::now();
        let result: Result<()> = match op {
            0 => store
                .sync_project(&declaration(me, round), now, None)
                .map(|_| t.syncs_ok += 1),
            1 => {
                let id = format!("P-load-{me}");
                store.proposal(&id).and_then(|seen| {
                    let acks = store.acks(&id)?.len();
                    let mut p = proposal(me, now);
                    if let Some(old) = &seen {
                        p.created_at = old.created_at;
                    }
                    store
                        .commit(&Batch {
                            seen: vec![Seen::of(&id, seen.as_ref(), acks)],
                            writes: vec![Write::Proposal(p)],
                            now,
                        })
                        .map(|_| ())
                })
            }
            _ => {
                let id = format!("P-load-{me}");
                store.proposal(&id).and_then(|p| {
                    let Some(p) = p else { return Ok(()) };
                    let acks = store.acks(&id)?.len();
                    let ack = Ack {
                        id: 0,
                        proposal: id.clone(),
                        team: format!("team-load-{me}"),
                        decision: Decision::Approve,
                        migrating_until: None,
                        signer: "load@example.com".into(),
                        payload: format!("round {round}"),
                        signature: "unsigned".into(),
                        created_at: now,
                    };
                    store
                        .commit(&Batch {
                            seen: vec![Seen::of(&id, Some(&p), acks)],
                            writes: vec![Write::Ack(ack)],
                            now,
                        })
                        .map(|_| t.acks_ok += 1)
                })
            }
        };
        t.latencies.push((op, start.elapsed().as_micros() as u64));
        if let Err(e) = result {
            let text = e.to_string();
            if op == 2 && text.contains("could not reach") {
                t.acks_unknown += 1;
            }
            t.failures.push(format!("{}: {text}", OPS[op]));
        }
        round += 1;
    }
    t
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Starts `tessera serve --dev --store STORE` on `listen` and returns it with its URL.
fn start(store: &str, listen: &str) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--dev", "--listen", listen, "--store", store])
        .env("TESSERA_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("tessera serve starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("its listening line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL")
        .to_string();
    (server, url)
}

fn main() {
    let clients = env_or("TESSERA_LOAD_CLIENTS", 50) as usize;
    let secs = env_or("TESSERA_LOAD_SECS", 60);
    let kill = env_or("TESSERA_LOAD_KILL", 0) == 1;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("load.db");
    let postgres = std::env::var("TESSERA_LOAD_STORE").ok();
    let (store, replicas) = match &postgres {
        Some(url) => (
            url.clone(),
            env_or("TESSERA_LOAD_REPLICAS", 2).max(1) as usize,
        ),
        None => (format!("sqlite:{}", db.display()), 1),
    };
    let mut servers: Vec<(std::process::Child, String)> = (0..replicas)
        .map(|_| start(&store, "127.0.0.1:0"))
        .collect();
    let urls: Vec<String> = servers.iter().map(|(_, url)| url.clone()).collect();
    println!(
        "{replicas} server(s) over {}",
        postgres.as_deref().map_or("SQLite", |_| "PostgreSQL")
    );

    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|me| {
                let url = urls[me % urls.len()].clone();
                s.spawn(move || client(&url, me, until))
            })
            .collect();
        if kill {
            std::thread::sleep(Duration::from_secs(secs / 2));
            let (first, url) = &mut servers[0];
            let _ = first.kill();
            let _ = first.wait();
            println!(
                "killed a server (SIGKILL) at {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let listen = url.trim_start_matches("http://").to_string();
            *first = start(&store, &listen).0;
            println!("restarted it at {:.1} s", started.elapsed().as_secs_f64());
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("a client thread"))
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    for (server, _) in &mut servers {
        // SAFETY: kill(2) on our own child, not yet reaped.
        unsafe {
            libc::kill(server.id() as i32, libc::SIGTERM);
        }
        let _ = server.wait();
    }

    let store: Box<dyn Store> = match &postgres {
        Some(url) => Box::new(PostgresStore::open(url).expect("the database opens after the run")),
        None => Box::new(SqliteStore::open(&db, false).expect("the store opens after the run")),
    };
    let mut lost_or_duplicated = 0;
    for (me, t) in tallies.iter().enumerate() {
        let stored = store.acks(&format!("P-load-{me}")).expect("acks").len() as u64;
        if stored < t.acks_ok || stored > t.acks_ok + t.acks_unknown {
            lost_or_duplicated += 1;
            println!("client {me}: {} acks succeeded, {stored} stored", t.acks_ok);
        }
    }
    let projects = store.projects().expect("projects").len();
    // PostgreSQL checks its pages itself; a SQLite file is checked here.
    let integrity: String = match &postgres {
        Some(_) => "ok".into(),
        None => rusqlite::Connection::open(&db)
            .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
            .expect("integrity check"),
    };
    println!("integrity_check: {integrity}");
    let synced = tallies.iter().filter(|t| t.syncs_ok > 0).count();

    let all: Vec<&String> = tallies.iter().flat_map(|t| &t.failures).collect();
    let server_errors = all.iter().filter(|f| f.contains("HTTP 5")).count();
    let total: usize = tallies.iter().map(|t| t.latencies.len()).sum();
    println!(
        "{clients} clients, {elapsed:.1} s, {total} operations, {:.0} ops/s",
        total as f64 / elapsed
    );
    for (op, name) in OPS.iter().enumerate() {
        let mut l: Vec<u64> = tallies
            .iter()
            .flat_map(|t| &t.latencies)
            .filter(|(o, _)| *o == op)
            .map(|(_, us)| *us)
            .collect();
        l.sort_unstable();
        println!(
            "{name:>8}: {:>6} ops  p50 {:>7.1} ms  p99 {:>7.1} ms",
            l.len(),
            percentile(&l, 0.5),
            percentile(&l, 0.99)
        );
    }
    println!(
        "failures: {} ({server_errors} 5xx); projects stored {projects} of {synced} synced; \
         clients whose acks differ from the store: {lost_or_duplicated}",
        all.len()
    );
    for f in all.iter().take(5) {
        println!("  e.g. {f}");
    }
    if server_errors > 0 || lost_or_duplicated > 0 || projects != synced || integrity != "ok" {
        std::process::exit(1);
    }
}
