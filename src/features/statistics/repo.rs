//! The statistics' aggregate queries: the database counts and sums, grouped; no booking is
//! loaded. Both read the `bookings_org_start` index (organisation, start) over the window
//! and take the `Tenant`, so another organisation's bookings cannot be counted.

use crate::{
    access::Tenant,
    db::{self, placeholders},
    error::AppResult,
};

pub const HOUR_MS: i64 = 3_600_000;

/// Bookings of one calendar, service and status in the window: how many, and how long.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Tally {
    pub calendar_id: String,
    pub service_id: Option<String>,
    pub status: String,
    pub count: i64,
    pub booked_ms: i64,
}

/// Run `sql` over the bookings of `calendar_ids` starting in `[from, to)`: `$1` is the
/// organisation, `$2` and `$3` the window, `{cals}` the calendars' list. No calendar, no rows.
async fn over_window<T>(
    exec: impl db::Executor<'_>,
    tenant: &Tenant,
    calendar_ids: &[String],
    (from, to): (i64, i64),
    sql: &str,
) -> AppResult<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    if calendar_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sql.replace("{cals}", &placeholders(4, calendar_ids.len()));
    Ok(db::query_as(&sql, &db::and_list(&[tenant, &from, &to], calendar_ids)).fetch_all(exec).await?)
}

/// What the statistics read, in two grouped queries: one row per calendar × service ×
/// status, and the kept (not cancelled) bookings per hour of the window as `(hours after
/// from, count)` — only hours that have some, at most 24 a day of the window, whatever the
/// number of bookings.
pub async fn aggregates(
    pool: &sqlx::AnyPool,
    tenant: &Tenant,
    calendar_ids: &[String],
    span: (i64, i64),
) -> AppResult<(Vec<Tally>, Vec<(i64, i64)>)> {
    // Two reads at once, each on its own connection.
    let tallies = over_window(
        pool,
        tenant,
        calendar_ids,
        span,
        "SELECT calendar_id, service_id, status, COUNT(*) AS count, CAST(SUM(end_at - start_at) AS BIGINT) AS booked_ms \
         FROM bookings WHERE org_id = $1 AND start_at >= $2 AND start_at < $3 AND calendar_id IN ({cals}) \
         GROUP BY calendar_id, service_id, status",
    );
    let hour_sql = format!(
        "SELECT (start_at - $2) / {HOUR_MS}, COUNT(*) FROM bookings \
         WHERE org_id = $1 AND start_at >= $2 AND start_at < $3 AND status <> 'cancelled' AND calendar_id IN ({{cals}}) \
         GROUP BY 1"
    );
    let hourly = over_window(pool, tenant, calendar_ids, span, &hour_sql);
    Ok(tokio::try_join!(tallies, hourly)?)
}
