//! Queries of the declared state, as in the SQLite store. Values read back are parsed
//! defensively, and columns are read with `try_get`, so a mistyped row is an error, not a panic.

use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use super::{Fail, invalid, migrations};
use crate::store::model::*;
use crate::store::time::Timestamp;

pub(super) type Param<'a> = &'a (dyn ToSql + Sync);

pub(super) fn status(c: &mut impl GenericClient, location: String) -> Result<StoreStatus, Fail> {
    let schema_version = migrations::version(c)?;
    let r = c.query_one(
        "SELECT
            (SELECT count(*) FROM projects),
            (SELECT count(*) FROM teams WHERE NOT retired),
            (SELECT count(*) FROM users WHERE NOT retired),
            (SELECT count(*) FROM assets WHERE NOT retired),
            (SELECT count(*) FROM assets WHERE retired),
            (SELECT count(*) FROM contract_versions),
            (SELECT count(*) FROM consumers WHERE NOT retired),
            (SELECT count(*) FROM consumers WHERE retired),
            (SELECT count(*) FROM proposals),
            (SELECT count(*) FROM acks),
            (SELECT count(*) FROM events)",
        &[],
    )?;
    let n =
        |i: usize| -> Result<u64, Fail> { Ok(u64::try_from(r.try_get::<_, i64>(i)?).unwrap_or(0)) };
    let counts = Counts {
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
    };
    Ok(StoreStatus {
        location,
        schema_version: u32::try_from(schema_version)
            .map_err(|_| invalid("schema version", schema_version))?,
        // No journal to choose: PostgreSQL's write-ahead log is always on.
        journal_mode: "postgresql".into(),
        counts,
    })
}

pub(super) fn projects(c: &mut impl GenericClient) -> Result<Vec<ProjectInfo>, Fail> {
    let rows = c.query(
        "SELECT name, owner, first_synced_at, last_changed_at, last_commit, root_commit,
             remote_url
         FROM projects ORDER BY name COLLATE \"C\"",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ProjectInfo {
                name: r.try_get(0)?,
                owner: r.try_get(1)?,
                first_synced_at: Timestamp(r.try_get(2)?),
                last_changed_at: Timestamp(r.try_get(3)?),
                last_commit: r.try_get(4)?,
                repository: Repository {
                    root_commit: r.try_get(5)?,
                    remote_url: r.try_get(6)?,
                },
            })
        })
        .collect()
}

pub(super) fn team_claims(c: &mut impl GenericClient) -> Result<Vec<TeamClaim>, Fail> {
    let rows = c.query(
        r#"SELECT team, project, claimed_at FROM team_claims ORDER BY team COLLATE "C""#,
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(TeamClaim {
                team: r.try_get(0)?,
                project: r.try_get(1)?,
                claimed_at: Timestamp(r.try_get(2)?),
            })
        })
        .collect()
}

pub(super) const ASSET_COLUMNS: &str = "key, project, unique_id, node, owner_team, owner_user, \
     mode, resource_type, retired, identity_source";

pub(super) fn asset_row(r: &Row) -> Result<Asset, Fail> {
    Ok(Asset {
        key: r.try_get(0)?,
        project: r.try_get(1)?,
        unique_id: r.try_get(2)?,
        node: r.try_get(3)?,
        owner_team: r.try_get(4)?,
        owner_user: r.try_get(5)?,
        mode: r.try_get(6)?,
        resource_type: r.try_get(7)?,
        retired: r.try_get(8)?,
        identity: r.try_get(9)?,
    })
}

pub(super) fn assets(c: &mut impl GenericClient, filter: &AssetFilter) -> Result<Vec<Asset>, Fail> {
    let mut query = Query::new(format!("SELECT {ASSET_COLUMNS} FROM assets"));
    if let Some(project) = &filter.project {
        query.and("project =", project);
    }
    if !filter.include_retired {
        query.and_sql("NOT retired");
    }
    query.order_by(r#"key COLLATE "C""#);
    let rows = c.query(&query.sql, &query.params)?;
    rows.iter().map(asset_row).collect()
}

pub(super) fn asset(c: &mut impl GenericClient, key: &str) -> Result<Option<Asset>, Fail> {
    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE key = $1");
    c.query_opt(&sql, &[&key])?
        .as_ref()
        .map(asset_row)
        .transpose()
}

/// Oldest first; with `latest`, only the last `latest` versions (still oldest first).
pub(super) fn contract_versions(
    c: &mut impl GenericClient,
    asset: &str,
    latest: Option<u32>,
) -> Result<Vec<ContractVersion>, Fail> {
    let limit = latest.map(i64::from);
    let rows = c.query(
        "SELECT asset, version, digest, contract_json, git_commit, recorded_at,
                unacknowledged_break
         FROM contract_versions WHERE asset = $1 ORDER BY seq DESC LIMIT $2",
        &[&asset, &limit],
    )?;
    let mut versions = rows
        .iter()
        .map(|r| {
            Ok(ContractVersion {
                asset: r.try_get(0)?,
                version: r.try_get(1)?,
                digest: r.try_get(2)?,
                contract_json: r.try_get(3)?,
                commit: r.try_get(4)?,
                recorded_at: Timestamp(r.try_get(5)?),
                unacknowledged_break: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    versions.reverse();
    Ok(versions)
}

pub(super) const CONSUMER_COLUMNS: &str = "asset, team, project, columns_json, \
     all_columns_reason, purpose, contact, source, retired";

pub(super) fn consumer_row(r: &Row) -> Result<Consumer, Fail> {
    let columns: Option<String> = r.try_get(3)?;
    let columns = columns
        .map(|json| serde_json::from_str::<Vec<String>>(&json))
        .transpose()
        .map_err(|e| invalid("consumer column list", e))?;
    let source: String = r.try_get(7)?;
    Ok(Consumer {
        asset: r.try_get(0)?,
        team: r.try_get(1)?,
        project: r.try_get(2)?,
        columns,
        all_columns_reason: r.try_get(4)?,
        purpose: r.try_get(5)?,
        contact: r.try_get(6)?,
        source: source
            .parse()
            .map_err(|e| invalid("registration source", e))?,
        retired: r.try_get(8)?,
    })
}

pub(super) fn registrations(
    c: &mut impl GenericClient,
    filter: &ConsumerFilter,
) -> Result<Vec<Consumer>, Fail> {
    let mut query = Query::new(format!("SELECT {CONSUMER_COLUMNS} FROM consumers"));
    if let Some(asset) = &filter.asset {
        query.and("asset =", asset);
    }
    if let Some(project) = &filter.project {
        query.and("project =", project);
    }
    if let Some(team) = &filter.team {
        query.and("team =", team);
    }
    if !filter.include_retired {
        query.and_sql("NOT retired");
    }
    // SQLite sorts text by bytes; "C" makes PostgreSQL do the same whatever the locale.
    query.order_by(
        r#"asset COLLATE "C", project COLLATE "C", team COLLATE "C", source COLLATE "C""#,
    );
    let rows = c.query(&query.sql, &query.params)?;
    rows.iter().map(consumer_row).collect()
}

pub(super) fn teams(c: &mut impl GenericClient) -> Result<Vec<Team>, Fail> {
    let rows = c.query(
        r#"SELECT name, slack_channel, email, project FROM teams
           WHERE NOT retired ORDER BY name COLLATE "C", project COLLATE "C""#,
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Team {
                name: r.try_get(0)?,
                slack_channel: r.try_get(1)?,
                email: r.try_get(2)?,
                project: r.try_get(3)?,
            })
        })
        .collect()
}

pub(super) const USER_COLUMNS: &str =
    "email, name, teams_json, github, gitlab, slack_member_id, ssh_keys_json, project";

pub(super) fn user_row(r: &Row) -> Result<User, Fail> {
    let list = |i: usize, what: &'static str| -> Result<Vec<String>, Fail> {
        let json: String = r.try_get(i)?;
        serde_json::from_str(&json).map_err(|e| invalid(what, e))
    };
    Ok(User {
        email: r.try_get(0)?,
        name: r.try_get(1)?,
        teams: list(2, "user team list")?,
        github: r.try_get(3)?,
        gitlab: r.try_get(4)?,
        slack_member_id: r.try_get(5)?,
        ssh_keys: list(6, "user SSH key list")?,
        project: r.try_get(7)?,
    })
}

pub(super) fn users(c: &mut impl GenericClient) -> Result<Vec<User>, Fail> {
    let sql = format!(
        r#"SELECT {USER_COLUMNS} FROM users WHERE NOT retired
           ORDER BY email COLLATE "C", project COLLATE "C""#
    );
    let rows = c.query(&sql, &[])?;
    rows.iter().map(user_row).collect()
}

/// A `SELECT` with optional `WHERE` terms, numbering its parameters as they are added.
pub(super) struct Query<'a> {
    pub sql: String,
    pub params: Vec<Param<'a>>,
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

    /// `term` ends with its operator; the parameter's placeholder is appended.
    pub fn and(&mut self, term: &str, value: Param<'a>) {
        self.params.push(value);
        self.and_sql(&format!("{term} ${}", self.params.len()));
    }

    pub fn order_by(&mut self, order: &str) {
        self.sql.push_str(" ORDER BY ");
        self.sql.push_str(order);
    }
}
