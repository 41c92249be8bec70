//! JSON API for teams.

use super::service::{self, Team, TeamInput};
use crate::features::prelude::*;
use crate::http::paging::{self, PageQuery};
use axum::{http::StatusCode, response::Response};

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/teams", tag = "teams", params(OrgPath, PageQuery),
    responses((status = 200, body = [Team], headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`"))), (status = 403, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    uri: axum::http::Uri,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> AppResult<Response> {
    paging::respond(&uri, &q, service::list(&state, &scope).await?, |t| paging::by_name(&t.name, &t.id))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/teams", tag = "teams", params(OrgPath), request_body = TeamInput,
    responses((status = 201, body = Team), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<TeamInput>,
) -> AppResult<Response> {
    Ok(created(service::save(&state, &ctx, &scope, None, b).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/teams/{id}", tag = "teams", params(ItemPath),
    responses((status = 200, body = Team), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Team>> {
    Ok(Json(service::get(&state, &scope, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/teams/{id}", tag = "teams", params(ItemPath),
    request_body = TeamInput, responses((status = 200, body = Team), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<TeamInput>,
) -> AppResult<Json<Team>> {
    Ok(Json(service::save(&state, &ctx, &scope, Some(&id), b).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/teams/{id}", tag = "teams", params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
