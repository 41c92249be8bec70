//! The working-hours page of a calendar (R4): a weekly editor with several intervals a day,
//! copying one day to others, and date overrides (closed, or special hours on a date). The
//! form only reads what was typed into `HoursBody`; every rule (rights, intervals, overlaps,
//! audit) is `hours::set`'s.

use super::hours::{self, DayOverride, HoursBody, Interval, WeeklyInterval};
use crate::features::prelude::*;
use crate::{
    error::FieldError,
    features::calendars::service::{self as calendars, CalendarRow},
    http::forms::refused,
};
use askama::Template;
use axum::{extract::Path, http::StatusCode};

/// Empty rows a closed day shows, to add intervals without script (an open day shows one).
const SPARE_ROWS: usize = 2;

/// One interval row of the editor, as stored or as typed.
#[derive(Clone, Default)]
struct Row {
    start: String,
    end: String,
    error: Option<String>,
}

struct Day {
    /// 1 = Monday … 7 = Sunday.
    n: i64,
    name: &'static str,
    rows: Vec<Row>,
    error: Option<String>,
}

struct OverrideLine {
    date: String,
    words: String,
    hours: String,
}

#[derive(Default)]
struct OverrideValues {
    date: String,
    closed: bool,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "hours.html")]
struct HoursPage {
    p: PageCtx,
    cal_id: String,
    cal_name: String,
    time_zone: String,
    can_manage: bool,
    days: Vec<Day>,
    overrides: Vec<OverrideLine>,
    /// Why the weekly form was refused, when it was.
    error: Option<String>,
    o: OverrideValues,
    o_errors: FormErrors,
    o_error: Option<String>,
}

/// What a refused form leaves behind: the weekly rows or the override as typed.
#[derive(Default)]
struct Refusal {
    status: Option<StatusCode>,
    days: Option<Vec<Day>>,
    error: Option<String>,
    o: Option<OverrideValues>,
    o_errors: FormErrors,
    o_error: Option<String>,
}

fn days_of(t: Tr, body: &HoursBody) -> Vec<Day> {
    (1..=7)
        .map(|n| Day {
            n,
            name: t.weekday(n as i8),
            rows: body
                .weekly
                .iter()
                .filter(|w| w.weekday == n)
                .map(|w| Row { start: w.start.clone(), end: w.end.clone(), error: None })
                .collect(),
            error: None,
        })
        .collect()
}

fn with_spares(rows: &mut Vec<Row>) {
    rows.retain(|r| !(r.start.is_empty() && r.end.is_empty() && r.error.is_none()));
    let spare = if rows.is_empty() { SPARE_ROWS } else { 1 };
    rows.extend(std::iter::repeat_n(Row::default(), spare));
}

fn hours_words(t: Tr, ivs: &[Interval]) -> String {
    if ivs.is_empty() {
        return t.get("hours.closed").to_string();
    }
    ivs.iter().map(|i| format!("{}–{}", i.start, i.end)).collect::<Vec<_>>().join(", ")
}

async fn hours_page(at: &OrgPage, id: &str, done: Option<&str>, r: Refusal) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let cal = calendars::get(state, scope, id).await.or_page(ctx)?;
    let current = hours::present(&hours::load(state, scope.tenant(), &cal.id).await.or_page(ctx)?);
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let can_manage = scope.check(Action::ManageCalendar, Object::Calendar(cal.as_ref())).allowed;
    let mut days = r.days.unwrap_or_else(|| days_of(t, &current));
    if can_manage {
        days.iter_mut().for_each(|d| with_spares(&mut d.rows));
    }
    let overrides = current
        .overrides
        .iter()
        .map(|o| OverrideLine {
            words: jiff::civil::Date::strptime("%Y-%m-%d", &o.date)
                .map(|d| t.long_date(d))
                .unwrap_or_else(|_| o.date.clone()),
            date: o.date.clone(),
            hours: hours_words(t, &o.intervals),
        })
        .collect();
    let mut o = r.o.unwrap_or_default();
    o.rows.resize(SPARE_ROWS.max(o.rows.len()), Row::default());
    let page = HoursPage {
        cal_id: cal.id.clone(),
        cal_name: cal.name.clone(),
        time_zone: cal.time_zone.clone(),
        can_manage,
        days,
        overrides,
        error: r.error,
        o,
        o_errors: r.o_errors,
        o_error: r.o_error,
        p: with_done(p, done),
    };
    Ok(render_status(r.status.unwrap_or(StatusCode::OK), &page))
}

pub async fn page(
    at: OrgPage,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> PageResult {
    hours_page(&at, &id, q.done.as_deref(), Refusal::default()).await
}

/// The typed rows of every day: `d{n}_start` / `d{n}_end` pairs in order.
fn typed_days(t: Tr, form: &FormFields) -> Vec<Day> {
    (1..=7)
        .map(|n| {
            let starts = form.0.iter().filter(|(k, _)| *k == format!("d{n}_start")).map(|(_, v)| v.trim());
            let ends = form.0.iter().filter(|(k, _)| *k == format!("d{n}_end")).map(|(_, v)| v.trim());
            let rows = starts
                .zip(ends)
                .filter(|(s, e)| !(s.is_empty() && e.is_empty()))
                .map(|(s, e)| Row { start: s.to_string(), end: e.to_string(), error: None })
                .collect();
            Day { n, name: t.weekday(n as i8), rows, error: None }
        })
        .collect()
}

/// "Copy" also saves: the days ticked under `copy_to` take the rows of `copy_from`.
fn copy_day(days: &mut [Day], form: &FormFields) {
    let Ok(from) = form.get("copy_from").parse::<i64>() else { return };
    let Some(rows) = days.iter().find(|d| d.n == from).map(|d| d.rows.clone()) else { return };
    let to: Vec<i64> = form.all("copy_to").iter().filter_map(|v| v.parse().ok()).collect();
    for d in days.iter_mut().filter(|d| d.n != from && to.contains(&d.n)) {
        d.rows = rows.clone();
    }
}

/// The weekly form: the typed week replaces the weekly hours; the overrides stay.
pub async fn save_week(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let t = Tr(ctx.lang);
    let mut days = typed_days(t, &form);
    if form.get("action") == "copy" {
        copy_day(&mut days, &form);
    }
    let current = hours::present(&hours::load(state, scope.tenant(), &id).await.or_page(ctx)?);
    // Row i of the body is (day, row) of the form, to put an error back where it was typed.
    let mut places = Vec::new();
    let mut weekly = Vec::new();
    for d in &days {
        for (j, r) in d.rows.iter().enumerate() {
            places.push((d.n, j));
            weekly.push(WeeklyInterval { weekday: d.n, start: r.start.clone(), end: r.end.clone() });
        }
    }
    let body = HoursBody { weekly, overrides: current.overrides };
    match hours::set(state, ctx, scope, &id, body).await {
        Ok(_) => Ok(see_other(&format!("/calendars/{id}/hours?done=hours"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            place_errors(t, &mut days, &places, &r.errors.0);
            let error = r.error.or_else(|| Some(t.get("error.validation").to_string()));
            let r = Refusal { status: Some(r.status), days: Some(days), error, ..Default::default() };
            hours_page(&at, &id, None, r).await
        }
    }
}

/// `weekly[i]…` errors go to their row; `weekly` (overlaps) to the day it names.
fn place_errors(t: Tr, days: &mut [Day], places: &[(i64, usize)], errors: &[FieldError]) {
    for e in errors {
        let text = t.field_message(e);
        let index = e.field.strip_prefix("weekly[").and_then(|r| r.split(']').next()).and_then(|i| i.parse().ok());
        match index.and_then(|i: usize| places.get(i)) {
            Some(&(n, j)) => {
                if let Some(row) = days.iter_mut().find(|d| d.n == n).and_then(|d| d.rows.get_mut(j)) {
                    row.error = Some(text);
                }
            }
            None => {
                // "Intervals overlap on weekday N.": said inside that day, without its number.
                let n = e.message.trim_end_matches('.').rsplit(' ').next().and_then(|w| w.parse::<i64>().ok());
                let plain = FieldError::new(&e.field, &e.code, "Intervals overlap.");
                match days.iter_mut().find(|d| Some(d.n) == n) {
                    Some(d) => d.error = Some(t.field_message(&plain)),
                    None => days[0].error = Some(text),
                }
            }
        }
    }
}

fn typed_override(form: &FormFields) -> OverrideValues {
    let starts = form.0.iter().filter(|(k, _)| k == "o_start").map(|(_, v)| v.trim());
    let ends = form.0.iter().filter(|(k, _)| k == "o_end").map(|(_, v)| v.trim());
    OverrideValues {
        date: form.get("date").to_string(),
        closed: form.get("kind") != "hours",
        rows: starts.zip(ends).map(|(s, e)| Row { start: s.to_string(), end: e.to_string(), error: None }).collect(),
    }
}

/// Adds (or replaces) the override of one date; the weekly hours and the other dates stay.
pub async fn add_override(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let t = Tr(ctx.lang);
    let o = typed_override(&form);
    let intervals: Vec<Interval> = if o.closed {
        Vec::new()
    } else {
        o.rows
            .iter()
            .filter(|r| !(r.start.is_empty() && r.end.is_empty()))
            .map(|r| Interval { start: r.start.clone(), end: r.end.clone() })
            .collect()
    };
    if !o.closed && intervals.is_empty() {
        let errors = FormErrors(vec![FieldError::new("o_hours", "required", t.get("hours.override_needs_hours"))]);
        let r = Refusal {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            o: Some(o),
            o_errors: errors,
            ..Default::default()
        };
        return hours_page(&at, &id, None, r).await;
    }
    let mut body = hours::present(&hours::load(state, scope.tenant(), &id).await.or_page(ctx)?);
    body.overrides.retain(|d| d.date != o.date);
    let index = body.overrides.len();
    body.overrides.push(DayOverride { date: o.date.clone(), intervals });
    match hours::set(state, ctx, scope, &id, body).await {
        Ok(_) => Ok(see_other(&format!("/calendars/{id}/hours?done=override"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            // The new override is the last one: its errors are the form's.
            let prefix = format!("overrides[{index}]");
            let errors = r
                .errors
                .0
                .into_iter()
                .map(|mut e| {
                    e.field = match e.field.strip_prefix(&prefix) {
                        Some("") => "date".to_string(),
                        Some(_) => "o_hours".to_string(),
                        None => e.field,
                    };
                    e
                })
                .collect();
            let r = Refusal {
                status: Some(r.status),
                o: Some(o),
                o_errors: FormErrors(errors),
                o_error: r.error,
                ..Default::default()
            };
            hours_page(&at, &id, None, r).await
        }
    }
}

pub async fn remove_override(at: OrgPage, Path((id, date)): Path<(String, String)>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let mut body = hours::present(&hours::load(state, scope.tenant(), &id).await.or_page(ctx)?);
    body.overrides.retain(|d| d.date != date);
    match hours::set(state, ctx, scope, &id, body).await {
        Ok(_) => Ok(see_other(&format!("/calendars/{id}/hours?done=override_removed"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            let r = Refusal { status: Some(r.status), error: r.error, ..Default::default() };
            hours_page(&at, &id, None, r).await
        }
    }
}

/// The calendar's hours in words, for the calendar page: "Monday 09:00–12:00, 14:00–18:00".
pub async fn summary(state: &AppState, scope: &OrgScope, t: Tr, cal: &CalendarRow) -> AppResult<Vec<(String, String)>> {
    let body = hours::present(&hours::load(state, scope.tenant(), &cal.id).await?);
    Ok(days_of(t, &body)
        .into_iter()
        .map(|d| {
            let ivs: Vec<Interval> = d.rows.into_iter().map(|r| Interval { start: r.start, end: r.end }).collect();
            (d.name.to_string(), hours_words(t, &ivs))
        })
        .collect())
}
