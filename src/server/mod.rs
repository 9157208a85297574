//! `tessera serve`: the coordination store over HTTP, for many repositories and CI runners.
//!
//! The API (`/api/v1/…`, [`routes`]) exposes the [`Store`] trait method by method, so the HTTP
//! store of the CLI behaves exactly like a local file. Keys per team ([`auth`]) and the claims
//! ([`policy`]) decide who may write what. Requests have a body limit and a timeout, every log
//! line carries the request's id, and SIGTERM or Ctrl-C stops accepting connections and lets the
//! requests in flight finish.

mod auth;
mod errors;
mod keys;
mod policy;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

use crate::error::Error;
use crate::store::{KeyStore, PostgresStore, SqliteStore};

/// Shared by every request.
pub struct App {
    /// The coordination state and the API keys, in SQLite or PostgreSQL.
    pub store: Arc<dyn KeyStore>,
    /// No keys (`--dev`); the server then listens on loopback only.
    pub dev: bool,
    /// `TESSERA_BOOTSTRAP_KEY`: accepted to create keys, nothing else.
    pub bootstrap: Option<String>,
}

impl App {
    pub fn auth_required(&self) -> bool {
        !self.dev
    }
}

/// Where the server keeps its store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file, created when missing: one server.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://…`), migrated at start: any number of replicas.
    Postgres(String),
}

impl Backend {
    /// For logs: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Backend::Sqlite(path) => format!("sqlite:{}", path.display()),
            Backend::Postgres(url) => crate::store::postgres::redact(url),
        }
    }

    pub fn open(&self) -> crate::store::Result<Arc<dyn KeyStore>> {
        Ok(match self {
            Backend::Sqlite(path) => Arc::new(SqliteStore::open(path, true)?),
            Backend::Postgres(url) => Arc::new(PostgresStore::open(url)?),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub store: Backend,
    pub dev: bool,
    pub bootstrap: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// How long one request may take before it is answered 503.
    pub timeout: Duration,
}

/// Runs the server until SIGTERM or Ctrl-C. Prints `listening on http://ADDR` on stdout once
/// the socket is bound (with `--listen 127.0.0.1:0`, ADDR has the port the system chose).
pub fn run(opts: Options) -> crate::error::Result<()> {
    if opts.dev && !opts.listen.ip().is_loopback() {
        return Err(Error::Usage {
            message: format!(
                "--dev turns API keys off, so it listens only on loopback, not on {}",
                opts.listen
            ),
            help: "use --listen 127.0.0.1:PORT with --dev, or drop --dev and give teams API keys"
                .into(),
        }
        .into());
    }
    init_logs();
    let app = Arc::new(App {
        store: opts.store.open()?,
        dev: opts.dev,
        bootstrap: opts.bootstrap.clone().filter(|b| b.trim().len() >= 16),
    });
    if opts.bootstrap.is_some() && app.bootstrap.is_none() {
        tracing::warn!("TESSERA_BOOTSTRAP_KEY is shorter than 16 characters and was ignored");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage {
            message: format!("could not start the server's runtime: {e}"),
            help: "check the process limits (threads, open files)".into(),
        })?;
    let served = runtime.block_on(serve(app.clone(), opts));
    // The last handle on the store goes here, outside the runtime: the blocking PostgreSQL
    // client closes its connections with a runtime of its own, which cannot start inside one.
    drop(runtime);
    drop(app);
    served
}

async fn serve(app: Arc<App>, opts: Options) -> crate::error::Result<()> {
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| Error::Usage {
            message: format!("could not listen on {}: {e}", opts.listen),
            help: "choose another address or port with --listen".into(),
        })?;
    let local = listener.local_addr().map_err(Error::Output)?;
    let mode = if app.dev { " (--dev: no API keys)" } else { "" };
    crate::output::print(&format!(
        "tessera serve: listening on http://{local}{mode}\n"
    ))?;
    tracing::info!(%local, store = %opts.store.describe(), dev = app.dev, "listening");
    let router = routes::router(app)
        .layer(DefaultBodyLimit::max(opts.max_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            opts.timeout,
        ))
        .layer(middleware::from_fn(request_id));
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(Error::Output)?;
    tracing::info!("stopped");
    Ok(())
}

/// Logs on stderr; `TESSERA_LOG` filters them (`info` by default, e.g. `debug` or `warn`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TESSERA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Gives each request an id (in the `x-request-id` header and on every log line of it) and logs
/// its answer.
async fn request_id(req: Request, next: Next) -> Response {
    let id = format!("r{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        caller = tracing::field::Empty,
    );
    async move {
        let start = Instant::now();
        let mut resp = next.run(req).await;
        let status = resp.status().as_u16();
        let ms = start.elapsed().as_millis() as u64;
        if status >= 500 {
            tracing::error!(status, ms, "answered");
        } else {
            tracing::info!(status, ms, "answered");
        }
        if let Ok(v) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        resp
    }
    .instrument(span)
    .await
}

/// Serves `store` without keys on 127.0.0.1, on a port the system picks, from a thread of its
/// own that lives as long as the test process; returns the server's base URL. For the tests
/// that run the same store behaviour over HTTP as over the backends themselves.
#[cfg(test)]
pub(crate) fn serve_for_tests(store: Arc<dyn KeyStore>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    listener.set_nonblocking(true).expect("non-blocking");
    let app = Arc::new(App {
        store,
        dev: true,
        bootstrap: None,
    });
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, routes::router(app)).await;
        });
    });
    format!("http://{addr}")
}
