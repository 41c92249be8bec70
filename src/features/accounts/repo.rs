//! Account, session, sign-up and token storage. These belong to a person, not to an
//! organisation: only what points at one (a session's active organisation) takes a `Tenant`.

use crate::{
    access::{Tenant, session::SESSION_LIFETIME_MS},
    crypto,
    db::{self, Db, Executor, Tx},
    error::AppResult,
    types::Lang,
};

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

pub async fn account_by_email(exec: impl Executor<'_>, email_norm: &str) -> AppResult<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email_norm = $1");
    Ok(db::query_as(&sql, &[&email_norm]).fetch_optional(exec).await?)
}

pub async fn account_by_id(exec: impl Executor<'_>, id: &str) -> AppResult<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    Ok(db::query_as(&sql, &[&id]).fetch_optional(exec).await?)
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
    let sql = "INSERT INTO sessions (id, token_hash, account_id, active_org_id, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, CASE WHEN (SELECT COUNT(*) FROM memberships WHERE account_id = $3 AND status = 'active') = 1 \
           THEN (SELECT MIN(org_id) FROM memberships WHERE account_id = $3 AND status = 'active') END, $4, $4, $5, $6, $7)";
    db::execute(
        tx,
        sql,
        &[&id, &crypto::hash_token(&token), &account_id, &now, &(now + SESSION_LIFETIME_MS), &ip, &user_agent],
    )
    .await?;
    Ok((id, token))
}

/// End every session of an account, except `keep` when given. Returns how many ended.
pub async fn end_sessions(tx: &mut Tx, account_id: &str, keep: Option<&str>) -> AppResult<u64> {
    let sql = "DELETE FROM sessions WHERE account_id = $1 AND id <> $2";
    Ok(db::execute(tx, sql, &[&account_id, &keep.unwrap_or("")]).await?)
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
    let sql = "UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL";
    db::execute(tx, sql, &[&now, &account.id, &purpose]).await?;
    let token = crypto::new_token();
    db::execute(
        tx,
        "INSERT INTO account_tokens (id, token_hash, purpose, account_id, email_norm, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &crate::db::new_id(),
            &crypto::hash_token(&token),
            &purpose,
            &account.id,
            &account.email_norm,
            &now,
            &(now + ttl_ms),
        ],
    )
    .await?;
    Ok(token)
}

/// Consume a token: it must exist, be of one of `purposes`, unused and unexpired. The
/// `UPDATE … WHERE used_at IS NULL` makes two simultaneous uses yield one winner.
pub async fn consume_token(tx: &mut Tx, now: i64, raw: &str, purposes: &[&str]) -> AppResult<Option<TokenRow>> {
    let sql =
        "SELECT id, purpose, account_id, email_norm, expires_at, used_at FROM account_tokens WHERE token_hash = $1";
    let row: Option<TokenRow> = db::query_as(sql, &[&crypto::hash_token(raw)]).fetch_optional(&mut **tx).await?;
    let Some(row) = row else { return Ok(None) };
    if row.used_at.is_some() || row.expires_at <= now || !purposes.contains(&row.purpose.as_str()) {
        return Ok(None);
    }
    let sql = "UPDATE account_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL";
    let taken = db::execute(tx, sql, &[&now, &row.id]).await?;
    Ok((taken == 1).then_some(row))
}

/// A new account, from a sign-up, an invitation or the `create-owner` command. Fields left
/// `None` stay empty (no password yet, the browser's language, the address unconfirmed).
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub email_norm: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub time_zone: &'a str,
    pub language: Option<&'a str>,
    pub email_verified_at: Option<i64>,
    pub now: i64,
}

/// Insert an account. The database's own error is returned, so that each caller says what a
/// taken address means to it (`db::unique_or`).
pub async fn insert_account(tx: &mut Tx, a: &NewAccount<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO accounts (id, email, email_norm, first_name, last_name, password_hash, time_zone, language, \
         email_verified_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)";
    db::execute(
        tx,
        sql,
        &[
            &a.id,
            &a.email,
            &a.email_norm,
            &a.first_name,
            &a.last_name,
            &a.password_hash,
            &a.time_zone,
            &a.language,
            &a.email_verified_at,
            &a.now,
        ],
    )
    .await?;
    Ok(())
}

/// Lock an account's row on PostgreSQL for the rest of the transaction (SQLite's write lock
/// is already held).
pub async fn lock_account(tx: &mut Tx, db: &Db, id: &str) -> AppResult<()> {
    let sql = format!("SELECT id FROM accounts WHERE id = $1{}", db.for_update());
    db::query(&sql, &[&id]).fetch_optional(&mut **tx).await?;
    Ok(())
}

/// Write the profile fields of `a` (names, phone, country, zone, language).
pub async fn update_profile(tx: &mut Tx, a: &AccountRow, now: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET first_name = $1, last_name = $2, mobile_phone = $3, country = $4, time_zone = $5, \
         language = $6, updated_at = $7 WHERE id = $8";
    db::execute(
        tx,
        sql,
        &[&a.first_name, &a.last_name, &a.mobile_phone, &a.country, &a.time_zone, &a.language, &now, &a.id],
    )
    .await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: &str, hash: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3";
    db::execute(tx, sql, &[&hash, &now, &id]).await?;
    Ok(())
}

/// A password set from an emailed link: the link proved the address, so it is confirmed too.
pub async fn set_password_from_link(tx: &mut Tx, id: &str, hash: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET password_hash = $1, updated_at = $2, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3";
    db::execute(tx, sql, &[&hash, &now, &id]).await?;
    Ok(())
}

/// Every outstanding reset or set-password link of an account stops working.
pub async fn end_password_tokens(tx: &mut Tx, account_id: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose IN ('reset', 'set_password') AND used_at IS NULL";
    db::execute(tx, sql, &[&now, &account_id]).await?;
    Ok(())
}

pub async fn set_blocked(tx: &mut Tx, id: &str, blocked_at: Option<i64>, now: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET blocked_at = $1, updated_at = $2 WHERE id = $3";
    db::execute(tx, sql, &[&blocked_at, &now, &id]).await?;
    Ok(())
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An account's live sessions (unexpired, seen since `seen_since`), most recent first.
pub async fn list_sessions(
    exec: impl Executor<'_>,
    account_id: &str,
    now: i64,
    seen_since: i64,
) -> AppResult<Vec<SessionRow>> {
    let sql = "SELECT id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC LIMIT 200";
    Ok(db::query_as(sql, &[&account_id, &now, &seen_since]).fetch_all(exec).await?)
}

/// End one session of an account; returns how many ended (0: not this account's).
pub async fn end_session(tx: &mut Tx, account_id: &str, session_id: &str) -> AppResult<u64> {
    let sql = "DELETE FROM sessions WHERE id = $1 AND account_id = $2";
    Ok(db::execute(tx, sql, &[&session_id, &account_id]).await?)
}

/// Point one of an account's sessions at an organisation, or at the personal space (`None`).
pub async fn set_active_org(
    exec: impl Executor<'_>,
    account_id: &str,
    session_id: &str,
    org_id: Option<&str>,
) -> AppResult<()> {
    let sql = "UPDATE sessions SET active_org_id = $1 WHERE id = $2 AND account_id = $3";
    db::query(sql, &[&org_id, &session_id, &account_id]).execute(exec).await?;
    Ok(())
}

/// An account leaves an organisation: its sessions there fall back to the personal space.
pub async fn leave_active_org(tx: &mut Tx, tenant: &Tenant, account_id: &str) -> AppResult<()> {
    let sql = "UPDATE sessions SET active_org_id = NULL WHERE account_id = $1 AND active_org_id = $2";
    db::execute(tx, sql, &[&account_id, tenant]).await?;
    Ok(())
}

// ---------------------------------------------------------------- sign-ups

#[derive(sqlx::FromRow)]
pub struct SignupRow {
    pub id: String,
    pub email: String,
    pub email_norm: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub language: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

const SIGNUP_COLUMNS: &str =
    "id, email, email_norm, first_name, last_name, password_hash, language, expires_at, used_at";

/// A sign-up waiting for its link; hashes of its token and of the browser that signed up.
pub struct NewSignup<'a> {
    pub token_hash: &'a str,
    pub email: &'a str,
    pub email_norm: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a str,
    pub language: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub browser_hash: &'a str,
}

pub async fn insert_signup(tx: &mut Tx, s: &NewSignup<'_>) -> AppResult<()> {
    let sql = "INSERT INTO signups (id, token_hash, email, email_norm, first_name, last_name, password_hash, language, created_at, \
         expires_at, browser_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    db::execute(
        tx,
        sql,
        &[
            &crate::db::new_id(),
            &s.token_hash,
            &s.email,
            &s.email_norm,
            &s.first_name,
            &s.last_name,
            &s.password_hash,
            &s.language,
            &s.now,
            &s.expires_at,
            &s.browser_hash,
        ],
    )
    .await?;
    Ok(())
}

/// What proves a live sign-up is one's own: `(browser hash, password hash)`.
pub async fn signup_proof(
    exec: impl Executor<'_>,
    token_hash: &str,
    now: i64,
) -> AppResult<Option<(Option<String>, String)>> {
    let sql =
        "SELECT browser_hash, password_hash FROM signups WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    Ok(db::query_as(sql, &[&token_hash, &now]).fetch_optional(exec).await?)
}

/// The sign-up behind a token hash, used or not.
pub async fn signup_by_token(tx: &mut Tx, token_hash: &str) -> AppResult<Option<SignupRow>> {
    let sql = format!("SELECT {SIGNUP_COLUMNS} FROM signups WHERE token_hash = $1");
    Ok(db::query_as(&sql, &[&token_hash]).fetch_optional(&mut **tx).await?)
}

/// The latest live sign-up of an address.
pub async fn latest_signup(tx: &mut Tx, email_norm: &str, now: i64) -> AppResult<Option<SignupRow>> {
    let sql = format!(
        "SELECT {SIGNUP_COLUMNS} FROM signups WHERE email_norm = $1 AND used_at IS NULL AND expires_at > $2 \
         ORDER BY created_at DESC LIMIT 1"
    );
    Ok(db::query_as(&sql, &[&email_norm, &now]).fetch_optional(&mut **tx).await?)
}

/// Every pending sign-up of an address ends.
pub async fn end_signups(tx: &mut Tx, email_norm: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE signups SET used_at = $1 WHERE email_norm = $2 AND used_at IS NULL";
    db::execute(tx, sql, &[&now, &email_norm]).await?;
    Ok(())
}

/// A sign-up gets a new link (the old one stops working) and a new expiry.
pub async fn renew_signup(tx: &mut Tx, id: &str, token_hash: &str, expires_at: i64) -> AppResult<()> {
    let sql = "UPDATE signups SET token_hash = $1, expires_at = $2 WHERE id = $3";
    db::execute(tx, sql, &[&token_hash, &expires_at, &id]).await?;
    Ok(())
}

// ---------------------------------------------------------------- second factor

/// `(account id, totp_secret, totp_pending_secret)` of every account holding either.
pub async fn accounts_with_totp_secrets(
    exec: impl Executor<'_>,
) -> AppResult<Vec<(String, Option<String>, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT id, totp_secret, totp_pending_secret FROM accounts WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL",
    )
    .fetch_all(exec)
    .await?)
}

/// Which secret column `replace_totp_secret` writes.
#[derive(Clone, Copy, Debug)]
pub enum TotpColumn {
    Secret,
    Pending,
}

impl TotpColumn {
    fn name(self) -> &'static str {
        match self {
            TotpColumn::Secret => "totp_secret",
            TotpColumn::Pending => "totp_pending_secret",
        }
    }
}

/// Replace a stored secret only if it is still `old`; returns how many rows changed.
pub async fn replace_totp_secret(
    exec: impl Executor<'_>,
    id: &str,
    column: TotpColumn,
    old: &str,
    new: &str,
) -> AppResult<u64> {
    let column = column.name();
    let sql = format!("UPDATE accounts SET {column} = $1 WHERE id = $2 AND {column} = $3");
    Ok(db::query(&sql, &[&new, &id, &old]).execute(exec).await?.rows_affected())
}

/// How many sealed secrets (TOTP seeds, per-client keys) do not match the key-id pattern
/// `ours` (`v1:<key id>:%`). An operator's start-up check over the whole database, reading
/// no one's data: the key ids only.
pub async fn count_sealed_not_like(exec: impl Executor<'_>, ours: &str) -> AppResult<i64> {
    let sql = "SELECT (SELECT COUNT(*) FROM accounts WHERE (totp_secret LIKE 'v1:%' AND totp_secret NOT LIKE $1)                  OR (totp_pending_secret LIKE 'v1:%' AND totp_pending_secret NOT LIKE $1))               + (SELECT COUNT(*) FROM client_keys WHERE sealed_key NOT LIKE $1)";
    Ok(db::query_scalar(sql, &[&ours]).fetch_one(exec).await?)
}

pub async fn set_pending_totp(exec: impl Executor<'_>, id: &str, sealed: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET totp_pending_secret = $1, updated_at = $2 WHERE id = $3";
    db::query(sql, &[&sealed, &now, &id]).execute(exec).await?;
    Ok(())
}

/// The pending secret becomes the account's second factor, `step` its last used step.
pub async fn enable_totp(tx: &mut Tx, id: &str, sealed: &str, now: i64, step: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET totp_secret = $1, totp_pending_secret = NULL, totp_enabled_at = $2, totp_last_step = $3, updated_at = $2 WHERE id = $4";
    db::execute(tx, sql, &[&sealed, &now, &step, &id]).await?;
    Ok(())
}

pub async fn disable_totp(tx: &mut Tx, id: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_pending_secret = NULL, updated_at = $1 WHERE id = $2";
    db::execute(tx, sql, &[&now, &id]).await?;
    Ok(())
}

/// Record `step` as the last used one, only if it is later than the last: false for a replay
/// (or a concurrent use of the same step).
pub async fn take_totp_step(tx: &mut Tx, id: &str, step: i64) -> AppResult<bool> {
    let sql =
        "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)";
    Ok(db::execute(tx, sql, &[&step, &id]).await? == 1)
}
