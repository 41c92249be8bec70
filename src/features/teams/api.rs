//! JSON API for teams.

use super::service::{self, Team, TeamInput};
use crate::features::members::service::GrantInput;
use crate::features::prelude::*;
use axum::{extract::Path, http::StatusCode, response::Response};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    pub name: Option<String>,
    /// Replaces the member list when present.
    pub member_ids: Option<Vec<String>>,
    /// Replaces the team's grants when present.
    pub grants: Option<Vec<GrantInput>>,
}

impl From<TeamBody> for TeamInput {
    fn from(b: TeamBody) -> Self {
        TeamInput { name: b.name, member_ids: b.member_ids, grants: b.grants }
    }
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/teams", tag = "teams", params(("org_id" = String, Path)),
    responses((status = 200, body = [Team]), (status = 403, body = Problem)))]
pub async fn list(OrgRequest { state, scope, .. }: OrgRequest) -> AppResult<axum::Json<Vec<Team>>> {
    Ok(axum::Json(service::list(&state, &scope).await?))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/teams", tag = "teams", params(("org_id" = String, Path)), request_body = TeamBody,
    responses((status = 201, body = Team), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<TeamBody>,
) -> AppResult<Response> {
    Ok(created(service::save(&state, &ctx, &scope, None, b.into()).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/teams/{id}", tag = "teams", params(("org_id" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Team), (status = 404, body = Problem)))]
pub async fn get(OrgRequest { state, scope, .. }: OrgRequest, Path(p): Path<ItemPath>) -> AppResult<axum::Json<Team>> {
    Ok(axum::Json(service::get(&state, &scope, &p.id).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/teams/{id}", tag = "teams", params(("org_id" = String, Path), ("id" = String, Path)),
    request_body = TeamBody, responses((status = 200, body = Team), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<ItemPath>,
    ApiJson(b): ApiJson<TeamBody>,
) -> AppResult<axum::Json<Team>> {
    Ok(axum::Json(service::save(&state, &ctx, &scope, Some(&p.id), b.into()).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/teams/{id}", tag = "teams", params(("org_id" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(OrgRequest { state, ctx, scope }: OrgRequest, Path(p): Path<ItemPath>) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &p.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
