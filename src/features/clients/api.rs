//! JSON API for clients.

use super::service::{self, ClientDetail, ClientInput, ClientRow};
use crate::features::prelude::*;
use crate::http::next_page;
use axum::{
    extract::Query,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Part of a name, email or phone number.
    #[serde(default)]
    pub q: String,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// 1 to 100; 50 by default.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClientPage {
    pub items: Vec<ClientRow>,
    pub next: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/clients", tag = "clients", params(OrgPath, SearchQuery),
    responses((status = 200, body = ClientPage), (status = 403, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<ClientPage>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 100);
    let after = q.after.as_deref().map(service::parse_cursor).transpose()?;
    let rows = service::search(&state, &scope, &q.q, after, limit + 1).await?;
    let (items, next) = next_page(rows, limit, service::cursor_of);
    Ok(Json(ClientPage { items, next }))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/clients", tag = "clients", params(OrgPath), request_body = ClientInput,
    responses((status = 201, body = ClientRow), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<ClientInput>,
) -> AppResult<Response> {
    Ok(created(service::create(&state, &ctx, &scope, b).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/clients/{id}", tag = "clients", params(ItemPath),
    responses((status = 200, body = ClientDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<ClientDetail>> {
    Ok(Json(service::detail(&state, &scope, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/clients/{id}", tag = "clients", params(ItemPath),
    request_body = ClientInput, responses((status = 200, body = ClientRow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "client-erased")))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<ClientInput>,
) -> AppResult<Json<ClientRow>> {
    Ok(Json(service::update(&state, &ctx, &scope, &id, b).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The duplicate to fold into this client.
    pub duplicate_id: String,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/clients/{id}/merge", tag = "clients", params(ItemPath),
    request_body = MergeBody, responses((status = 200, body = ClientDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn merge(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<MergeBody>,
) -> AppResult<Json<ClientDetail>> {
    Ok(Json(service::merge(&state, &ctx, &scope, &id, &b.duplicate_id).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/clients/{id}/export", tag = "clients", params(ItemPath),
    responses((status = 200, description = "All data held about the client, as JSON"), (status = 403, body = Problem)))]
pub async fn export(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Response> {
    let data = service::export(&state, &scope, &id).await?;
    Ok(([(header::CONTENT_DISPOSITION, format!("attachment; filename=\"client-{id}.json\""))], Json(data))
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/clients/{id}/erase", tag = "clients", params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn erase(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::erase(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
