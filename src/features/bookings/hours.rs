//! Working hours of a calendar: weekly intervals and date overrides, loaded into the
//! engine's `Hours`, plus unavailability as busy time.

use crate::features::prelude::*;
use crate::{
    access::Tenant,
    audit::{self, Event},
    clock::to_ms,
    error::FieldError,
    features::calendars::service as calendars,
    scheduling::availability::Hours,
    types::{format_hhmm, parse_hhmm},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use super::unavailability::{
    Unavailability, add_unavailability, get_unavailability, list_unavailability, remove_unavailability,
    update_unavailability,
};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyInterval {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i64,
    /// "HH:MM", local time of the calendar.
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayOverride {
    /// "YYYY-MM-DD"
    pub date: String,
    /// Empty: closed that day.
    pub intervals: Vec<Interval>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    pub weekly: Vec<WeeklyInterval>,
    #[serde(default)]
    pub overrides: Vec<DayOverride>,
}

/// The engine's view of a calendar's hours.
pub async fn load(state: &AppState, tenant: &Tenant, calendar_id: &str) -> AppResult<Hours> {
    let ids = [calendar_id.to_string()];
    Ok(super::repo::hours_of(state.db.pool(), tenant, &ids).await?.remove(calendar_id).unwrap_or_default())
}

/// Unavailability periods of a calendar meeting `[from, to)`, with their reasons (the views).
pub async fn unavailability(
    state: &AppState,
    tenant: &Tenant,
    calendar_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> AppResult<Vec<super::repo::Away>> {
    let ids = [calendar_id.to_string()];
    let mut all = super::repo::unavailable_in(state.db.pool(), tenant, &ids, (from_ms, to_ms)).await?;
    Ok(all.remove(calendar_id).unwrap_or_default())
}

pub fn present(h: &Hours) -> HoursBody {
    let mut weekly = Vec::new();
    for (i, day) in h.weekly.iter().enumerate() {
        for iv in day {
            weekly.push(WeeklyInterval {
                weekday: i as i64 + 1,
                start: format_hhmm(i64::from(iv.start_min)),
                end: format_hhmm(i64::from(iv.end_min)),
            });
        }
    }
    let overrides = h
        .overrides
        .iter()
        .map(|(d, ivs)| DayOverride {
            date: d.to_string(),
            intervals: ivs
                .iter()
                .map(|iv| Interval {
                    start: format_hhmm(i64::from(iv.start_min)),
                    end: format_hhmm(i64::from(iv.end_min)),
                })
                .collect(),
        })
        .collect();
    HoursBody { weekly, overrides }
}

pub(super) fn parse_interval(field: &str, start: &str, end: &str, errors: &mut Vec<FieldError>) -> Option<(i64, i64)> {
    let s = parse_hhmm(&format!("{field}.start"), start).map_err(|e| errors.push(e)).ok()?;
    let e = parse_hhmm(&format!("{field}.end"), end).map_err(|e| errors.push(e)).ok()?;
    if s >= e {
        errors.push(FieldError::new(field, "empty-interval", "The end must come after the start."));
        return None;
    }
    Some((s, e))
}

pub(super) fn overlapping(v: &mut [(i64, i64)]) -> bool {
    v.sort_unstable();
    v.windows(2).any(|w| w[1].0 < w[0].1)
}

/// Replace the calendar's hours (its manager: own calendar, manage level, or business
/// settings of its location).
pub async fn set(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    calendar_id: &str,
    body: HoursBody,
) -> AppResult<HoursBody> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let mut errors = Vec::new();
    let mut weekly: Vec<(i64, i64, i64)> = Vec::new();
    for (i, w) in body.weekly.iter().enumerate() {
        let field = format!("weekly[{i}]");
        if !(1..=7).contains(&w.weekday) {
            errors.push(FieldError::new(&field, "invalid-weekday", "Use 1 (Monday) to 7 (Sunday)."));
            continue;
        }
        if let Some((s, e)) = parse_interval(&field, &w.start, &w.end, &mut errors) {
            weekly.push((w.weekday - 1, s, e));
        }
    }
    for wd in 0..7 {
        let mut day: Vec<(i64, i64)> = weekly.iter().filter(|w| w.0 == wd).map(|w| (w.1, w.2)).collect();
        if overlapping(&mut day) {
            errors.push(FieldError::new(
                "weekly",
                "overlapping-intervals",
                format!("Intervals overlap on weekday {}.", wd + 1),
            ));
        }
    }
    let mut overrides: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
    for (i, o) in body.overrides.iter().enumerate() {
        let field = format!("overrides[{i}]");
        let d = match crate::types::BoundedDate::parse(&field, &o.date) {
            Ok(d) => d.get(),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut ivs: Vec<(i64, i64)> = o
            .intervals
            .iter()
            .enumerate()
            .filter_map(|(j, iv)| parse_interval(&format!("{field}.intervals[{j}]"), &iv.start, &iv.end, &mut errors))
            .collect();
        if overlapping(&mut ivs) {
            errors.push(FieldError::new(&field, "overlapping-intervals", "Intervals overlap."));
        }
        overrides.push((d.to_string(), ivs));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = present(&load(state, scope.tenant(), calendar_id).await?);
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    super::repo::replace_hours(&mut tx, scope.tenant(), calendar_id, &weekly, &overrides).await?;
    let after = HoursBody { weekly: body.weekly, overrides: body.overrides };
    let event = Event::new("calendar.hours_changed", "calendar", calendar_id)
        .at(&cal.location_id)
        .before(json!(before))
        .after(json!(after));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(present(&load(state, scope.tenant(), calendar_id).await?))
}
