//! JSON API for organisations.

use super::service;
use crate::features::prelude::*;
use crate::http::ts;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// The caller's role in it.
    pub role: String,
    pub active: bool,
    pub created_at: String,
}

fn present(o: crate::access::identity::MyOrg, active: Option<&str>) -> Org {
    Org {
        active: active == Some(o.id.as_str()),
        id: o.id,
        name: o.name,
        slug: o.slug,
        role: o.role,
        created_at: ts(o.created_at),
    }
}

#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", responses((status = 200, body = [Org]), (status = 401, body = Problem)))]
pub async fn list(AccountRequest { state, who, .. }: AccountRequest) -> AppResult<Json<Vec<Org>>> {
    let orgs = crate::access::identity::my_orgs(&state, &who.account_id).await?;
    Ok(Json(orgs.into_iter().map(|o| present(o, who.active_org_id.as_deref())).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    pub name: String,
    /// Lowercase letters, digits and hyphens; suggested from the name when absent.
    pub slug: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = CreateOrg,
    responses((status = 201, body = Org), (status = 422, body = Problem)))]
pub async fn create(
    AccountRequest { state, ctx, who }: AccountRequest,
    ApiJson(req): ApiJson<CreateOrg>,
) -> AppResult<Response> {
    let org = service::create(&state, &ctx, &who, &req.name, req.slug.as_deref()).await?;
    let id = org.id.clone();
    Ok(created(present(org, Some(&id))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchOrg {
    /// Null switches to the personal space.
    pub org_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActiveOrgResponse {
    pub active_org: Option<Org>,
}

#[utoipa::path(put, path = "/api/v1/me/active-org", tag = "orgs", request_body = SwitchOrg,
    responses((status = 200, body = ActiveOrgResponse), (status = 404, body = Problem)))]
pub async fn switch(
    AccountRequest { state, who, .. }: AccountRequest,
    ApiJson(req): ApiJson<SwitchOrg>,
) -> AppResult<Json<ActiveOrgResponse>> {
    let org = service::switch(&state, &who, req.org_id.as_deref()).await?;
    Ok(Json(ActiveOrgResponse {
        active_org: org.map(|o| {
            let id = o.id.clone();
            present(o, Some(&id))
        }),
    }))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}", tag = "orgs", params(OrgPath),
    responses((status = 200, body = service::OrgSettings), (status = 404, body = Problem)))]
pub async fn get_settings(OrgRequest { state, scope, .. }: OrgRequest) -> AppResult<Json<service::OrgSettings>> {
    Ok(Json(service::settings(&state, &scope).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}", tag = "orgs", params(OrgPath), request_body = service::SettingsChange,
    responses((status = 200, body = service::OrgSettings), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn update_settings(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<service::SettingsChange>,
) -> AppResult<Json<service::OrgSettings>> {
    Ok(Json(service::update_settings(&state, &ctx, &scope, b).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/logo", tag = "orgs", params(OrgPath),
    responses((status = 200, description = "The logo (PNG, JPEG or WebP)", content_type = "image/*", body = Vec<u8>),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_logo(OrgRequest { state, scope, .. }: OrgRequest) -> AppResult<Response> {
    let (content_type, bytes) = service::settings_logo(&state, &scope).await?;
    Ok(crate::http::pages::image(content_type, bytes, "private, no-cache"))
}

/// The image itself is the body (PNG, JPEG or WebP, at most 200 KB); its type is read from
/// its bytes.
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/logo", tag = "orgs", params(OrgPath),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_logo(
    OrgRequest { state, ctx, scope }: OrgRequest,
    body: axum::body::Bytes,
) -> AppResult<axum::http::StatusCode> {
    service::set_logo(&state, &ctx, &scope, &body).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/logo", tag = "orgs", params(OrgPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_logo(OrgRequest { state, ctx, scope }: OrgRequest) -> AppResult<axum::http::StatusCode> {
    service::remove_logo(&state, &ctx, &scope).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
