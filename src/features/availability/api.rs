//! The staff availability API.

use super::{Asked, Slot, SlotsJson, detail_of, staff};
use crate::features::prelude::*;
use axum::extract::Query;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct AvailabilityQuery {
    pub service_id: String,
    /// One calendar…
    pub calendar_id: Option<String>,
    /// …or "anyone available" in a location.
    pub location_id: Option<String>,
    /// First and last local date (YYYY-MM-DD) in `tz`, at most 31 days apart.
    pub from: String,
    pub to: String,
    /// IANA zone to read the dates in and present the slots in; the calendar's by default.
    pub tz: Option<String>,
    /// `calendars`: each slot also lists the ids of the calendars free then (by default
    /// only how many).
    pub detail: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/availability", tag = "availability", params(OrgPath, AvailabilityQuery),
    responses((status = 200, body = [Slot]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn availability(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<AvailabilityQuery>,
) -> AppResult<SlotsJson> {
    let svc = crate::features::services::service::get(&state, &scope, &q.service_id).await?;
    let cals = staff::calendars_for(&state, &scope, &svc, q.calendar_id.as_deref(), q.location_id.as_deref()).await?;
    let asked = Asked::parse(&q.from, &q.to, q.tz.as_deref())?;
    let window = asked.in_zone_or(cals.first().map(|c| c.time_zone.as_str()).unwrap_or("UTC"));
    staff::slots(&state, &scope, (&svc, &cals), &window, detail_of(q.detail.as_deref())?).await
}
