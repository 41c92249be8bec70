//! JSON API for locations.

use super::service::{self, Location, LocationInput};
use crate::features::prelude::*;
use crate::http::paging::{self, PageQuery};
use axum::{http::StatusCode, response::Response};

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/locations", tag = "locations", params(OrgPath, PageQuery),
    responses((status = 200, body = [Location], headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`"))), (status = 404, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    uri: axum::http::Uri,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> AppResult<Response> {
    paging::respond(&uri, &q, service::list(&state, &scope).await?, |l| paging::by_name(&l.name, &l.id))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/locations", tag = "locations", params(OrgPath),
    request_body = LocationInput, responses((status = 201, body = Location), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<LocationInput>,
) -> AppResult<Response> {
    Ok(created(service::create(&state, &ctx, &scope, b).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/locations/{id}", tag = "locations",
    params(ItemPath), responses((status = 200, body = Location), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Location>> {
    Ok(Json(service::get(&state, &scope, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/locations/{id}", tag = "locations",
    params(ItemPath), request_body = LocationInput,
    responses((status = 200, body = Location), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<LocationInput>,
) -> AppResult<Json<Location>> {
    Ok(Json(service::update(&state, &ctx, &scope, &id, b).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/locations/{id}", tag = "locations",
    params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
