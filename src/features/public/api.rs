//! JSON API of the public booking page and manage links.

use super::service::{self, Booked, ManagedBooking, PublicCalendar};
use crate::features::availability::{Asked, Slot, SlotList, detail_of};
use crate::features::prelude::*;
use axum::{
    extract::{Path, Query},
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct PublicService {
    pub id: String,
    pub name: String,
    pub description: String,
    pub length_min: i64,
    pub price_cents: Option<i64>,
    pub currency: String,
    pub calendars: Vec<PublicCalendar>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicPage {
    pub location: String,
    pub address: String,
    pub time_zone: String,
    pub services: Vec<PublicService>,
}

#[utoipa::path(get, path = "/api/v1/book/{slug}", tag = "public", params(("slug" = String, Path)),
    responses((status = 200, body = PublicPage), (status = 404, body = Problem)))]
pub async fn page(PublicRequest { state, .. }: PublicRequest, Path(slug): Path<String>) -> AppResult<Json<PublicPage>> {
    let loc = service::location(&state, &slug).await?;
    let services = service::offer(&state, &loc)
        .await?
        .into_iter()
        .map(|(s, calendars)| PublicService {
            id: s.id,
            name: s.name,
            description: s.description,
            length_min: s.length_min,
            price_cents: s.price_cents,
            currency: s.currency,
            calendars,
        })
        .collect();
    Ok(Json(PublicPage { location: loc.name, address: loc.address, time_zone: loc.time_zone, services }))
}

#[derive(Deserialize, IntoParams)]
pub struct SlotsQuery {
    pub service_id: String,
    /// A person; "anyone available" when absent.
    pub calendar_id: Option<String>,
    /// Local dates (YYYY-MM-DD) in `tz`, at most 31 days apart.
    pub from: String,
    pub to: String,
    /// The visitor's zone; the location's by default.
    pub tz: Option<String>,
    /// `calendars`: each slot also lists the ids of the people free then (by default only
    /// how many).
    pub detail: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/book/{slug}/availability", tag = "public", params(("slug" = String, Path), SlotsQuery),
    responses((status = 200, body = [Slot]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn availability(
    PublicRequest { state, .. }: PublicRequest,
    Path(slug): Path<String>,
    Query(q): Query<SlotsQuery>,
) -> AppResult<Json<SlotList>> {
    let asked = Asked::parse(&q.from, &q.to, q.tz.as_deref())?;
    let detail = detail_of(q.detail.as_deref())?;
    Ok(Json(service::slots(&state, &slug, (&q.service_id, q.calendar_id.as_deref()), asked, detail).await?))
}

#[utoipa::path(post, path = "/api/v1/book/{slug}/bookings", tag = "public", params(("slug" = String, Path)), request_body = service::PublicBooking,
    responses((status = 201, body = Booked, description = "Confirmed; the manage link is emailed"),
        (status = 409, body = Problem, description = "slot-unavailable"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn book(
    PublicRequest { state, ctx }: PublicRequest,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<service::PublicBooking>,
) -> AppResult<Response> {
    Ok(created(service::book(&state, &ctx, &slug, b).await?))
}

#[utoipa::path(get, path = "/api/v1/manage/{token}", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = ManagedBooking), (status = 404, body = Problem)))]
pub async fn manage(
    PublicRequest { state, ctx }: PublicRequest,
    Path(token): Path<String>,
) -> AppResult<Json<ManagedBooking>> {
    Ok(Json(service::manage(&state, &ctx, &token).await?))
}

#[utoipa::path(post, path = "/api/v1/manage/{token}/cancel", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = ManagedBooking), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    PublicRequest { state, ctx }: PublicRequest,
    Path(token): Path<String>,
) -> AppResult<Json<ManagedBooking>> {
    Ok(Json(service::cancel(&state, &ctx, &token).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    pub start: String,
}

#[utoipa::path(post, path = "/api/v1/manage/{token}/reschedule", tag = "public", params(("token" = String, Path)), request_body = RescheduleBody,
    responses((status = 200, body = ManagedBooking), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reschedule(
    PublicRequest { state, ctx }: PublicRequest,
    Path(token): Path<String>,
    ApiJson(b): ApiJson<RescheduleBody>,
) -> AppResult<Json<ManagedBooking>> {
    Ok(Json(service::reschedule(&state, &ctx, &token, &b.start).await?))
}
