//! Location pages: the visible locations, creating one, a location's settings and its
//! calendars (with the form for a new calendar). Rules live in the services.

use super::service::{self, Location, LocationInput};
use crate::features::prelude::*;
use crate::http::forms::{Refused, refused};
use crate::{
    access::Role,
    features::{
        calendars::service::{self as calendars, CalendarInput},
        members::service as members,
    },
    http::pages::{Opt, ZONES},
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};

pub(crate) fn location_status_label(t: Tr, status: &str) -> &'static str {
    match status {
        "archived" => t.get("location.status.archived"),
        _ => t.get("location.status.open"),
    }
}

pub(crate) fn calendar_status_label(t: Tr, status: &str) -> &'static str {
    match status {
        "archived" => t.get("calendar.status.archived"),
        _ => t.get("calendar.status.active"),
    }
}

pub(crate) fn kind_label(t: Tr, kind: &str) -> &'static str {
    match kind {
        "resource" => t.get("calendar.kind.resource"),
        _ => t.get("calendar.kind.staff"),
    }
}

pub(crate) fn access_label(t: Tr, access: Option<&str>) -> &'static str {
    match access {
        Some(l @ ("view" | "book" | "manage")) => t.level(l),
        _ => "—",
    }
}

// ---------------------------------------------------------------- list and create

struct LocationLine {
    id: String,
    name: String,
    slug: String,
    time_zone: String,
    status: &'static str,
}

#[derive(Default)]
struct LocationValues {
    name: String,
    slug: String,
    time_zone: String,
    address: String,
    status: String,
}

impl From<&Location> for LocationValues {
    fn from(l: &Location) -> Self {
        LocationValues {
            name: l.name.clone(),
            slug: l.slug.clone(),
            time_zone: l.time_zone.clone(),
            address: l.address.clone(),
            status: l.status.clone(),
        }
    }
}

impl LocationValues {
    fn from_form(f: &FormFields) -> Self {
        LocationValues {
            name: f.get("name").into(),
            slug: f.get("slug").into(),
            time_zone: f.get("time_zone").into(),
            address: f.get("address").into(),
            status: f.get("status").into(),
        }
    }
}

#[derive(Template)]
#[template(path = "locations.html")]
struct LocationsPage {
    p: PageCtx,
    locations: Vec<LocationLine>,
    can_create: bool,
    errors: FormErrors,
    error: Option<String>,
    f: LocationValues,
    zones: &'static [&'static str],
}

/// The list with the creation form: `f` as typed, and why it was refused if it was.
async fn list_page(at: &OrgPage, f: LocationValues, r: Refused, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let Refused { status, errors, error } = r;
    let locations = service::list(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/locations").await.or_page(ctx)?;
    let t = p.t;
    Ok(render_status(
        status,
        &LocationsPage {
            locations: locations
                .into_iter()
                .map(|l| LocationLine {
                    status: location_status_label(t, &l.status),
                    id: l.id,
                    name: l.name,
                    slug: l.slug,
                    time_zone: l.time_zone,
                })
                .collect(),
            can_create: scope.check(Action::CreateLocation, Object::Org).allowed,
            errors,
            error,
            f,
            zones: ZONES,
            p: with_done(p, done),
        },
    ))
}

pub async fn list(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    let OrgPage { state, .. } = &at;
    // A new location starts in the organisation's zone.
    let zone = crate::features::orgs::service::settings(state, &at.scope).await.or_page(&at.ctx)?.time_zone;
    let f = LocationValues { time_zone: zone, ..Default::default() };
    list_page(&at, f, Refused::default(), q.done.as_deref()).await
}

pub async fn create(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let f = LocationValues::from_form(&form);
    let input = LocationInput {
        name: Some(f.name.clone()),
        slug: form.opt("slug"),
        time_zone: form.opt("time_zone"),
        address: Some(f.address.clone()),
        status: None,
    };
    match service::create(state, ctx, scope, input).await {
        Ok(l) => Ok(see_other(&format!("/locations/{}?done=created", l.id))),
        Err(e) => list_page(&at, f, refused(ctx, e)?, None).await,
    }
}

// ---------------------------------------------------------------- one location

struct CalendarLine {
    id: String,
    name: String,
    kind: &'static str,
    status: &'static str,
    access: &'static str,
}

#[derive(Default)]
struct CalendarValues {
    name: String,
    kind: String,
    member_id: String,
}

#[derive(Template)]
#[template(path = "location.html")]
struct LocationPage {
    p: PageCtx,
    id: String,
    title: String,
    /// The booking page's full address, to share.
    public_path: String,
    f: LocationValues,
    can_manage: bool,
    can_delete: bool,
    can_create_calendar: bool,
    calendars: Vec<CalendarLine>,
    members: Vec<Opt>,
    errors: FormErrors,
    error: Option<String>,
    cal_errors: FormErrors,
    cal_error: Option<String>,
    c: CalendarValues,
    zones: &'static [&'static str],
}

/// What a refused form on the location page leaves behind.
#[derive(Default)]
struct Refusal {
    status: Option<StatusCode>,
    f: Option<LocationValues>,
    errors: FormErrors,
    error: Option<String>,
    c: Option<CalendarValues>,
    cal_errors: FormErrors,
    cal_error: Option<String>,
}

async fn location_page(at: &OrgPage, id: &str, done: Option<&str>, r: Refusal) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let loc = service::get(state, scope, id).await.or_page(ctx)?;
    let cals = calendars::list(state, scope, Some(&loc.id)).await.or_page(ctx)?;
    let can_create_calendar = scope.check(Action::CreateCalendar, Object::Location { id: &loc.id }).allowed;
    // The owner picker needs the member list; without user management a calendar is
    // created as a resource (or the owner chosen later by someone who may).
    let members = if can_create_calendar {
        members::list(state, scope)
            .await
            .map(|rows| {
                rows.into_iter()
                    .filter(|m| m.status != "removed" && m.role() != Role::Assistant)
                    .map(|m| {
                        let name = format!("{} {}", m.first_name, m.last_name).trim().to_string();
                        Opt::new(m.id, if name.is_empty() { m.email } else { name })
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let p = PageCtx::for_org(state, ctx, who, scope, "/locations").await.or_page(ctx)?;
    let t = p.t;
    let page = LocationPage {
        id: loc.id.clone(),
        title: loc.name.clone(),
        public_path: format!("{}/book/{}", state.config.base_url, loc.slug),
        f: r.f.unwrap_or_else(|| LocationValues::from(&loc)),
        can_manage: scope.check(Action::ManageLocation, Object::Location { id: &loc.id }).allowed,
        can_delete: scope.check(Action::DeleteLocation, Object::Location { id: &loc.id }).allowed,
        can_create_calendar,
        calendars: cals
            .iter()
            .map(|c| CalendarLine {
                id: c.id.clone(),
                name: c.name.clone(),
                kind: kind_label(t, &c.kind),
                status: calendar_status_label(t, &c.status),
                access: access_label(t, calendars::present(scope, c).access.as_deref()),
            })
            .collect(),
        members,
        errors: r.errors,
        error: r.error,
        cal_errors: r.cal_errors,
        cal_error: r.cal_error,
        c: r.c.unwrap_or(CalendarValues { kind: "staff".into(), ..Default::default() }),
        zones: ZONES,
        p: with_done(p, done),
    };
    Ok(render_status(r.status.unwrap_or(StatusCode::OK), &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    location_page(&at, &id, q.done.as_deref(), Refusal::default()).await
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let f = LocationValues::from_form(&form);
    let input = LocationInput {
        name: Some(f.name.clone()),
        slug: Some(f.slug.clone()),
        time_zone: Some(f.time_zone.clone()),
        address: Some(f.address.clone()),
        status: Some(f.status.clone()),
    };
    match service::update(state, ctx, scope, &id, input).await {
        Ok(_) => Ok(see_other(&format!("/locations/{id}?done=saved"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            let r =
                Refusal { status: Some(r.status), f: Some(f), errors: r.errors, error: r.error, ..Default::default() };
            location_page(&at, &id, None, r).await
        }
    }
}

pub async fn delete(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::delete(state, ctx, scope, &id).await {
        Ok(()) => Ok(see_other("/locations?done=deleted")),
        Err(e @ (AppError::Conflict { .. } | AppError::Forbidden { .. })) => {
            let (status, message) = inline_error(Tr(ctx.lang), &e).unwrap_or((e.status(), String::new()));
            let r = Refusal { status: Some(status), error: Some(message), ..Default::default() };
            location_page(&at, &id, None, r).await
        }
        Err(e) => Err(e).or_page(ctx),
    }
}

pub async fn create_calendar(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let c = CalendarValues {
        name: form.get("name").into(),
        kind: form.get("kind").into(),
        member_id: form.get("member_id").into(),
    };
    let input = CalendarInput {
        location_id: Some(id.clone()),
        member_id: form.opt("member_id"),
        name: Some(c.name.clone()),
        kind: form.opt("kind"),
        ..Default::default()
    };
    match calendars::create(state, ctx, scope, input).await {
        Ok(cal) => Ok(see_other(&format!("/calendars/{}?done=calendar", cal.id))),
        Err(e) => {
            let r = refused(ctx, e)?;
            let r = Refusal {
                status: Some(r.status),
                c: Some(c),
                cal_errors: r.errors,
                cal_error: r.error,
                ..Default::default()
            };
            location_page(&at, &id, None, r).await
        }
    }
}
