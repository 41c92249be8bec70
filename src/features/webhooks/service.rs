//! Webhook endpoints (R34), managed by whoever holds "API and integrations": an address
//! (public, unless the operator allows private ones), the events it wants, a signing secret
//! shown once; the log of what was sent and how it was answered; a test ping; a re-send.

use super::{outbound, repo, sign};
use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    crypto,
    db::new_id,
    error::FieldError,
};
use serde_json::json;

/// The events an endpoint may subscribe to.
pub const EVENTS: [&str; 10] = [
    "booking.created",
    "booking.moved",
    "booking.cancelled",
    "booking.no_show",
    "client.created",
    "client.updated",
    "member.invited",
    "member.joined",
    "member.changed",
    "member.removed",
];

/// The event an audit action is, for webhooks.
pub fn event_of(action: &str) -> Option<&'static str> {
    Some(match action {
        "booking.created" => "booking.created",
        "booking.moved" => "booking.moved",
        "booking.cancelled" => "booking.cancelled",
        "booking.no_show" => "booking.no_show",
        "client.created" => "client.created",
        "client.updated" => "client.updated",
        "member.invited" | "member.added" => "member.invited",
        "member.joined" => "member.joined",
        "member.updated" | "member.blocked" | "member.unblocked" | "member.grants_changed" | "member.activated" => {
            "member.changed"
        }
        "member.removed" | "member.left" => "member.removed",
        _ => return None,
    })
}

/// Every audit action that makes an event.
pub const ACTIONS: [&str; 15] = [
    "booking.created",
    "booking.moved",
    "booking.cancelled",
    "booking.no_show",
    "client.created",
    "client.updated",
    "member.invited",
    "member.added",
    "member.joined",
    "member.updated",
    "member.blocked",
    "member.unblocked",
    "member.grants_changed",
    "member.activated",
    "member.removed",
];

pub fn secret_aad(org_id: &str, id: &str) -> String {
    format!("webhook:{org_id}:{id}")
}

/// An endpoint as shown, with whether the viewer may change it.
#[derive(Clone, Debug)]
pub struct EndpointView {
    pub row: repo::EndpointRow,
    pub events: Vec<String>,
    pub may_change: bool,
}

fn view(scope: &OrgScope, row: repo::EndpointRow) -> EndpointView {
    let events = serde_json::from_str(&row.events).unwrap_or_default();
    let admin = matches!(scope.role(), crate::access::Role::Owner | crate::access::Role::Administrator);
    EndpointView { may_change: admin || row.member_id == scope.membership_id(), events, row }
}

pub async fn list(state: &AppState, scope: &OrgScope) -> AppResult<Vec<EndpointView>> {
    scope.require(Action::ManageWebhooks, Object::Org)?;
    Ok(repo::endpoints(state.db.pool(), scope.tenant()).await?.into_iter().map(|r| view(scope, r)).collect())
}

pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<EndpointView> {
    scope.require(Action::ManageWebhooks, Object::Org)?;
    let row = repo::endpoint(state.db.pool(), scope.tenant(), id).await?.ok_or(AppError::NotFound)?;
    Ok(view(scope, row))
}

/// What an endpoint asks for.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    pub url: String,
    /// Among `booking.created`, `booking.moved`, `booking.cancelled`, `booking.no_show`,
    /// `client.created`, `client.updated`, `member.invited`, `member.joined`,
    /// `member.changed`, `member.removed`.
    pub events: Vec<String>,
}

/// The address and events, checked: a public `http(s)` address (resolved now), known events.
async fn checked(state: &AppState, input: &EndpointInput) -> AppResult<(String, Vec<String>)> {
    let mut errors = Vec::new();
    let url = match outbound::parse(&input.url) {
        Ok(u) => {
            let port = u.port_or_known_default().unwrap_or(443);
            match outbound::resolve(u.host_str().unwrap_or_default(), port, state.config.allow_private_outbound).await {
                Ok(_) => Some(u.to_string()),
                Err(code) => {
                    errors.push(FieldError::new("url", code, outbound_message(code)));
                    None
                }
            }
        }
        Err(code) => {
            errors.push(FieldError::new("url", code, outbound_message(code)));
            None
        }
    };
    let mut events: Vec<String> = Vec::new();
    for e in &input.events {
        if !EVENTS.contains(&e.as_str()) {
            errors.push(FieldError::new("events", "unknown-event", format!("{e} is not an event.")));
        } else if !events.contains(e) {
            events.push(e.clone());
        }
    }
    if input.events.is_empty() {
        errors.push(FieldError::new("events", "required", "This field is required."));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok((url.unwrap_or_default(), events))
}

pub fn outbound_message(code: &str) -> &'static str {
    match code {
        "private-address" => "This address leads to a private or local network, which webhooks may not reach.",
        "unresolvable-host" => "This address's server could not be found.",
        _ => "Use a web address such as https://hooks.example.fr/creneau.",
    }
}

/// Creates an endpoint; its signing secret is returned this once.
pub async fn create(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    input: EndpointInput,
) -> AppResult<(EndpointView, String)> {
    scope.require(Action::ManageWebhooks, Object::Org)?;
    let (url, events) = checked(state, &input).await?;
    let (id, secret) = (new_id(), sign::new_secret());
    let sealed = crypto::seal(state.secret_key()?, secret.as_bytes(), secret_aad(scope.org_id(), &id).as_bytes())
        .map_err(AppError::internal)?;
    let now = to_ms(state.now());
    let events_json = json!(events).to_string();
    let mut tx = state.db.begin().await?;
    let new = repo::NewEndpoint {
        id: &id,
        member_id: scope.membership_id(),
        url: &url,
        secret_sealed: &sealed,
        events: &events_json,
    };
    repo::insert(&mut tx, scope.tenant(), &new, now).await?;
    let event = Event::new("webhook.created", "webhook", &id).after(json!({"url": url, "events": events}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok((get(state, scope, &id).await?, secret))
}

fn mine(e: &EndpointView) -> AppResult<()> {
    if e.may_change {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "not-your-webhook",
            "Only the member who made this webhook, or an administrator, changes it.",
        ))
    }
}

/// What a change asks for; an absent field keeps its value.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `active` or `disabled`.
    pub status: Option<String>,
}

pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    change: EndpointChange,
) -> AppResult<EndpointView> {
    let e = get(state, scope, id).await?;
    mine(&e)?;
    let input = EndpointInput {
        url: change.url.clone().unwrap_or_else(|| e.row.url.clone()),
        events: change.events.clone().unwrap_or_else(|| e.events.clone()),
    };
    let (url, events) = checked(state, &input).await?;
    let status = change.status.clone().unwrap_or_else(|| e.row.status.clone());
    if !matches!(status.as_str(), "active" | "disabled") {
        return Err(AppError::field("status", "invalid-status", "Use active or disabled."));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::update(&mut tx, scope.tenant(), id, (&url, &json!(events).to_string(), &status), now).await?;
    let event = Event::new("webhook.updated", "webhook", id)
        .before(json!({"url": e.row.url, "events": e.events, "status": e.row.status}))
        .after(json!({"url": url, "events": events, "status": status}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    get(state, scope, id).await
}

pub async fn delete(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let e = get(state, scope, id).await?;
    mine(&e)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::delete(&mut tx, scope.tenant(), id).await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        Event::new("webhook.deleted", "webhook", id).before(json!({"url": e.row.url})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A message of the log with its attempts.
#[derive(Clone, Debug)]
pub struct Logged {
    pub message: repo::MessageRow,
    pub attempts: Vec<repo::AttemptRow>,
}

/// The endpoint's last messages, newest first, each with its attempts.
pub async fn log(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Vec<Logged>> {
    let e = get(state, scope, id).await?;
    let messages = repo::messages(state.db.pool(), scope.tenant(), &e.row.id, 100).await?;
    let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
    let mut attempts = repo::attempts(state.db.pool(), scope.tenant(), &ids).await?;
    Ok(messages
        .into_iter()
        .map(|m| {
            let mine: Vec<repo::AttemptRow> = attempts.extract_if(.., |a| a.message_id == m.id).collect();
            Logged { message: m, attempts: mine }
        })
        .collect())
}

/// A `webhook.ping` message, sent at the next pass.
pub async fn ping(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let e = get(state, scope, id).await?;
    mine(&e)?;
    let now = to_ms(state.now());
    let m = repo::MessageRow {
        id: format!("msg_{}", new_id().replace('-', "")),
        org_id: scope.org_id().to_string(),
        endpoint_id: e.row.id.clone(),
        event_type: "webhook.ping".into(),
        object_id: e.row.id.clone(),
        occurred_at: now,
        state: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
    };
    let mut tx = state.db.begin().await?;
    repo::insert_message(&mut tx, scope.tenant(), &m).await?;
    audit::org_event(&mut tx, now, scope, ctx, Event::new("webhook.pinged", "webhook", id)).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Sends a message again at the next pass (its id stays: receivers tell a re-send apart).
pub async fn resend(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str, message_id: &str) -> AppResult<()> {
    let e = get(state, scope, id).await?;
    mine(&e)?;
    let m = repo::message(state.db.pool(), scope.tenant(), message_id).await?.filter(|m| m.endpoint_id == e.row.id);
    let m = m.ok_or(AppError::NotFound)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::set_state(&mut tx, scope.tenant(), &m.id, "pending", m.attempts, now).await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        Event::new("webhook.resent", "webhook", id).after(json!({"message": m.id})),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}
