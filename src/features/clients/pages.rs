//! Client pages (issue 13, item 4), for members holding the client list: the directory with
//! search by name, email or phone (keyset pages by name) and a form for a new client; a
//! client's page with contact details and notes (editable by who may edit clients), the
//! booking history the reader may see with visit count, frequency and no-shows, possible
//! duplicates (same address or phone) to merge, the JSON export and the erasure (GDPR), which
//! asks first. Every rule is the service's.

use super::service::{self, ClientInput, ClientRow};
use crate::features::prelude::*;
use crate::{
    features::{accounts::pages::viewer_zone, calendars::service as calendars},
    http::forms::{Refused, refused},
    http::pages::query_string,
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Deserialize;
use std::collections::HashMap;

/// Clients a page of the directory shows.
const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DirectoryQuery {
    q: String,
    after: String,
    done: Option<String>,
}

struct ClientLine {
    id: String,
    name: String,
    email: String,
    phone: String,
}

fn line(c: &ClientRow) -> ClientLine {
    ClientLine {
        id: c.id.clone(),
        name: format!("{} {}", c.first_name, c.last_name).trim().to_string(),
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
    }
}

/// The contact form as typed.
#[derive(Default)]
struct ContactValues {
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    notes: String,
}

impl ContactValues {
    fn typed(f: &FormFields) -> ContactValues {
        ContactValues {
            first_name: f.get("first_name").into(),
            last_name: f.get("last_name").into(),
            email: f.get("email").into(),
            phone: f.get("phone").into(),
            notes: f.0.iter().find(|(k, _)| k == "notes").map(|(_, v)| v.clone()).unwrap_or_default(),
        }
    }

    fn of(c: &ClientRow) -> ContactValues {
        ContactValues {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            notes: c.notes.clone(),
        }
    }

    /// The one-line fields: name, label key, value, input type.
    fn fields(&self) -> [(&'static str, &'static str, String, &'static str); 4] {
        [
            ("first_name", "field.first_name", self.first_name.clone(), "text"),
            ("last_name", "field.last_name", self.last_name.clone(), "text"),
            ("email", "field.email", self.email.clone(), "email"),
            ("phone", "clients.phone", self.phone.clone(), "tel"),
        ]
    }

    fn input(&self) -> ClientInput {
        ClientInput {
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            notes: Some(self.notes.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "clients.html")]
struct DirectoryPage {
    p: PageCtx,
    q: String,
    clients: Vec<ClientLine>,
    next: Option<String>,
    first: Option<String>,
    can_create: bool,
    f: ContactValues,
    refused: Refused,
}

async fn directory(at: &OrgPage, q: DirectoryQuery, f: Option<ContactValues>, r: Refused) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let after = if q.after.is_empty() { None } else { service::parse_cursor(&q.after).ok() };
    let rows = service::search(state, scope, &q.q, after, PAGE + 1).await.or_page(ctx)?;
    let (rows, next) = crate::http::next_page(rows, PAGE, service::cursor_of);
    let p = PageCtx::for_org(state, ctx, who, scope, "/clients").await.or_page(ctx)?;
    let link = |after: &str| format!("/clients?{}", query_string(&[("q", q.q.as_str()), ("after", after)]));
    let page = DirectoryPage {
        clients: rows.iter().map(line).collect(),
        next: next.map(|n| link(&n)),
        first: (!q.after.is_empty()).then(|| link("")),
        can_create: scope.check(Action::EditClient, Object::Org).allowed,
        f: f.unwrap_or_default(),
        refused: r,
        q: q.q,
        p: with_done(p, q.done.as_deref()),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn list(at: OrgPage, Query(q): Query<DirectoryQuery>) -> PageResult {
    directory(&at, q, None, Refused::default()).await
}

pub async fn create(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let f = ContactValues::typed(&form);
    match service::create(state, ctx, scope, f.input()).await {
        Ok(c) => Ok(see_other(&format!("/clients/{}?done=created", c.id))),
        Err(e) => directory(&at, DirectoryQuery::default(), Some(f), refused(ctx, e)?).await,
    }
}

// ---------------------------------------------------------------- one client

struct VisitLine {
    id: String,
    when: String,
    calendar: String,
    status: &'static str,
    inactive: bool,
}

#[derive(Template)]
#[template(path = "client.html")]
struct ClientPage {
    p: PageCtx,
    id: String,
    name: String,
    can_edit: bool,
    can_erase: bool,
    f: ContactValues,
    refused: Refused,
    visits: Vec<VisitLine>,
    visit_count: i64,
    no_shows: usize,
    frequency: Option<String>,
    bookings_link: String,
    duplicates: Vec<ClientLine>,
}

async fn client_page(at: &OrgPage, id: &str, f: Option<ContactValues>, r: Refused, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let d = service::detail(state, scope, id).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/clients").await.or_page(ctx)?;
    let t = p.t;
    let can_edit = service::get(state, scope, id, Action::EditClient).await.is_ok();
    let tz = viewer_zone(state, who).await.or_page(ctx)?;
    let names: HashMap<String, String> =
        calendars::list(state, scope, None).await.or_page(ctx)?.into_iter().map(|c| (c.id, c.name)).collect();
    let visits: Vec<VisitLine> = d
        .history
        .iter()
        .map(|v| {
            let z = crate::clock::from_ms(v.visit.start_at).to_zoned(tz.clone());
            VisitLine {
                id: v.visit.id.clone(),
                when: format!("{}, {}", t.long_date(z.date()), z.strftime("%H:%M")),
                calendar: names.get(&v.visit.calendar_id).cloned().unwrap_or_default(),
                status: t.booking_status(&v.visit.status),
                inactive: v.visit.status != "confirmed",
            }
        })
        .collect();
    let first_visit = d.history.iter().map(|v| v.visit.start_at).min();
    let from = first_visit.map(|ms| crate::clock::from_ms(ms).to_zoned(tz.clone()).date().to_string());
    let duplicates = service::duplicates(state, scope, &d.client).await.or_page(ctx)?;
    let page = ClientPage {
        id: d.client.id.clone(),
        name: format!("{} {}", d.client.first_name, d.client.last_name).trim().to_string(),
        can_edit,
        can_erase: can_edit && scope.check(Action::EditClient, Object::Org).allowed,
        f: f.unwrap_or_else(|| ContactValues::of(&d.client)),
        refused: r,
        no_shows: d.history.iter().filter(|v| v.visit.status == "no_show").count(),
        visit_count: d.visit_count,
        frequency: d
            .days_between_visits
            .map(|days| t.fmt("clients.every_days", &[("days", &t.number(days, if days < 10.0 { 1 } else { 0 }))])),
        bookings_link: format!(
            "/bookings?{}",
            query_string(&[("client", d.client.id.as_str()), ("from", from.as_deref().unwrap_or(""))])
        ),
        duplicates: duplicates.iter().map(line).collect(),
        visits,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    client_page(&at, &id, None, Refused::default(), q.done.as_deref()).await
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let f = ContactValues::typed(&form);
    match service::update(state, ctx, scope, &id, f.input()).await {
        Ok(_) => Ok(see_other(&format!("/clients/{id}?done=saved"))),
        Err(e) => client_page(&at, &id, Some(f), refused(ctx, e)?, None).await,
    }
}

pub async fn merge(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::merge(state, ctx, scope, &id, form.get("duplicate_id")).await {
        Ok(_) => Ok(see_other(&format!("/clients/{id}?done=merged"))),
        Err(e) => client_page(&at, &id, None, refused(ctx, e)?, None).await,
    }
}

/// Everything held about the client, as a JSON file (a data request).
pub async fn export(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let data = service::export(state, scope, &id).await.or_page(ctx)?;
    let disposition = format!("attachment; filename=\"client-{id}.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(data)).into_response())
}

/// Erasure asks first: the box saying so must be ticked.
pub async fn erase(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    if !form.checked("confirm") {
        // Who may not erase hears that first; then that the box was not ticked.
        service::may_erase(state, scope, &id).await.or_page(ctx)?;
        let t = Tr(ctx.lang);
        let r = Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: FormErrors::default(),
            error: Some(t.get("clients.erase_unconfirmed").to_string()),
        };
        return client_page(&at, &id, None, r, None).await;
    }
    match service::erase(state, ctx, scope, &id).await {
        Ok(()) => Ok(see_other("/clients?done=erased")),
        Err(e) => client_page(&at, &id, None, refused(ctx, e)?, None).await,
    }
}
