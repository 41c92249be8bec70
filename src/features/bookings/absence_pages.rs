//! The absences page of a calendar (holiday, sick leave, training…): the periods with their
//! reason, adding one in the calendar's local time (whole days, or from a time to a time),
//! removing one. The rules are `unavailability.rs`'s; this page turns local dates and times
//! into instants in the calendar's zone.

use super::hours;
use crate::features::prelude::*;
use crate::{error::FieldError, features::calendars::service as calendars, http::forms::refused};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};
use jiff::{ToSpan, civil::Date, civil::Time, tz::TimeZone};

struct AbsenceLine {
    id: String,
    when: String,
    reason: String,
    past: bool,
}

#[derive(Default)]
struct AbsenceValues {
    start_date: String,
    start_time: String,
    end_date: String,
    end_time: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "absences.html")]
struct AbsencesPage {
    p: PageCtx,
    cal_id: String,
    cal_name: String,
    time_zone: String,
    can_manage: bool,
    absences: Vec<AbsenceLine>,
    suggestions: [&'static str; 4],
    f: AbsenceValues,
    /// The period being changed in place (its id); `None`: the form adds one.
    editing: Option<String>,
    errors: FormErrors,
    error: Option<String>,
}

/// "jeudi 4 décembre 2026, 09:00 – vendredi 5 décembre 2026, 18:00", whole days without
/// their midnights.
fn period_words(t: Tr, tz: &TimeZone, start: i64, end: i64) -> String {
    let at = |ms: i64| crate::clock::from_ms(ms).to_zoned(tz.clone());
    let (s, e) = (at(start), at(end));
    let midnight = |z: &jiff::Zoned| z.time() == Time::midnight();
    if midnight(&s) && midnight(&e) {
        let last = e.date().yesterday().unwrap_or(e.date());
        return if last <= s.date() {
            t.long_date(s.date())
        } else {
            t.fmt("absences.days", &[("from", &t.long_date(s.date())), ("to", &t.long_date(last))])
        };
    }
    let time = |z: &jiff::Zoned| z.strftime("%H:%M").to_string();
    if s.date() == e.date() {
        return t.fmt("absences.same_day", &[("day", &t.long_date(s.date())), ("from", &time(&s)), ("to", &time(&e))]);
    }
    t.fmt(
        "absences.span",
        &[
            ("from", &format!("{}, {}", t.long_date(s.date()), time(&s))),
            ("to", &format!("{}, {}", t.long_date(e.date()), time(&e))),
        ],
    )
}

/// The page, with the form as typed when it was refused (`None`: today's date, empty; or
/// the period being edited as it is).
type Typed = (StatusCode, Option<AbsenceValues>, FormErrors, Option<String>);

/// A period as the form shows it: local dates, times left empty at midnight (a whole day;
/// an end at midnight is the end of the day before).
fn typed_values(tz: &TimeZone, u: &hours::Unavailability) -> AbsenceValues {
    let at = |ms: i64| crate::clock::from_ms(ms).to_zoned(tz.clone());
    let (s, e) = (at(u.start_at), at(u.end_at));
    let time = |z: &jiff::Zoned| {
        if z.time() == Time::midnight() { String::new() } else { z.strftime("%H:%M").to_string() }
    };
    let end_date = if e.time() == Time::midnight() { e.date().yesterday().unwrap_or(e.date()) } else { e.date() };
    AbsenceValues {
        start_date: s.date().to_string(),
        start_time: time(&s),
        end_date: end_date.to_string(),
        end_time: time(&e),
        reason: u.reason.clone(),
    }
}

async fn absences_page(at: &OrgPage, id: &str, editing: Option<&str>, done: Option<&str>, r: Typed) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let (status, f, errors, error) = r;
    let cal = calendars::get(state, scope, id).await.or_page(ctx)?;
    let list = hours::list_unavailability(state, scope, &cal.id).await.or_page(ctx)?;
    let tz = TimeZone::get(&cal.time_zone).unwrap_or(TimeZone::UTC);
    let f = match (f, editing) {
        (Some(f), _) => f,
        (None, Some(a)) => typed_values(&tz, &hours::get_unavailability(state, scope, &cal.id, a).await.or_page(ctx)?),
        (None, None) => {
            let today = state.now().to_zoned(tz.clone()).date().to_string();
            AbsenceValues { start_date: today.clone(), end_date: today, ..Default::default() }
        }
    };
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let now = crate::clock::to_ms(state.now());
    let page = AbsencesPage {
        cal_id: cal.id.clone(),
        cal_name: cal.name.clone(),
        time_zone: cal.time_zone.clone(),
        can_manage: scope.check(Action::ManageCalendar, Object::Calendar(cal.as_ref())).allowed,
        absences: list
            .into_iter()
            .map(|u| AbsenceLine {
                when: period_words(t, &tz, u.start_at, u.end_at),
                past: u.end_at <= now,
                reason: u.reason,
                id: u.id,
            })
            .collect(),
        suggestions: [
            "absences.reason.holiday",
            "absences.reason.sick",
            "absences.reason.training",
            "absences.reason.other",
        ]
        .map(|k| t.get(k)),
        f,
        editing: editing.map(str::to_string),
        errors,
        error,
        p: with_done(p, done),
    };
    Ok(render_status(status, &page))
}

pub async fn page(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    absences_page(&at, &id, None, q.done.as_deref(), (StatusCode::OK, None, FormErrors::default(), None)).await
}

/// The page with one period's form filled in, to change it in place.
pub async fn edit(at: OrgPage, Path((id, absence)): Path<(String, String)>) -> PageResult {
    let typed = (StatusCode::OK, None, FormErrors::default(), None);
    absences_page(&at, &id, Some(&absence), None, typed).await
}

/// A local date and optional time in `tz`, as an instant; an empty end time is the end of
/// that day.
fn instant(t: Tr, tz: &TimeZone, field: &str, date: &str, time: &str, end: bool) -> Result<i64, FieldError> {
    let d = crate::types::BoundedDate::parse(field, date)
        .map_err(|_| FieldError::new(field, "invalid-date", t.get("absences.bad_date")))?
        .get();
    let (d, tm): (Date, Time) = if time.is_empty() {
        if end { (d.checked_add(1.day()).unwrap_or(d), Time::midnight()) } else { (d, Time::midnight()) }
    } else {
        let tm = Time::strptime("%H:%M", time).map_err(|_| {
            FieldError::new(&format!("{field}_time"), "invalid-time", "Use the form HH:MM, such as 08:30.")
        })?;
        (d, tm)
    };
    d.to_datetime(tm)
        .to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| FieldError::new(field, "invalid-date", t.get("absences.bad_date")))
}

pub async fn add(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    save(at, &id, None, form).await
}

pub async fn update(at: OrgPage, Path((id, absence)): Path<(String, String)>, form: FormFields) -> PageResult {
    save(at, &id, Some(&absence), form).await
}

/// Adds a period, or changes `editing` in place, from the form's local dates and times.
async fn save(at: OrgPage, id: &str, editing: Option<&str>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let t = Tr(ctx.lang);
    let f = AbsenceValues {
        start_date: form.get("start_date").into(),
        start_time: form.get("start_time").into(),
        end_date: form.get("end_date").into(),
        end_time: form.get("end_time").into(),
        reason: form.get("reason").into(),
    };
    let refuse = |status, f, errors, error| -> Typed { (status, Some(f), errors, error) };
    let cal = calendars::get(state, scope, id).await.or_page(ctx)?;
    let tz = TimeZone::get(&cal.time_zone).unwrap_or(TimeZone::UTC);
    let start = instant(t, &tz, "start_date", &f.start_date, &f.start_time, false);
    let end = instant(t, &tz, "end_date", &f.end_date, &f.end_time, true);
    let (start, end) = match (start, end) {
        (Ok(s), Ok(e)) => (s, e),
        (s, e) => {
            let errors = FormErrors([s.err(), e.err()].into_iter().flatten().collect());
            let r = refuse(StatusCode::UNPROCESSABLE_ENTITY, f, errors, None);
            return absences_page(&at, id, editing, None, r).await;
        }
    };
    let iso = |ms: i64| crate::clock::from_ms(ms).to_string();
    let (start, end) = (iso(start), iso(end));
    let saved = match editing {
        None => hours::add_unavailability(state, ctx, scope, id, &start, &end, &f.reason).await.map(|_| "absence"),
        Some(a) => hours::update_unavailability(state, ctx, scope, id, a, (&start, &end), &f.reason)
            .await
            .map(|_| "absence_changed"),
    };
    match saved {
        Ok(done) => Ok(see_other(&format!("/calendars/{id}/absences?done={done}"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            let errors = r
                .errors
                .0
                .into_iter()
                .map(|mut e| {
                    e.field = match e.field.as_str() {
                        "start" => "start_date".into(),
                        "end" => "end_date".into(),
                        _ => e.field,
                    };
                    e
                })
                .collect();
            absences_page(&at, id, editing, None, refuse(r.status, f, FormErrors(errors), r.error)).await
        }
    }
}

pub async fn remove(at: OrgPage, Path((id, absence)): Path<(String, String)>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match hours::remove_unavailability(state, ctx, scope, &id, &absence).await {
        Ok(()) => Ok(see_other(&format!("/calendars/{id}/absences?done=absence_removed"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            absences_page(&at, &id, None, None, (r.status, None, FormErrors::default(), r.error)).await
        }
    }
}
