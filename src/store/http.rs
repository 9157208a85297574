//! The store behind a `tessera serve`: every [`Store`] method is one HTTP request.
//!
//! One ureq agent with a global timeout serves the whole run. Reads and the idempotent writes
//! (`PUT`) are retried a few times with backoff when the server could not be reached or answered
//! 502/503/504; a `POST` (a sync, an ack, a batch) is sent once, because a retry after a lost
//! answer could apply it twice. Status codes are not turned into transport errors, so the
//! server's JSON refusal (its diagnostic code, message and help) reaches the user intact.

use std::fmt;
use std::time::Duration;

use miette::Diagnostic;
use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::{Method, Request};

use super::Store;
use super::error::{Result, StoreError};
use super::model::*;
use super::time::Timestamp;
use super::wire::{self, ErrorEnvelope, Health};

/// Long enough for a large sync on a busy server, short enough that CI reports a hung one.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts of an idempotent request, the first included.
const ATTEMPTS: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(200);
/// Answers are lists of the store's rows; this bounds what one can make the client hold.
const MAX_ANSWER: u64 = 256 * 1024 * 1024;

/// A failure reaching or using the server, with the server's own code when it gave one.
#[derive(Debug)]
pub struct RemoteError {
    pub url: String,
    /// `None`: no answer came (connection refused, timeout, TLS).
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub help: String,
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} (server {}, HTTP {s})", self.message, self.url),
            None => write!(f, "{} ({})", self.message, self.url),
        }
    }
}

impl std::error::Error for RemoteError {}

impl Diagnostic for RemoteError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }
}

pub struct HttpStore {
    /// Without a trailing slash.
    base: String,
    agent: ureq::Agent,
    token: Option<String>,
    health: Health,
}

impl fmt::Debug for HttpStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token.
        f.debug_struct("HttpStore")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HttpStore {
    /// Connects to the server at `url` and checks that it speaks this API version.
    pub fn open(url: &str, token: Option<String>) -> Result<HttpStore> {
        let base = url.trim().trim_end_matches('/').to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .user_agent(format!("tessera/{}", env!("CARGO_PKG_VERSION")))
            // A redirect would resend the token to wherever it points.
            .max_redirects(0)
            .build()
            .into();
        let mut store = HttpStore {
            base,
            agent,
            token: token.filter(|t| !t.trim().is_empty()),
            health: Health {
                status: String::new(),
                api: String::new(),
                version: String::new(),
                store: String::new(),
                schema_version: 0,
                auth: false,
            },
        };
        let health: Health = store.call(Method::GET, "/health", None::<&()>)?;
        if health.api != wire::API_VERSION {
            return Err(store.remote(
                None,
                "tessera::store::api_version",
                format!(
                    "the server speaks API {}, this tessera speaks {}",
                    health.api,
                    wire::API_VERSION
                ),
                "use the same tessera version on the server and in CI",
            ));
        }
        store.health = health;
        Ok(store)
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// Creates an API key (admin key or bootstrap secret); the answer holds its only copy.
    pub fn create_key(&self, new: &wire::NewKey) -> Result<wire::CreatedKey> {
        self.call(Method::POST, "/api/v1/keys", Some(new))
    }

    pub fn keys(&self) -> Result<Vec<wire::KeyInfo>> {
        self.get("/api/v1/keys")
    }

    pub fn revoke_key(&self, id: &str) -> Result<wire::KeyInfo> {
        self.call(
            Method::DELETE,
            &format!("/api/v1/keys/{}", segment(id)),
            None::<&()>,
        )
    }

    fn remote(
        &self,
        status: Option<u16>,
        code: &str,
        message: impl Into<String>,
        help: &str,
    ) -> StoreError {
        StoreError::Remote(Box::new(RemoteError {
            url: self.base.clone(),
            status,
            code: code.to_string(),
            message: message.into(),
            help: help.to_string(),
        }))
    }

    /// Sends one request and decodes the answer; `Ok(None)` for a 404 of a `lookup` (elsewhere
    /// a 404 is the server's refusal, with its message).
    fn exchange<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        lookup: bool,
    ) -> Result<Option<T>> {
        let body = match body {
            Some(b) => Some(serde_json::to_vec(b).map_err(|e| {
                self.remote(None, "tessera::store::encode", e.to_string(), "report this")
            })?),
            None => None,
        };
        let idempotent = method == Method::GET || method == Method::PUT;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = !idempotent || attempt >= ATTEMPTS;
            match self.send(&method, path, body.clone()) {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if matches!(status, 502..=504) && !last {
                        std::thread::sleep(BACKOFF * 2u32.pow(attempt - 1));
                        continue;
                    }
                    return self.answer(status, resp.body_mut(), lookup);
                }
                Err(e) if !last && retryable(&e) => {
                    std::thread::sleep(BACKOFF * 2u32.pow(attempt - 1));
                }
                Err(e) => return Err(self.unreachable(e)),
            }
        }
    }

    fn send(
        &self,
        method: &Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base))
            .header("accept", "application/json");
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        match body {
            Some(bytes) => {
                let req = req.header("content-type", "application/json").body(bytes)?;
                self.agent.run(req)
            }
            None => self.agent.run(req.body(())?),
        }
    }

    fn answer<T: DeserializeOwned>(
        &self,
        status: u16,
        body: &mut ureq::Body,
        lookup: bool,
    ) -> Result<Option<T>> {
        let text = body
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| self.unreachable(e))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map(Some).map_err(|e| {
                self.remote(
                    Some(status),
                    "tessera::store::bad_answer",
                    format!("the server's answer is not what this tessera expects: {e}"),
                    "use the same tessera version on the server and in CI",
                )
            });
        }
        let refusal = serde_json::from_str::<ErrorEnvelope>(&text).ok();
        if lookup
            && status == 404
            && refusal
                .as_ref()
                .is_some_and(|r| r.error.code == wire::NOT_FOUND)
        {
            return Ok(None);
        }
        Err(match refusal {
            Some(r) => wire::store_error(&r.error).unwrap_or_else(|| {
                self.remote(Some(status), &r.error.code, r.error.message, &r.error.help)
            }),
            None => self.remote(
                Some(status),
                "tessera::store::not_a_server",
                format!(
                    "the server answered HTTP {status} without a Tessera error: {}",
                    text.chars().take(200).collect::<String>()
                ),
                "check that the store URL points at a `tessera serve` (and not at a proxy's error page)",
            ),
        })
    }

    fn unreachable(&self, e: ureq::Error) -> StoreError {
        self.remote(
            None,
            "tessera::store::unreachable",
            format!("could not reach the store server: {e}"),
            "check the URL in `store:` (or --store, TESSERA_STORE), that `tessera serve` runs \
             there, and the network between here and it",
        )
    }

    fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T> {
        self.exchange(method, path, body, false)?.ok_or_else(|| {
            self.remote(
                Some(404),
                wire::NOT_FOUND,
                format!("the server has nothing at {path}"),
                "use the same tessera version on the server and in CI",
            )
        })
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call(Method::GET, path, None::<&()>)
    }

    fn lookup<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>> {
        self.exchange(Method::GET, path, None::<&()>, true)
    }
}

fn retryable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound
    )
}

/// One path segment, percent-encoded: identifiers come from repositories and may hold anything.
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query string from a serialisable struct, leaving out what is unset.
fn query(q: &impl Serialize) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(q) else {
        return String::new();
    };
    let parts: Vec<String> = map
        .iter()
        .filter_map(|(k, v)| {
            let v = match v {
                serde_json::Value::Null | serde_json::Value::Bool(false) => return None,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(format!("{}={}", segment(k), segment(&v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

impl Store for HttpStore {
    fn status(&self) -> Result<StoreStatus> {
        let mut s: StoreStatus = self.get("/api/v1/status")?;
        s.location = format!("{} (serving {})", self.base, s.location);
        Ok(s)
    }

    fn sync_project(
        &self,
        declaration: &Declaration,
        now: Timestamp,
        commit: Option<&str>,
    ) -> Result<SyncOutcome> {
        let body = wire::SyncRequest {
            declaration: declaration.clone(),
            now,
            commit: commit.map(str::to_string),
        };
        let path = format!("/api/v1/projects/{}/sync", segment(&declaration.project));
        self.call(Method::POST, &path, Some(&body))
    }

    fn projects(&self) -> Result<Vec<ProjectInfo>> {
        self.get("/api/v1/projects")
    }

    fn team_claims(&self) -> Result<Vec<TeamClaim>> {
        self.get("/api/v1/team-claims")
    }

    fn assets(&self, filter: &AssetFilter) -> Result<Vec<Asset>> {
        let q = wire::AssetQuery {
            project: filter.project.clone(),
            include_retired: filter.include_retired,
        };
        self.get(&format!("/api/v1/assets{}", query(&q)))
    }

    fn asset(&self, key: &str) -> Result<Option<Asset>> {
        self.lookup(&format!("/api/v1/assets/{}", segment(key)))
    }

    fn contract_versions(&self, asset: &str) -> Result<Vec<ContractVersion>> {
        self.get(&format!("/api/v1/assets/{}/versions", segment(asset)))
    }

    fn latest_contract(&self, asset: &str) -> Result<Option<ContractVersion>> {
        self.lookup(&format!("/api/v1/assets/{}/latest", segment(asset)))
    }

    fn registrations(&self, filter: &ConsumerFilter) -> Result<Vec<Consumer>> {
        let q = wire::ConsumerQuery {
            asset: filter.asset.clone(),
            project: filter.project.clone(),
            team: filter.team.clone(),
            include_retired: filter.include_retired,
        };
        self.get(&format!("/api/v1/consumers{}", query(&q)))
    }

    fn teams(&self) -> Result<Vec<Team>> {
        self.get("/api/v1/teams")
    }

    fn users(&self) -> Result<Vec<User>> {
        self.get("/api/v1/users")
    }

    fn put_proposal(&self, proposal: &Proposal) -> Result<bool> {
        let path = format!("/api/v1/proposals/{}", segment(&proposal.id));
        let c: wire::Created = self.call(Method::PUT, &path, Some(proposal))?;
        Ok(c.created)
    }

    fn proposal(&self, id: &str) -> Result<Option<Proposal>> {
        self.lookup(&format!("/api/v1/proposals/{}", segment(id)))
    }

    fn proposals(&self, filter: &ProposalFilter) -> Result<Vec<Proposal>> {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.name()).collect();
        let q = wire::ProposalQuery {
            asset: filter.asset.clone(),
            status: (!statuses.is_empty()).then(|| statuses.join(",")),
            breaking_digest: filter.breaking_digest.clone(),
            change_ref: filter.change_ref.clone(),
        };
        self.get(&format!("/api/v1/proposals{}", query(&q)))
    }

    fn set_proposal_status(&self, id: &str, status: ProposalStatus, now: Timestamp) -> Result<()> {
        let path = format!("/api/v1/proposals/{}/status", segment(id));
        let body = wire::StatusRequest { status, now };
        let _: serde_json::Value = self.call(Method::PUT, &path, Some(&body))?;
        Ok(())
    }

    fn add_ack(&self, ack: &Ack) -> Result<Ack> {
        let path = format!("/api/v1/proposals/{}/acks", segment(&ack.proposal));
        self.call(Method::POST, &path, Some(ack))
    }

    fn acks(&self, proposal: &str) -> Result<Vec<Ack>> {
        self.get(&format!("/api/v1/proposals/{}/acks", segment(proposal)))
    }

    fn commit(&self, batch: &Batch) -> Result<Committed> {
        self.call(Method::POST, "/api/v1/commit", Some(batch))
    }

    fn append_event(&self, event: &Event) -> Result<Event> {
        self.call(Method::POST, "/api/v1/events", Some(event))
    }

    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let q = wire::EventQuery {
            project: filter.project.clone(),
            subject: filter.subject.clone(),
            kind_prefix: filter.kind_prefix.clone(),
            after_id: filter.after_id,
            limit: filter.limit,
            newest_first: filter.newest_first,
        };
        self.get(&format!("/api/v1/events{}", query(&q)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("marts.orders"), "marts.orders");
        assert_eq!(segment("../x y/%"), "..%2Fx%20y%2F%25");
        assert_eq!(
            query(&wire::AssetQuery {
                project: Some("a&b".into()),
                include_retired: true
            }),
            "?include_retired=true&project=a%26b"
        );
        assert_eq!(query(&wire::AssetQuery::default()), "");
    }
}
