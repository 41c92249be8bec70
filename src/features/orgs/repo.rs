//! Organisation storage: the organisation row, its founding owner's membership, its
//! settings and the lock member changes take on it.

use crate::{
    access::{MembershipStatus, Role, Tenant, identity::MyOrg},
    db::{self, Db, Tx},
    error::{AppError, AppResult},
};

/// Insert the organisation being founded. The database's own error is returned, so that the
/// caller says what a taken address means (`db::unique_or`).
pub async fn insert_org(tx: &mut Tx, tenant: &Tenant, name: &str, slug: &str, now: i64) -> Result<(), sqlx::Error> {
    db::query(
        "INSERT INTO orgs (id, name, slug, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        &[tenant, &name, &slug, &now],
    )
    .execute(&mut **tx)
    .await?;
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
    db::query(
        "INSERT INTO memberships (id, org_id, account_id, email, email_norm, first_name, last_name, role, status, created_at, updated_at) \
         SELECT $1, $2, a.id, a.email, a.email_norm, a.first_name, a.last_name, $3, $4, $5, $5 FROM accounts a WHERE a.id = $6",
        &[&membership_id, tenant, &role.as_str(), &status.as_str(), &now, &account_id],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The organisation as one of the account's own (with the account's role there).
pub async fn my_org<'e, E>(exec: E, tenant: &Tenant, account_id: &str) -> AppResult<MyOrg>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(db::query_as(
        "SELECT o.id, o.name, o.slug, m.role, o.created_at FROM orgs o JOIN memberships m ON m.org_id = o.id \
         WHERE o.id = $1 AND m.account_id = $2",
        &[tenant, &account_id],
    )
    .fetch_one(exec)
    .await?)
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
}

fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

const SETTINGS: &str = "SELECT id, name, slug, require_totp, sms_enabled FROM orgs WHERE id = $1";

pub async fn settings<'e, E>(exec: E, tenant: &Tenant) -> AppResult<OrgSettings>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(db::query_as(SETTINGS, &[tenant]).fetch_one(exec).await?)
}

/// The settings, read under the organisation row's lock on PostgreSQL.
pub async fn settings_locked(tx: &mut Tx, db: &Db, tenant: &Tenant) -> AppResult<OrgSettings> {
    Ok(db::query_as(&format!("{SETTINGS}{}", db.for_update()), &[tenant]).fetch_one(&mut **tx).await?)
}

pub async fn update_settings(tx: &mut Tx, tenant: &Tenant, s: &OrgSettings, now: i64) -> AppResult<()> {
    db::query(
        "UPDATE orgs SET name = $1, require_totp = $2, sms_enabled = $3, updated_at = $4 WHERE id = $5",
        &[&s.name, &s.require_totp, &s.sms_enabled, &now, tenant],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lock the organisation row on PostgreSQL for the rest of the transaction (SQLite's
/// `BEGIN IMMEDIATE` already holds the write lock); a missing organisation is "not found".
pub async fn lock_org(tx: &mut Tx, db: &Db, tenant: &Tenant) -> AppResult<()> {
    db::query(&format!("SELECT id FROM orgs WHERE id = $1{}", db.for_update()), &[tenant])
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}
