//! The SQL of services and of which calendars offer them, each statement once; every
//! function takes the `Tenant`. `calendar_services` carries no `org_id`: its rows are
//! reached through their service's and calendar's.

use crate::{
    access::Tenant,
    db::{self, Backend, Executor, Tx},
    error::AppResult,
};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub description: String,
    pub length_min: i64,
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
    pub min_notice_min: i64,
    pub max_advance_days: i64,
    pub step_min: i64,
    /// For display only, in cents.
    pub price_cents: Option<i64>,
    pub currency: String,
    /// `active` or `archived`.
    pub status: String,
    #[sqlx(skip)]
    pub calendar_ids: Vec<String>,
}

const COLUMNS: &str = "id, name, description, length_min, buffer_before_min, buffer_after_min, min_notice_min, \
     max_advance_days, step_min, price_cents, currency, status";

/// The organisation's services by name (without their calendars).
pub async fn list(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<Service>> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE org_id = $1 ORDER BY name, id");
    Ok(db::query_as(&sql, &[tenant]).fetch_all(exec).await?)
}

/// Every `(service, calendar)` link of the organisation's services, by calendar.
pub async fn offers(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<(String, String)>> {
    let sql = "SELECT cs.service_id, cs.calendar_id FROM calendar_services cs JOIN services s ON s.id = cs.service_id WHERE s.org_id = $1 ORDER BY cs.calendar_id";
    Ok(db::query_as(sql, &[tenant]).fetch_all(exec).await?)
}

#[derive(sqlx::FromRow)]
struct ServiceWithCalendars {
    #[sqlx(flatten)]
    service: Service,
    calendar_list: Option<String>,
}

/// One service with its calendars, in one row (ids are UUID text, without commas).
pub async fn get(exec: impl Executor<'_>, backend: Backend, tenant: &Tenant, id: &str) -> AppResult<Option<Service>> {
    let agg = match backend {
        Backend::Sqlite => "group_concat(cs.calendar_id, ',')",
        Backend::Postgres => "string_agg(cs.calendar_id, ',' ORDER BY cs.calendar_id)",
    };
    // The links are read only beside the organisation's own service row.
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT {agg} FROM (SELECT calendar_id FROM calendar_services WHERE service_id = $2 \
         ORDER BY calendar_id) cs) AS calendar_list FROM services WHERE org_id = $1 AND id = $2"
    );
    let row: Option<ServiceWithCalendars> = db::query_as(&sql, &[tenant, &id]).fetch_optional(exec).await?;
    Ok(row.map(|row| {
        let mut s = row.service;
        s.calendar_ids =
            row.calendar_list.unwrap_or_default().split(',').filter(|c| !c.is_empty()).map(String::from).collect();
        s
    }))
}

/// A service's settings, `name` to `status`, in the order both writes list them.
fn settings(s: &Service) -> [&dyn db::Value; 11] {
    [
        &s.name,
        &s.description,
        &s.length_min,
        &s.buffer_before_min,
        &s.buffer_after_min,
        &s.min_notice_min,
        &s.max_advance_days,
        &s.step_min,
        &s.price_cents,
        &s.currency,
        &s.status,
    ]
}

pub async fn insert(tx: &mut Tx, tenant: &Tenant, s: &Service, now: i64) -> AppResult<()> {
    let sql = "INSERT INTO services (id, org_id, name, description, length_min, buffer_before_min, buffer_after_min, min_notice_min, \
         max_advance_days, step_min, price_cents, currency, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)";
    let head: [&dyn db::Value; 2] = [&s.id, tenant];
    db::execute(tx, sql, &[&head[..], &settings(s), &[&now]].concat()).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx, tenant: &Tenant, s: &Service, now: i64) -> AppResult<()> {
    let sql = "UPDATE services SET name = $1, description = $2, length_min = $3, buffer_before_min = $4, buffer_after_min = $5, \
         min_notice_min = $6, max_advance_days = $7, step_min = $8, price_cents = $9, currency = $10, status = $11, updated_at = $12 \
         WHERE org_id = $13 AND id = $14";
    db::execute(tx, sql, &[&settings(s)[..], &[&now, tenant, &s.id]].concat()).await?;
    Ok(())
}

/// Delete a service; the raw error, so the caller can tell a booking still referring to it.
pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM services WHERE org_id = $1 AND id = $2";
    db::execute(tx, sql, &[tenant, &id]).await.map(|_| ())
}

/// The calendar offers the service (already offering it is fine), or no longer does; both
/// must be the organisation's.
pub async fn set_offered(
    tx: &mut Tx,
    tenant: &Tenant,
    calendar_id: &str,
    service_id: &str,
    offered: bool,
) -> AppResult<()> {
    let sql = if offered {
        "INSERT INTO calendar_services (calendar_id, service_id) SELECT c.id, s.id FROM calendars c, services s \
         WHERE c.org_id = $1 AND c.id = $2 AND s.org_id = $1 AND s.id = $3 ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM calendar_services WHERE calendar_id = $2 AND service_id = $3 \
         AND calendar_id IN (SELECT id FROM calendars WHERE org_id = $1)"
    };
    db::execute(tx, sql, &[tenant, &calendar_id, &service_id]).await?;
    Ok(())
}

/// What a location offers the public: the organisation's public, active services, and the
/// `(service, calendar id, calendar name, calendar zone)` links of the location's active
/// calendars.
pub async fn public_offer(
    exec: impl Executor<'_> + Copy,
    tenant: &Tenant,
    location_id: &str,
) -> AppResult<(Vec<Service>, Vec<(String, String, String, String)>)> {
    let sql = format!(
        "SELECT {COLUMNS} FROM services WHERE org_id = $1 AND status = 'active' AND public = 1 ORDER BY name, id"
    );
    let services: Vec<Service> = db::query_as(&sql, &[tenant]).fetch_all(exec).await?;
    let links = db::query_as(
        "SELECT cs.service_id, c.id, c.name, c.time_zone FROM calendar_services cs JOIN calendars c ON c.id = cs.calendar_id \
         WHERE c.org_id = $1 AND c.location_id = $2 AND c.status = 'active' ORDER BY c.name, c.id",
        &[tenant, &location_id],
    )
    .fetch_all(exec)
    .await?;
    Ok((services, links))
}
