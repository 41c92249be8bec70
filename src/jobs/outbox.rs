//! The outbox: side effects written as rows in the same transaction as their cause, then
//! delivered by a worker with retries and back-off. A row is leased before delivery so two
//! workers never send it at once, and it carries a stable Message-ID so a retry after a
//! crash mid-send is recognisable as the same message.

use super::mail::{Mailer, OutgoingMail};
use crate::{
    app::AppState,
    clock::to_ms,
    db::{Tx, new_id},
    error::{AppError, AppResult},
};

pub const MAX_ATTEMPTS: i64 = 12;
const LEASE_MS: i64 = 5 * 60 * 1000;

/// Queue an email inside the caller's transaction.
pub async fn enqueue_email(tx: &mut Tx, now_ms: i64, org_id: Option<&str>, mail: &OutgoingMail) -> AppResult<String> {
    let id = new_id();
    let payload = serde_json::to_string(mail).map_err(AppError::internal)?;
    sqlx::query(
        "INSERT INTO outbox (id, kind, org_id, recipient, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'email', $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(&mail.to)
    .bind(payload)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(id)
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
pub async fn run_once(state: &AppState, mailer: &Mailer, batch: i64) -> AppResult<usize> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN (\
           SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
           AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT $3{}) \
         RETURNING id, kind, payload, attempts",
        state.db.skip_locked()
    );
    let claimed: Vec<Claimed> =
        sqlx::query_as(&sql).bind(now + LEASE_MS).bind(now).bind(batch).fetch_all(&mut *tx).await?;
    tx.commit().await?;

    for row in &claimed {
        let result = match row.kind.as_str() {
            "email" => match row.payload.as_deref().map(serde_json::from_str::<OutgoingMail>) {
                Some(Ok(mail)) => mailer.send(&row.id, &mail).await,
                _ => Err("unreadable payload".to_string()),
            },
            other => Err(format!("unknown outbox kind {other}")),
        };
        let now = to_ms(state.now());
        match result {
            Ok(()) => {
                // The body may hold single-use links: once delivered it is not kept.
                sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $1, payload = NULL, locked_until = NULL, last_error = NULL WHERE id = $2")
                    .bind(now)
                    .bind(&row.id)
                    .execute(state.db.pool())
                    .await?;
                tracing::info!(outbox_id = %row.id, "delivered");
            }
            Err(error) => {
                let dead = row.attempts >= MAX_ATTEMPTS;
                sqlx::query("UPDATE outbox SET status = $1, next_attempt_at = $2, locked_until = NULL, last_error = $3 WHERE id = $4")
                    .bind(if dead { "dead" } else { "pending" })
                    .bind(now + backoff_ms(row.attempts - 1))
                    .bind(error.chars().take(500).collect::<String>())
                    .bind(&row.id)
                    .execute(state.db.pool())
                    .await?;
                tracing::warn!(outbox_id = %row.id, attempts = row.attempts, dead, %error, "delivery failed");
            }
        }
    }
    Ok(claimed.len())
}
