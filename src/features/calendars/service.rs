//! Calendar rules.

use super::repo;
use crate::features::prelude::*;
use crate::{
    access::{Role, holdings::Watch},
    audit::{self, Event},
    clock::to_ms,
    db::new_id,
    error::FieldError,
    features::bookings::repo::{self as bookings, CountOf},
    types::{Checks, format_hhmm, parse_hhmm},
};
use serde::Serialize;
use serde_json::json;

pub use super::repo::CalendarRow;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Calendar {
    pub id: String,
    pub location_id: String,
    /// The staff member whose own calendar it is; null for a resource.
    pub member_id: Option<String>,
    pub name: String,
    /// `staff` or `resource`.
    pub kind: String,
    pub time_zone: String,
    pub default_length_min: i64,
    /// Visible day hours in the day view, local time.
    pub day_start: String,
    pub day_end: String,
    /// The hour splitting morning from afternoon in the day view.
    pub split: String,
    /// `active` or `archived`.
    pub status: String,
    /// What the caller may do here: `view`, `book` or `manage`.
    pub access: Option<String>,
}

pub fn present(scope: &OrgScope, c: &CalendarRow) -> Calendar {
    Calendar {
        id: c.id.clone(),
        location_id: c.location_id.clone(),
        member_id: c.member_id.clone(),
        name: c.name.clone(),
        kind: c.kind.clone(),
        time_zone: c.time_zone.clone(),
        default_length_min: c.default_length_min,
        day_start: format_hhmm(c.day_start_min),
        day_end: format_hhmm(c.day_end_min),
        split: format_hhmm(c.split_min),
        status: c.status.clone(),
        access: scope.member().calendar_level(c.as_ref()).map(|(l, _)| l.as_str().to_string()),
    }
}

pub async fn find(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Option<CalendarRow>> {
    repo::get(state.db.pool(), scope.tenant(), id).await
}

/// A calendar the member may see; anything else is "not found".
pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<CalendarRow> {
    let c = find(state, scope, id).await?.ok_or(AppError::NotFound)?;
    if !scope.check(Action::ViewCalendar, Object::Calendar(c.as_ref())).allowed {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// Every calendar of the organisation, whatever the member may see (callers filter through
/// the policy), kept in the cache under the request's change sequence.
pub async fn all_cached(state: &AppState, scope: &OrgScope) -> AppResult<std::sync::Arc<Vec<CalendarRow>>> {
    state
        .cache
        .get_or_load::<crate::cache::kind::Calendars, _, _>(scope.org_id(), scope.change_seq(), "", || {
            load_all(state, scope)
        })
        .await
}

impl crate::cache::Kind for crate::cache::kind::Calendars {
    type Value = Vec<CalendarRow>;
}

async fn load_all(state: &AppState, scope: &OrgScope) -> AppResult<Vec<CalendarRow>> {
    let all = repo::list(state.db.pool(), scope.tenant(), None).await?;
    Ok(all)
}

/// Exactly the calendars the member may see (the agenda drop-down), optionally in one location.
pub async fn list(state: &AppState, scope: &OrgScope, location_id: Option<&str>) -> AppResult<Vec<CalendarRow>> {
    let all = repo::list(state.db.pool(), scope.tenant(), location_id).await?;
    Ok(all.into_iter().filter(|c| scope.check(Action::ViewCalendar, Object::Calendar(c.as_ref())).allowed).collect())
}

#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    /// Required on creation; a calendar never moves between locations.
    pub location_id: Option<String>,
    /// The staff member whose own calendar it is.
    pub member_id: Option<String>,
    pub name: Option<String>,
    /// `staff` or `resource`.
    pub kind: Option<String>,
    pub time_zone: Option<String>,
    /// Default appointment length, 15 unless set.
    pub default_length_min: Option<i64>,
    /// "HH:MM"
    pub day_start: Option<String>,
    pub day_end: Option<String>,
    pub split: Option<String>,
    /// `active` or `archived`.
    pub status: Option<String>,
}

/// Apply the settings of `input` onto `c`, collecting field errors.
fn apply(c: &mut CalendarRow, input: &CalendarInput, checks: &mut Checks) {
    checks.set_name(&mut c.name, "name", input.name.as_deref(), 120);
    checks.set_zone(&mut c.time_zone, "time_zone", input.time_zone.as_deref());
    if let Some(v) = input.default_length_min {
        if (5..=24 * 60).contains(&v) {
            c.default_length_min = v;
        } else {
            checks.push(FieldError::new("default_length_min", "out-of-range", "Between 5 and 1440 minutes."));
        }
    }
    for (field, value, target) in [
        ("day_start", &input.day_start, &mut c.day_start_min),
        ("day_end", &input.day_end, &mut c.day_end_min),
        ("split", &input.split, &mut c.split_min),
    ] {
        if let Some(v) = value
            && let Some(m) = checks.check(parse_hhmm(field, v))
        {
            *target = m;
        }
    }
    if c.day_start_min >= c.day_end_min {
        checks.push(FieldError::new("day_end", "before-start", "The day must end after it starts."));
    } else if c.split_min < c.day_start_min || c.split_min > c.day_end_min {
        checks.push(FieldError::new("split", "outside-day", "The split hour must lie within the visible hours."));
    }
    if let Some(v) = &input.status {
        match v.as_str() {
            "active" | "archived" => c.status = v.clone(),
            _ => checks.push(FieldError::new("status", "invalid-status", "Use active or archived.")),
        }
    }
}

/// The owner of a staff calendar must be a member of this organisation who can have one.
async fn check_owner(state: &AppState, scope: &OrgScope, member_id: &str) -> AppResult<()> {
    let role = crate::features::members::repo::find(state.db.pool(), scope.tenant(), member_id)
        .await?
        .map(|m| (m.role, m.status));
    match role {
        None => Err(AppError::field("member_id", "unknown-member", "No such member in this organisation.")),
        Some((_, status)) if status == "removed" => {
            Err(AppError::field("member_id", "removed-member", "This member was removed."))
        }
        Some((role, _)) if Role::parse(&role) == Some(Role::Assistant) => Err(AppError::field(
            "member_id",
            "assistant-has-no-calendar",
            "Assistants work on others' calendars and have none of their own.",
        )),
        Some(_) => Ok(()),
    }
}

pub async fn create(state: &AppState, ctx: &Ctx, scope: &OrgScope, input: CalendarInput) -> AppResult<CalendarRow> {
    let location_id = input.location_id.clone().unwrap_or_default();
    // The location must be one of this organisation's (a foreign id is just unknown).
    // A location outside what the member may see is as unknown as a missing one.
    let location = crate::features::locations::service::get(state, scope, &location_id)
        .await
        .map_err(|e| e.not_found_as_field("location_id", "unknown-location", "No such location."))?;
    scope.require(Action::CreateCalendar, Object::Location { id: &location.id })?;
    let kind = input
        .kind
        .clone()
        .unwrap_or_else(|| if input.member_id.is_some() { "staff".into() } else { "resource".into() });
    if !matches!(kind.as_str(), "staff" | "resource") {
        return Err(AppError::field("kind", "invalid-kind", "Use staff or resource."));
    }
    if let Some(m) = &input.member_id {
        check_owner(state, scope, m).await?;
    }
    let mut c = CalendarRow {
        id: new_id(),
        location_id: location.id.clone(),
        member_id: input.member_id.clone(),
        name: String::new(),
        kind,
        time_zone: location.time_zone.clone(),
        default_length_min: 15,
        day_start_min: 8 * 60,
        day_end_min: 19 * 60,
        split_min: 13 * 60,
        status: "active".into(),
    };
    let mut checks = Checks::default();
    if input.name.is_none() {
        checks.push(FieldError::new("name", "required", "This field is required."));
    }
    apply(&mut c, &input, &mut checks);
    checks.finish()?;
    insert(state, ctx, scope, &c).await?;
    Ok(c)
}

/// Insert a calendar row and audit it (also used when a staff member is created).
pub async fn insert(state: &AppState, ctx: &Ctx, scope: &OrgScope, c: &CalendarRow) -> AppResult<()> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // A calendar with an owner hands its owner "own calendar, manage": judged like a grant.
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    insert_in_tx(&mut tx, now, ctx, scope, c).await?;
    watch.judge(&mut tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn insert_in_tx(
    tx: &mut crate::db::Tx,
    now: i64,
    ctx: &Ctx,
    scope: &OrgScope,
    c: &CalendarRow,
) -> AppResult<()> {
    repo::insert(tx, scope.tenant(), c, now).await?;
    let event = Event::new("calendar.created", "calendar", &c.id).at(&c.location_id).after(snapshot(c));
    audit::org_event(tx, now, scope, ctx, event).await
}

fn snapshot(c: &CalendarRow) -> serde_json::Value {
    json!({
        "name": c.name, "location_id": c.location_id, "member_id": c.member_id, "kind": c.kind,
        "time_zone": c.time_zone, "default_length_min": c.default_length_min,
        "day_start": format_hhmm(c.day_start_min), "day_end": format_hhmm(c.day_end_min),
        "split": format_hhmm(c.split_min), "status": c.status,
    })
}

pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    input: CalendarInput,
) -> AppResult<CalendarRow> {
    let before = get(state, scope, id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(before.as_ref()))?;
    if input.location_id.as_deref().is_some_and(|l| l != before.location_id) {
        return Err(AppError::field("location_id", "immutable", "A calendar cannot move to another location."));
    }
    let mut after = before.clone();
    if let Some(m) = &input.member_id
        && Some(m) != before.member_id.as_ref()
    {
        // Re-assigning whose calendar it is is a business-settings decision.
        scope.require(Action::CreateCalendar, Object::Location { id: &before.location_id })?;
        check_owner(state, scope, m).await?;
        after.member_id = Some(m.clone());
    }
    let mut checks = Checks::default();
    apply(&mut after, &input, &mut checks);
    checks.finish()?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // Reassigning (or reopening) a calendar changes who manages it: judged like a grant.
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    repo::update(&mut tx, scope.tenant(), &after, now).await?;
    watch.judge(&mut tx, scope).await?;
    let event = Event::new("calendar.updated", "calendar", id)
        .at(&after.location_id)
        .before(snapshot(&before))
        .after(snapshot(&after));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(after)
}

/// Delete a calendar (business settings of its location). One with bookings, even
/// cancelled ones, is history that must not vanish with a click: archive it instead.
pub async fn delete(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let before = get(state, scope, id).await?;
    scope.require(Action::ManageLocation, Object::Location { id: &before.location_id })?;
    let now = to_ms(state.now());
    let has_bookings = || AppError::conflict("calendar-has-bookings", crate::error::en("error.calendar-has-bookings"));
    let mut tx = state.db.begin().await?;
    // Checked inside the write transaction; a booking written meanwhile (PostgreSQL) still
    // meets the foreign key, mapped to the same answer below.
    if bookings::count(&mut tx, scope.tenant(), CountOf::Calendar(id)).await? > 0 {
        return Err(has_bookings());
    }
    repo::delete(&mut tx, scope.tenant(), id).await.map_err(|e| crate::db::foreign_key_or(e, has_bookings()))?;
    let event = Event::new("calendar.deleted", "calendar", id).at(&before.location_id).before(snapshot(&before));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}
