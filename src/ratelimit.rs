//! Fixed-window rate limits kept in the database, so every server instance counts together.

use crate::{
    clock::to_ms,
    error::{AppError, AppResult},
    http::Ctx,
    state::AppState,
};

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub name: &'static str,
    pub max: i64,
    pub window_secs: i64,
}

pub const LOGIN_PER_EMAIL: Limit = Limit { name: "login:email", max: 10, window_secs: 15 * 60 };
pub const LOGIN_PER_IP: Limit = Limit { name: "login:ip", max: 50, window_secs: 15 * 60 };
pub const SIGNUP_PER_IP: Limit = Limit { name: "signup:ip", max: 20, window_secs: 3600 };
pub const SIGNUP_PER_EMAIL: Limit = Limit { name: "signup:email", max: 5, window_secs: 3600 };
pub const RESET_PER_EMAIL: Limit = Limit { name: "reset:email", max: 5, window_secs: 3600 };
pub const RESET_PER_IP: Limit = Limit { name: "reset:ip", max: 30, window_secs: 3600 };
pub const PASSWORD_CHECK_PER_ACCOUNT: Limit = Limit { name: "password:account", max: 10, window_secs: 15 * 60 };
pub const TOKEN_PER_IP: Limit = Limit { name: "token:ip", max: 60, window_secs: 3600 };
pub const PUBLIC_BOOKING_PER_IP: Limit = Limit { name: "book:ip", max: 20, window_secs: 3600 };
pub const INVITE_RESEND: Limit = Limit { name: "invite:resend", max: 5, window_secs: 3600 };
/// Requests of one API key in a minute: a busy integration's pace, counted across every
/// server (`Config::api_key_requests_per_minute`, 600 by default).
pub fn api_key(per_minute: i64) -> Limit {
    Limit { name: "api:key", max: per_minute, window_secs: 60 }
}
/// Wrong second-factor codes of one account, wherever they come from (login, turning the
/// factor off): counted by account id, across every address.
pub const SECOND_FACTOR_PER_ACCOUNT: Limit = Limit { name: "2fa:account", max: 10, window_secs: 15 * 60 };

/// The current window of `limit` for `subject`: its bucket and when it started.
struct Window {
    bucket: String,
    start: i64,
    /// When it ends, as the seconds a refused caller should wait (at least one).
    retry_after_secs: u64,
}

fn window(state: &AppState, limit: Limit, subject: &str) -> Window {
    let now = to_ms(state.now());
    let window_ms = limit.window_secs * 1000;
    let start = now - now.rem_euclid(window_ms);
    let retry_after_secs = ((start + window_ms - now) / 1000).max(1) as u64;
    Window { bucket: format!("{}:{}", limit.name, subject.to_lowercase()), start, retry_after_secs }
}

/// Count one hit against `limit` for `subject`; refuse once the window is full.
pub async fn hit(state: &AppState, limit: Limit, subject: &str) -> AppResult<()> {
    let Window { bucket, start: window_start, retry_after_secs } = window(state, limit, subject);
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
    )
    .bind(&bucket)
    .bind(window_start)
    .fetch_one(state.db.pool())
    .await?;
    if hits > limit.max {
        tracing::warn!(bucket, hits, "rate limit reached");
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// `hit` for the caller's address (`?` when it is unknown).
pub async fn hit_ip(state: &AppState, limit: Limit, ctx: &Ctx) -> AppResult<()> {
    hit(state, limit, ctx.ip.as_deref().unwrap_or("?")).await
}

/// Refuse, without counting, once `subject`'s window is full: for checks that must answer
/// before anything is known about the request (a login with a full second-factor counter
/// is refused before the password is checked, so the answer cannot tell whether it was
/// right).
pub async fn check(state: &AppState, limit: Limit, subject: &str) -> AppResult<()> {
    let Window { bucket, start: window_start, retry_after_secs } = window(state, limit, subject);
    let hits: Option<i64> = sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2")
        .bind(&bucket)
        .bind(window_start)
        .fetch_optional(state.db.pool())
        .await?;
    if hits.unwrap_or(0) >= limit.max {
        tracing::warn!(bucket, "rate limit reached");
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Take back one hit of the current window: for limits that should count failures only
/// (a successful login must not bring its own account closer to a lock-out).
pub async fn refund(state: &AppState, limit: Limit, subject: &str) -> AppResult<()> {
    let Window { bucket, start: window_start, .. } = window(state, limit, subject);
    sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE bucket = $1 AND window_start = $2 AND hits > 0")
        .bind(&bucket)
        .bind(window_start)
        .execute(state.db.pool())
        .await?;
    Ok(())
}

/// Drop windows that ended before `before_ms`.
pub async fn prune(state: &AppState, before_ms: i64) -> AppResult<u64> {
    let r =
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(before_ms).execute(state.db.pool()).await?;
    Ok(r.rows_affected())
}
