//! The SQL of the bookings export (`export.rs`), apart from `repo.rs`: one query per page,
//! every function taking the `Tenant`.

use crate::{
    access::Tenant,
    db::{self, Executor},
    error::AppResult,
};

/// A booking as the export writes it: with its place, calendar, staff member, service, price,
/// client and who made it, read in one query per page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub id: String,
    pub start_at: i64,
    pub end_at: i64,
    pub status: String,
    pub notes: String,
    pub source: String,
    pub created_at: i64,
    pub location_name: String,
    pub time_zone: String,
    pub calendar_name: String,
    pub staff_name: Option<String>,
    pub service_name: Option<String>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub client_first_name: Option<String>,
    pub client_last_name: Option<String>,
    pub client_email: Option<String>,
    pub client_phone: Option<String>,
    pub client_erased_at: Option<i64>,
    pub created_by_name: Option<String>,
    pub location_id: String,
}

/// One page of the bookings of `location_ids` starting in `[from, to)`, by start then id,
/// after the keyset cursor: the `(org_id, start_at)` index, whatever the history's size.
pub async fn export_page(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    location_ids: &[String],
    (from, to): (i64, i64),
    (after_start, after_id): (i64, &str),
    limit: i64,
) -> AppResult<Vec<ExportRow>> {
    if location_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT b.id, b.start_at, b.end_at, b.status, b.notes, b.source, b.created_at, b.location_id, \
                l.name AS location_name, l.time_zone, c.name AS calendar_name, \
                TRIM(cm.first_name || ' ' || cm.last_name) AS staff_name, s.name AS service_name, s.price_cents, \
                s.currency, cl.first_name AS client_first_name, cl.last_name AS client_last_name, \
                cl.email AS client_email, cl.phone AS client_phone, cl.erased_at AS client_erased_at, \
                TRIM(bm.first_name || ' ' || bm.last_name) AS created_by_name \
         FROM bookings b JOIN locations l ON l.id = b.location_id JOIN calendars c ON c.id = b.calendar_id \
         LEFT JOIN memberships cm ON cm.id = c.member_id LEFT JOIN services s ON s.id = b.service_id \
         LEFT JOIN clients cl ON cl.id = b.client_id LEFT JOIN memberships bm ON bm.id = b.created_by \
         WHERE b.org_id = $1 AND b.start_at >= $2 AND b.start_at < $3 \
           AND (b.start_at > $4 OR (b.start_at = $4 AND b.id > $5)) AND b.location_id IN ({}) \
         ORDER BY b.start_at, b.id LIMIT $6",
        db::placeholders(7, location_ids.len())
    );
    let fixed: [&dyn db::Value; 6] = [tenant, &from, &to, &after_start, &after_id, &limit];
    Ok(db::query_as(&sql, &db::and_list(&fixed, location_ids)).fetch_all(exec).await?)
}
