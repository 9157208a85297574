//! A small pool of blocking connections. A connection is made on demand, up to `max`; a caller
//! finding them all in use waits up to `wait`, then gets [`Fail::Exhausted`]. A connection that
//! broke (the server restarted, the network dropped) is discarded when handed back, so the next
//! caller connects afresh instead of inheriting a dead one.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use postgres::{Client, Config, NoTls};

use super::Fail;

/// How long an idle connection may take to answer before it counts as dead.
const LIVENESS: Duration = Duration::from_secs(5);

pub(super) struct Pool {
    config: Config,
    max: usize,
    wait: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Vec<Client>,
    /// Connections in existence: idle, lent out, or being made.
    open: usize,
}

impl Pool {
    pub(super) fn new(config: Config, max: usize, wait: Duration) -> Pool {
        Pool {
            config,
            max: max.max(1),
            wait,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two plain fields, sound whatever panicked while holding the lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection known to be alive: an idle one is asked first (one round trip), and one cut
    /// while idle (the database restarted, a failover) is dropped for the next, or a new one.
    /// For writes, whose first statement must not be the one to find the connection dead, and
    /// for retrying a read that did.
    pub(super) fn get_live(&self) -> Result<Lent<'_>, Fail> {
        // Every dead idle connection is discarded on the way, so this ends with a live idle
        // one or a fresh connection within `max + 1` turns.
        for _ in 0..=self.max {
            let (mut lent, fresh) = self.get_fresh()?;
            if fresh || lent.is_valid(LIVENESS).is_ok() {
                return Ok(lent);
            }
            lent.discard();
        }
        Err(Fail::Exhausted)
    }

    pub(super) fn get(&self) -> Result<Lent<'_>, Fail> {
        Ok(self.get_fresh()?.0)
    }

    /// A connection, and whether it was made just now.
    fn get_fresh(&self) -> Result<(Lent<'_>, bool), Fail> {
        let deadline = Instant::now() + self.wait;
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                let lent = Lent {
                    pool: self,
                    client: Some(client),
                };
                return Ok((lent, false));
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                // Connecting happens outside the lock, so one slow connect blocks nobody else.
                return match self.config.connect(NoTls) {
                    Ok(client) => {
                        let lent = Lent {
                            pool: self,
                            client: Some(client),
                        };
                        Ok((lent, true))
                    }
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(Fail::Connect(e))
                    }
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Fail::Exhausted);
            }
            state = self
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// A connection on loan; it goes back to the pool when dropped.
pub(super) struct Lent<'p> {
    pool: &'p Pool,
    client: Option<Client>,
}

impl Lent<'_> {
    /// Closes this connection instead of handing it back.
    fn discard(mut self) {
        if self.client.take().is_some() {
            self.pool.lock().open -= 1;
            self.pool.freed.notify_one();
        }
    }
}

impl Deref for Lent<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a lent connection is present until dropped")
    }
}

impl DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a lent connection is present until dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let mut state = self.pool.lock();
        if client.is_closed() {
            state.open -= 1;
        } else {
            state.idle.push(client);
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}
