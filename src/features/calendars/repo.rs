//! The SQL of calendars, each statement once; every function takes the `Tenant` and binds
//! its organisation.

use crate::{
    access::Tenant,
    access::policy::CalendarRef,
    db::{self, Executor, Tx},
    error::AppResult,
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CalendarRow {
    pub id: String,
    pub location_id: String,
    pub member_id: Option<String>,
    pub name: String,
    pub kind: String,
    pub time_zone: String,
    pub default_length_min: i64,
    pub day_start_min: i64,
    pub day_end_min: i64,
    pub split_min: i64,
    pub status: String,
}

impl CalendarRow {
    pub fn as_ref(&self) -> CalendarRef<'_> {
        CalendarRef { id: &self.id, location_id: &self.location_id, owner_member_id: self.member_id.as_deref() }
    }
}

const COLUMNS: &str = "id, location_id, member_id, name, kind, time_zone, default_length_min, day_start_min, day_end_min, split_min, status";

pub async fn get(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<CalendarRow>> {
    let sql = format!("SELECT {COLUMNS} FROM calendars WHERE org_id = $1 AND id = $2");
    Ok(db::query_as(&sql, &[tenant, &id]).fetch_optional(exec).await?)
}

/// The organisation's calendars by name, all of them or one location's.
pub async fn list(exec: impl Executor<'_>, tenant: &Tenant, location_id: Option<&str>) -> AppResult<Vec<CalendarRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM calendars WHERE org_id = $1 AND ($2 = '' OR location_id = $2) ORDER BY name, id"
    );
    Ok(db::query_as(&sql, &[tenant, &location_id.unwrap_or("")]).fetch_all(exec).await?)
}

/// A calendar's owner and settings, `member_id` to `status`, in the order both writes list
/// them.
fn settings(c: &CalendarRow) -> [&dyn db::Value; 8] {
    [
        &c.member_id,
        &c.name,
        &c.time_zone,
        &c.default_length_min,
        &c.day_start_min,
        &c.day_end_min,
        &c.split_min,
        &c.status,
    ]
}

pub async fn insert(tx: &mut Tx, tenant: &Tenant, c: &CalendarRow, now: i64) -> AppResult<()> {
    let sql = "INSERT INTO calendars (id, org_id, location_id, kind, member_id, name, time_zone, default_length_min, \
         day_start_min, day_end_min, split_min, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)";
    let head: [&dyn db::Value; 4] = [&c.id, tenant, &c.location_id, &c.kind];
    db::execute(tx, sql, &[&head[..], &settings(c), &[&now]].concat()).await?;
    Ok(())
}

/// Write a calendar's settings and owner (its location and kind never change).
pub async fn update(tx: &mut Tx, tenant: &Tenant, c: &CalendarRow, now: i64) -> AppResult<()> {
    let sql = "UPDATE calendars SET member_id = $1, name = $2, time_zone = $3, default_length_min = $4, day_start_min = $5, \
         day_end_min = $6, split_min = $7, status = $8, updated_at = $9 WHERE org_id = $10 AND id = $11";
    db::execute(tx, sql, &[&settings(c)[..], &[&now, tenant, &c.id]].concat()).await?;
    Ok(())
}

/// Delete a calendar and the grants naming it; the raw error, so the caller can tell a
/// booking still referring to it.
pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> Result<(), sqlx::Error> {
    db::execute(tx, "DELETE FROM grants WHERE org_id = $1 AND calendar_id = $2", &[tenant, &id]).await?;
    db::execute(tx, "DELETE FROM calendars WHERE org_id = $1 AND id = $2", &[tenant, &id]).await?;
    Ok(())
}
