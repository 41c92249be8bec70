//! The statistics as JSON and as CSV (the page's download), over the same report.

use super::service::{self, Asked, Counts, Report};
use crate::features::{audit_log::service::csv_cell, prelude::*};
use axum::{
    extract::Query,
    http::header,
    response::{IntoResponse, Response},
};
use jiff::tz::TimeZone;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct StatsParams {
    /// First local date (YYYY-MM-DD), inclusive; eight weeks before the end of this one by
    /// default.
    pub from: Option<String>,
    /// Last local date, inclusive, at most 366 days after `from`; the end of this week by
    /// default.
    pub to: Option<String>,
    /// One location; by default every location where the caller holds the statistics right.
    pub location_id: Option<String>,
}

impl StatsParams {
    /// The location asked about, if any (an empty value is none).
    pub fn location(&self) -> Option<&str> {
        self.location_id.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

async fn build(state: &AppState, scope: &OrgScope, q: &StatsParams) -> AppResult<Report> {
    let asked_location = q.location();
    let locs = service::locations_in_scope(state, scope, asked_location).await?;
    let zone = service::zone_for(&locs, asked_location, "UTC");
    let today = state.now().to_zoned(TimeZone::get(&zone).unwrap_or(TimeZone::UTC)).date();
    let asked = Asked::parse(q.from.as_deref(), q.to.as_deref(), asked_location, today)?;
    service::report(state, scope, &locs, &asked, &zone).await
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/statistics", tag = "statistics", params(("org_id" = String, Path), StatsParams),
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn statistics(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<StatsParams>,
) -> AppResult<axum::Json<Report>> {
    Ok(axum::Json(build(&state, &scope, &q).await?))
}

/// The report's rows as CSV: one line per week, location, calendar, service and busy hour,
/// with raw numbers (minutes, rates as fractions) for spreadsheets.
pub fn csv(r: &Report) -> String {
    let mut out = String::from(
        "\u{feff}section,id,name,bookings,cancelled,no_shows,booked_min,open_min,cancellation_rate,no_show_rate,utilisation\n",
    );
    let rate = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let mut push = |section: &str, id: &str, name: &str, c: &Counts| {
        // Names through the formula-safe quoting; numbers as they are.
        let numbers = [
            c.bookings.to_string(),
            c.cancelled.to_string(),
            c.no_shows.to_string(),
            (c.booked_ms / 60_000).to_string(),
            (c.open_ms / 60_000).to_string(),
            rate(c.cancellation_rate()),
            rate(c.no_show_rate()),
            rate(c.utilisation()),
        ];
        let text = [section, id, name].map(csv_cell);
        out.push_str(&text.into_iter().chain(numbers).collect::<Vec<_>>().join(","));
        out.push('\n');
    };
    push("total", "", "", &r.total.counts);
    for (section, lines) in [("location", &r.locations), ("calendar", &r.staff), ("service", &r.services)] {
        for l in lines {
            push(section, &l.id, &l.label, &l.figures.counts);
        }
    }
    for w in &r.weeks {
        push("week", &w.monday.to_string(), "", &Counts { bookings: w.kept, ..Counts::default() });
    }
    for (d, row) in r.heat.iter().enumerate() {
        for (h, &n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
            push("hour", &format!("{}-{h:02}", d + 1), "", &Counts { bookings: n, ..Counts::default() });
        }
    }
    out
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/statistics.csv", tag = "statistics", params(("org_id" = String, Path), StatsParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export(OrgRequest { state, scope, .. }: OrgRequest, Query(q): Query<StatsParams>) -> AppResult<Response> {
    let r = build(&state, &scope, &q).await?;
    let name = format!("attachment; filename=\"statistics-{}-{}.csv\"", r.from, r.to);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv(&r))
        .into_response())
}
