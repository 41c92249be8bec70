//! `Idempotency-Key` on a POST that creates something (a booking): the first answer is kept a
//! day for that caller and key, and a retry of the same request gets it again (with
//! `Idempotent-Replayed: true`) instead of doing the work twice. The key is reserved before
//! the work starts, so two copies sent at once cannot both do it: the second is told the
//! first is still in progress (409). The same key with another body is refused (422). A
//! request that fails frees its key, so the caller can correct it and send it again.

use crate::{
    access::OrgScope,
    crypto,
    db::{self, Db},
    error::{AppError, AppResult},
};
use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// How long a first answer is kept.
pub const KEPT_MS: i64 = 24 * 3600 * 1000;

/// A request's key, when it sent one: 1 to 255 visible ASCII characters.
pub fn key_of(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let k = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()));
    match k {
        Some(k) => Ok(Some(k.to_string())),
        None => Err(AppError::bad_request("invalid-idempotency-key", "Use 1 to 255 visible ASCII characters.")),
    }
}

/// Who the key belongs to: the API key the request carries, else the account.
fn caller(scope: &OrgScope) -> String {
    match scope.key() {
        Some(k) => format!("key:{}", k.id),
        None => format!("account:{}", scope.account_id()),
    }
}

/// What a reserved key found: the work is ours to do, or an answer to give again.
pub enum Reserved {
    Fresh,
    Replay(Response),
}

#[derive(sqlx::FromRow)]
struct Kept {
    request_hash: String,
    status: Option<i64>,
    body: Option<String>,
    created_at: i64,
}

/// Reserves `key` for this request (`body`: its bytes), or finds the first answer.
pub async fn reserve(db: &Db, now_ms: i64, scope: &OrgScope, key: &str, body: &[u8]) -> AppResult<Reserved> {
    let (who, hash) = (caller(scope), crypto::sha256_hex(body));
    let tenant = scope.tenant();
    let mut conn = db.pool().acquire().await?;
    let stale = now_ms - KEPT_MS;
    db::query(
        "DELETE FROM idempotency_keys WHERE org_id = $1 AND caller = $2 AND idem_key = $3 AND created_at < $4",
        &[tenant, &who, &key, &stale],
    )
    .execute(&mut *conn)
    .await?;
    let inserted = db::query(
        "INSERT INTO idempotency_keys (org_id, caller, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (org_id, caller, idem_key) DO NOTHING",
        &[tenant, &who, &key, &hash, &now_ms],
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Reserved::Fresh);
    }
    let kept: Option<Kept> = db::query_as(
        "SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE org_id = $1 AND caller = $2 AND idem_key = $3",
        &[tenant, &who, &key],
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(k) = kept.filter(|k| k.created_at >= stale) else {
        return Err(AppError::conflict(
            "idempotency-key-in-progress",
            "A request with this Idempotency-Key is still being answered.",
        ));
    };
    if k.request_hash != hash {
        return Err(AppError::field(
            "Idempotency-Key",
            "idempotency-key-reused",
            "This Idempotency-Key was used for another request.",
        ));
    }
    match (k.status, k.body) {
        (Some(status), Some(body)) => {
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(200)).unwrap_or(StatusCode::OK);
            let mut res = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
            res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(Reserved::Replay(res))
        }
        _ => Err(AppError::conflict(
            "idempotency-key-in-progress",
            "A request with this Idempotency-Key is still being answered.",
        )),
    }
}

/// Keeps the answer for the reserved key.
pub async fn keep(db: &Db, scope: &OrgScope, key: &str, status: StatusCode, body: &str) -> AppResult<()> {
    let (who, status) = (caller(scope), i64::from(status.as_u16()));
    db::query(
        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE org_id = $3 AND caller = $4 AND idem_key = $5",
        &[&status, &body, scope.tenant(), &who, &key],
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Frees the reserved key after a failed request.
pub async fn release(db: &Db, scope: &OrgScope, key: &str) -> AppResult<()> {
    db::query(
        "DELETE FROM idempotency_keys WHERE org_id = $1 AND caller = $2 AND idem_key = $3 AND status IS NULL",
        &[scope.tenant(), &caller(scope), &key],
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes answers older than a day (the worker's housekeeping).
pub async fn prune(db: &Db, now_ms: i64) -> AppResult<u64> {
    let before = now_ms - KEPT_MS;
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before)
        .execute(db.pool())
        .await?
        .rows_affected())
}
