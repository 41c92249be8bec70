//! Calendar views: a calendar's week and its day (visible hours, morning and afternoon side by
//! side at the split hour), one booking's page, and creating, moving, cancelling and marking
//! no-shows from them. Every rule (rights, hours, overlaps, audit) lives in the service; these
//! handlers turn forms into service calls and bookings into a grid.
//!
//! The grid itself, a pure function, is `grid.rs`.

use super::grid::*;
use super::service::{self, BookingRow, ClientInput, MAX_LENGTH_MS, NewBooking};
use crate::features::prelude::*;
use crate::{
    features::{
        calendars::service::{self as calendars, CalendarRow},
        services::service as services,
    },
    http::pages::{Opt, safe_next},
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};
use jiff::ToSpan;
use serde::Deserialize;
use std::collections::HashMap;

/// The bookings of `[from, to)` on the calendars `among` (all those the member sees when
/// None), with who is coming (the client's name, for everyone who sees the booking) and
/// service names, times in `tz`: three queries whatever the number of bookings.
pub(super) async fn items(
    state: &AppState,
    scope: &OrgScope,
    t: Tr,
    (tz, among): (&jiff::tz::TimeZone, Option<&[String]>),
    from: i64,
    to: i64,
) -> AppResult<Vec<(BookingRow, Item)>> {
    let one = among.filter(|a| a.len() == 1).map(|a| a[0].as_str());
    let rows: Vec<BookingRow> = service::list(state, scope, one, from, to)
        .await?
        .into_iter()
        .filter(|b| b.status != "cancelled" && among.is_none_or(|a| a.contains(&b.calendar_id)))
        .collect();
    let clients = service::clients_for(state, scope, &rows).await?;
    let names: HashMap<String, String> = if rows.iter().any(|b| b.service_id.is_some()) {
        services::list(state, scope).await?.into_iter().map(|s| (s.id, s.name)).collect()
    } else {
        HashMap::new()
    };
    Ok(rows
        .into_iter()
        .map(|b| {
            let time = match (zoned(b.start_at, tz), zoned(b.end_at, tz)) {
                (Some(s), Some(e)) => format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M")),
                _ => String::new(),
            };
            let title = match b.client_id.as_deref().and_then(|id| clients.get(id)) {
                Some(c) => format!("{} {}", c.first_name, c.last_name),
                None => t.get("view.booked").to_string(),
            };
            let detail = b.service_id.as_deref().and_then(|id| names.get(id)).cloned().unwrap_or_default();
            let item = Item { id: b.id.clone(), time, title, detail, no_show: b.status == "no_show" };
            (b, item)
        })
        .collect())
}

// ---------------------------------------------------------------- week and day

#[derive(Template)]
#[template(path = "calendar_view.html")]
struct ViewPage {
    p: PageCtx,
    cal_id: String,
    cal_name: String,
    time_zone: String,
    /// "week" or "day".
    mode: &'static str,
    title: String,
    date: String,
    prev: String,
    next: String,
    today: String,
    options: Vec<Opt>,
    grid: Grid,
    can_move: bool,
    back: String,
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    date: Option<String>,
    done: Option<String>,
}

async fn visible_calendar(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<CalendarRow> {
    let cal = calendars::get(state, scope, id).await?;
    // Seeing a calendar's name is not seeing its bookings.
    scope.require(Action::ViewBookings, Object::Calendar(cal.as_ref()))?;
    Ok(cal)
}

#[allow(clippy::too_many_arguments)]
async fn view(at: &OrgPage, id: &str, mode: &'static str, q: ViewQuery) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let cal = visible_calendar(state, scope, id).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let tz = zone_of(&cal);
    let now_day = today(state, &tz);
    let day = parse_date(q.date.as_deref()).unwrap_or(now_day);
    let (cols, first, days, title) = if mode == "week" {
        let monday = day.checked_sub((day.weekday().to_monday_zero_offset() as i64).days()).unwrap_or(day);
        let cols: Vec<Column> = (0..7)
            .filter_map(|i| monday.checked_add((i as i64).days()).ok())
            .map(|d| Column::new(short_date(t, d), d, cal.day_start_min, cal.day_end_min))
            .collect();
        let sunday = monday.checked_add(6.days()).unwrap_or(monday);
        let title = t.fmt("view.week_of", &[("from", &t.long_date(monday)), ("to", &t.long_date(sunday))]);
        (cols, monday, 7, title)
    } else {
        // The split hour puts morning and afternoon side by side.
        let split = cal.split_min.clamp(cal.day_start_min, cal.day_end_min);
        let mut cols = vec![Column::new(t.get("view.morning").into(), day, cal.day_start_min, split)];
        cols.push(Column::new(t.get("view.afternoon").into(), day, split, cal.day_end_min));
        cols.retain(|c| c.to > c.from);
        (cols, day, 1, t.long_date(day))
    };
    let from = instant(&tz, first, 0).unwrap_or_default();
    let last = first.checked_add((days as i64).days()).unwrap_or(first);
    let to = instant(&tz, last, 0).unwrap_or(from + days as i64 * 86_400_000);
    let bookings = items(state, scope, t, (&tz, Some(std::slice::from_ref(&cal.id))), from, to).await.or_page(ctx)?;
    let hours = super::hours::load(state, scope.tenant(), &cal.id).await.or_page(ctx)?;
    let away = super::hours::unavailability(state, scope.tenant(), &cal.id, from, to).await.or_page(ctx)?;
    let mut grid = build_grid(t, &tz, &cols, mode == "week", &[Source { hours: &hours, away: &away }], &bookings);
    if scope.check(Action::CreateBooking, Object::Calendar(cal.as_ref())).allowed {
        let cal_id = cal.id.clone();
        grid.link_free(|_, date, time| Some(format!("/calendars/{cal_id}/bookings/new?date={date}&time={time}")));
    }
    let step = if mode == "week" { 7 } else { 1 };
    let options = calendars::list(state, scope, None)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|c| scope.check(Action::ViewBookings, Object::Calendar(c.as_ref())).allowed)
        .map(|c| Opt::new(c.id, c.name))
        .collect();
    let page = ViewPage {
        cal_id: cal.id.clone(),
        cal_name: cal.name.clone(),
        time_zone: cal.time_zone.clone(),
        mode,
        title,
        date: day.to_string(),
        prev: day.checked_sub((step as i64).days()).unwrap_or(day).to_string(),
        next: day.checked_add((step as i64).days()).unwrap_or(day).to_string(),
        today: now_day.to_string(),
        options,
        grid,
        can_move: scope.check(Action::MoveBooking, Object::Calendar(cal.as_ref())).allowed,
        back: format!("/calendars/{}/{mode}?date={day}", cal.id),
        p: with_done(p, q.done.as_deref()),
    };
    Ok(render(&page))
}

pub async fn week(at: OrgPage, Path(id): Path<String>, Query(q): Query<ViewQuery>) -> PageResult {
    view(&at, &id, "week", q).await
}

pub async fn day(at: OrgPage, Path(id): Path<String>, Query(q): Query<ViewQuery>) -> PageResult {
    view(&at, &id, "day", q).await
}

// ---------------------------------------------------------------- new booking

#[derive(Default)]
struct NewValues {
    date: String,
    time: String,
    service_id: String,
    length_min: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    notes: String,
    override_hours: bool,
}

#[derive(Template)]
#[template(path = "booking_new.html")]
struct NewPage {
    p: PageCtx,
    cal_id: String,
    cal_name: String,
    time_zone: String,
    services: Vec<Opt>,
    f: NewValues,
    errors: FormErrors,
    error: Option<String>,
    back: String,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    date: Option<String>,
    time: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn new_page(
    at: &OrgPage,
    cal: &CalendarRow,
    status: StatusCode,
    f: NewValues,
    errors: FormErrors,
    error: Option<String>,
) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let services = services::list(state, scope)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|s| s.status == "active" && s.calendar_ids.contains(&cal.id))
        .map(|s| Opt::new(s.id, format!("{} ({} min)", s.name, s.length_min)))
        .collect();
    let back = format!("/calendars/{}/week?date={}", cal.id, f.date);
    Ok(render_status(
        status,
        &NewPage {
            cal_id: cal.id.clone(),
            cal_name: cal.name.clone(),
            time_zone: cal.time_zone.clone(),
            services,
            f,
            errors,
            error,
            back,
            p,
        },
    ))
}

pub async fn new_form(at: OrgPage, Path(id): Path<String>, Query(q): Query<NewQuery>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let cal = visible_calendar(state, scope, &id).await.or_page(ctx)?;
    scope.require(Action::CreateBooking, Object::Calendar(cal.as_ref())).or_page(ctx)?;
    let tz = zone_of(&cal);
    let f = NewValues {
        date: parse_date(q.date.as_deref()).unwrap_or_else(|| today(state, &tz)).to_string(),
        time: q.time.filter(|t| crate::types::parse_hhmm("time", t).is_ok()).unwrap_or_else(|| hhmm(cal.day_start_min)),
        length_min: cal.default_length_min.to_string(),
        ..Default::default()
    };
    new_page(&at, &cal, StatusCode::OK, f, FormErrors::default(), None).await
}

pub async fn create(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let cal = visible_calendar(state, scope, &id).await.or_page(ctx)?;
    scope.require(Action::CreateBooking, Object::Calendar(cal.as_ref())).or_page(ctx)?;
    let f = NewValues {
        date: form.get("date").into(),
        time: form.get("time").into(),
        service_id: form.get("service_id").into(),
        length_min: form.get("length_min").into(),
        first_name: form.get("first_name").into(),
        last_name: form.get("last_name").into(),
        email: form.get("email").into(),
        phone: form.get("phone").into(),
        notes: form.get("notes").into(),
        override_hours: form.checked("override_hours"),
    };
    let result = async {
        let tz = zone_of(&cal);
        let start = local_instant(&tz, &f.date, &f.time)?;
        let end = if f.service_id.is_empty() {
            let len: i64 =
                f.length_min.parse().ok().filter(|m| (5..=MAX_LENGTH_MS / 60_000).contains(m)).ok_or_else(|| {
                    AppError::field("length_min", "invalid-length", "A length in minutes, from 5 to 1440.")
                })?;
            let s: jiff::Timestamp = start.parse().map_err(AppError::internal)?;
            Some(
                jiff::Timestamp::from_millisecond(s.as_millisecond() + len * 60_000)
                    .map_err(AppError::internal)?
                    .to_string(),
            )
        } else {
            None
        };
        let client = (!f.first_name.is_empty() || !f.last_name.is_empty()).then(|| ClientInput {
            first_name: f.first_name.clone(),
            last_name: f.last_name.clone(),
            email: Some(f.email.clone()).filter(|e| !e.is_empty()),
            phone: Some(f.phone.clone()).filter(|p| !p.is_empty()),
        });
        service::create(
            state,
            ctx,
            scope,
            NewBooking {
                calendar_id: cal.id.clone(),
                service_id: Some(f.service_id.clone()).filter(|s| !s.is_empty()),
                start,
                end,
                client_id: None,
                client,
                notes: f.notes.clone(),
                override_hours: f.override_hours,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/calendars/{}/week?date={}&done=booked", cal.id, f.date))),
        Err(e) => match inline_error(Tr(ctx.lang), &e) {
            Some((status, message)) => {
                let errors = FormErrors::from_error(&e).unwrap_or_default();
                let error = Some(if errors.any() { field_summary(Tr(ctx.lang), &errors) } else { message });
                new_page(&at, &cal, status, f, errors, error).await
            }
            None => Err(e).or_page(ctx),
        },
    }
}

/// The refused fields in words, for the message above a form.
fn field_summary(t: Tr, errors: &FormErrors) -> String {
    let mut lines: Vec<String> = errors.others(&t, &[]).into_iter().map(|l| l.replace("client.", "")).collect();
    lines.insert(0, t.get("error.validation").to_string());
    lines.join(" ")
}

// ---------------------------------------------------------------- one booking

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage {
    p: PageCtx,
    id: String,
    cal_id: String,
    cal_name: String,
    time_zone: String,
    when: String,
    time: String,
    title: String,
    service: String,
    status: &'static str,
    cancelled: bool,
    notes: String,
    date: String,
    move_time: String,
    can_move: bool,
    can_cancel: bool,
    error: Option<String>,
    back: String,
    client: Option<super::history::ClientCard>,
    history: Vec<super::history::HistoryLine>,
}

#[derive(Deserialize, Default)]
pub struct BookingQuery {
    done: Option<String>,
    back: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn booking_page(
    at: &OrgPage,
    id: &str,
    status: StatusCode,
    done: Option<&str>,
    back: Option<&str>,
    refused: Option<(String, String, String)>,
) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let b = service::get(state, scope, id).await.or_page(ctx)?;
    let cal =
        calendars::find(state, scope, &b.calendar_id).await.or_page(ctx)?.ok_or(AppError::NotFound).or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let tz = zone_of(&cal);
    let (start, end) = (zoned(b.start_at, &tz), zoned(b.end_at, &tz));
    let only = std::slice::from_ref(&cal.id);
    let item = items(state, scope, t, (&tz, Some(only)), b.start_at, b.start_at + 1).await.or_page(ctx)?;
    let shown = item.into_iter().find(|(r, _)| r.id == b.id).map(|(_, i)| i);
    let date = start.as_ref().map(|s| s.date()).unwrap_or_default();
    let (error, move_date, move_time) = match refused {
        Some((e, d, tm)) => (Some(e), d, tm),
        None => (None, date.to_string(), start.as_ref().map(|s| s.strftime("%H:%M").to_string()).unwrap_or_default()),
    };
    let back = safe_next(back.or(Some(&format!("/calendars/{}/week?date={date}", cal.id))));
    let client = super::history::client_card(state, scope, b.client_id.as_deref()).await.or_page(ctx)?;
    let history = super::history::history(state, scope, t, &tz, &b.id).await.or_page(ctx)?;
    let page = BookingPage {
        client,
        history,
        id: b.id.clone(),
        cal_id: cal.id.clone(),
        cal_name: cal.name.clone(),
        time_zone: cal.time_zone.clone(),
        when: t.long_date(date),
        time: match (start, end) {
            (Some(s), Some(e)) => format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M")),
            _ => String::new(),
        },
        title: shown.as_ref().map(|i| i.title.clone()).unwrap_or_else(|| t.get("view.booked").into()),
        service: shown.map(|i| i.detail).unwrap_or_default(),
        status: t.booking_status(&b.status),
        cancelled: b.status == "cancelled",
        notes: b.notes.clone(),
        date: move_date,
        move_time,
        can_move: scope.check(Action::MoveBooking, Object::Calendar(cal.as_ref())).allowed,
        can_cancel: scope.check(Action::CancelBooking, Object::Calendar(cal.as_ref())).allowed,
        error,
        back,
        p: with_done(p, done),
    };
    Ok(render_status(status, &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<BookingQuery>) -> PageResult {
    booking_page(&at, &id, StatusCode::OK, q.done.as_deref(), q.back.as_deref(), None).await
}

/// Where to go after a change: the view the form came from (a local path only), else the
/// booking's page.
fn after(form: &FormFields, id: &str, done: &str) -> String {
    match form.opt("back") {
        Some(b) => {
            let b = safe_next(Some(&b));
            let sep = if b.contains('?') { '&' } else { '?' };
            format!("{b}{sep}done={done}")
        }
        None => format!("/bookings/{id}?done={done}"),
    }
}

pub async fn move_booking(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let b = service::get(state, scope, &id).await.or_page(ctx)?;
    let cal =
        calendars::find(state, scope, &b.calendar_id).await.or_page(ctx)?.ok_or(AppError::NotFound).or_page(ctx)?;
    scope.require(Action::MoveBooking, Object::Calendar(cal.as_ref())).or_page(ctx)?;
    let (date, time) = (form.get("date").to_string(), form.get("time").to_string());
    let result = async {
        let start = local_instant(&zone_of(&cal), &date, &time)?;
        service::reschedule(state, ctx, scope, &id, &start, None, form.checked("override_hours")).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&after(&form, &id, "moved"))),
        Err(e) => match inline_error(Tr(ctx.lang), &e) {
            Some((status, message)) => {
                let message = match &e {
                    AppError::Validation(_) => {
                        field_summary(Tr(ctx.lang), &FormErrors::from_error(&e).unwrap_or_default())
                    }
                    _ => message,
                };
                let back = form.opt("back");
                booking_page(&at, &id, status, None, back.as_deref(), Some((message, date, time))).await
            }
            None => Err(e).or_page(ctx),
        },
    }
}

pub async fn cancel(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    service::cancel(&state, &ctx, &scope, &id).await.or_page(&ctx)?;
    Ok(see_other(&after(&form, &id, "cancelled")))
}

pub async fn no_show(
    OrgRequest { state, ctx, scope }: OrgRequest,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    service::mark_no_show(&state, &ctx, &scope, &id).await.or_page(&ctx)?;
    Ok(see_other(&after(&form, &id, "no_show")))
}
