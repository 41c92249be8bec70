//! The "API and integrations" page: the organisation's keys (name, start of the secret, who
//! made it, what it may do and where, until when, last use), a form to make one, and the
//! secret shown once after making or regenerating it.

use super::service::{self, KeyInput, KeyView};
use crate::features::prelude::*;
use crate::{
    access::api_key::KeyScope,
    features::{calendars::service as calendars, locations::service as locations},
    http::forms::{Refused, refused},
};
use askama::Template;
use axum::extract::{Path, Query};
use jiff::tz::TimeZone;

struct Line {
    id: String,
    name: String,
    prefix: String,
    creator: String,
    scopes: String,
    places: String,
    expires: String,
    last_used: String,
    status: String,
    live: bool,
    mine: bool,
    may_revoke: bool,
}

/// A checkbox of the form.
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "integrations.html")]
struct IntegrationsPage {
    p: PageCtx,
    keys: Vec<Line>,
    scopes: Vec<Choice>,
    locations: Vec<Choice>,
    calendars: Vec<Choice>,
    name: String,
    expires_on: String,
    /// A secret to show this once: (key name, secret).
    secret: Option<(String, String)>,
    refused: Refused,
}

fn when(t: Tr, tz: &TimeZone, ms: Option<i64>) -> String {
    ms.map(|m| t.date_time(&crate::clock::from_ms(m).to_zoned(tz.clone()))).unwrap_or_else(|| "—".into())
}

/// The page; `typed`: the form as sent when refused; `secret`: a key's name and secret, to
/// show this once.
async fn integrations_page(
    at: &OrgPage,
    typed: Option<&KeyInput>,
    secret: Option<(String, String)>,
    r: Refused,
    done: Option<&str>,
) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let keys = service::list(state, scope, None, 200).await.or_page(ctx)?;
    let locs = locations::list(state, scope).await.or_page(ctx)?;
    let cals = calendars::list(state, scope, None).await.or_page(ctx)?;
    let zone = crate::features::accounts::pages::viewer_zone(state, who).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/integrations").await.or_page(ctx)?;
    let t = p.t;
    let now = crate::clock::to_ms(state.now());
    let place_names = |k: &KeyView| {
        let mut names: Vec<String> = k
            .locations
            .iter()
            .map(|id| {
                locs.iter()
                    .find(|l| &l.id == id)
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| t.get("keys.unknown_place").into())
            })
            .collect();
        names.extend(k.calendars.iter().map(|id| {
            cals.iter()
                .find(|c| &c.id == id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| t.get("keys.unknown_place").into())
        }));
        if names.is_empty() { t.get("keys.everywhere").to_string() } else { names.join(", ") }
    };
    let lines = keys
        .iter()
        .map(|k| Line {
            id: k.row.id.clone(),
            name: k.row.name.clone(),
            prefix: k.row.prefix.clone(),
            creator: format!("{} {}", k.row.creator_first_name, k.row.creator_last_name).trim().to_string(),
            scopes: k.scopes.iter().map(|s| t.key_scope(s.as_str())).collect::<Vec<_>>().join(", "),
            places: place_names(k),
            expires: if k.row.expires_at.is_some() {
                when(t, &zone, k.row.expires_at)
            } else {
                t.get("keys.no_expiry").into()
            },
            last_used: match (&k.row.last_used_at, &k.row.last_used_ip) {
                (Some(_), ip) => format!("{} ({})", when(t, &zone, k.row.last_used_at), ip.as_deref().unwrap_or("?")),
                (None, _) => t.get("keys.never_used").into(),
            },
            status: t
                .get(if k.row.revoked_at.is_some() {
                    "keys.revoked"
                } else if k.live(now) {
                    "keys.live"
                } else {
                    "keys.expired"
                })
                .into(),
            live: k.live(now),
            mine: k.mine,
            may_revoke: k.may_revoke,
        })
        .collect();
    let asked =
        |list: &dyn Fn(&KeyInput) -> &Vec<String>, v: &str| typed.is_some_and(|i| list(i).iter().any(|x| x == v));
    let page = IntegrationsPage {
        keys: lines,
        scopes: KeyScope::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: t.key_scope(s.as_str()).into(),
                checked: asked(&|i| &i.scopes, s.as_str()),
            })
            .collect(),
        locations: locs
            .iter()
            .map(|l| Choice { value: l.id.clone(), label: l.name.clone(), checked: asked(&|i| &i.locations, &l.id) })
            .collect(),
        calendars: cals
            .iter()
            .map(|c| Choice { value: c.id.clone(), label: c.name.clone(), checked: asked(&|i| &i.calendars, &c.id) })
            .collect(),
        name: typed.map(|i| i.name.clone()).unwrap_or_default(),
        expires_on: typed.and_then(|i| i.expires_on.clone()).unwrap_or_default(),
        secret,
        refused: r,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn page(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    integrations_page(&at, None, None, Refused::default(), q.done.as_deref()).await
}

pub async fn create(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let input = KeyInput {
        name: form.get("name").to_string(),
        scopes: form.all("scope"),
        locations: form.all("location"),
        calendars: form.all("calendar"),
        expires_on: form.opt("expires_on"),
    };
    match service::create(state, ctx, scope, input.clone()).await {
        Ok((key, secret)) => integrations_page(&at, None, Some((key.row.name, secret)), Refused::default(), None).await,
        Err(e) => integrations_page(&at, Some(&input), None, refused(ctx, e)?, None).await,
    }
}

pub async fn regenerate(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::regenerate(state, ctx, scope, &id).await {
        Ok((key, secret)) => integrations_page(&at, None, Some((key.row.name, secret)), Refused::default(), None).await,
        Err(e) => integrations_page(&at, None, None, refused(ctx, e)?, None).await,
    }
}

pub async fn revoke(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::revoke(state, ctx, scope, &id).await {
        Ok(_) => Ok(see_other("/integrations?done=key_revoked")),
        Err(e) => integrations_page(&at, None, None, refused(ctx, e)?, None).await,
    }
}
