//! Builders and inspection helpers shared by the store's tests.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::contract::{Column, Relation};
use crate::store::*;

pub fn fresh() -> (tempfile::TempDir, std::path::PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/tessera.db");
    let store = SqliteStore::open(&path, true).unwrap();
    (dir, path, store)
}

pub fn shop() -> Declaration {
    Declaration {
        project: "shop".into(),
        owner: Some("team-shop".into()),
        teams: vec![team("team-shop")],
        users: vec![user("ana@example.com", &["team-shop"])],
        assets: vec![
            asset("analytics.core.orders", COLUMNS, Some("1.0.0")),
            asset("analytics.core.customers", &[("id", "bigint")], None),
        ],
        consumers: vec![],
        ..Declaration::default()
    }
}

pub fn bi() -> Declaration {
    Declaration {
        project: "bi".into(),
        owner: Some("team-bi".into()),
        teams: vec![team("team-bi")],
        users: vec![user("bo@example.com", &["team-bi"])],
        assets: vec![asset("analytics.bi.revenue", &[("day", "date")], None)],
        consumers: vec![
            consumer("analytics.core.orders", "team-bi", Some(&["status", "id"])),
            consumer("analytics.core.customers", "team-bi", None),
        ],
        ..Declaration::default()
    }
}

pub fn now() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().expect("valid timestamp")
}

pub fn relation(key: &str, columns: &[(&str, &str)]) -> Relation {
    let mut parts = key.splitn(3, '.');
    let (db, schema, ident) = (parts.next(), parts.next(), parts.next());
    let mut r = Relation::new(ident.unwrap_or(key));
    r.database = db.map(str::to_string);
    r.schema = schema.map(str::to_string);
    r.identifier = ident.map(str::to_string);
    r.columns = columns
        .iter()
        .map(|(name, ty)| Column::new(*name, Some(*ty)))
        .collect();
    r
}

pub fn asset(key: &str, columns: &[(&str, &str)], version: Option<&str>) -> DeclaredAsset {
    let rel = relation(key, columns);
    DeclaredAsset::new(
        Asset {
            key: key.to_string(),
            project: String::new(),
            unique_id: Some(format!("model.x.{}", rel.name)),
            node: rel.name.clone(),
            owner_team: Some("team-shop".into()),
            owner_user: None,
            mode: "FORWARD".into(),
            resource_type: "model".into(),
            retired: false,
            identity: Some("profile".into()),
        },
        &rel,
        version.map(str::to_string),
    )
}

pub fn consumer(asset: &str, team: &str, columns: Option<&[&str]>) -> Consumer {
    Consumer {
        asset: asset.to_string(),
        team: team.to_string(),
        project: String::new(),
        columns: columns.map(|c| c.iter().map(|s| s.to_string()).collect()),
        all_columns_reason: columns.is_none().then(|| "select *".to_string()),
        purpose: Some("dashboards".into()),
        contact: None,
        source: RegistrationSource::DbtSource,
        retired: false,
    }
}

pub fn team(name: &str) -> Team {
    Team {
        name: name.to_string(),
        slack_channel: Some(format!("#{name}")),
        email: None,
        project: String::new(),
    }
}

pub fn user(email: &str, teams: &[&str]) -> User {
    User {
        email: email.to_string(),
        name: Some(email.split('@').next().unwrap_or(email).to_string()),
        teams: teams.iter().map(|t| t.to_string()).collect(),
        github: None,
        gitlab: None,
        slack_member_id: None,
        ssh_keys: vec![format!("ssh-ed25519 AAAAC3Nza{email}")],
        project: String::new(),
    }
}

pub const COLUMNS: &[(&str, &str)] = &[
    ("id", "bigint"),
    ("status", "varchar"),
    ("amount", "numeric(12,2)"),
    ("customer_id", "bigint"),
    ("created_at", "timestamp"),
    ("updated_at", "timestamp"),
    ("channel", "varchar"),
    ("region", "varchar"),
];

/// A producer declaring `assets` tables, each read by `consumers_per_asset` teams of a consumer
/// project (registered in the same declaration, to stress one sync).
pub fn big_declaration(project: &str, assets: usize, consumers_per_asset: usize) -> Declaration {
    let mut decl = Declaration {
        project: project.to_string(),
        // A team of its own: a team is owned by one project, and these sync side by side.
        owner: Some(format!("team-{project}")),
        teams: vec![team(&format!("team-{project}"))],
        users: vec![user("ana@example.com", &[&format!("team-{project}")])],
        ..Declaration::default()
    };
    for i in 0..assets {
        let key = format!("analytics.{project}.table_{i:05}");
        decl.assets.push(asset(&key, COLUMNS, Some("1.0.0")));
        for t in 0..consumers_per_asset {
            decl.consumers.push(consumer(
                &format!("analytics.upstream.source_{i:05}"),
                &format!("team-{t}"),
                Some(&["id", "status"]),
            ));
        }
    }
    decl
}

/// Every row of every table, sorted: equal dumps mean equal stores.
pub fn dump(path: &Path) -> String {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open for dump");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("list tables");
    tables.retain(|t| t != "sqlite_sequence");
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\""))
            .expect("select");
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let cells: rusqlite::Result<Vec<String>> = (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect();
                cells.map(|c| c.join(" | "))
            })
            .and_then(|rows| rows.collect())
            .expect("rows");
        rows.sort();
        out.push_str(&format!("## {t}\n{}\n", rows.join("\n")));
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version");
    out.push_str(&format!("user_version {version}\n"));
    out
}

pub fn event_count(store: &dyn Store) -> u64 {
    store.status().expect("status").counts.events
}
