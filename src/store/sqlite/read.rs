//! Queries of the declared state: projects, assets, contract versions, registrations, teams and
//! users. Everything read back is parsed defensively: the file is outside data.

use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row};

use super::migrations::user_version;
use super::{Fail, invalid};
use crate::store::model::*;
use crate::store::time::Timestamp;

pub(super) fn status(
    conn: &Connection,
    location: String,
    journal_mode: &str,
) -> Result<StoreStatus, Fail> {
    let schema_version = user_version(conn)?;
    let counts = conn.query_row(
        "SELECT
            (SELECT count(*) FROM projects),
            (SELECT count(*) FROM teams WHERE retired = 0),
            (SELECT count(*) FROM users WHERE retired = 0),
            (SELECT count(*) FROM assets WHERE retired = 0),
            (SELECT count(*) FROM assets WHERE retired = 1),
            (SELECT count(*) FROM contract_versions),
            (SELECT count(*) FROM consumers WHERE retired = 0),
            (SELECT count(*) FROM consumers WHERE retired = 1),
            (SELECT count(*) FROM proposals),
            (SELECT count(*) FROM acks),
            (SELECT count(*) FROM events)",
        [],
        |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
            Ok(Counts {
                projects: n(0)?,
                teams: n(1)?,
                users: n(2)?,
                assets: n(3)?,
                retired_assets: n(4)?,
                contract_versions: n(5)?,
                consumers: n(6)?,
                retired_consumers: n(7)?,
                proposals: n(8)?,
                acks: n(9)?,
                events: n(10)?,
            })
        },
    )?;
    Ok(StoreStatus {
        location,
        schema_version: u32::try_from(schema_version)
            .map_err(|_| invalid("schema version", schema_version))?,
        journal_mode: journal_mode.to_string(),
        counts,
    })
}

pub(super) fn projects(conn: &Connection) -> Result<Vec<ProjectInfo>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, owner, first_synced_at, last_changed_at, last_commit, root_commit,
             remote_url
         FROM projects ORDER BY name",
    )?;
    let rows = stmt.query_and_then([], |r| -> Result<ProjectInfo, Fail> {
        Ok(ProjectInfo {
            name: r.get(0)?,
            owner: r.get(1)?,
            first_synced_at: Timestamp(r.get(2)?),
            last_changed_at: Timestamp(r.get(3)?),
            last_commit: r.get(4)?,
            repository: Repository {
                root_commit: r.get(5)?,
                remote_url: r.get(6)?,
            },
        })
    })?;
    rows.collect()
}

pub(super) fn team_claims(conn: &Connection) -> Result<Vec<TeamClaim>, Fail> {
    let mut stmt =
        conn.prepare_cached("SELECT team, project, claimed_at FROM team_claims ORDER BY team")?;
    let rows = stmt.query_and_then([], |r| -> Result<TeamClaim, Fail> {
        Ok(TeamClaim {
            team: r.get(0)?,
            project: r.get(1)?,
            claimed_at: Timestamp(r.get(2)?),
        })
    })?;
    rows.collect()
}

pub(super) const ASSET_COLUMNS: &str = "key, project, unique_id, node, owner_team, owner_user, mode, resource_type, retired, \
     identity_source";

pub(super) fn asset_row(r: &Row<'_>) -> rusqlite::Result<Asset> {
    Ok(Asset {
        key: r.get(0)?,
        project: r.get(1)?,
        unique_id: r.get(2)?,
        node: r.get(3)?,
        owner_team: r.get(4)?,
        owner_user: r.get(5)?,
        mode: r.get(6)?,
        resource_type: r.get(7)?,
        retired: r.get(8)?,
        identity: r.get(9)?,
    })
}

pub(super) fn assets(conn: &Connection, filter: &AssetFilter) -> Result<Vec<Asset>, Fail> {
    let mut query = Query::new(format!("SELECT {ASSET_COLUMNS} FROM assets"));
    if let Some(project) = &filter.project {
        query.and("project = ?", project);
    }
    if !filter.include_retired {
        query.and_sql("retired = 0");
    }
    query.order_by("key");
    let mut stmt = conn.prepare_cached(&query.sql)?;
    let rows = stmt.query_map(query.params().as_slice(), asset_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn asset(conn: &Connection, key: &str) -> Result<Option<Asset>, Fail> {
    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE key = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.query_row([key], asset_row).optional()?)
}

/// Oldest first; with `latest`, only the last `latest` versions (still oldest first).
pub(super) fn contract_versions(
    conn: &Connection,
    asset: &str,
    latest: Option<u32>,
) -> Result<Vec<ContractVersion>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT asset, version, digest, contract_json, git_commit, recorded_at,
                unacknowledged_break
         FROM contract_versions WHERE asset = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let limit = latest.map_or(-1, i64::from);
    let rows = stmt.query_map((asset, limit), |r| {
        Ok(ContractVersion {
            asset: r.get(0)?,
            version: r.get(1)?,
            digest: r.get(2)?,
            contract_json: r.get(3)?,
            commit: r.get(4)?,
            recorded_at: Timestamp(r.get(5)?),
            unacknowledged_break: r.get(6)?,
        })
    })?;
    let mut versions = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    versions.reverse();
    Ok(versions)
}

pub(super) const CONSUMER_COLUMNS: &str = "asset, team, project, columns_json, \
     all_columns_reason, purpose, contact, source, retired";

pub(super) fn consumer_row(r: &Row<'_>) -> Result<Consumer, Fail> {
    let columns: Option<String> = r.get(3)?;
    let columns = columns
        .map(|json| serde_json::from_str::<Vec<String>>(&json))
        .transpose()
        .map_err(|e| invalid("consumer column list", e))?;
    let source: String = r.get(7)?;
    Ok(Consumer {
        asset: r.get(0)?,
        team: r.get(1)?,
        project: r.get(2)?,
        columns,
        all_columns_reason: r.get(4)?,
        purpose: r.get(5)?,
        contact: r.get(6)?,
        source: source
            .parse()
            .map_err(|e| invalid("registration source", e))?,
        retired: r.get(8)?,
    })
}

pub(super) fn registrations(
    conn: &Connection,
    filter: &ConsumerFilter,
) -> Result<Vec<Consumer>, Fail> {
    let mut query = Query::new(format!("SELECT {CONSUMER_COLUMNS} FROM consumers"));
    if let Some(asset) = &filter.asset {
        query.and("asset = ?", asset);
    }
    if let Some(project) = &filter.project {
        query.and("project = ?", project);
    }
    if let Some(team) = &filter.team {
        query.and("team = ?", team);
    }
    if !filter.include_retired {
        query.and_sql("retired = 0");
    }
    query.order_by("asset, project, team, source");
    let mut stmt = conn.prepare_cached(&query.sql)?;
    let rows = stmt.query_and_then(query.params().as_slice(), consumer_row)?;
    rows.collect()
}

pub(super) fn teams(conn: &Connection) -> Result<Vec<Team>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, slack_channel, email, project FROM teams
         WHERE retired = 0 ORDER BY name, project",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Team {
            name: r.get(0)?,
            slack_channel: r.get(1)?,
            email: r.get(2)?,
            project: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) const USER_COLUMNS: &str =
    "email, name, teams_json, github, gitlab, slack_member_id, ssh_keys_json, project";

pub(super) fn user_row(r: &Row<'_>) -> Result<User, Fail> {
    let list = |i: usize, what: &'static str| -> Result<Vec<String>, Fail> {
        let json: String = r.get(i)?;
        serde_json::from_str(&json).map_err(|e| invalid(what, e))
    };
    Ok(User {
        email: r.get(0)?,
        name: r.get(1)?,
        teams: list(2, "user team list")?,
        github: r.get(3)?,
        gitlab: r.get(4)?,
        slack_member_id: r.get(5)?,
        ssh_keys: list(6, "user SSH key list")?,
        project: r.get(7)?,
    })
}

pub(super) fn users(conn: &Connection) -> Result<Vec<User>, Fail> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE retired = 0 ORDER BY email, project");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_and_then([], user_row)?;
    rows.collect()
}

/// A `SELECT` with optional `WHERE` terms, so each filter combination uses plain indexed
/// equality (an `?1 IS NULL OR col = ?1` form would keep SQLite from using the index).
pub(super) struct Query<'a> {
    pub sql: String,
    params: Vec<&'a dyn ToSql>,
    has_where: bool,
}

impl<'a> Query<'a> {
    pub fn new(select: String) -> Query<'a> {
        Query {
            sql: select,
            params: Vec::new(),
            has_where: false,
        }
    }

    pub fn and_sql(&mut self, term: &str) {
        self.sql
            .push_str(if self.has_where { " AND " } else { " WHERE " });
        self.sql.push_str(term);
        self.has_where = true;
    }

    pub fn and(&mut self, term: &str, value: &'a dyn ToSql) {
        self.and_sql(term);
        self.params.push(value);
    }

    pub fn order_by(&mut self, order: &str) {
        self.sql.push_str(" ORDER BY ");
        self.sql.push_str(order);
    }

    pub fn params(&self) -> Vec<&'a dyn ToSql> {
        self.params.clone()
    }
}
