//! Organisation storage: the organisation row, its founding owner's membership, its
//! settings and the lock member changes take on it.

use crate::{
    access::{MembershipStatus, Role, Tenant, identity::MyOrg},
    db::{self, Db, Executor, Tx},
    error::{AppError, AppResult},
};

/// Insert the organisation being founded. The database's own error is returned, so that the
/// caller says what a taken address means (`db::unique_or`).
pub async fn insert_org(tx: &mut Tx, tenant: &Tenant, name: &str, slug: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO orgs (id, name, slug, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)";
    db::execute(tx, sql, &[tenant, &name, &slug, &now]).await?;
    Ok(())
}

/// A membership made from an account's own details (name and address).
pub async fn insert_account_membership(
    tx: &mut Tx,
    tenant: &Tenant,
    membership_id: &str,
    account_id: &str,
    role: Role,
    status: MembershipStatus,
    now: i64,
) -> AppResult<()> {
    let sql = "INSERT INTO memberships (id, org_id, account_id, email, email_norm, first_name, last_name, role, status, created_at, updated_at) \
         SELECT $1, $2, a.id, a.email, a.email_norm, a.first_name, a.last_name, $3, $4, $5, $5 FROM accounts a WHERE a.id = $6";
    db::execute(tx, sql, &[&membership_id, tenant, &role.as_str(), &status.as_str(), &now, &account_id]).await?;
    Ok(())
}

/// The organisation as one of the account's own (with the account's role there).
pub async fn my_org(exec: impl Executor<'_>, tenant: &Tenant, account_id: &str) -> AppResult<MyOrg> {
    let sql = "SELECT o.id, o.name, o.slug, m.role, o.created_at FROM orgs o JOIN memberships m ON m.org_id = o.id \
         WHERE o.id = $1 AND m.account_id = $2";
    Ok(db::query_as(sql, &[tenant, &account_id]).fetch_one(exec).await?)
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrgSettings {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// Members must have two-factor authentication to act in this organisation.
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub require_totp: i64,
    /// Booking messages also go by SMS to clients with a phone number and to members who
    /// chose it (off by default: text messages cost money).
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub sms_enabled: i64,
    /// The organisation's zone: its new locations' default.
    pub time_zone: String,
    /// The booking page's colour, `#rrggbb`; empty: Creneau's own.
    pub brand_colour: String,
    /// The websites that may show the booking page in a frame (origins separated by
    /// spaces); empty: any website.
    pub frame_origins: String,
}

fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

const SETTINGS: &str =
    "SELECT id, name, slug, require_totp, sms_enabled, time_zone, brand_colour, frame_origins FROM orgs WHERE id = $1";

pub async fn settings(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<OrgSettings> {
    Ok(db::query_as(SETTINGS, &[tenant]).fetch_one(exec).await?)
}

/// The settings, read under the organisation row's lock on PostgreSQL.
pub async fn settings_locked(tx: &mut Tx, db: &Db, tenant: &Tenant) -> AppResult<OrgSettings> {
    let sql = format!("{SETTINGS}{}", db.for_update());
    Ok(db::query_as(&sql, &[tenant]).fetch_one(&mut **tx).await?)
}

pub async fn update_settings(tx: &mut Tx, tenant: &Tenant, s: &OrgSettings, now: i64) -> AppResult<()> {
    let sql = "UPDATE orgs SET name = $1, require_totp = $2, sms_enabled = $3, time_zone = $4, brand_colour = $5, \
         frame_origins = $6, updated_at = $7 WHERE id = $8";
    let values: [&dyn db::Value; 8] =
        [&s.name, &s.require_totp, &s.sms_enabled, &s.time_zone, &s.brand_colour, &s.frame_origins, &now, tenant];
    db::execute(tx, sql, &values).await?;
    Ok(())
}

/// The logo's image type and bytes as base64.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Logo {
    pub content_type: String,
    pub data: String,
    pub updated_at: i64,
}

pub async fn logo(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Option<Logo>> {
    let sql = "SELECT content_type, data, updated_at FROM org_logos WHERE org_id = $1";
    Ok(db::query_as(sql, &[tenant]).fetch_optional(exec).await?)
}

/// When the logo was last set, without its bytes.
pub async fn logo_at(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Option<i64>> {
    let sql = "SELECT updated_at FROM org_logos WHERE org_id = $1";
    Ok(db::query_scalar(sql, &[tenant]).fetch_optional(exec).await?)
}

pub async fn set_logo(tx: &mut Tx, tenant: &Tenant, logo: &Logo) -> AppResult<()> {
    db::execute(tx, "DELETE FROM org_logos WHERE org_id = $1", &[tenant]).await?;
    let sql = "INSERT INTO org_logos (org_id, content_type, data, updated_at) VALUES ($1, $2, $3, $4)";
    db::execute(tx, sql, &[tenant, &logo.content_type, &logo.data, &logo.updated_at]).await?;
    Ok(())
}

/// Whether there was one.
pub async fn delete_logo(tx: &mut Tx, tenant: &Tenant) -> AppResult<bool> {
    Ok(db::execute(tx, "DELETE FROM org_logos WHERE org_id = $1", &[tenant]).await? > 0)
}

/// Everything of the organisation, its personal data included: its bookings first (they
/// name its calendars, services and clients), then the organisation row, whose deletion
/// cascades to every table holding its id; then what names it without a key (queued
/// messages, its audit chain and head). In the caller's transaction.
pub async fn delete_everything(tx: &mut Tx, tenant: &Tenant) -> AppResult<()> {
    for sql in [
        "DELETE FROM bookings WHERE org_id = $1",
        "DELETE FROM orgs WHERE id = $1",
        "DELETE FROM outbox WHERE org_id = $1",
        "DELETE FROM audit_log WHERE chain = $1",
        "DELETE FROM audit_heads WHERE chain = $1",
    ] {
        db::execute(tx, sql, &[tenant]).await?;
    }
    Ok(())
}

/// Lock the organisation row on PostgreSQL for the rest of the transaction (SQLite's
/// `BEGIN IMMEDIATE` already holds the write lock); a missing organisation is "not found".
pub async fn lock_org(tx: &mut Tx, db: &Db, tenant: &Tenant) -> AppResult<()> {
    let sql = format!("SELECT id FROM orgs WHERE id = $1{}", db.for_update());
    db::query(&sql, &[tenant]).fetch_optional(&mut **tx).await?.ok_or(AppError::NotFound)?;
    Ok(())
}
