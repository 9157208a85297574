//! A small pool of blocking connections. A connection is made on demand, up to `max`; a caller
//! finding them all in use waits up to `wait`, then gets [`Fail::Exhausted`]. A connection that
//! broke (the server restarted, the network dropped) is discarded when handed back, so the next
//! caller connects afresh instead of inheriting a dead one.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use postgres::{Client, Config, NoTls};

use super::Fail;

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

    pub(super) fn get(&self) -> Result<Lent<'_>, Fail> {
        let deadline = Instant::now() + self.wait;
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                return Ok(Lent {
                    pool: self,
                    client: Some(client),
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                // Connecting happens outside the lock, so one slow connect blocks nobody else.
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Lent {
                        pool: self,
                        client: Some(client),
                    }),
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
