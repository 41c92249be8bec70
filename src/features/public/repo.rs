//! The SQL only the public side runs; every function takes the `Tenant` the slug or the
//! manage link reached (`access::tenant`).

use crate::{
    access::Tenant,
    db::{self, Executor},
    error::AppResult,
};

/// A booking as its manage link sees it, with its organisation.
#[derive(Clone, Debug)]
pub struct Managed {
    pub tenant: Tenant,
    pub id: String,
    pub location_id: String,
    pub calendar_id: String,
    pub service_id: Option<String>,
    pub start_at: i64,
    pub end_at: i64,
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
    pub status: String,
    pub location_name: String,
    pub location_slug: String,
    /// The location's zone, which the manage page speaks in.
    pub time_zone: String,
    pub calendar_time_zone: String,
    pub calendar_name: String,
    pub service_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ManagedRow {
    id: String,
    location_id: String,
    calendar_id: String,
    service_id: Option<String>,
    start_at: i64,
    end_at: i64,
    buffer_before_min: i64,
    buffer_after_min: i64,
    status: String,
    location_name: String,
    location_slug: String,
    time_zone: String,
    calendar_time_zone: String,
    calendar_name: String,
    service_name: Option<String>,
}

pub async fn managed(exec: impl Executor<'_>, tenant: &Tenant, booking_id: &str) -> AppResult<Option<Managed>> {
    let sql = "SELECT b.id, b.location_id, b.calendar_id, b.service_id, b.start_at, b.end_at, b.buffer_before_min, b.buffer_after_min, \
                b.status, l.name AS location_name, l.slug AS location_slug, l.time_zone, c.time_zone AS calendar_time_zone, \
                c.name AS calendar_name, s.name AS service_name \
         FROM bookings b JOIN locations l ON l.id = b.location_id JOIN calendars c ON c.id = b.calendar_id \
         LEFT JOIN services s ON s.id = b.service_id WHERE b.org_id = $1 AND b.id = $2";
    let row: Option<ManagedRow> = db::query_as(sql, &[tenant, &booking_id]).fetch_optional(exec).await?;
    Ok(row.map(|r| Managed {
        tenant: tenant.clone(),
        id: r.id,
        location_id: r.location_id,
        calendar_id: r.calendar_id,
        service_id: r.service_id,
        start_at: r.start_at,
        end_at: r.end_at,
        buffer_before_min: r.buffer_before_min,
        buffer_after_min: r.buffer_after_min,
        status: r.status,
        location_name: r.location_name,
        location_slug: r.location_slug,
        time_zone: r.time_zone,
        calendar_time_zone: r.calendar_time_zone,
        calendar_name: r.calendar_name,
        service_name: r.service_name,
    }))
}
