//! The one booking path. Every booking is created, moved, cancelled or marked a no-show here,
//! whoever asks: the staff page and API (`service.rs`), the public page and the manage link
//! (`public/`), and next the API keys and calendar sync. Each function runs inside the
//! caller's write transaction: it locks the calendar, re-reads what takes its time, passes
//! the proposal through the one rule (`scheduling::admission::admit`: notice, advance, hours,
//! unavailability, buffers), writes, records the audit entry and queues the notifications.
//! The database refuses a lost race on its own (exclusion constraint, triggers); that refusal
//! comes back as `Refusal::Taken` too.

use super::{notify, repo};
use crate::{
    access::Tenant,
    audit::{self, Actor, Event},
    db::Tx,
    error::AppResult,
    http::Ctx,
    scheduling::{
        admission::{self, Calendar, Limits, Proposal, Refusal},
        availability::Hours,
    },
    state::AppState,
};
use jiff::tz::TimeZone;
pub use notify::Notice;
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

/// Who makes the change: recorded as the audit actor; a member is not told of their own
/// action.
pub struct By<'a> {
    pub actor: Actor,
    pub ctx: &'a Ctx,
    pub member: Option<&'a str>,
}

/// The calendar a booking is on.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    pub calendar_id: &'a str,
    pub location_id: &'a str,
    pub zone: &'a str,
}

/// Where a write happens and who makes it: the organisation, the calendar, the actor.
pub struct At<'a> {
    pub tenant: &'a Tenant,
    pub place: Place<'a>,
    pub by: By<'a>,
}

/// Which time rules apply: the service's notice and advance (none without a service), and
/// for staff whether they lift the time rules on purpose (`override_hours`, always in their
/// audit entries); `None` for visitors, who cannot.
#[derive(Clone, Copy)]
pub struct Rules {
    pub limits: Option<Limits>,
    pub override_hours: Option<bool>,
}

/// An admitted time: whether the time rules had to be lifted for it (audited as
/// `override_hours`).
pub type Admitted = Result<bool, Refusal>;

/// A calendar's zone, hours and what takes its time around a proposal, read on one
/// connection: the write transaction (after the lock), or the pool when only explaining why a
/// time is not offered.
pub struct Around {
    pub tz: TimeZone,
    pub hours: Hours,
    taken: repo::Taken,
}

impl Around {
    pub async fn read(
        conn: &mut sqlx::AnyConnection,
        tenant: &Tenant,
        place: Place<'_>,
        p: &Proposal,
        except: Option<&str>,
    ) -> AppResult<Around> {
        let ids = [place.calendar_id.to_string()];
        let hours = repo::hours_of(&mut *conn, tenant, &ids).await?.remove(place.calendar_id).unwrap_or_default();
        // Buffers are at most a day; the repository bounds `start_at` so this stays a range scan.
        let taken = repo::taken(&mut *conn, tenant, &ids, (p.start_ms - DAY_MS, p.end_ms + DAY_MS), except)
            .await?
            .remove(place.calendar_id)
            .unwrap_or_default();
        Ok(Around { tz: TimeZone::get(place.zone).unwrap_or(TimeZone::UTC), hours, taken })
    }

    /// Judge `p` by the one rule at `now`; staff overriding on purpose get the time rules
    /// lifted, and the answer says whether that was needed.
    pub fn judge(&self, p: &Proposal, rules: Rules, now: jiff::Timestamp) -> Admitted {
        let cal = Calendar {
            tz: &self.tz,
            hours: &self.hours,
            unavailable: &self.taken.unavailable,
            bookings: &self.taken.bookings,
        };
        match admission::admit(&cal, p, rules.limits, now, false) {
            Ok(()) => Ok(false),
            Err(Refusal::Taken) => Err(Refusal::Taken),
            Err(r) if rules.override_hours != Some(true) => Err(r),
            Err(_) => admission::admit(&cal, p, rules.limits, now, true).map(|()| true),
        }
    }
}

/// Lock the calendar, then read and judge `p` inside the transaction.
pub async fn admit(
    state: &AppState,
    tx: &mut Tx,
    tenant: &Tenant,
    place: Place<'_>,
    p: &Proposal,
    rules: Rules,
    except: Option<&str>,
) -> AppResult<Admitted> {
    repo::lock_calendar(tx, state.db.backend(), place.calendar_id).await?;
    Ok(Around::read(tx, tenant, place, p, except).await?.judge(p, rules, state.now()))
}

fn proposal(span: (i64, i64), buffers: (i64, i64)) -> Proposal {
    Proposal { start_ms: span.0, end_ms: span.1, buffer_before_min: buffers.0, buffer_after_min: buffers.1 }
}

/// A raw database error: the overlap refusal becomes `Refusal::Taken`.
fn written(r: Result<(), sqlx::Error>) -> AppResult<Result<(), Refusal>> {
    match r {
        Ok(()) => Ok(Ok(())),
        Err(e) if super::service::is_overlap(&e) => Ok(Err(Refusal::Taken)),
        Err(e) => Err(e.into()),
    }
}

/// Create `row` on `place`. `audit_after` is what the audit entry records (the caller seals
/// personal values first); `override_hours` is added when the time rules were lifted.
pub async fn create(
    state: &AppState,
    tx: &mut Tx,
    at: &At<'_>,
    row: &repo::NewRow<'_>,
    rules: Rules,
    mut audit_after: Value,
    notice: Notice<'_>,
) -> AppResult<Admitted> {
    let tenant = at.tenant;
    let lifted = match admit(state, tx, tenant, at.place, &proposal(row.span, row.buffers), rules, None).await? {
        Ok(lifted) => lifted,
        Err(r) => return Ok(Err(r)),
    };
    if let Err(r) = written(repo::insert(tx, tenant, row).await)? {
        return Ok(Err(r));
    }
    if rules.override_hours.is_some()
        && let Some(o) = audit_after.as_object_mut()
    {
        o.insert("override_hours".into(), Value::Bool(lifted));
    }
    record(tx, at, row.now, ("booking.created", row.id), None, audit_after).await?;
    notify::notify(tx, state, row.now, tenant, row.id, notice, at.by.member).await?;
    Ok(Ok(lifted))
}

/// Move `booking` to `span` on its calendar, its buffers kept.
#[allow(clippy::too_many_arguments)]
pub async fn reschedule(
    state: &AppState,
    tx: &mut Tx,
    at: &At<'_>,
    booking: &Moving<'_>,
    span: (i64, i64),
    rules: Rules,
    via: Option<&str>,
    notice: Notice<'_>,
) -> AppResult<Admitted> {
    let (now, tenant) = (crate::clock::to_ms(state.now()), at.tenant);
    let p = proposal(span, booking.buffers);
    let lifted = match admit(state, tx, tenant, at.place, &p, rules, Some(booking.id)).await? {
        Ok(lifted) => lifted,
        Err(r) => return Ok(Err(r)),
    };
    if let Err(r) = written(repo::set_times(tx, tenant, booking.id, span, now).await)? {
        return Ok(Err(r));
    }
    let mut after = serde_json::json!({"start": span.0, "end": span.1});
    if rules.override_hours.is_some() {
        after["override_hours"] = Value::Bool(lifted);
    }
    if let Some(via) = via {
        after["via"] = Value::from(via);
    }
    let before = serde_json::json!({"start": booking.span.0, "end": booking.span.1});
    record(tx, at, now, ("booking.moved", booking.id), Some(before), after).await?;
    notify::notify(tx, state, now, tenant, booking.id, notice, at.by.member).await?;
    Ok(Ok(lifted))
}

/// The booking being moved or ended, as it is now.
pub struct Moving<'a> {
    pub id: &'a str,
    pub span: (i64, i64),
    pub buffers: (i64, i64),
    pub status: &'a str,
}

/// End a booking: `cancelled` (the client and the calendar's member hear of it) or `no_show`
/// (nobody is told).
pub async fn set_status(
    state: &AppState,
    tx: &mut Tx,
    at: &At<'_>,
    booking: &Moving<'_>,
    (status, via): (&'static str, Option<&str>),
) -> AppResult<()> {
    let now = crate::clock::to_ms(state.now());
    repo::set_status(tx, at.tenant, booking.id, status, now).await?;
    let mut after = serde_json::json!({"status": status});
    if let Some(via) = via {
        after["via"] = Value::from(via);
    }
    let action = if status == "cancelled" { "booking.cancelled" } else { "booking.no_show" };
    let before = serde_json::json!({"status": booking.status});
    record(tx, at, now, (action, booking.id), Some(before), after).await?;
    if status == "cancelled" {
        let notice = Notice { kind: "cancelled", manage_token: None };
        notify::notify(tx, state, now, at.tenant, booking.id, notice, at.by.member).await?;
    }
    Ok(())
}

async fn record(
    tx: &mut Tx,
    At { tenant, place, by }: &At<'_>,
    now: i64,
    (action, id): (&str, &str),
    before: Option<Value>,
    after: Value,
) -> AppResult<()> {
    let event = Event::new(action, "booking", id).at(place.location_id).before(before).after(after);
    audit::record(tx, now, Some(tenant.org_id()), &by.actor, Some(by.ctx), event).await
}
