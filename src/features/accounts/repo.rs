//! Account, session and token storage.

use crate::{access::session::SESSION_LIFETIME_MS, crypto, db::Tx, error::AppResult, types::Lang};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub email: String,
    pub email_norm: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    pub mobile_phone: Option<String>,
    pub country: Option<String>,
    pub time_zone: String,
    pub language: Option<String>,
    pub email_verified_at: Option<i64>,
    pub blocked_at: Option<i64>,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_enabled_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AccountRow {
    pub fn lang(&self) -> Option<Lang> {
        self.language.as_deref().and_then(Lang::from_code)
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

const ACCOUNT_COLUMNS: &str = "id, email, email_norm, first_name, last_name, password_hash, mobile_phone, country, \
     time_zone, language, email_verified_at, blocked_at, totp_secret, totp_pending_secret, totp_enabled_at, \
     totp_last_step, created_at, updated_at";

pub async fn account_by_email<'e, E>(exec: E, email_norm: &str) -> AppResult<Option<AccountRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email_norm = $1"))
        .bind(email_norm)
        .fetch_optional(exec)
        .await?)
}

pub async fn account_by_id<'e, E>(exec: E, id: &str) -> AppResult<Option<AccountRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(exec)
        .await?)
}

/// Open a session; returns (session id, raw token for the cookie). An account with exactly one
/// organisation starts in it; with several, it starts in its personal space and picks one.
pub async fn create_session(
    tx: &mut Tx,
    now: i64,
    account_id: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> AppResult<(String, String)> {
    let id = crate::db::new_id();
    let token = crypto::new_token();
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, account_id, active_org_id, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, CASE WHEN (SELECT COUNT(*) FROM memberships WHERE account_id = $3 AND status = 'active') = 1 \
           THEN (SELECT MIN(org_id) FROM memberships WHERE account_id = $3 AND status = 'active') END, $4, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(crypto::hash_token(&token))
    .bind(account_id)
    .bind(now)
    .bind(now + SESSION_LIFETIME_MS)
    .bind(ip)
    .bind(user_agent)
    .execute(&mut **tx)
    .await?;
    Ok((id, token))
}

/// End every session of an account, except `keep` when given. Returns how many ended.
pub async fn end_sessions(tx: &mut Tx, account_id: &str, keep: Option<&str>) -> AppResult<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
        .bind(account_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub purpose: String,
    pub account_id: String,
    pub email_norm: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// Issue a single-use token for `purpose`, superseding the account's earlier unused ones.
pub async fn issue_token(tx: &mut Tx, now: i64, account: &AccountRow, purpose: &str, ttl_ms: i64) -> AppResult<String> {
    sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(&account.id)
        .bind(purpose)
        .execute(&mut **tx)
        .await?;
    let token = crypto::new_token();
    sqlx::query(
        "INSERT INTO account_tokens (id, token_hash, purpose, account_id, email_norm, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::db::new_id())
    .bind(crypto::hash_token(&token))
    .bind(purpose)
    .bind(&account.id)
    .bind(&account.email_norm)
    .bind(now)
    .bind(now + ttl_ms)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Consume a token: it must exist, be of one of `purposes`, unused and unexpired. The
/// `UPDATE … WHERE used_at IS NULL` makes two simultaneous uses yield one winner.
pub async fn consume_token(tx: &mut Tx, now: i64, raw: &str, purposes: &[&str]) -> AppResult<Option<TokenRow>> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT id, purpose, account_id, email_norm, expires_at, used_at FROM account_tokens WHERE token_hash = $1",
    )
    .bind(crypto::hash_token(raw))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.used_at.is_some() || row.expires_at <= now || !purposes.contains(&row.purpose.as_str()) {
        return Ok(None);
    }
    let taken = sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&row.id)
        .execute(&mut **tx)
        .await?;
    Ok((taken.rows_affected() == 1).then_some(row))
}
