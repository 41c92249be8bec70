//! The application state every handler, service and job receives: the database, the clock,
//! the configuration and the shared in-process parts. It sits below the features, with the
//! plumbing (`http/`, `access/`), so any of them may take it without reaching up to the
//! router that assembles them (ARCHITECTURE.md, "Floors").

use crate::{clock::SharedClock, config::Config, db::Db};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub config: Arc<Config>,
    /// Poked when an outbox row is written, so the local worker sends at once.
    pub outbox_wake: Arc<Notify>,
    /// Per-organisation read caches, valid for one change sequence (`cache.rs`).
    pub cache: Arc<crate::cache::Caches>,
    /// Session lookups in flight, answered in batches (`access::session::SessionLookups`).
    pub sessions: Arc<crate::access::session::SessionLookups>,
}

impl AppState {
    pub fn new(db: Db, clock: SharedClock, config: Config) -> Self {
        Self {
            db,
            clock,
            config: Arc::new(config),
            outbox_wake: Arc::new(Notify::new()),
            cache: Arc::default(),
            sessions: Arc::default(),
        }
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// The server key that seals secrets at rest.
    pub fn secret_key(&self) -> crate::error::AppResult<&crate::crypto::SecretKey> {
        self.config.secret_key.as_ref().ok_or_else(|| crate::error::AppError::internal("no server secret key loaded"))
    }
}
