//! Calendar views: a calendar's week and its day (visible hours, morning and afternoon side by
//! side at the split hour), one booking's page, and creating, moving, cancelling and marking
//! no-shows from them. Every rule (rights, hours, overlaps, audit) lives in the service; these
//! handlers turn forms into service calls and bookings into a grid.
//!
//! The grid is a table of 15-minute rows in the calendar's own time zone: a booking is one cell
//! spanning its rows, a free row is a link to the booking form, a local time that does not
//! exist (the skipped hour of a spring-forward day) is no cell at all.

use super::service::{self, BookingRow, ClientInput, MAX_LENGTH_MS, NewBooking};
use crate::{
    access::{
        Identity, OrgScope,
        policy::{Action, Object},
    },
    clock::to_ms,
    error::{AppError, AppResult},
    features::{
        calendars::service::{self as calendars, CalendarRow},
        services::service as services,
    },
    http::{
        Ctx,
        pages::{
            FormErrors, FormFields, Opt, OrPage, PageCtx, PageResult, inline_error, render, render_status, safe_next,
            see_other, with_done,
        },
    },
    i18n::Tr,
    scheduling::availability::{Busy, Hours},
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use jiff::{
    ToSpan, Zoned,
    civil::{Date, DateTime, Time},
    tz::{AmbiguousOffset, TimeZone},
};
use serde::Deserialize;
use std::collections::HashMap;

/// Minutes per grid row.
const STEP: i64 = 15;

// ---------------------------------------------------------------- dates in words

fn weekday_name(t: Tr, d: Date) -> &'static str {
    t.get(&format!("wd.{}", d.weekday().to_monday_one_offset()))
}

/// "lundi 2 mars 2026" / "Monday 2 March 2026".
fn long_date(t: Tr, d: Date) -> String {
    t.fmt(
        "date.long",
        &[
            ("weekday", weekday_name(t, d)),
            ("day", &d.day().to_string()),
            ("month", t.get(&format!("month.{}", d.month()))),
            ("year", &d.year().to_string()),
        ],
    )
}

/// "lun. 2" / "Mon 2": a column heading.
fn short_date(t: Tr, d: Date) -> String {
    t.fmt(
        "date.short",
        &[
            ("weekday", t.get(&format!("wd.short.{}", d.weekday().to_monday_one_offset()))),
            ("day", &d.day().to_string()),
        ],
    )
}

use crate::types::format_hhmm as hhmm;

fn zone_of(cal: &CalendarRow) -> TimeZone {
    TimeZone::get(&cal.time_zone).unwrap_or(TimeZone::UTC)
}

fn civil(d: Date, min: i64) -> DateTime {
    let min = min.clamp(0, 1439);
    d.to_datetime(Time::constant((min / 60) as i8, (min % 60) as i8, 0, 0))
}

/// The instant of local `min` minutes after midnight on `d` (1440 = next midnight); `None` for
/// a local time the zone skips.
fn instant(tz: &TimeZone, d: Date, min: i64) -> Option<i64> {
    let (d, min) = if min >= 1440 { (d.tomorrow().ok()?, min - 1440) } else { (d, min) };
    let az = tz.to_ambiguous_zoned(civil(d, min));
    if matches!(az.offset(), AmbiguousOffset::Gap { .. }) {
        return None;
    }
    az.compatible().ok().map(|z| z.timestamp().as_millisecond())
}

fn zoned(ms: i64, tz: &TimeZone) -> Option<Zoned> {
    jiff::Timestamp::from_millisecond(ms).ok().map(|t| t.to_zoned(tz.clone()))
}

/// Minutes after local midnight of `d` at which `ms` falls, clamped to the day.
fn minute_on(ms: i64, d: Date, tz: &TimeZone) -> i64 {
    let Some(z) = zoned(ms, tz) else { return 0 };
    match z.date().cmp(&d) {
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Greater => 1440,
        std::cmp::Ordering::Equal => i64::from(z.hour()) * 60 + i64::from(z.minute()),
    }
}

fn today(state: &AppState, tz: &TimeZone) -> Date {
    jiff::Timestamp::from_millisecond(to_ms(state.now())).map(|t| t.to_zoned(tz.clone()).date()).unwrap_or_default()
}

/// A date asked in the address; anything else (out of the years we compute with included)
/// shows today.
fn parse_date(v: Option<&str>) -> Option<Date> {
    v.and_then(|s| crate::types::BoundedDate::parse("date", s).ok()).map(|d| d.get())
}

/// A local date and "HH:MM" in the calendar's zone as an RFC 3339 instant for the service;
/// a time the zone skips is refused rather than silently moved.
fn local_instant(tz: &TimeZone, date: &str, time: &str) -> AppResult<String> {
    let d = crate::types::BoundedDate::parse("date", date).map_err(|e| AppError::Validation(vec![e]))?.get();
    let min = crate::types::parse_hhmm("time", time.trim())
        .ok()
        .filter(|m| *m < 1440)
        .ok_or_else(|| AppError::field("time", "invalid-time", "Use a time such as 09:30."))?;
    let ms = instant(tz, d, min)
        .ok_or_else(|| AppError::field("time", "skipped-time", "This local time does not exist on that day."))?;
    Ok(jiff::Timestamp::from_millisecond(ms).map_err(AppError::internal)?.to_string())
}

// ---------------------------------------------------------------- the grid

/// A booking as shown in a view.
#[derive(Clone)]
struct Item {
    id: String,
    time: String,
    title: String,
    detail: String,
    no_show: bool,
}

enum Cell {
    /// A free quarter: `time` is shown on full hours; `closed` outside working hours or
    /// inside an unavailability period (still bookable by staff with an override).
    Free { date: String, time: String, label: String, show_time: bool, closed: bool },
    /// One or more bookings spanning `rows` rows.
    Bookings { rows: usize, items: Vec<Item> },
    /// A row past this column's end, or a local time the zone skips.
    Blank,
}

struct GridRow {
    /// Row heading (the time) for views whose columns share their times.
    head: Option<String>,
    cells: Vec<Cell>,
}

struct Column {
    heading: String,
    date: Date,
    from: i64,
    to: i64,
}

struct Grid {
    columns: Vec<String>,
    shared_times: bool,
    rows: Vec<GridRow>,
    /// Bookings of the period that fall outside the visible hours (listed, never hidden).
    outside: Vec<Item>,
}

struct Placed {
    col: usize,
    r0: usize,
    r1: usize,
    item: Item,
}

#[allow(clippy::too_many_arguments)]
fn build_grid(
    t: Tr,
    tz: &TimeZone,
    cols: &[Column],
    shared_times: bool,
    hours: &Hours,
    unavailable: &[Busy],
    bookings: &[(BookingRow, Item)],
) -> Grid {
    let rows_of = |c: &Column| ((c.to - c.from).max(0) + STEP - 1) / STEP;
    let n_rows = cols.iter().map(rows_of).max().unwrap_or(0) as usize;
    // Place bookings: per column, sorted by start; a booking starting inside an earlier
    // cell joins it (the cell grows), so cells never collide.
    let mut placed: Vec<Placed> = Vec::new();
    let mut outside = Vec::new();
    for (b, item) in bookings {
        let mut shown = false;
        for (ci, c) in cols.iter().enumerate() {
            let s = minute_on(b.start_at, c.date, tz).max(c.from);
            let e = minute_on(b.end_at, c.date, tz).min(c.to);
            if e <= s || minute_on(b.end_at, c.date, tz) == 0 {
                continue;
            }
            let r0 = ((s - c.from) / STEP) as usize;
            let r1 = (((e - c.from) + STEP - 1) / STEP).max(r0 as i64 + 1) as usize;
            placed.push(Placed { col: ci, r0, r1, item: item.clone() });
            shown = true;
        }
        if !shown {
            outside.push(item.clone());
        }
    }
    placed.sort_by_key(|p| (p.col, p.r0));
    let mut blocks: Vec<Vec<(usize, usize, Vec<Item>)>> = vec![Vec::new(); cols.len()];
    for p in placed {
        let col = &mut blocks[p.col];
        match col.last_mut() {
            Some((_, r1, items)) if p.r0 < *r1 => {
                *r1 = (*r1).max(p.r1);
                items.push(p.item);
            }
            _ => col.push((p.r0, p.r1, vec![p.item])),
        }
    }
    let mut rows = Vec::with_capacity(n_rows);
    for r in 0..n_rows {
        let mut cells = Vec::with_capacity(cols.len());
        for (ci, c) in cols.iter().enumerate() {
            let min = c.from + r as i64 * STEP;
            if let Some((r0, r1, items)) = blocks[ci].iter().find(|(r0, r1, _)| *r0 <= r && r < *r1) {
                if *r0 == r {
                    cells.push(Cell::Bookings { rows: r1.min(&(rows_of(c) as usize)) - r0, items: items.clone() });
                }
                continue; // covered by the cell above
            }
            if min >= c.to {
                cells.push(Cell::Blank);
                continue;
            }
            let Some(at) = instant(tz, c.date, min) else {
                cells.push(Cell::Blank);
                continue;
            };
            let end = at + STEP * 60_000;
            let working = hours
                .for_date(c.date)
                .iter()
                .any(|iv| i64::from(iv.start_min) <= min && min + STEP <= i64::from(iv.end_min));
            let away = unavailable.iter().any(|u| u.start_ms < end && at < u.end_ms);
            let time = hhmm(min);
            cells.push(Cell::Free {
                date: c.date.to_string(),
                label: t.fmt("view.new_at", &[("day", &long_date(t, c.date)), ("time", &time)]),
                show_time: min % 60 == 0 && !shared_times,
                time,
                closed: !working || away,
            });
        }
        let head = shared_times.then(|| cols.first().map(|c| hhmm(c.from + r as i64 * STEP))).flatten();
        rows.push(GridRow { head, cells });
    }
    Grid { columns: cols.iter().map(|c| c.heading.clone()).collect(), shared_times, rows, outside }
}

/// The bookings of `[from, to)` on one calendar, with who is coming (the client's name, for
/// everyone who sees the booking) and service names: three queries whatever the number of
/// bookings.
async fn items(
    state: &AppState,
    scope: &OrgScope,
    t: Tr,
    cal: &CalendarRow,
    from: i64,
    to: i64,
) -> AppResult<Vec<(BookingRow, Item)>> {
    let tz = zone_of(cal);
    let rows: Vec<BookingRow> = service::list(state, scope, Some(&cal.id), from, to)
        .await?
        .into_iter()
        .filter(|b| b.status != "cancelled")
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
            let time = match (zoned(b.start_at, &tz), zoned(b.end_at, &tz)) {
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
    can_book: bool,
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
async fn view(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    scope: &OrgScope,
    id: &str,
    mode: &'static str,
    q: ViewQuery,
) -> PageResult {
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
            .map(|d| Column { heading: short_date(t, d), date: d, from: cal.day_start_min, to: cal.day_end_min })
            .collect();
        let sunday = monday.checked_add(6.days()).unwrap_or(monday);
        let title = t.fmt("view.week_of", &[("from", &long_date(t, monday)), ("to", &long_date(t, sunday))]);
        (cols, monday, 7, title)
    } else {
        // The split hour puts morning and afternoon side by side.
        let split = cal.split_min.clamp(cal.day_start_min, cal.day_end_min);
        let mut cols =
            vec![Column { heading: t.get("view.morning").into(), date: day, from: cal.day_start_min, to: split }];
        cols.push(Column { heading: t.get("view.afternoon").into(), date: day, from: split, to: cal.day_end_min });
        cols.retain(|c| c.to > c.from);
        (cols, day, 1, long_date(t, day))
    };
    let from = instant(&tz, first, 0).unwrap_or_default();
    let last = first.checked_add((days as i64).days()).unwrap_or(first);
    let to = instant(&tz, last, 0).unwrap_or(from + days as i64 * 86_400_000);
    let bookings = items(state, scope, t, &cal, from, to).await.or_page(ctx)?;
    let hours = super::hours::load(state, &cal.id).await.or_page(ctx)?;
    let away = super::hours::unavailability(state, &cal.id, from, to).await.or_page(ctx)?;
    let grid = build_grid(t, &tz, &cols, mode == "week", &hours, &away, &bookings);
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
        can_book: scope.check(Action::CreateBooking, Object::Calendar(cal.as_ref())).allowed,
        can_move: scope.check(Action::MoveBooking, Object::Calendar(cal.as_ref())).allowed,
        back: format!("/calendars/{}/{mode}?date={day}", cal.id),
        p: with_done(p, q.done.as_deref()),
    };
    Ok(render(&page))
}

pub async fn week(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    view(&state, &ctx, &who, &scope, &id, "week", q).await
}

pub async fn day(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    view(&state, &ctx, &who, &scope, &id, "day", q).await
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
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    scope: &OrgScope,
    cal: &CalendarRow,
    status: StatusCode,
    f: NewValues,
    errors: FormErrors,
    error: Option<String>,
) -> PageResult {
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

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let cal = visible_calendar(&state, &scope, &id).await.or_page(&ctx)?;
    scope.require(Action::CreateBooking, Object::Calendar(cal.as_ref())).or_page(&ctx)?;
    let tz = zone_of(&cal);
    let f = NewValues {
        date: parse_date(q.date.as_deref()).unwrap_or_else(|| today(&state, &tz)).to_string(),
        time: q.time.filter(|t| crate::types::parse_hhmm("time", t).is_ok()).unwrap_or_else(|| hhmm(cal.day_start_min)),
        length_min: cal.default_length_min.to_string(),
        ..Default::default()
    };
    new_page(&state, &ctx, &who, &scope, &cal, StatusCode::OK, f, FormErrors::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    let cal = visible_calendar(&state, &scope, &id).await.or_page(&ctx)?;
    scope.require(Action::CreateBooking, Object::Calendar(cal.as_ref())).or_page(&ctx)?;
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
            &state,
            &ctx,
            &scope,
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
                new_page(&state, &ctx, &who, &scope, &cal, status, f, errors, error).await
            }
            None => Err(e).or_page(&ctx),
        },
    }
}

/// The refused fields in words, for the message above a form.
fn field_summary(t: Tr, errors: &FormErrors) -> String {
    let mut lines: Vec<String> = errors.others(&[]).into_iter().map(|l| l.replace("client.", "")).collect();
    lines.insert(0, t.get("error.invalid").to_string());
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
}

#[derive(Deserialize, Default)]
pub struct BookingQuery {
    done: Option<String>,
    back: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn booking_page(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    scope: &OrgScope,
    id: &str,
    status: StatusCode,
    done: Option<&str>,
    back: Option<&str>,
    refused: Option<(String, String, String)>,
) -> PageResult {
    let b = service::get(state, scope, id).await.or_page(ctx)?;
    let cal =
        calendars::find(state, scope, &b.calendar_id).await.or_page(ctx)?.ok_or(AppError::NotFound).or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let tz = zone_of(&cal);
    let (start, end) = (zoned(b.start_at, &tz), zoned(b.end_at, &tz));
    let item = items(state, scope, t, &cal, b.start_at, b.start_at + 1).await.or_page(ctx)?;
    let shown = item.into_iter().find(|(r, _)| r.id == b.id).map(|(_, i)| i);
    let date = start.as_ref().map(|s| s.date()).unwrap_or_default();
    let (error, move_date, move_time) = match refused {
        Some((e, d, tm)) => (Some(e), d, tm),
        None => (None, date.to_string(), start.as_ref().map(|s| s.strftime("%H:%M").to_string()).unwrap_or_default()),
    };
    let back = safe_next(back.or(Some(&format!("/calendars/{}/week?date={date}", cal.id))));
    let page = BookingPage {
        id: b.id.clone(),
        cal_id: cal.id.clone(),
        cal_name: cal.name.clone(),
        time_zone: cal.time_zone.clone(),
        when: long_date(t, date),
        time: match (start, end) {
            (Some(s), Some(e)) => format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M")),
            _ => String::new(),
        },
        title: shown.as_ref().map(|i| i.title.clone()).unwrap_or_else(|| t.get("view.booked").into()),
        service: shown.map(|i| i.detail).unwrap_or_default(),
        status: t.get(&format!("booking.status.{}", b.status)),
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

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    Query(q): Query<BookingQuery>,
) -> PageResult {
    booking_page(&state, &ctx, &who, &scope, &id, StatusCode::OK, q.done.as_deref(), q.back.as_deref(), None).await
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

pub async fn move_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    let b = service::get(&state, &scope, &id).await.or_page(&ctx)?;
    let cal =
        calendars::find(&state, &scope, &b.calendar_id).await.or_page(&ctx)?.ok_or(AppError::NotFound).or_page(&ctx)?;
    scope.require(Action::MoveBooking, Object::Calendar(cal.as_ref())).or_page(&ctx)?;
    let (date, time) = (form.get("date").to_string(), form.get("time").to_string());
    let result = async {
        let start = local_instant(&zone_of(&cal), &date, &time)?;
        service::reschedule(&state, &ctx, &scope, &id, &start, None, form.checked("override_hours")).await
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
                booking_page(
                    &state,
                    &ctx,
                    &who,
                    &scope,
                    &id,
                    status,
                    None,
                    back.as_deref(),
                    Some((message, date, time)),
                )
                .await
            }
            None => Err(e).or_page(&ctx),
        },
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    scope: OrgScope,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    service::cancel(&state, &ctx, &scope, &id).await.or_page(&ctx)?;
    Ok(see_other(&after(&form, &id, "cancelled")))
}

pub async fn no_show(
    State(state): State<AppState>,
    ctx: Ctx,
    scope: OrgScope,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    service::mark_no_show(&state, &ctx, &scope, &id).await.or_page(&ctx)?;
    Ok(see_other(&after(&form, &id, "no_show")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::availability::LocalInterval;

    fn row(id: &str, start: &str, end: &str) -> (BookingRow, Item) {
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let b = BookingRow {
            id: id.into(),
            location_id: "l".into(),
            calendar_id: "c".into(),
            service_id: None,
            client_id: None,
            start_at: ms(start),
            end_at: ms(end),
            status: "confirmed".into(),
            notes: String::new(),
            source: "staff".into(),
            created_at: 0,
        };
        let item = Item { id: id.into(), time: String::new(), title: id.into(), detail: String::new(), no_show: false };
        (b, item)
    }

    fn spans(g: &Grid) -> Vec<(usize, usize, Vec<String>)> {
        let mut out = Vec::new();
        for (r, row) in g.rows.iter().enumerate() {
            for c in &row.cells {
                if let Cell::Bookings { rows, items } = c {
                    out.push((r, *rows, items.iter().map(|i| i.id.clone()).collect()));
                }
            }
        }
        out
    }

    #[test]
    fn bookings_span_their_quarters_and_close_neighbours_share_a_cell() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d: Date = "2026-03-03".parse().unwrap();
        let cols = [Column { heading: "x".into(), date: d, from: 8 * 60, to: 12 * 60 }];
        let mut hours = Hours::default();
        hours.weekly[1].push(LocalInterval::new(9 * 60, 12 * 60).unwrap());
        let bookings = [
            row("a", "2026-03-03T08:00:00Z", "2026-03-03T08:30:00Z"), // 09:00–09:30 Paris
            row("b", "2026-03-03T09:00:00Z", "2026-03-03T09:10:00Z"), // 10:00–10:10
            row("c", "2026-03-03T09:10:00Z", "2026-03-03T09:40:00Z"), // 10:10–10:40, same first quarter
            row("d", "2026-03-03T13:00:00Z", "2026-03-03T14:00:00Z"), // 14:00, outside 08–12
        ];
        let g = build_grid(Tr(crate::types::Lang::En), &tz, &cols, true, &hours, &[], &bookings);
        assert_eq!(g.rows.len(), 16);
        assert_eq!(spans(&g), vec![(4, 2, vec!["a".into()]), (8, 3, vec!["b".into(), "c".into()])]);
        assert_eq!(g.outside.len(), 1);
        // Every row has exactly one cell or a covering cell: 16 rows, 2 + 3 covered rows.
        let cells: usize = g.rows.iter().map(|r| r.cells.len()).sum();
        assert_eq!(cells, 16 - (2 - 1) - (3 - 1));
        // 08:00 is outside working hours, 09:45 inside.
        assert!(matches!(&g.rows[0].cells[0], Cell::Free { closed: true, .. }));
        assert!(matches!(&g.rows[7].cells[0], Cell::Free { closed: false, .. }));
    }

    #[test]
    fn the_skipped_hour_has_no_cell_and_times_stay_local() {
        // 2026-03-29: Paris skips 02:00–03:00.
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d: Date = "2026-03-29".parse().unwrap();
        let cols = [Column { heading: "x".into(), date: d, from: 60, to: 4 * 60 }];
        let g = build_grid(Tr(crate::types::Lang::En), &tz, &cols, true, &Hours::default(), &[], &[]);
        let blanks = g.rows.iter().filter(|r| matches!(r.cells[0], Cell::Blank)).count();
        assert_eq!(blanks, 4, "02:00, 02:15, 02:30, 02:45 do not exist");
        assert_eq!(local_instant(&tz, "2026-03-29", "03:00").unwrap(), "2026-03-29T01:00:00Z");
        assert!(local_instant(&tz, "2026-03-29", "02:30").is_err());
        assert_eq!(local_instant(&tz, "2026-07-01", "09:00").unwrap(), "2026-07-01T07:00:00Z");
    }
}
