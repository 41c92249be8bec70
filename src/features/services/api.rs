//! JSON API for services and staff-side availability.

use super::service::{self, Service, ServiceInput};
use crate::features::prelude::*;
use crate::http::paging::{self, PageQuery};
use axum::{extract::Path, http::StatusCode, response::Response};
use serde::Deserialize;
use utoipa::IntoParams;

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/services", tag = "services", params(OrgPath, PageQuery),
    responses((status = 200, body = [Service], headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`")))))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    uri: axum::http::Uri,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> AppResult<Response> {
    paging::respond(&uri, &q, service::list(&state, &scope).await?, |s| paging::by_name(&s.name, &s.id))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/services", tag = "services", params(OrgPath), request_body = ServiceInput,
    responses((status = 201, body = Service), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<ServiceInput>,
) -> AppResult<Response> {
    Ok(created(service::save(&state, &ctx, &scope, None, b).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/services/{id}", tag = "services", params(ItemPath),
    responses((status = 200, body = Service), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Service>> {
    Ok(Json(service::get(&state, &scope, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/services/{id}", tag = "services", params(ItemPath),
    request_body = ServiceInput, responses((status = 200, body = Service), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<ServiceInput>,
) -> AppResult<Json<Service>> {
    Ok(Json(service::save(&state, &ctx, &scope, Some(&id), b).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/services/{id}", tag = "services", params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OfferPath {
    #[allow(dead_code)]
    pub org_id: String,
    pub id: String,
    pub calendar_id: String,
}

#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", tag = "services",
    params(OfferPath),
    responses((status = 200, body = Service), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn offer(OrgRequest { state, ctx, scope }: OrgRequest, Path(p): Path<OfferPath>) -> AppResult<Json<Service>> {
    Ok(Json(service::set_offered(&state, &ctx, &scope, &p.id, &p.calendar_id, true).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", tag = "services",
    params(OfferPath),
    responses((status = 200, body = Service), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn withdraw(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<OfferPath>,
) -> AppResult<Json<Service>> {
    Ok(Json(service::set_offered(&state, &ctx, &scope, &p.id, &p.calendar_id, false).await?))
}
