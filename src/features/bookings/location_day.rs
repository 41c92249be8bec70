//! A whole location's day (issue 13, item 5): one column per calendar whose bookings the
//! member may view, side by side on shared times, each column with its own hours and
//! absences: how a salon or a secretariat sees its day. New bookings start from a free cell
//! of a calendar the member may book on; moving stays on the booking's page.

use super::{
    grid::*,
    pages::items,
    repo::{self as repo},
};
use crate::features::locations::service as locations;
use crate::features::prelude::*;
use askama::Template;
use axum::extract::{Path, Query};
use jiff::{ToSpan, tz::TimeZone};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "location_day.html")]
struct LocationDayPage {
    p: PageCtx,
    loc_id: String,
    loc_name: String,
    time_zone: String,
    title: String,
    prev: String,
    next: String,
    today: String,
    grid: Grid,
    /// The grid include's: the day view of a location has no dragging.
    can_move: bool,
    mode: &'static str,
    back: String,
    empty: bool,
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    date: Option<String>,
}

pub async fn day(at: OrgPage, Path(id): Path<String>, Query(q): Query<DayQuery>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = &at;
    let loc = locations::get(state, scope, &id).await.or_page(ctx)?;
    let cals: Vec<_> = super::service::viewable_calendars(state, scope, Some(&loc.id), None)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|c| c.status != "archived")
        .collect();
    let p = PageCtx::for_org(state, ctx, who, scope, "/agenda").await.or_page(ctx)?;
    let t = p.t;
    let tz = TimeZone::get(&loc.time_zone).unwrap_or(TimeZone::UTC);
    let now_day = today(state, &tz);
    let day = parse_date(q.date.as_deref()).unwrap_or(now_day);
    // Shared times: from the earliest visible start to the latest end of the calendars.
    let from_min = cals.iter().map(|c| c.day_start_min).min().unwrap_or(8 * 60);
    let to_min = cals.iter().map(|c| c.day_end_min).max().unwrap_or(19 * 60);
    let cols: Vec<Column> = cals
        .iter()
        .enumerate()
        .map(|(i, c)| Column {
            source: i,
            calendar: Some(c.id.clone()),
            ..Column::new(c.name.clone(), day, from_min, to_min)
        })
        .collect();
    let ids: Vec<String> = cals.iter().map(|c| c.id.clone()).collect();
    let from = instant(&tz, day, 0).unwrap_or_default();
    let to = instant(&tz, day.checked_add(1.day()).unwrap_or(day), 0).unwrap_or(from + 86_400_000);
    let bookings = items(state, scope, t, (&tz, Some(&ids)), from, to).await.or_page(ctx)?;
    let mut hours = repo::hours_of(state.db.pool(), scope.tenant(), &ids).await.or_page(ctx)?;
    let mut away = repo::unavailable_in(state.db.pool(), scope.tenant(), &ids, (from, to)).await.or_page(ctx)?;
    let kept: Vec<(_, Vec<repo::Away>)> =
        ids.iter().map(|id| (hours.remove(id).unwrap_or_default(), away.remove(id).unwrap_or_default())).collect();
    let sources: Vec<Source> = kept.iter().map(|(h, a)| Source { hours: h, away: a }).collect();
    let mut grid = build_grid(t, &tz, &cols, true, &sources, &bookings);
    let bookable: Vec<bool> =
        cals.iter().map(|c| scope.check(Action::CreateBooking, Object::Calendar(c.as_ref())).allowed).collect();
    grid.link_free(|col, date, time| {
        let cal = cals.get(col).filter(|_| bookable.get(col).copied().unwrap_or(false))?;
        Some(format!("/calendars/{}/bookings/new?date={date}&time={time}", cal.id))
    });
    let page = LocationDayPage {
        loc_id: loc.id.clone(),
        loc_name: loc.name.clone(),
        time_zone: loc.time_zone.clone(),
        title: t.long_date(day),
        prev: day.checked_sub(1.day()).unwrap_or(day).to_string(),
        next: day.checked_add(1.day()).unwrap_or(day).to_string(),
        today: now_day.to_string(),
        grid,
        can_move: false,
        mode: "location",
        back: format!("/locations/{}/day?date={day}", loc.id),
        empty: cals.is_empty(),
        p,
    };
    Ok(render(&page))
}
