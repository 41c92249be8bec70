//! The SQL of webhooks, each statement once, every function taking the `Tenant` (the
//! delivery pass, which serves every organisation, reads the due messages with theirs).

use crate::{
    access::Tenant,
    db::{self, Executor, Tx},
    error::AppResult,
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EndpointRow {
    pub id: String,
    pub member_id: String,
    pub url: String,
    pub secret_sealed: String,
    pub events: String,
    pub status: String,
    pub failures: i64,
    pub from_seq: i64,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub creator_first_name: String,
    pub creator_last_name: String,
    pub creator_email: String,
}

const ENDPOINT: &str = "SELECT e.id, e.member_id, e.url, e.secret_sealed, e.events, e.status, e.failures, e.from_seq, e.disabled_at, \
     e.created_at, m.first_name AS creator_first_name, m.last_name AS creator_last_name, m.email AS creator_email \
     FROM webhook_endpoints e JOIN memberships m ON m.id = e.member_id";

pub async fn endpoints(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<EndpointRow>> {
    let sql = format!("{ENDPOINT} WHERE e.org_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT 100");
    Ok(db::query_as(&sql, &[tenant]).fetch_all(exec).await?)
}

pub async fn endpoint(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<EndpointRow>> {
    let sql = format!("{ENDPOINT} WHERE e.org_id = $1 AND e.id = $2");
    Ok(db::query_as(&sql, &[tenant, &id]).fetch_optional(exec).await?)
}

pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub member_id: &'a str,
    pub url: &'a str,
    pub secret_sealed: &'a str,
    pub events: &'a str,
}

/// A new endpoint; the organisation's messages start after the chain's current head (no
/// backlog of what happened before it existed).
pub async fn insert(tx: &mut Tx, tenant: &Tenant, e: &NewEndpoint<'_>, now: i64) -> AppResult<()> {
    let sql = "INSERT INTO webhook_endpoints (id, org_id, member_id, url, secret_sealed, events, status, from_seq, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', COALESCE((SELECT seq FROM audit_heads WHERE chain = $2), 0), $7, $7)";
    db::execute(tx, sql, &[&e.id, tenant, &e.member_id, &e.url, &e.secret_sealed, &e.events, &now]).await?;
    let sql = "INSERT INTO webhook_cursors (org_id, seq) SELECT $1, COALESCE((SELECT seq FROM audit_heads WHERE chain = $1), 0) \
         WHERE NOT EXISTS (SELECT 1 FROM webhook_cursors WHERE org_id = $1)";
    db::execute(tx, sql, &[tenant]).await?;
    Ok(())
}

/// Its address, events and state as changed; a re-enabled endpoint starts again from zero failures.
pub async fn update(
    tx: &mut Tx,
    tenant: &Tenant,
    id: &str,
    (url, events, status): (&str, &str, &str),
    now: i64,
) -> AppResult<bool> {
    let sql = "UPDATE webhook_endpoints SET url = $1, events = $2, \
         failures = CASE WHEN status <> $3 THEN 0 ELSE failures END, \
         disabled_at = CASE WHEN $3 = 'disabled' THEN COALESCE(disabled_at, $4) ELSE NULL END, status = $3, updated_at = $4 \
         WHERE org_id = $5 AND id = $6";
    Ok(db::execute(tx, sql, &[&url, &events, &status, &now, tenant, &id]).await? > 0)
}

pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<bool> {
    Ok(db::execute(tx, "DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2", &[tenant, &id]).await? > 0)
}

/// After an attempt: failures reset by a success, counted otherwise; at `disable_after`
/// consecutive failures the endpoint is disabled. Whether this attempt disabled it.
pub async fn count_attempt(
    tx: &mut Tx,
    tenant: &Tenant,
    id: &str,
    ok: bool,
    disable_after: i64,
    now: i64,
) -> AppResult<bool> {
    if ok {
        db::execute(tx, "UPDATE webhook_endpoints SET failures = 0 WHERE org_id = $1 AND id = $2", &[tenant, &id])
            .await?;
        return Ok(false);
    }
    db::execute(
        tx,
        "UPDATE webhook_endpoints SET failures = failures + 1 WHERE org_id = $1 AND id = $2",
        &[tenant, &id],
    )
    .await?;
    let sql = "UPDATE webhook_endpoints SET status = 'disabled', disabled_at = $1 \
         WHERE org_id = $2 AND id = $3 AND status = 'active' AND failures >= $4";
    Ok(db::execute(tx, sql, &[&now, tenant, &id, &disable_after]).await? > 0)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub id: String,
    pub org_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub object_id: String,
    pub occurred_at: i64,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub created_at: i64,
}

const MESSAGE: &str = "SELECT id, org_id, endpoint_id, event_type, object_id, occurred_at, state, attempts, next_attempt_at, \
     created_at FROM webhook_messages";

pub async fn insert_message(tx: &mut Tx, tenant: &Tenant, m: &MessageRow) -> AppResult<()> {
    let sql = "INSERT INTO webhook_messages (id, org_id, endpoint_id, event_type, object_id, occurred_at, state, attempts, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)";
    let values: [&dyn db::Value; 8] =
        [&m.id, tenant, &m.endpoint_id, &m.event_type, &m.object_id, &m.occurred_at, &m.next_attempt_at, &m.created_at];
    db::execute(tx, sql, &values).await?;
    Ok(())
}

/// An endpoint's messages, newest first.
pub async fn messages(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    endpoint_id: &str,
    limit: i64,
) -> AppResult<Vec<MessageRow>> {
    let sql = format!("{MESSAGE} WHERE org_id = $1 AND endpoint_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3");
    Ok(db::query_as(&sql, &[tenant, &endpoint_id, &limit]).fetch_all(exec).await?)
}

pub async fn message(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<MessageRow>> {
    let sql = format!("{MESSAGE} WHERE org_id = $1 AND id = $2");
    Ok(db::query_as(&sql, &[tenant, &id]).fetch_optional(exec).await?)
}

/// Messages due now, every organisation's (the delivery pass).
pub async fn due(exec: impl Executor<'_>, now: i64, limit: i64) -> AppResult<Vec<MessageRow>> {
    let sql =
        format!("{MESSAGE} WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2");
    Ok(db::query_as(&sql, &[&now, &limit]).fetch_all(exec).await?)
}

/// Takes a due message for `lease_ms` (one sender at a time, across instances); whether it is ours.
pub async fn claim(exec: impl Executor<'_>, m: &MessageRow, now: i64, lease_ms: i64) -> AppResult<bool> {
    let until = now + lease_ms;
    let sql =
        "UPDATE webhook_messages SET next_attempt_at = $1 WHERE id = $2 AND state = 'pending' AND next_attempt_at = $3";
    Ok(db::query(sql, &[&until, &m.id, &m.next_attempt_at]).execute(exec).await?.rows_affected() == 1)
}

/// The message after an attempt: its state, attempts and next try.
pub async fn set_state(tx: &mut Tx, tenant: &Tenant, id: &str, state: &str, attempts: i64, next: i64) -> AppResult<()> {
    let sql =
        "UPDATE webhook_messages SET state = $1, attempts = $2, next_attempt_at = $3 WHERE org_id = $4 AND id = $5";
    db::execute(tx, sql, &[&state, &attempts, &next, tenant, &id]).await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttemptRow {
    pub message_id: String,
    pub at: i64,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub excerpt: String,
}

pub async fn insert_attempt(tx: &mut Tx, tenant: &Tenant, a: &AttemptRow) -> AppResult<()> {
    let sql = "INSERT INTO webhook_attempts (id, org_id, message_id, at, status, latency_ms, excerpt) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let id = db::new_id();
    db::execute(tx, sql, &[&id, tenant, &a.message_id, &a.at, &a.status, &a.latency_ms, &a.excerpt]).await?;
    Ok(())
}

/// The attempts at these messages, oldest first (one query for a page of the log).
pub async fn attempts(exec: impl Executor<'_>, tenant: &Tenant, message_ids: &[String]) -> AppResult<Vec<AttemptRow>> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT message_id, at, status, latency_ms, excerpt FROM webhook_attempts WHERE org_id = $1 AND message_id IN ({}) \
         ORDER BY at, id",
        db::placeholders(2, message_ids.len())
    );
    Ok(db::query_as(&sql, &db::and_list(&[tenant], message_ids)).fetch_all(exec).await?)
}

/// Organisations with an active endpoint, and where their chain was read up to.
pub async fn cursors(exec: impl Executor<'_>) -> AppResult<Vec<(String, i64)>> {
    let sql = "SELECT c.org_id, c.seq FROM webhook_cursors c WHERE EXISTS \
         (SELECT 1 FROM webhook_endpoints e WHERE e.org_id = c.org_id AND e.status = 'active')";
    Ok(db::query_as(sql, &[]).fetch_all(exec).await?)
}

/// Audit rows of the organisation's chain after `seq` whose action is one of `actions`.
pub async fn chain_after(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    seq: i64,
    actions: &[&str],
    limit: i64,
) -> AppResult<Vec<(i64, String, String, i64)>> {
    let list: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let sql = format!(
        "SELECT seq, action, COALESCE(object_id, '') AS object_id, at FROM audit_log WHERE chain = $1 AND seq > $2 \
         AND action IN ({}) ORDER BY seq LIMIT $3",
        db::placeholders(4, list.len())
    );
    let fixed: [&dyn db::Value; 3] = [tenant, &seq, &limit];
    Ok(db::query_as(&sql, &db::and_list(&fixed, &list)).fetch_all(exec).await?)
}

/// The head of the organisation's chain.
pub async fn head(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<i64> {
    let sql = "SELECT COALESCE((SELECT seq FROM audit_heads WHERE chain = $1), 0)";
    Ok(db::query_scalar(sql, &[tenant]).fetch_one(exec).await?)
}

pub async fn set_cursor(tx: &mut Tx, tenant: &Tenant, seq: i64) -> AppResult<()> {
    db::execute(tx, "UPDATE webhook_cursors SET seq = $1 WHERE org_id = $2 AND seq < $1", &[&seq, tenant]).await?;
    Ok(())
}
