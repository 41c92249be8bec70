//! Calendar pages: the agenda drop-down (exactly the calendars the member may see) and a
//! calendar's settings (R3). Rules live in the service.

use super::service::{self, CalendarInput, CalendarRow, present};
use crate::features::prelude::*;
use crate::http::forms::refused;
use crate::{
    error::FieldError,
    features::{
        bookings::hours_pages,
        locations::{
            pages::{access_label, calendar_status_label, kind_label},
            service as locations,
        },
        services::service as services,
    },
    http::pages::{Opt, ZONES},
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};
use serde::Deserialize;

/// A calendar's facts as shown to the viewer.
struct CalendarFacts {
    id: String,
    name: String,
    location_id: String,
    location: String,
    kind: &'static str,
    access: &'static str,
    time_zone: String,
    default_length_min: i64,
    day_start: String,
    day_end: String,
    split: String,
    status: &'static str,
}

async fn facts(state: &AppState, scope: &OrgScope, t: Tr, c: &CalendarRow) -> CalendarFacts {
    let shown = present(scope, c);
    // The location is visible whenever one of its calendars is; a lookup failure only
    // leaves its name out.
    let location = locations::get(state, scope, &c.location_id).await.map(|l| l.name).unwrap_or_default();
    CalendarFacts {
        id: shown.id,
        name: shown.name,
        location_id: shown.location_id,
        location,
        kind: kind_label(t, &shown.kind),
        access: access_label(t, shown.access.as_deref()),
        time_zone: shown.time_zone,
        default_length_min: shown.default_length_min,
        day_start: shown.day_start,
        day_end: shown.day_end,
        split: shown.split,
        status: calendar_status_label(t, &shown.status),
    }
}

// ---------------------------------------------------------------- agenda

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    p: PageCtx,
    options: Vec<Opt>,
    selected_id: String,
    selected: Option<CalendarFacts>,
}

#[derive(Deserialize)]
pub struct AgendaQuery {
    calendar: Option<String>,
    /// "week" or "day": open that view of the chosen calendar (the drop-down on the views).
    view: Option<String>,
    date: Option<String>,
}

pub async fn agenda(at: OrgPage, Query(q): Query<AgendaQuery>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = &at;
    let all = service::list(state, scope, None).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let wanted = q.calendar.filter(|c| !c.is_empty());
    let chosen = match &wanted {
        // A calendar outside the list is "not found", like on the API.
        Some(id) => Some(all.iter().find(|c| &c.id == id).ok_or(crate::error::AppError::NotFound).or_page(ctx)?),
        None => all.first(),
    };
    if let (Some(c), Some(view)) = (chosen, q.view.as_deref().filter(|v| matches!(*v, "week" | "day"))) {
        let date = q.date.as_deref().filter(|d| crate::types::BoundedDate::parse("date", d).is_ok()).unwrap_or("");
        return Ok(see_other(&format!("/calendars/{}/{view}?date={date}", c.id)));
    }
    let selected = match chosen {
        Some(c) => Some(facts(state, scope, t, c).await),
        None => None,
    };
    Ok(render(&AgendaPage {
        options: all.iter().map(|c| Opt::new(&c.id, &c.name)).collect(),
        selected_id: selected.as_ref().map(|s| s.id.clone()).unwrap_or_default(),
        selected,
        p,
    }))
}

// ---------------------------------------------------------------- settings

#[derive(Default)]
struct SettingsValues {
    name: String,
    time_zone: String,
    default_length_min: String,
    day_start: String,
    day_end: String,
    split: String,
    status: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    p: PageCtx,
    c: CalendarFacts,
    f: SettingsValues,
    can_manage: bool,
    errors: FormErrors,
    error: Option<String>,
    zones: &'static [&'static str],
    /// Each weekday and its hours in words.
    hours: Vec<(String, String)>,
    /// The services of the organisation this calendar may offer: id, name, offered.
    services: Vec<(String, String, bool)>,
}

#[allow(clippy::too_many_arguments)]
async fn settings_page(
    at: &OrgPage,
    id: &str,
    done: Option<&str>,
    status: StatusCode,
    refused: Option<(SettingsValues, FormErrors, Option<String>)>,
) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let row = service::get(state, scope, id).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let c = facts(state, scope, t, &row).await;
    let hours = hours_pages::summary(state, scope, t, &row).await.or_page(ctx)?;
    let services = services::list(state, scope)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter_map(|s| {
            let offered = s.calendar_ids.contains(&row.id);
            (offered || s.status != "archived").then_some((s.id, s.name, offered))
        })
        .collect();
    let (f, errors, error) = refused.unwrap_or_else(|| {
        (
            SettingsValues {
                name: row.name.clone(),
                time_zone: row.time_zone.clone(),
                default_length_min: row.default_length_min.to_string(),
                day_start: c.day_start.clone(),
                day_end: c.day_end.clone(),
                split: c.split.clone(),
                status: row.status.clone(),
            },
            FormErrors::default(),
            None,
        )
    });
    Ok(render_status(
        status,
        &CalendarPage {
            can_manage: scope.check(Action::ManageCalendar, Object::Calendar(row.as_ref())).allowed,
            c,
            f,
            errors,
            error,
            zones: ZONES,
            hours,
            services,
            p: with_done(p, done),
        },
    ))
}

pub async fn settings(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    settings_page(&at, &id, q.done.as_deref(), StatusCode::OK, None).await
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let t = Tr(ctx.lang);
    let f = SettingsValues {
        name: form.get("name").into(),
        time_zone: form.get("time_zone").into(),
        default_length_min: form.get("default_length_min").into(),
        day_start: form.get("day_start").into(),
        day_end: form.get("day_end").into(),
        split: form.get("split").into(),
        status: form.get("status").into(),
    };
    // Reading the number is the form's job; its range is the service's.
    let length = match f.default_length_min.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            let errors = FormErrors(vec![FieldError::new(
                "default_length_min",
                "not-a-number",
                t.get("calendar.length_not_a_number"),
            )]);
            let refused = Some((f, errors, None));
            return settings_page(&at, &id, None, StatusCode::UNPROCESSABLE_ENTITY, refused).await;
        }
    };
    let input = CalendarInput {
        name: Some(f.name.clone()),
        time_zone: Some(f.time_zone.clone()),
        default_length_min: length,
        day_start: Some(f.day_start.clone()),
        day_end: Some(f.day_end.clone()),
        split: Some(f.split.clone()),
        status: Some(f.status.clone()),
        ..Default::default()
    };
    match service::update(state, ctx, scope, &id, input).await {
        Ok(_) => Ok(see_other(&format!("/calendars/{id}?done=saved"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            settings_page(&at, &id, None, r.status, Some((f, r.errors, r.error))).await
        }
    }
}
