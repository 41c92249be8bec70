//! JSON API for calendars.

use super::service::{self, Calendar, CalendarInput, present};
use crate::features::prelude::*;
use crate::http::paging::{self, PageQuery};
use axum::{extract::Query, http::StatusCode, response::Response};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub location_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/calendars", tag = "calendars", params(OrgPath, ListQuery, PageQuery),
    responses((status = 200, body = [Calendar], description = "Exactly the calendars the caller may see", headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`")))))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    uri: axum::http::Uri,
    Query(q): Query<ListQuery>,
    Query(p): Query<PageQuery>,
) -> AppResult<Response> {
    let rows = service::list(&state, &scope, q.location_id.as_deref()).await?;
    let all: Vec<Calendar> = rows.iter().map(|c| present(&scope, c)).collect();
    paging::respond(&uri, &p, all, |c| paging::by_name(&c.name, &c.id))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/calendars", tag = "calendars", params(OrgPath),
    request_body = CalendarInput, responses((status = 201, body = Calendar), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<CalendarInput>,
) -> AppResult<Response> {
    let c = service::create(&state, &ctx, &scope, b).await?;
    Ok(created(present(&scope, &c)))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/calendars/{id}", tag = "calendars",
    params(ItemPath), responses((status = 200, body = Calendar), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Calendar>> {
    let c = service::get(&state, &scope, &id).await?;
    Ok(Json(present(&scope, &c)))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/calendars/{id}", tag = "calendars",
    params(ItemPath), request_body = CalendarInput,
    responses((status = 200, body = Calendar), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<CalendarInput>,
) -> AppResult<Json<Calendar>> {
    let c = service::update(&state, &ctx, &scope, &id, b).await?;
    Ok(Json(present(&scope, &c)))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/calendars/{id}", tag = "calendars",
    params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "calendar-has-bookings: archive it instead")))]
pub async fn delete(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
