//! Measures how long reading a large dbt project from a git revision takes.
//!
//! `cargo run --release --example dbt_read_speed [MODELS] [FILES] [RUNS] [COLUMNS]` generates a
//! project (by default 5,000 models in 500 property files, 8 typed columns per model, two of them
//! tested, and about 1.5 KB of SQL per model), commits it with the `git` CLI in a temporary
//! directory, then reads it at HEAD (loose objects, then packed) and in the working tree RUNS
//! times (default 5).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tessera::dbt::project::read_project;
use tessera::git::{FileTree, Repo};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().unwrap_or(0));
    let models = args.next().filter(|n| *n > 0).unwrap_or(5_000);
    let files = args.next().filter(|n| *n > 0).unwrap_or(500);
    let runs = args.next().filter(|n| *n > 0).unwrap_or(5);
    let columns = args.next().unwrap_or(8);
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = generate(dir.path(), models, files, columns);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "generated"]);
    println!(
        "{models} models in {files} property files, {columns} columns each, {} KiB of YAML and SQL",
        bytes / 1024
    );

    let repo = Repo::discover(dir.path()).expect("repo");
    let at_head = || {
        let tree = repo.tree_at("HEAD").expect("HEAD");
        read_project(&tree, "").expect("read").relations.len()
    };
    time("read_project at HEAD, loose objects", runs, at_head);
    // A clone (CI) or a repository after `git gc` reads from a pack.
    git(dir.path(), &["gc", "-q"]);
    let repo = Repo::discover(dir.path()).expect("repo");
    let head = time("read_project at HEAD, packed", runs, || {
        let tree = repo.tree_at("HEAD").expect("HEAD");
        read_project(&tree, "").expect("read").relations.len()
    });
    let disk = time("read_project in the working tree", runs, || {
        read_project(&repo.worktree(), "")
            .expect("read")
            .relations
            .len()
    });
    assert_eq!(head, disk);
    let blobs = time(
        "list models/ and read its property files at HEAD",
        runs,
        || {
            let tree = repo.tree_at("HEAD").expect("HEAD");
            let paths = tree.list("models").expect("list");
            let yaml = paths.iter().filter(|p| p.ends_with(".yml"));
            yaml.filter_map(|p| tree.read(p).ok().flatten()).count()
        },
    );
    println!("relations: {head}; property files read: {blobs}");
}

/// Runs `f` once to warm up, then `runs` times; prints the fastest and the median wall time,
/// and the CPU time per run (all threads), which other load on the machine inflates less.
fn time(what: &str, runs: usize, f: impl Fn() -> usize) -> usize {
    let out = f();
    let cpu_before = cpu_time();
    let mut walls: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) / runs as u32);
    walls.sort();
    let cpu = cpu.map_or(String::new(), |c| format!(", CPU {c:.1?} per run"));
    println!(
        "{what}: min {:.1?}, median {:.1?}{cpu}",
        walls[0],
        walls[walls.len() / 2]
    );
    out
}

/// User + system time of this process so far (Linux `/proc/self/stat`, in 10 ms clock ticks,
/// so only meaningful summed over several runs).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn generate(root: &Path, models: usize, files: usize, columns: usize) -> usize {
    let write = |path: &str, text: &str| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
        text.len()
    };
    let mut bytes = write(
        "dbt_project.yml",
        "name: big\nprofile: wh\nmodels:\n  big:\n    +materialized: view\n    group_001:\n      +materialized: table\n",
    );
    let per_file = models.div_ceil(files);
    // One folder per 10 property files, so `list` has real subtrees to walk.
    for f in 0..files {
        let folder = format!("models/group_{:03}", f / 10);
        let mut yaml = String::from("version: 2\nmodels:\n");
        for m in (f * per_file..(f + 1) * per_file).take_while(|m| *m < models) {
            let name = format!("model_{m:05}");
            let _ = write!(
                yaml,
                "  - name: {name}\n    description: Model {m}, generated.\n    access: public\n    \
                 config:\n      contract: {{enforced: true}}\n      meta: {{owner: team-{t}}}\n    columns:\n",
                t = m % 7
            );
            for c in 0..columns {
                let _ = write!(yaml, "      - name: col_{c}\n        data_type: varchar\n");
                if c == 0 {
                    yaml.push_str("        data_tests: [not_null, unique]\n");
                }
                if c == 1 {
                    yaml.push_str(
                        "        data_tests:\n          - accepted_values:\n              arguments: {values: [a, b, c]}\n              config: {severity: warn}\n",
                    );
                }
            }
            bytes += write(&format!("{folder}/{name}.sql"), &model_sql(m));
        }
        bytes += write(&format!("{folder}/_props_{f:03}.yml"), &yaml);
    }
    bytes
}

/// About 1.5 KB of SQL in the usual dbt style: a config block, imports as CTEs, a join.
fn model_sql(m: usize) -> String {
    let a = m.saturating_sub(1);
    let b = m / 2;
    let mut sql = format!(
        "{{{{\n  config(\n    materialized='table',\n    tags=['generated']\n  )\n}}}}\n\n\
         with upstream as (\n    select * from {{{{ ref('model_{a:05}') }}}}\n),\n\n\
         other as (\n    select * from {{{{ ref('model_{b:05}') }}}}\n),\n\n\
         raw as (\n    select * from {{{{ source('raw', 'events') }}}}\n),\n\n\
         joined as (\n    select\n"
    );
    for c in 0..8 {
        let _ = writeln!(
            sql,
            "        upstream.col_{c} as col_{c},  -- column {c} of the model"
        );
    }
    sql.push_str(
        "        other.col_0 as other_key\n    from upstream\n    \
         left join other on upstream.col_0 = other.col_0\n    \
         left join raw on raw.id = upstream.col_0\n    \
         where upstream.col_1 is not null\n)\n\nselect * from joined\n",
    );
    sql
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}
