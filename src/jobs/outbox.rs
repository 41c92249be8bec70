//! The outbox: side effects written as rows in the same transaction as their cause, then
//! delivered by a worker with retries and back-off. A row is leased before delivery so two
//! workers never send it at once, and it carries a stable Message-ID so a retry after a
//! crash mid-send is recognisable as the same message.
//!
//! Kinds: `email` and `sms`. Status: `pending` → `sent`; `failed` when the provider refused
//! the message for good (an invalid number); `dead` after the last attempt; `erased` when
//! the client it was about was erased before it went out (never sent). `client_id` says
//! which client a message is about, so erasure finds it.

use super::{
    DeliveryError,
    mail::{Mailer, OutgoingMail},
    sms::{OutgoingSms, SmsSender},
};
use crate::{
    clock::to_ms,
    db::{self, Tx, new_id},
    error::{AppError, AppResult},
    state::AppState,
};

pub const MAX_ATTEMPTS: i64 = 12;
const LEASE_MS: i64 = 5 * 60 * 1000;

/// Queue an email inside the caller's transaction.
pub async fn enqueue_email(tx: &mut Tx, now_ms: i64, org_id: Option<&str>, mail: &OutgoingMail) -> AppResult<String> {
    let payload = serde_json::to_string(mail).map_err(AppError::internal)?;
    enqueue(tx, now_ms, "email", org_id, &mail.to, payload).await
}

/// Queue a text message inside the caller's transaction (its number is already E.164).
pub async fn enqueue_sms(tx: &mut Tx, now_ms: i64, org_id: Option<&str>, sms: &OutgoingSms) -> AppResult<String> {
    let payload = serde_json::to_string(sms).map_err(AppError::internal)?;
    enqueue(tx, now_ms, "sms", org_id, &sms.to, payload).await
}

/// One pending row of `kind` (`email` or `sms`) for `recipient`, due now.
async fn enqueue(
    tx: &mut Tx,
    now_ms: i64,
    kind: &str,
    org_id: Option<&str>,
    recipient: &str,
    payload: String,
) -> AppResult<String> {
    let id = new_id();
    let sql = "INSERT INTO outbox (id, kind, org_id, recipient, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)";
    db::execute(tx, sql, &[&id, &kind, &org_id, &recipient, &payload, &now_ms]).await?;
    Ok(id)
}

/// Queue a text to `phone` when it is a usable (E.164) number; otherwise note it and go on:
/// a badly typed number must not undo the change that causes the message.
/// Returns the queued row's id, if it was queued.
pub async fn queue_sms(tx: &mut Tx, now_ms: i64, org_id: &str, phone: &str, text: String) -> AppResult<Option<String>> {
    match OutgoingSms::new(phone, text) {
        Some(sms) => Ok(Some(enqueue_sms(tx, now_ms, Some(org_id), &sms).await?)),
        None => {
            tracing::info!(org_id, "no SMS: the phone number is not in international form");
            Ok(None)
        }
    }
}

/// Say which client a queued message is about (sent to them, or naming them), so that
/// erasing the client clears it.
pub async fn about_client(tx: &mut Tx, outbox_id: &str, client_id: &str) -> AppResult<()> {
    let sql = "UPDATE outbox SET client_id = $1 WHERE id = $2";
    db::execute(tx, sql, &[&client_id, &outbox_id]).await?;
    Ok(())
}

/// How the worker delivers each kind.
#[derive(Clone)]
pub struct Senders {
    pub mail: Mailer,
    pub sms: SmsSender,
}

impl Senders {
    pub fn from_config(cfg: &crate::config::Config) -> Result<Senders, String> {
        Ok(Senders { mail: Mailer::from_config(cfg)?, sms: SmsSender::from_config(cfg)? })
    }
}

/// Back-off before attempt `n + 1`: 30 s, 1 min, 2 min … capped at 1 h.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 7) as u32;
    (30_000i64 * 2i64.pow(exp)).min(3_600_000)
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: String,
    kind: String,
    payload: Option<String>,
    attempts: i64,
}

/// Claim and deliver up to `batch` due rows; returns how many were handled.
pub async fn run_once(state: &AppState, senders: &Senders, batch: i64) -> AppResult<usize> {
    // One row claimed at a time: each lease covers one delivery (whose network timeouts are
    // well under the lease), however long the batch takes.
    let mut handled = 0;
    while handled < batch.max(1) as usize {
        let Some((row, lease)) = claim_one(state).await? else { break };
        deliver(state, senders, &row, lease).await?;
        handled += 1;
    }
    Ok(handled)
}

async fn claim_one(state: &AppState) -> AppResult<Option<(Claimed, i64)>> {
    let now = to_ms(state.now());
    let lease = now + LEASE_MS;
    let mut tx = state.db.begin().await?;
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN (\
           SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
           AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT 1{}) \
         RETURNING id, kind, payload, attempts",
        state.db.skip_locked()
    );
    let claimed: Option<Claimed> = db::query_as(&sql, &[&lease, &now]).fetch_optional(&mut *tx).await?;
    tx.commit().await?;
    Ok(claimed.map(|c| (c, lease)))
}

/// Deliver one claimed row and record the outcome, only while the lease is still ours (a
/// row whose lease ran out may have been claimed again by another worker: its record wins).
async fn deliver(state: &AppState, senders: &Senders, row: &Claimed, lease: i64) -> AppResult<()> {
    let result = match row.kind.as_str() {
        "email" => match row.payload.as_deref().map(serde_json::from_str::<OutgoingMail>) {
            Some(Ok(mail)) => senders.mail.send(&row.id, &mail).await.map(|()| None).map_err(DeliveryError::Retry),
            _ => Err(DeliveryError::Retry("unreadable payload".to_string())),
        },
        "sms" => match row.payload.as_deref().map(serde_json::from_str::<OutgoingSms>) {
            Some(Ok(sms)) => senders.sms.send(&row.id, state.now(), &sms).await,
            _ => Err(DeliveryError::Retry("unreadable payload".to_string())),
        },
        other => Err(DeliveryError::Retry(format!("unknown outbox kind {other}"))),
    };
    let now = to_ms(state.now());
    let recorded = match &result {
        Ok(provider_ref) => {
            // The body may hold single-use links: once delivered it is not kept. The
            // provider's message id stays, for support.
            let sql = "UPDATE outbox SET status = 'sent', sent_at = $1, payload = NULL, locked_until = NULL, last_error = NULL, \
                 provider_ref = $2 WHERE id = $3 AND locked_until = $4";
            db::query(sql, &[&now, &provider_ref.as_deref(), &row.id, &lease]).execute(state.db.pool()).await?
        }
        Err(DeliveryError::Permanent(error)) => {
            // Refused for good: retrying would only be refused again. The payload goes too;
            // last_error says why.
            db::query(
                "UPDATE outbox SET status = 'failed', payload = NULL, locked_until = NULL, last_error = $1 \
                 WHERE id = $2 AND locked_until = $3",
                &[&error.chars().take(500).collect::<String>(), &row.id, &lease],
            )
            .execute(state.db.pool())
            .await?
        }
        Err(DeliveryError::Retry(error)) => {
            let dead = row.attempts >= MAX_ATTEMPTS;
            db::query(
                "UPDATE outbox SET status = $1, next_attempt_at = $2, locked_until = NULL, last_error = $3 \
                 WHERE id = $4 AND locked_until = $5",
                &[
                    &(if dead { "dead" } else { "pending" }),
                    &(now + backoff_ms(row.attempts - 1)),
                    &error.chars().take(500).collect::<String>(),
                    &row.id,
                    &lease,
                ],
            )
            .execute(state.db.pool())
            .await?
        }
    };
    match &result {
        Ok(provider_ref) => tracing::info!(outbox_id = %row.id, kind = %row.kind, provider_ref, "delivered"),
        Err(DeliveryError::Permanent(error)) => {
            tracing::warn!(outbox_id = %row.id, kind = %row.kind, %error, "delivery refused for good")
        }
        Err(DeliveryError::Retry(error)) => {
            tracing::warn!(outbox_id = %row.id, attempts = row.attempts, %error, "delivery failed")
        }
    }
    if recorded.rows_affected() != 1 {
        tracing::warn!(outbox_id = %row.id, "the lease ran out during delivery; another worker owns this row now");
    }
    Ok(())
}
