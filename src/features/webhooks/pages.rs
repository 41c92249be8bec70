//! The webhooks pages, under "API and integrations": the endpoints with a form to add one
//! (its signing secret shown once), and each endpoint's page: its address and events to
//! change, enable or disable, a test ping, and the delivery log (time, status, latency,
//! the first bytes of the answer) with a re-send per message.

use super::service::{self, EVENTS, EndpointChange, EndpointInput};
use crate::features::prelude::*;
use crate::http::forms::{Refused, refused};
use askama::Template;
use axum::extract::{Path, Query};

struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

fn choices(t: Tr, checked: &[String]) -> Vec<Choice> {
    EVENTS
        .iter()
        .map(|e| Choice { value: e, label: t.webhook_event(e), checked: checked.iter().any(|c| c == e) })
        .collect()
}

struct EndpointLine {
    id: String,
    url: String,
    events: String,
    status: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ListPage {
    p: PageCtx,
    endpoints: Vec<EndpointLine>,
    events: Vec<Choice>,
    url: String,
    secret: Option<(String, String)>,
    refused: Refused,
}

fn status_words(t: Tr, status: &str) -> String {
    t.get(if status == "active" { "webhooks.active" } else { "webhooks.disabled" }).to_string()
}

async fn list_page(
    at: &OrgPage,
    typed: Option<&EndpointInput>,
    secret: Option<(String, String)>,
    r: Refused,
    done: Option<&str>,
) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let all = service::list(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/integrations").await.or_page(ctx)?;
    let t = p.t;
    let page = ListPage {
        endpoints: all
            .into_iter()
            .map(|e| EndpointLine {
                events: e.events.iter().map(|x| t.webhook_event(x)).collect::<Vec<_>>().join(", "),
                status: status_words(t, &e.row.status),
                active: e.row.status == "active",
                id: e.row.id,
                url: e.row.url,
            })
            .collect(),
        events: choices(t, typed.map(|i| i.events.as_slice()).unwrap_or(&[])),
        url: typed.map(|i| i.url.clone()).unwrap_or_default(),
        secret,
        refused: r,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn list(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    list_page(&at, None, None, Refused::default(), q.done.as_deref()).await
}

pub async fn create(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let input = EndpointInput { url: form.get("url").to_string(), events: form.all("event") };
    match service::create(state, ctx, scope, input.clone()).await {
        Ok((e, secret)) => list_page(&at, None, Some((e.row.url, secret)), Refused::default(), None).await,
        Err(e) => list_page(&at, Some(&input), None, refused(ctx, e)?, None).await,
    }
}

struct AttemptLine {
    at: String,
    status: String,
    latency: String,
    excerpt: String,
}

struct MessageLine {
    id: String,
    event: String,
    when: String,
    state: String,
    attempts: Vec<AttemptLine>,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct DetailPage {
    p: PageCtx,
    id: String,
    url: String,
    status: String,
    active: bool,
    failures: i64,
    may_change: bool,
    events: Vec<Choice>,
    messages: Vec<MessageLine>,
    refused: Refused,
}

async fn detail_page(at: &OrgPage, id: &str, r: Refused, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let e = service::get(state, scope, id).await.or_page(ctx)?;
    let log = service::log(state, scope, id).await.or_page(ctx)?;
    let zone = crate::features::accounts::pages::viewer_zone(state, who).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/integrations").await.or_page(ctx)?;
    let t = p.t;
    let when = |ms: i64| t.date_time(&crate::clock::from_ms(ms).to_zoned(zone.clone()));
    let page = DetailPage {
        id: e.row.id.clone(),
        url: e.row.url.clone(),
        status: status_words(t, &e.row.status),
        active: e.row.status == "active",
        failures: e.row.failures,
        may_change: e.may_change,
        events: choices(t, &e.events),
        messages: log
            .into_iter()
            .map(|l| MessageLine {
                id: l.message.id.clone(),
                event: if l.message.event_type == "webhook.ping" {
                    t.get("webhooks.ping_event").to_string()
                } else {
                    t.webhook_event(&l.message.event_type).to_string()
                },
                when: when(l.message.occurred_at),
                state: t.webhook_state(&l.message.state).to_string(),
                attempts: l
                    .attempts
                    .iter()
                    .map(|a| AttemptLine {
                        at: when(a.at),
                        status: a.status.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
                        latency: t.fmt("webhooks.ms", &[("n", &a.latency_ms.to_string())]),
                        excerpt: a.excerpt.clone(),
                    })
                    .collect(),
            })
            .collect(),
        refused: r,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    detail_page(&at, &id, Refused::default(), q.done.as_deref()).await
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let change = EndpointChange {
        url: Some(form.get("url").to_string()),
        events: Some(form.all("event")),
        status: Some(if form.checked("active") { "active".into() } else { "disabled".into() }),
    };
    match service::update(state, ctx, scope, &id, change).await {
        Ok(_) => Ok(see_other(&format!("/integrations/webhooks/{id}?done=saved"))),
        Err(e) => detail_page(&at, &id, refused(ctx, e)?, None).await,
    }
}

pub async fn ping(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::ping(state, ctx, scope, &id).await {
        Ok(()) => Ok(see_other(&format!("/integrations/webhooks/{id}?done=ping"))),
        Err(e) => detail_page(&at, &id, refused(ctx, e)?, None).await,
    }
}

pub async fn resend(at: OrgPage, Path((id, message)): Path<(String, String)>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::resend(state, ctx, scope, &id, &message).await {
        Ok(()) => Ok(see_other(&format!("/integrations/webhooks/{id}?done=resent_message"))),
        Err(e) => detail_page(&at, &id, refused(ctx, e)?, None).await,
    }
}

pub async fn delete(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::delete(state, ctx, scope, &id).await {
        Ok(()) => Ok(see_other("/integrations/webhooks?done=webhook_deleted")),
        Err(e) => detail_page(&at, &id, refused(ctx, e)?, None).await,
    }
}
