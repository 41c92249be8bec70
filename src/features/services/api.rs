//! JSON API for services and staff-side availability.

use super::service::{self, Service, ServiceInput};
use crate::features::prelude::*;
use axum::{extract::Path, http::StatusCode, response::Response};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub length_min: Option<i64>,
    pub buffer_before_min: Option<i64>,
    pub buffer_after_min: Option<i64>,
    pub min_notice_min: Option<i64>,
    pub max_advance_days: Option<i64>,
    pub step_min: Option<i64>,
    /// Display only; null clears.
    #[serde(default, deserialize_with = "double_option")]
    pub price_cents: Option<Option<i64>>,
    pub currency: Option<String>,
    pub status: Option<String>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

impl From<ServiceBody> for ServiceInput {
    fn from(b: ServiceBody) -> Self {
        ServiceInput {
            name: b.name,
            description: b.description,
            length_min: b.length_min,
            buffer_before_min: b.buffer_before_min,
            buffer_after_min: b.buffer_after_min,
            min_notice_min: b.min_notice_min,
            max_advance_days: b.max_advance_days,
            step_min: b.step_min,
            price_cents: b.price_cents,
            currency: b.currency,
            status: b.status,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/services", tag = "services", params(("org_id" = String, Path)),
    responses((status = 200, body = [Service])))]
pub async fn list(OrgRequest { state, scope, .. }: OrgRequest) -> AppResult<axum::Json<Vec<Service>>> {
    Ok(axum::Json(service::list(&state, &scope).await?))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/services", tag = "services", params(("org_id" = String, Path)), request_body = ServiceBody,
    responses((status = 201, body = Service), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<ServiceBody>,
) -> AppResult<Response> {
    Ok(created(service::save(&state, &ctx, &scope, None, b.into()).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/services/{id}", tag = "services", params(("org_id" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Service), (status = 404, body = Problem)))]
pub async fn get(
    OrgRequest { state, scope, .. }: OrgRequest,
    Path(p): Path<ItemPath>,
) -> AppResult<axum::Json<Service>> {
    Ok(axum::Json(service::get(&state, &scope, &p.id).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/services/{id}", tag = "services", params(("org_id" = String, Path), ("id" = String, Path)),
    request_body = ServiceBody, responses((status = 200, body = Service), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<ItemPath>,
    ApiJson(b): ApiJson<ServiceBody>,
) -> AppResult<axum::Json<Service>> {
    Ok(axum::Json(service::save(&state, &ctx, &scope, Some(&p.id), b.into()).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/services/{id}", tag = "services", params(("org_id" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(OrgRequest { state, ctx, scope }: OrgRequest, Path(p): Path<ItemPath>) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &p.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct OfferPath {
    #[allow(dead_code)]
    pub org_id: String,
    pub id: String,
    pub calendar_id: String,
}

#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", tag = "services",
    params(("org_id" = String, Path), ("id" = String, Path), ("calendar_id" = String, Path)),
    responses((status = 200, body = Service), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn offer(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<OfferPath>,
) -> AppResult<axum::Json<Service>> {
    Ok(axum::Json(service::set_offered(&state, &ctx, &scope, &p.id, &p.calendar_id, true).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", tag = "services",
    params(("org_id" = String, Path), ("id" = String, Path), ("calendar_id" = String, Path)),
    responses((status = 200, body = Service), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn withdraw(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(p): Path<OfferPath>,
) -> AppResult<axum::Json<Service>> {
    Ok(axum::Json(service::set_offered(&state, &ctx, &scope, &p.id, &p.calendar_id, false).await?))
}
