//! Background work: the outbox (mail and SMS; webhooks later) and housekeeping.
//! Workers claim rows with a lease, so several server instances share the work safely.

pub mod booking_mail;
pub mod mail;
pub mod outbox;
pub mod reminders;
pub mod sms;
pub mod webhooks;

/// Why one outbox row was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryError {
    /// Worth another try later (network, timeouts, 429, 5xx).
    Retry(String),
    /// Will never succeed (an invalid number, a refused body…): the row ends as failed.
    Permanent(String),
}

use crate::state::AppState;
use std::time::Duration;
use tokio::sync::watch;

/// Run the worker loop until `shutdown` flips to true.
pub async fn run_worker(state: AppState, senders: outbox::Senders, mut shutdown: watch::Receiver<bool>) {
    tracing::info!("background worker started");
    let mut last_prune = 0i64;
    loop {
        match outbox::run_once(&state, &senders, 20).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox pass failed"),
        }
        if let Err(e) = reminders::run_once(&state).await {
            tracing::error!(error = %e, "reminder pass failed");
        }
        if let Err(e) = webhooks::run_once(&state).await {
            tracing::error!(error = %e, "webhook pass failed");
        }
        let now = crate::clock::to_ms(state.now());
        if now - last_prune > 3_600_000 {
            last_prune = now;
            if let Err(e) = crate::ratelimit::prune(&state, now - 86_400_000).await {
                tracing::warn!(error = %e, "rate-limit pruning failed");
            }
            if let Err(e) = crate::http::idempotency::prune(&state.db, now).await {
                tracing::warn!(error = %e, "idempotency pruning failed");
            }
        }
        tokio::select! {
            _ = state.outbox_wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
    tracing::info!("background worker stopped");
}
