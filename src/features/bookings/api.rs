//! JSON API for bookings and working hours.

use super::{
    hours::{self, HoursBody},
    repo,
    service::{self, BookingRow, ClientSummary},
};
use crate::features::prelude::*;
use crate::http::ts;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Booking {
    pub id: String,
    pub location_id: String,
    pub calendar_id: String,
    pub service_id: Option<String>,
    pub start: String,
    pub end: String,
    /// confirmed, cancelled or no_show.
    pub status: String,
    pub notes: String,
    /// staff, public or api.
    pub source: String,
    /// Present only for members allowed to see client details.
    pub client: Option<ClientSummary>,
    pub created_at: String,
}

/// Present bookings with client details where allowed (one client query for all).
async fn present_all(state: &AppState, scope: &OrgScope, rows: Vec<BookingRow>) -> AppResult<Vec<Booking>> {
    let clients = service::clients_for(state, scope, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|b| {
            let client = b.client_id.as_ref().and_then(|c| clients.get(c).cloned());
            booking(b, client)
        })
        .collect())
}

/// A booking as the API shows it to this member (also what a webhook message carries).
pub async fn present(state: &AppState, scope: &OrgScope, b: BookingRow) -> AppResult<Booking> {
    present_all(state, scope, vec![b]).await?.pop().ok_or(AppError::NotFound)
}

fn booking(b: BookingRow, client: Option<ClientSummary>) -> Booking {
    Booking {
        id: b.id,
        location_id: b.location_id,
        calendar_id: b.calendar_id,
        service_id: b.service_id,
        start: ts(b.start_at),
        end: ts(b.end_at),
        status: b.status,
        notes: b.notes,
        source: b.source,
        client,
        created_at: ts(b.created_at),
    }
}

#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyHeader {
    /// A unique string per booking the caller means to make (1 to 255 visible characters): a
    /// retry with the same key and body gets the first answer again (`Idempotent-Replayed:
    /// true`), never a second booking; kept a day.
    #[param(rename = "Idempotency-Key")]
    pub idempotency_key: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/bookings", tag = "bookings", params(OrgPath, IdempotencyHeader),
    request_body = service::NewBooking,
    responses((status = 201, body = Booking), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "slot-taken, or idempotency-key-in-progress"),
        (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    use crate::http::idempotency::{self, Reserved};
    if !crate::http::is_json_content_type(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let ApiJson(b) = ApiJson::<service::NewBooking>::from_bytes(&body)?;
    let Some(key) = idempotency::key_of(&headers)? else {
        let row = service::create(&state, &ctx, &scope, b).await?;
        return Ok(created(present(&state, &scope, row).await?));
    };
    let now = crate::clock::to_ms(state.now());
    if let Reserved::Replay(first) = idempotency::reserve(&state.db, now, &scope, &key, &body).await? {
        return Ok(first);
    }
    // Refused (nothing made): the key is free again. Made: its answer is kept; were that to
    // fail, the key stays reserved, so that a retry cannot make the booking twice.
    let row = match service::create(&state, &ctx, &scope, b).await {
        Ok(row) => row,
        Err(e) => {
            idempotency::release(&state.db, &scope, &key).await?;
            return Err(e);
        }
    };
    let booking = present(&state, &scope, row).await?;
    let text = serde_json::to_string(&booking).map_err(AppError::internal)?;
    idempotency::keep(&state.db, &scope, &key, StatusCode::CREATED, &text).await?;
    Ok(created(booking))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub calendar_id: Option<String>,
    /// RFC 3339 instant (inclusive).
    pub from: String,
    /// RFC 3339 instant (exclusive); at most 62 days after `from`.
    pub to: String,
}

/// The bookings of a window (at most 62 days); with `limit`/`after`, a page at a time by
/// start, the next page in the `Link` header. `…/bookings/search` walks any span.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/bookings", tag = "bookings",
    params(OrgPath, ListQuery, crate::http::paging::PageQuery),
    responses((status = 200, body = [Booking], headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`"))),
        (status = 422, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    uri: axum::http::Uri,
    Query(q): Query<ListQuery>,
    Query(p): Query<crate::http::paging::PageQuery>,
) -> AppResult<Response> {
    let parse = |f: &str, v: &str| {
        crate::types::BoundedInstant::parse(f, v).map(|t| t.ms()).map_err(|e| AppError::Validation(vec![e]))
    };
    let (from, to) = (parse("from", &q.from)?, parse("to", &q.to)?);
    if to <= from || to - from > 62 * 86_400_000 {
        return Err(AppError::field("to", "invalid-window", "The window must be positive and at most 62 days."));
    }
    let rows = service::list(&state, &scope, q.calendar_id.as_deref(), from, to).await?;
    let all = present_all(&state, &scope, rows).await?;
    // RFC 3339 instants in UTC sort as text in time order.
    crate::http::paging::respond(&uri, &p, all, |b| format!("{}\u{1f}{}", b.start, b.id))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct SearchQuery {
    /// RFC 3339 instant: bookings starting at or after it.
    pub from: Option<String>,
    /// RFC 3339 instant: bookings starting before it.
    pub to: Option<String>,
    pub location_id: Option<String>,
    pub calendar_id: Option<String>,
    pub service_id: Option<String>,
    /// `confirmed`, `cancelled` or `no_show`.
    pub status: Option<String>,
    pub client_id: Option<String>,
    /// The previous page's `next_after`.
    pub after: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingPage {
    pub items: Vec<Booking>,
    /// Pass as `after` for the next page; null on the last one.
    pub next_after: Option<String>,
}

/// Every booking the caller may see, filtered, by start time, keyset-paginated (any span).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/bookings/search", tag = "bookings", params(OrgPath, SearchQuery),
    responses((status = 200, body = BookingPage), (status = 422, body = Problem)))]
pub async fn search(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<BookingPage>> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_string();
    let instant = |f: &str, v: &Option<String>| -> AppResult<Option<i64>> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => crate::types::BoundedInstant::parse(f, s)
                .map(|t| Some(t.ms()))
                .map_err(|e| AppError::Validation(vec![e])),
        }
    };
    let search = repo::Search {
        from: instant("from", &q.from)?,
        to: instant("to", &q.to)?,
        service_id: text(&q.service_id),
        status: service::parse_status(&text(&q.status))?,
        client_id: text(&q.client_id),
        after: q.after.as_deref().filter(|a| !a.is_empty()).map(service::parse_cursor).transpose()?,
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let (loc, cal) = (text(&q.location_id), text(&q.calendar_id));
    let rows = service::search(
        &state,
        &scope,
        Some(loc.as_str()).filter(|s| !s.is_empty()),
        Some(cal.as_str()).filter(|s| !s.is_empty()),
        &search,
        limit + 1,
    )
    .await?;
    let (rows, next_after) = crate::http::next_page(rows, limit, service::cursor_of);
    Ok(Json(BookingPage { items: present_all(&state, &scope, rows).await?, next_after }))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/bookings/{id}", tag = "bookings", params(ItemPath),
    responses((status = 200, body = Booking), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Booking>> {
    let b = service::get(&state, &scope, &id).await?;
    Ok(Json(present(&state, &scope, b).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    pub start: String,
    pub end: Option<String>,
    #[serde(default)]
    pub override_hours: bool,
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/bookings/{id}", tag = "bookings", params(ItemPath),
    request_body = MoveBody, responses((status = 200, body = Booking), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<MoveBody>,
) -> AppResult<Json<Booking>> {
    let row = service::reschedule(&state, &ctx, &scope, &id, &b.start, b.end.as_deref(), b.override_hours).await?;
    Ok(Json(present(&state, &scope, row).await?))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/bookings/{id}/cancel", tag = "bookings", params(ItemPath),
    responses((status = 200, body = Booking), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cancel(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Booking>> {
    let row = service::cancel(&state, &ctx, &scope, &id).await?;
    Ok(Json(present(&state, &scope, row).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/calendars/{id}/hours", tag = "bookings", params(ItemPath),
    responses((status = 200, body = HoursBody), (status = 404, body = Problem)))]
pub async fn get_hours(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<HoursBody>> {
    let cal = crate::features::calendars::service::get(&state, &scope, &id).await?;
    Ok(Json(hours::present(&hours::load(&state, scope.tenant(), &cal.id).await?)))
}

#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/calendars/{id}/hours", tag = "bookings", params(ItemPath),
    request_body = HoursBody, responses((status = 200, body = HoursBody), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_hours(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<HoursBody>,
) -> AppResult<Json<HoursBody>> {
    Ok(Json(hours::set(&state, &ctx, &scope, &id, b).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Period {
    pub id: String,
    pub calendar_id: String,
    pub start: String,
    pub end: String,
    pub reason: String,
}

fn period(u: hours::Unavailability) -> Period {
    Period { start: ts(u.start_at), end: ts(u.end_at), id: u.id, calendar_id: u.calendar_id, reason: u.reason }
}

/// Newest first; with paging, by start (earliest first).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/calendars/{id}/unavailability", tag = "bookings",
    params(ItemPath, crate::http::paging::PageQuery), responses((status = 200, body = [Period], headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`"))), (status = 404, body = Problem)))]
pub async fn list_unavailability(
    OrgItem { state, scope, id, .. }: OrgItem,
    uri: axum::http::Uri,
    axum::extract::Query(q): axum::extract::Query<crate::http::paging::PageQuery>,
) -> AppResult<Response> {
    use crate::http::paging;
    let all = hours::list_unavailability(&state, &scope, &id).await?;
    let key = |u: &hours::Unavailability| format!("{:020}{}", u.start_at.saturating_add(i64::MAX / 2), u.id);
    let (items, next) = paging::page(all, &q, key)?;
    Ok(paging::answer(&uri, (items.into_iter().map(period).collect::<Vec<_>>(), next), &q))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodBody {
    pub start: String,
    pub end: String,
    /// Holiday, sick leave…
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/calendars/{id}/unavailability", tag = "bookings",
    params(ItemPath), request_body = PeriodBody,
    responses((status = 201, body = Period), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_unavailability(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<PeriodBody>,
) -> AppResult<Response> {
    let u = hours::add_unavailability(&state, &ctx, &scope, &id, &b.start, &b.end, &b.reason).await?;
    Ok(created(period(u)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PeriodPath {
    #[allow(dead_code)]
    pub org_id: String,
    pub id: String,
    pub period_id: String,
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/calendars/{id}/unavailability/{period_id}", tag = "bookings",
    params(PeriodPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_unavailability(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<PeriodPath>,
) -> AppResult<StatusCode> {
    hours::remove_unavailability(&state, &ctx, &scope, &p.id, &p.period_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/calendars/{id}/unavailability/{period_id}", tag = "bookings",
    params(PeriodPath), request_body = PeriodBody,
    responses((status = 200, body = Period), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_unavailability(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<PeriodPath>,
    ApiJson(b): ApiJson<PeriodBody>,
) -> AppResult<Json<Period>> {
    let u =
        hours::update_unavailability(&state, &ctx, &scope, &p.id, &p.period_id, (&b.start, &b.end), &b.reason).await?;
    Ok(Json(period(u)))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/bookings/{id}/no-show", tag = "bookings", params(ItemPath),
    responses((status = 200, body = Booking), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn no_show(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Booking>> {
    let row = service::mark_no_show(&state, &ctx, &scope, &id).await?;
    Ok(Json(present(&state, &scope, row).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// First day (YYYY-MM-DD), in each location's zone.
    #[serde(default)]
    pub from: String,
    /// Last day, included; at most three years after `from`.
    #[serde(default)]
    pub to: String,
    /// Location ids, separated by commas; none: every location the caller may export.
    #[serde(default)]
    pub locations: String,
}

/// The bookings of the chosen locations over the days, as CSV (UTF-8 with a BOM), streamed.
/// Clients' email and phone only where the caller holds the client-list right.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/bookings/export.csv", tag = "bookings", params(OrgPath, ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    OrgRequest { state, ctx, scope }: OrgRequest,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> AppResult<Response> {
    super::export::require_some(&state, &scope).await?;
    let locations = q.locations.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    let asked = super::export::Asked::parse(&q.from, &q.to, locations)?;
    let e = super::export::prepare(&state, &ctx, &scope, asked, super::export::Dialect::Api).await?;
    Ok(super::export::download(e, "bookings.csv"))
}
