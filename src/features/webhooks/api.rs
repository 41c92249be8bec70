//! JSON API for webhooks.

use super::service::{self, EndpointChange, EndpointInput, EndpointView, Logged};
use crate::features::prelude::*;
use crate::http::ts;
use axum::{extract::Path, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// `active` or `disabled` (by a person, or after sustained failure).
    pub status: String,
    /// Consecutive failed attempts.
    pub failures: i64,
    pub disabled_at: Option<String>,
    pub created_at: String,
    /// The membership id of the member who made it (payloads carry what they may see).
    pub created_by: String,
}

fn present(e: EndpointView) -> Webhook {
    Webhook {
        id: e.row.id,
        url: e.row.url,
        events: e.events,
        status: e.row.status,
        failures: e.row.failures,
        disabled_at: e.row.disabled_at.map(ts),
        created_at: ts(e.row.created_at),
        created_by: e.row.member_id,
    }
}

#[derive(Serialize, ToSchema)]
pub struct NewWebhook {
    pub webhook: Webhook,
    /// The `whsec_…` signing secret (Standard Webhooks). It is not shown again.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct Attempt {
    pub at: String,
    /// The receiver's HTTP status; none when it could not be reached.
    pub status: Option<i64>,
    pub latency_ms: i64,
    /// The first bytes of the answer, or why there was none.
    pub excerpt: String,
}

#[derive(Serialize, ToSchema)]
pub struct Message {
    /// Also its `webhook-id` header.
    pub id: String,
    pub event_type: String,
    pub object_id: String,
    pub occurred_at: String,
    /// `pending`, `delivered`, `failed` or `skipped` (not the maker's to see any more).
    pub state: String,
    pub attempts: Vec<Attempt>,
}

fn message(l: Logged) -> Message {
    Message {
        id: l.message.id,
        event_type: l.message.event_type,
        object_id: l.message.object_id,
        occurred_at: ts(l.message.occurred_at),
        state: l.message.state,
        attempts: l
            .attempts
            .into_iter()
            .map(|a| Attempt { at: ts(a.at), status: a.status, latency_ms: a.latency_ms, excerpt: a.excerpt })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookPage {
    pub items: Vec<Webhook>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/webhooks", tag = "webhooks", params(OrgPath, crate::http::paging::PageQuery),
    responses((status = 200, body = WebhookPage), (status = 403, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    axum::extract::Query(q): axum::extract::Query<crate::http::paging::PageQuery>,
) -> AppResult<Json<WebhookPage>> {
    let all: Vec<Webhook> = service::list(&state, &scope).await?.into_iter().map(present).collect();
    let (items, next) = crate::http::paging::page(all, &q, |w| format!("{}{}", w.created_at, w.id))?;
    Ok(Json(WebhookPage { items, next }))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/webhooks", tag = "webhooks", params(OrgPath), request_body = EndpointInput,
    responses((status = 201, body = NewWebhook), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<EndpointInput>,
) -> AppResult<Response> {
    let (e, secret) = service::create(&state, &ctx, &scope, b).await?;
    Ok(created(NewWebhook { webhook: present(e), secret }))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/webhooks/{id}", tag = "webhooks", params(ItemPath),
    responses((status = 200, body = Webhook), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Webhook>> {
    Ok(Json(present(service::get(&state, &scope, &id).await?)))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/webhooks/{id}", tag = "webhooks", params(ItemPath),
    request_body = EndpointChange,
    responses((status = 200, body = Webhook), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<EndpointChange>,
) -> AppResult<Json<Webhook>> {
    Ok(Json(present(service::update(&state, &ctx, &scope, &id, b).await?)))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/webhooks/{id}", tag = "webhooks", params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::delete(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The delivery log: the last 100 messages, newest first, each with its attempts.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/webhooks/{id}/messages", tag = "webhooks", params(ItemPath),
    responses((status = 200, body = [Message]), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn messages(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Vec<Message>>> {
    Ok(Json(service::log(&state, &scope, &id).await?.into_iter().map(message).collect()))
}

/// Sends a `webhook.ping` message at the next pass.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/webhooks/{id}/ping", tag = "webhooks", params(ItemPath),
    responses((status = 202), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn ping(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::ping(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MessagePath {
    #[allow(dead_code)]
    pub org_id: String,
    pub id: String,
    pub message_id: String,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/webhooks/{id}/messages/{message_id}/resend", tag = "webhooks",
    params(MessagePath), responses((status = 202), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn resend(OrgRequest { state, ctx, scope }: OrgRequest, Path(p): Path<MessagePath>) -> AppResult<StatusCode> {
    service::resend(&state, &ctx, &scope, &p.id, &p.message_id).await?;
    Ok(StatusCode::ACCEPTED)
}
