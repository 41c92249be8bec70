//! JSON API for API keys. A key itself cannot reach these routes (no key scope covers
//! managing keys): keys are made by people.

use super::service::{self, KeyInput, KeyView};
use crate::features::prelude::*;
use crate::http::{next_page, ts};
use axum::{extract::Query, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The readable start of the secret, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<crate::access::api_key::KeyScope>,
    pub locations: Vec<String>,
    pub calendars: Vec<String>,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<String>,
    pub created_at: String,
    /// The membership id of the member who made it.
    pub created_by: String,
    pub created_by_name: String,
}

fn present(k: KeyView) -> ApiKey {
    let r = k.row;
    ApiKey {
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        scopes: k.scopes,
        locations: k.locations,
        calendars: k.calendars,
        expires_at: r.expires_at.map(ts),
        last_used_at: r.last_used_at.map(ts),
        last_used_ip: r.last_used_ip,
        revoked_at: r.revoked_at.map(ts),
        created_at: ts(r.created_at),
        created_by: r.member_id,
        created_by_name: format!("{} {}", r.creator_first_name, r.creator_last_name).trim().to_string(),
    }
}

/// A key with its secret: the only answer that ever carries it.
#[derive(Serialize, ToSchema)]
pub struct NewApiKey {
    pub key: ApiKey,
    /// Send it as `Authorization: Bearer <secret>`. It is not shown again.
    pub secret: String,
}

#[derive(Deserialize, IntoParams)]
pub struct KeysQuery {
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// 1 to 100; 50 by default.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyPage {
    pub items: Vec<ApiKey>,
    pub next: Option<String>,
}

fn cursor_of(k: &KeyView) -> String {
    format!("{}_{}", k.row.created_at, k.row.id)
}

fn parse_cursor(s: &str) -> AppResult<(i64, String)> {
    s.split_once('_')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_string())))
        .ok_or_else(|| AppError::field("after", "invalid-cursor", "Use the cursor from the previous page."))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/api-keys", tag = "api_keys", params(OrgPath, KeysQuery),
    responses((status = 200, body = ApiKeyPage), (status = 403, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<KeysQuery>,
) -> AppResult<Json<ApiKeyPage>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 100);
    let after = q.after.as_deref().filter(|a| !a.is_empty()).map(parse_cursor).transpose()?;
    let rows = service::list(&state, &scope, after.as_ref().map(|(at, id)| (*at, id.as_str())), limit + 1).await?;
    let (items, next) = next_page(rows, limit, cursor_of);
    Ok(Json(ApiKeyPage { items: items.into_iter().map(present).collect(), next }))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/api-keys", tag = "api_keys", params(OrgPath), request_body = KeyInput,
    responses((status = 201, body = NewApiKey), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<KeyInput>,
) -> AppResult<Response> {
    let (key, secret) = service::create(&state, &ctx, &scope, b).await?;
    Ok(created(NewApiKey { key: present(key), secret }))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/api-keys/{id}", tag = "api_keys", params(ItemPath),
    responses((status = 200, body = ApiKey), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<ApiKey>> {
    Ok(Json(present(service::get(&state, &scope, &id).await?)))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/api-keys/{id}/regenerate", tag = "api_keys", params(ItemPath),
    responses((status = 200, body = NewApiKey), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn regenerate(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<NewApiKey>> {
    let (key, secret) = service::regenerate(&state, &ctx, &scope, &id).await?;
    Ok(Json(NewApiKey { key: present(key), secret }))
}

/// Revokes the key: it stops at once and stays listed as revoked.
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/api-keys/{id}", tag = "api_keys", params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::revoke(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
