//! JSON API for calendars.

use super::service::{self, Calendar, CalendarInput, present};
use crate::features::prelude::*;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    /// Required on creation; a calendar never moves between locations.
    pub location_id: Option<String>,
    /// The staff member whose own calendar it is.
    pub member_id: Option<String>,
    pub name: Option<String>,
    /// `staff` or `resource`.
    pub kind: Option<String>,
    pub time_zone: Option<String>,
    /// Default appointment length, 15 unless set.
    pub default_length_min: Option<i64>,
    /// "HH:MM"
    pub day_start: Option<String>,
    pub day_end: Option<String>,
    pub split: Option<String>,
    /// `active` or `archived`.
    pub status: Option<String>,
}

impl From<CalendarBody> for CalendarInput {
    fn from(b: CalendarBody) -> Self {
        CalendarInput {
            location_id: b.location_id,
            member_id: b.member_id,
            name: b.name,
            kind: b.kind,
            time_zone: b.time_zone,
            default_length_min: b.default_length_min,
            day_start: b.day_start,
            day_end: b.day_end,
            split: b.split,
            status: b.status,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub location_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/calendars", tag = "calendars", params(("org_id" = String, Path), ListQuery),
    responses((status = 200, body = [Calendar], description = "Exactly the calendars the caller may see")))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<ListQuery>,
) -> AppResult<axum::Json<Vec<Calendar>>> {
    let rows = service::list(&state, &scope, q.location_id.as_deref()).await?;
    Ok(axum::Json(rows.iter().map(|c| present(&scope, c)).collect()))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/calendars", tag = "calendars", params(("org_id" = String, Path)),
    request_body = CalendarBody, responses((status = 201, body = Calendar), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<CalendarBody>,
) -> AppResult<Response> {
    let c = service::create(&state, &ctx, &scope, b.into()).await?;
    Ok(created(present(&scope, &c)))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/calendars/{id}", tag = "calendars",
    params(("org_id" = String, Path), ("id" = String, Path)), responses((status = 200, body = Calendar), (status = 404, body = Problem)))]
pub async fn get(
    OrgRequest { state, scope, .. }: OrgRequest,
    Path(p): Path<ItemPath>,
) -> AppResult<axum::Json<Calendar>> {
    let c = service::get(&state, &scope, &p.id).await?;
    Ok(axum::Json(present(&scope, &c)))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/calendars/{id}", tag = "calendars",
    params(("org_id" = String, Path), ("id" = String, Path)), request_body = CalendarBody,
    responses((status = 200, body = Calendar), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<ItemPath>,
    ApiJson(b): ApiJson<CalendarBody>,
) -> AppResult<axum::Json<Calendar>> {
    let c = service::update(&state, &ctx, &scope, &p.id, b.into()).await?;
    Ok(axum::Json(present(&scope, &c)))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/calendars/{id}", tag = "calendars",
    params(("org_id" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(OrgRequest { state, ctx, scope }: OrgRequest, Path(p): Path<ItemPath>) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &p.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
