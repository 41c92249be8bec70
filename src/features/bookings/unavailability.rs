//! Unavailability periods of a calendar (holiday, sick leave…) with a reason: listed, added,
//! removed, audited.

use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    db::new_id,
    features::calendars::service as calendars,
};
use serde_json::json;

pub use super::repo::Unavailability;

/// Periods of a calendar (holiday, sick leave), newest first; visible to whoever sees the
/// calendar.
pub async fn list_unavailability(
    state: &AppState,
    scope: &OrgScope,
    calendar_id: &str,
) -> AppResult<Vec<Unavailability>> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    super::repo::unavailability_of(state.db.pool(), scope.tenant(), &cal.id).await
}

/// A period as typed, checked: instants in range, the end after the start, a short reason.
fn period(id: String, calendar_id: &str, start: &str, end: &str, reason: &str) -> AppResult<Unavailability> {
    let parse = |f: &str, v: &str| {
        crate::types::BoundedInstant::parse(f, v).map(|t| t.ms()).map_err(|e| AppError::Validation(vec![e]))
    };
    let (s, e) = (parse("start", start)?, parse("end", end)?);
    if e <= s {
        return Err(AppError::field("end", "before-start", "The end must come after the start."));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::field("reason", "too-long", "At most 200 characters."));
    }
    Ok(Unavailability {
        id,
        calendar_id: calendar_id.to_string(),
        start_at: s,
        end_at: e,
        reason: reason.trim().to_string(),
    })
}

/// One period of a calendar the member sees.
pub async fn get_unavailability(
    state: &AppState,
    scope: &OrgScope,
    calendar_id: &str,
    id: &str,
) -> AppResult<Unavailability> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    super::repo::unavailability_one(state.db.pool(), scope.tenant(), &cal.id, id).await?.ok_or(AppError::NotFound)
}

/// Changes a period's span or reason in place (a holiday extended, sick leave cut short);
/// audited with what it was and what it is.
pub async fn update_unavailability(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    calendar_id: &str,
    id: &str,
    (start, end): (&str, &str),
    reason: &str,
) -> AppResult<Unavailability> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let u = period(id.to_string(), &cal.id, start, end, reason)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let Some(was) = super::repo::unavailability_one(&mut *tx, scope.tenant(), &cal.id, id).await? else {
        return Err(AppError::NotFound);
    };
    super::repo::update_unavailability(&mut tx, scope.tenant(), &u).await?;
    let event = Event::new("calendar.unavailability_changed", "calendar", &cal.id)
        .at(&cal.location_id)
        .before(json!({"id": id, "start": was.start_at, "end": was.end_at, "reason": was.reason}))
        .after(json!({"id": id, "start": u.start_at, "end": u.end_at, "reason": u.reason}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(u)
}

pub async fn add_unavailability(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    calendar_id: &str,
    start: &str,
    end: &str,
    reason: &str,
) -> AppResult<Unavailability> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let u = period(new_id(), &cal.id, start, end, reason)?;
    let (s, e) = (u.start_at, u.end_at);
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    super::repo::insert_unavailability(&mut tx, scope.tenant(), &u, now).await?;
    let event = Event::new("calendar.unavailability_added", "calendar", &cal.id)
        .at(&cal.location_id)
        .after(json!({"id": u.id, "start": s, "end": e, "reason": u.reason}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(u)
}

pub async fn remove_unavailability(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    calendar_id: &str,
    id: &str,
) -> AppResult<()> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if !super::repo::delete_unavailability(&mut tx, scope.tenant(), &cal.id, id).await? {
        return Err(AppError::NotFound);
    }
    let event = Event::new("calendar.unavailability_removed", "calendar", &cal.id)
        .at(&cal.location_id)
        .before(json!({"id": id}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}
