//! The SQL of API keys, each statement once, every function taking the `Tenant`. The lookup
//! of a key by its secret, which has no tenant yet, is `access::api_key::key_identity`.

use crate::{
    access::Tenant,
    db::{self, Executor, Tx},
    error::AppResult,
};

/// A key as its pages and API show it, with its creator's name: never its secret.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeyRow {
    pub id: String,
    pub member_id: String,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub locations: String,
    pub calendars: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    pub creator_first_name: String,
    pub creator_last_name: String,
    pub creator_email: String,
}

const COLUMNS: &str = "k.id, k.member_id, k.name, k.prefix, k.scopes, k.locations, k.calendars, k.expires_at, \
     k.last_used_at, k.last_used_ip, k.revoked_at, k.created_at, m.first_name AS creator_first_name, \
     m.last_name AS creator_last_name, m.email AS creator_email \
     FROM api_keys k JOIN memberships m ON m.id = k.member_id";

/// The organisation's keys, newest first, a page after the keyset cursor `(created_at, id)`.
pub async fn list(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    after: Option<(i64, &str)>,
    limit: i64,
) -> AppResult<Vec<KeyRow>> {
    let (at, id) = after.unwrap_or((i64::MAX, ""));
    let sql = format!(
        "SELECT {COLUMNS} WHERE k.org_id = $1 AND (k.created_at < $2 OR (k.created_at = $2 AND k.id < $3)) \
         ORDER BY k.created_at DESC, k.id DESC LIMIT $4"
    );
    Ok(db::query_as(&sql, &[tenant, &at, &id, &limit]).fetch_all(exec).await?)
}

pub async fn get(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<KeyRow>> {
    let sql = format!("SELECT {COLUMNS} WHERE k.org_id = $1 AND k.id = $2");
    Ok(db::query_as(&sql, &[tenant, &id]).fetch_optional(exec).await?)
}

/// A new key's row; `secret_hash` is the only form of its secret ever stored.
pub struct NewKey<'a> {
    pub id: &'a str,
    pub member_id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a str,
    pub locations: &'a str,
    pub calendars: &'a str,
    pub expires_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, tenant: &Tenant, k: &NewKey<'_>, now: i64) -> AppResult<()> {
    let sql = "INSERT INTO api_keys (id, org_id, member_id, name, prefix, secret_hash, scopes, locations, calendars, \
         expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";
    let values: [&dyn db::Value; 11] = [
        &k.id,
        tenant,
        &k.member_id,
        &k.name,
        &k.prefix,
        &k.secret_hash,
        &k.scopes,
        &k.locations,
        &k.calendars,
        &k.expires_at,
        &now,
    ];
    db::execute(tx, sql, &values).await?;
    Ok(())
}

/// A new secret for a live key: the old one stops with this commit.
pub async fn set_secret(tx: &mut Tx, tenant: &Tenant, id: &str, prefix: &str, hash: &str, now: i64) -> AppResult<bool> {
    let sql = "UPDATE api_keys SET prefix = $1, secret_hash = $2, updated_at = $3 \
         WHERE org_id = $4 AND id = $5 AND revoked_at IS NULL";
    Ok(db::execute(tx, sql, &[&prefix, &hash, &now, tenant, &id]).await? > 0)
}

/// Whether a live key was revoked.
pub async fn revoke(tx: &mut Tx, tenant: &Tenant, id: &str, now: i64) -> AppResult<bool> {
    let sql =
        "UPDATE api_keys SET revoked_at = $1, updated_at = $1 WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL";
    Ok(db::execute(tx, sql, &[&now, tenant, &id]).await? > 0)
}

/// Key ids and names with their creators' names, for the audit log's words.
pub async fn names(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<(String, String, String)>> {
    let sql = "SELECT k.id, k.name, TRIM(m.first_name || ' ' || m.last_name) AS creator \
         FROM api_keys k JOIN memberships m ON m.id = k.member_id WHERE k.org_id = $1";
    Ok(db::query_as(sql, &[tenant]).fetch_all(exec).await?)
}
