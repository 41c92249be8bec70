//! Location storage. Every statement is bound to the tenant's organisation.

use crate::{
    access::Tenant,
    db::{self, Executor, Tx},
    error::AppResult,
};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Location {
    pub id: String,
    pub name: String,
    /// The public booking page is `/book/{slug}`.
    pub slug: String,
    pub time_zone: String,
    pub address: String,
    /// `open` or `archived`.
    pub status: String,
    #[serde(skip)]
    pub created_at: i64,
}

const COLUMNS: &str = "id, name, slug, time_zone, address, status, created_at";

pub async fn find(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<Location>> {
    let sql = format!("SELECT {COLUMNS} FROM locations WHERE org_id = $1 AND id = $2");
    db::fetch_by_org_id(exec, &sql, tenant, id).await
}

/// Every location of the organisation, by name.
pub async fn list(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<Location>> {
    let sql = format!("SELECT {COLUMNS} FROM locations WHERE org_id = $1 ORDER BY name, id");
    Ok(db::query_as(&sql, &[tenant]).fetch_all(exec).await?)
}

/// The database's own error is returned, so that the caller says what a taken slug means.
pub async fn insert(tx: &mut Tx, tenant: &Tenant, l: &Location) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO locations (id, org_id, name, slug, time_zone, address, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
    db::execute(tx, sql, &[&l.id, tenant, &l.name, &l.slug, &l.time_zone, &l.address, &l.status, &l.created_at])
        .await?;
    Ok(())
}

/// The database's own error is returned, so that the caller says what a taken slug means.
pub async fn update(tx: &mut Tx, tenant: &Tenant, l: &Location, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE locations SET name = $1, slug = $2, time_zone = $3, address = $4, status = $5, updated_at = $6 \
         WHERE org_id = $7 AND id = $8";
    db::execute(tx, sql, &[&l.name, &l.slug, &l.time_zone, &l.address, &l.status, &now, tenant, &l.id]).await?;
    Ok(())
}

/// How many calendars the location holds.
pub async fn calendar_count(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) FROM calendars WHERE org_id = $1 AND location_id = $2";
    Ok(db::query_scalar(sql, &[tenant, &id]).fetch_one(&mut **tx).await?)
}

/// How many bookings were made in the location (also on calendars since moved elsewhere).
pub async fn booking_count(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) FROM bookings WHERE org_id = $1 AND location_id = $2";
    Ok(db::query_scalar(sql, &[tenant, &id]).fetch_one(&mut **tx).await?)
}

/// Delete a location and every grant (of members and teams) on it. The database's own error
/// is returned: a booking still pointing here is a foreign-key refusal the caller words.
pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> Result<(), sqlx::Error> {
    db::execute(tx, "DELETE FROM grants WHERE org_id = $1 AND location_id = $2", &[tenant, &id]).await?;
    db::execute(tx, "DELETE FROM locations WHERE org_id = $1 AND id = $2", &[tenant, &id]).await?;
    Ok(())
}
