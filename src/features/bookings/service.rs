//! Booking rules. The overlap guarantee lives in the database; this code maps a refusal to
//! `409 slot-taken` naming the clashing booking's time.

use super::{repo, write};
use crate::features::prelude::*;
use crate::{
    clock::to_ms,
    db::new_id,
    features::{
        calendars::service::{self as calendars, CalendarRow},
        services::service::rule_of,
    },
    scheduling::admission::{Limits, Refusal},
    types::{Email, Name, Phone},
};

use jiff::{Timestamp, tz::TimeZone};
pub use repo::{BookingRow, COLUMNS, MAX_LENGTH_MS};
use serde_json::json;
use std::collections::HashMap;

/// Is this database error the overlap refusal (exclusion constraint or trigger)?
pub fn is_overlap(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23P01") || db.message().contains("bookings_no_overlap")
        }
        _ => false,
    }
}

/// A refused staff booking or move, by reason: the time rules as field errors on `start`
/// (staff may override them explicitly), another booking or its buffers as `409 slot-taken`
/// naming the clashing booking's time in the calendar's zone.
async fn refused(
    state: &AppState,
    scope: &OrgScope,
    cal: &CalendarRow,
    span: (i64, i64),
    except: Option<&str>,
    r: Refusal,
) -> AppError {
    let message = match r {
        Refusal::TooSoon => "Sooner than this service's minimum notice (staff may override explicitly).",
        Refusal::TooFar => "Further ahead than this service's maximum advance (staff may override explicitly).",
        Refusal::OutsideHours => "Outside the calendar's working hours (staff may override explicitly).",
        Refusal::Unavailable => "Inside an unavailability period of the calendar (staff may override explicitly).",
        Refusal::Taken => {
            let clash = repo::clash(state.db.pool(), scope.tenant(), &cal.id, span, except).await.unwrap_or_else(|e| {
                // The refusal stands; only its detail is lost.
                tracing::warn!(error = %e, "could not look up the clashing booking");
                None
            });
            return slot_taken(&cal.time_zone, clash);
        }
    };
    AppError::field("start", r.code(), message)
}

/// `409 slot-taken`, naming the clashing booking's time in the calendar's `zone` when known.
fn slot_taken(zone: &str, clash: Option<(i64, i64)>) -> AppError {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let fmt = |ms: i64| {
        Timestamp::from_millisecond(ms)
            .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string())
            .unwrap_or_default()
    };
    match clash {
        Some((s, e)) => {
            AppError::conflict("slot-taken", format!("This time clashes with a booking from {} to {}.", fmt(s), fmt(e)))
        }
        None => AppError::conflict("slot-taken", "This time meets another booking or the buffer time around it."),
    }
}

/// Epoch milliseconds of an instant from a request, inside the years we compute with (a
/// start at the end of year 9999 has no end).
fn parse_instant(field: &str, v: &str) -> AppResult<i64> {
    crate::types::BoundedInstant::parse(field, v).map(|t| t.ms()).map_err(|e| AppError::Validation(vec![e]))
}

/// A write on `cal` by the scope's member.
fn by_staff<'a>(scope: &'a OrgScope, ctx: &'a Ctx, cal: &'a CalendarRow) -> write::At<'a> {
    let by = write::By { actor: scope.actor(), ctx, member: Some(scope.membership_id()) };
    let place = write::Place { calendar_id: &cal.id, location_id: &cal.location_id, zone: &cal.time_zone };
    write::At { tenant: scope.tenant(), place, by }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub calendar_id: String,
    /// The service booked: its length and buffers apply, and the calendar must offer it.
    pub service_id: Option<String>,
    /// RFC 3339 instant.
    pub start: String,
    /// RFC 3339 instant; the calendar's default length when absent.
    pub end: Option<String>,
    /// An existing client of this organisation…
    pub client_id: Option<String>,
    /// …or a new one.
    pub client: Option<ClientInput>,
    #[serde(default)]
    pub notes: String,
    /// Book outside working hours or inside an unavailability period on purpose (audited).
    #[serde(default)]
    pub override_hours: bool,
}

/// A booking's client is one the member may see in the client list; anyone else (another
/// organisation's, one outside their scope, any client for someone without the client-list
/// right) is as unknown as a missing one. New clients come from the booking's own details.
async fn find_client(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<bool> {
    match crate::features::clients::service::get(state, scope, id, Action::ViewClient).await {
        Ok(c) => Ok(c.erased_at.is_none()),
        Err(AppError::NotFound | AppError::Forbidden { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn create(state: &AppState, ctx: &Ctx, scope: &OrgScope, input: NewBooking) -> AppResult<BookingRow> {
    let cal = calendars::get(state, scope, &input.calendar_id)
        .await
        .map_err(|e| e.not_found_as_field("calendar_id", "unknown-calendar", "No such calendar."))?;
    scope.require(Action::CreateBooking, Object::Calendar(cal.as_ref()))?;
    if cal.status != "active" {
        return Err(AppError::conflict("calendar-archived", "This calendar is archived."));
    }
    let service = match &input.service_id {
        Some(id) => {
            let s = crate::features::services::service::get(state, scope, id)
                .await
                .map_err(|e| e.not_found_as_field("service_id", "unknown-service", "No such service."))?;
            if !s.calendar_ids.contains(&cal.id) || s.status != "active" {
                return Err(AppError::field(
                    "service_id",
                    "service-not-offered",
                    "This calendar does not offer this service.",
                ));
            }
            Some(s)
        }
        None => None,
    };
    let start = parse_instant("start", &input.start)?;
    let end = match (&input.end, &service) {
        (Some(e), _) => parse_instant("end", e)?,
        (None, Some(s)) => start + s.length_min * 60_000,
        (None, None) => start + cal.default_length_min * 60_000,
    };
    let (buffer_before, buffer_after) =
        service.as_ref().map(|s| (s.buffer_before_min, s.buffer_after_min)).unwrap_or((0, 0));
    if end <= start || end - start > MAX_LENGTH_MS {
        return Err(AppError::field("end", "invalid-length", "A booking lasts more than zero and at most 24 hours."));
    }
    if let Some(id) = &input.client_id
        && !find_client(state, scope, id).await?
    {
        return Err(AppError::field("client_id", "unknown-client", "No such client."));
    }
    let new_client = match &input.client {
        Some(c) => {
            let mut errors = Vec::new();
            let first = Name::parse("client.first_name", &c.first_name, 100).map_err(|e| errors.push(e)).ok();
            let last = Name::parse("client.last_name", &c.last_name, 100).map_err(|e| errors.push(e)).ok();
            let email = match c.email.as_deref().filter(|e| !e.trim().is_empty()) {
                Some(e) => Email::parse("client.email", e).map_err(|e| errors.push(e)).ok(),
                None => None,
            };
            let phone = match c.phone.as_deref().filter(|p| !p.trim().is_empty()) {
                Some(p) => Phone::parse_field_in("client.phone", p, Phone::country_of_zone(&cal.time_zone))
                    .map(String::from)
                    .map_err(|e| errors.push(e))
                    .ok(),
                None => None,
            };
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            Some((first, last, email, phone))
        }
        None => None,
    };
    let now = to_ms(state.now());
    let id = new_id();
    // A client booked by staff gets the same manage link as one who booked online.
    let manage_token = (input.client_id.is_some() || new_client.is_some()).then(crate::crypto::new_token);
    let mut tx = state.db.begin().await?;
    let known = match &new_client {
        Some((_, _, email, phone)) => {
            let email = email.as_ref().map(|e| e.as_str());
            crate::features::clients::service::known(&mut tx, scope, email, phone.as_deref()).await?
        }
        None => None,
    };
    let client_id = match new_client {
        // A client already known by address or phone: this booking is theirs too.
        Some(_) if known.is_some() => known,
        Some((Some(first), Some(last), email, phone)) => {
            let c = crate::features::clients::service::ClientRow {
                id: new_id(),
                first_name: first.into_string(),
                last_name: last.into_string(),
                email: email.map(|e| e.as_str().to_string()),
                phone,
                notes: String::new(),
                erased_at: None,
                created_at: now,
            };
            crate::features::clients::service::insert_in_tx(&mut tx, state, ctx, scope, &c).await?;
            Some(c.id)
        }
        _ => input.client_id.clone(),
    };
    let row = repo::NewRow {
        id: &id,
        location_id: &cal.location_id,
        calendar_id: &cal.id,
        service_id: input.service_id.as_deref(),
        client_id: client_id.as_deref(),
        span: (start, end),
        buffers: (buffer_before, buffer_after),
        notes: input.notes.trim(),
        source: "staff",
        created_by: Some(scope.membership_id()),
        manage_token_hash: manage_token.as_deref().map(crate::crypto::hash_token),
        now,
    };
    let rules = write::Rules {
        limits: service.as_ref().map(|s| Limits::of(&rule_of(s))),
        override_hours: Some(input.override_hours),
    };
    let after =
        json!({"calendar_id": cal.id, "start": start, "end": end, "client_id": client_id, "override_hours": false});
    let notice = write::Notice { kind: "created", manage_token: manage_token.as_deref() };
    if let Err(r) = write::create(state, &mut tx, &by_staff(scope, ctx, &cal), &row, rules, after, notice).await? {
        drop(tx);
        return Err(refused(state, scope, &cal, (start, end), None, r).await);
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    get(state, scope, &id).await
}

/// A booking on a calendar the member may see; anything else is "not found".
pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<BookingRow> {
    Ok(seen(state, scope, id).await?.0)
}

/// A booking on a calendar the member may see, with that calendar.
async fn seen(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<(BookingRow, CalendarRow)> {
    let b = repo::get(state.db.pool(), scope.tenant(), id).await?.ok_or(AppError::NotFound)?;
    let cal = calendars::find(state, scope, &b.calendar_id).await?.ok_or(AppError::NotFound)?;
    if !scope.check(Action::ViewBookings, Object::Calendar(cal.as_ref())).allowed {
        return Err(AppError::NotFound);
    }
    Ok((b, cal))
}

/// The calendars whose bookings the member may view, by name, narrowed to a location or to
/// one calendar when asked: read from the kept list (no query when it is kept).
pub async fn viewable_calendars(
    state: &AppState,
    scope: &OrgScope,
    location_id: Option<&str>,
    calendar_id: Option<&str>,
) -> AppResult<Vec<CalendarRow>> {
    let all = calendars::all_cached(state, scope).await?;
    Ok(all
        .iter()
        .filter(|c| location_id.is_none_or(|l| l == c.location_id) && calendar_id.is_none_or(|id| id == c.id))
        .filter(|c| {
            let seen = Object::Calendar(c.as_ref());
            scope.check(Action::ViewCalendar, seen).allowed && scope.check(Action::ViewBookings, seen).allowed
        })
        .cloned()
        .collect())
}

fn ids(cals: Vec<CalendarRow>) -> Vec<String> {
    cals.into_iter().map(|c| c.id).collect()
}

/// Bookings meeting `[from, to)` on the calendars the member may see (or one of them).
pub async fn list(
    state: &AppState,
    scope: &OrgScope,
    calendar_id: Option<&str>,
    from: i64,
    to: i64,
) -> AppResult<Vec<BookingRow>> {
    let visible = ids(viewable_calendars(state, scope, None, calendar_id).await?);
    repo::meeting(state.db.pool(), scope.tenant(), &visible, (from, to)).await
}

/// One page of the bookings list: every booking on the calendars whose bookings the member
/// may view (narrowed to a location or a calendar when asked), matching `q`.
pub async fn search(
    state: &AppState,
    scope: &OrgScope,
    location_id: Option<&str>,
    calendar_id: Option<&str>,
    q: &repo::Search,
    limit: i64,
) -> AppResult<Vec<BookingRow>> {
    let visible = ids(viewable_calendars(state, scope, location_id, calendar_id).await?);
    repo::search(state.db.pool(), scope.tenant(), &visible, q, limit).await
}

/// The list's cursor as text: `<start ms>_<id>` (opaque to callers).
pub fn cursor_of(b: &BookingRow) -> String {
    format!("{}_{}", b.start_at, b.id)
}

/// A cursor read back; anything else is a field error on `after`.
pub fn parse_cursor(raw: &str) -> AppResult<(i64, String)> {
    raw.split_once('_')
        .and_then(|(ms, id)| Some((ms.parse::<i64>().ok()?, id.to_string())))
        .filter(|(_, id)| !id.is_empty() && id.len() <= 64)
        .ok_or_else(|| AppError::field("after", "invalid-cursor", "Pass the next_after value of the previous page."))
}

/// A status to filter by: one of the three, or none.
pub fn parse_status(raw: &str) -> AppResult<String> {
    match raw {
        "" | "confirmed" | "cancelled" | "no_show" => Ok(raw.to_string()),
        _ => Err(AppError::field("status", "invalid-status", "Use confirmed, cancelled or no_show.")),
    }
}

/// A booking the member may act on with `action`, with its calendar.
async fn acting_on(
    state: &AppState,
    scope: &OrgScope,
    id: &str,
    action: Action,
) -> AppResult<(BookingRow, CalendarRow)> {
    let (b, cal) = seen(state, scope, id).await?;
    scope.require(action, Object::Calendar(cal.as_ref()))?;
    Ok((b, cal))
}

fn moving(b: &BookingRow) -> write::Moving<'_> {
    write::Moving {
        id: &b.id,
        span: (b.start_at, b.end_at),
        buffers: (b.buffer_before_min, b.buffer_after_min),
        status: &b.status,
    }
}

/// Move a booking to another time on its calendar, by the same rule as a new one (its
/// service's notice and advance, hours, unavailability, buffers; staff may override the time
/// rules explicitly).
pub async fn reschedule(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    start: &str,
    end: Option<&str>,
    override_hours: bool,
) -> AppResult<BookingRow> {
    let (before, cal) = acting_on(state, scope, id, Action::MoveBooking).await?;
    if before.status == "cancelled" {
        return Err(AppError::conflict("booking-cancelled", "A cancelled booking cannot be moved."));
    }
    let start = parse_instant("start", start)?;
    let end = match end {
        Some(e) => parse_instant("end", e)?,
        None => start + (before.end_at - before.start_at),
    };
    if end <= start || end - start > MAX_LENGTH_MS {
        return Err(AppError::field("end", "invalid-length", "A booking lasts more than zero and at most 24 hours."));
    }
    let service = match &before.service_id {
        Some(sid) => match crate::features::services::service::get(state, scope, sid).await {
            Ok(s) => Some(s),
            Err(AppError::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let rules = write::Rules {
        limits: service.as_ref().map(|s| Limits::of(&rule_of(s))),
        override_hours: Some(override_hours),
    };
    let mut tx = state.db.begin().await?;
    let notice = write::Notice { kind: "moved", manage_token: None };
    let done = write::reschedule(
        state,
        &mut tx,
        &by_staff(scope, ctx, &cal),
        &moving(&before),
        (start, end),
        rules,
        None,
        notice,
    )
    .await?;
    if let Err(r) = done {
        drop(tx);
        return Err(refused(state, scope, &cal, (start, end), Some(id), r).await);
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    get(state, scope, id).await
}

/// End `before` (`cancelled` or `no_show`) in a transaction of its own, as the scope's member.
async fn end(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    before: &BookingRow,
    cal: &CalendarRow,
    status: &'static str,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    write::set_status(state, &mut tx, &by_staff(scope, ctx, cal), &moving(before), (status, None)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn cancel(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<BookingRow> {
    let (before, cal) = acting_on(state, scope, id, Action::CancelBooking).await?;
    if before.status == "cancelled" {
        return Ok(before);
    }
    end(state, ctx, scope, &before, &cal, "cancelled").await?;
    state.outbox_wake.notify_one();
    get(state, scope, id).await
}

pub use repo::ClientSummary;

/// Who is coming, for bookings the member may see (one query for the whole list): the
/// client's name and phone for everyone — a hairdresser must know who is coming, and call
/// them — and the email only with the client-list right there (R14, REQUIREMENTS.md).
pub async fn clients_for(
    state: &AppState,
    scope: &OrgScope,
    bookings: &[BookingRow],
) -> AppResult<HashMap<String, ClientSummary>> {
    let mut with_details: Vec<&str> = Vec::new();
    let mut ids: Vec<&str> = Vec::new();
    for b in bookings {
        let Some(client) = b.client_id.as_deref() else { continue };
        ids.push(client);
        let (locs, cals) = ([b.location_id.clone()], [b.calendar_id.clone()]);
        if scope.check(Action::ViewClient, Object::Client { location_ids: &locs, calendar_ids: &cals }).allowed {
            with_details.push(client);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(repo::client_summaries(state.db.pool(), scope.tenant(), &ids)
        .await?
        .into_iter()
        .map(|mut c| {
            if !with_details.contains(&c.id.as_str()) {
                c.email = None;
            }
            (c.id.clone(), c)
        })
        .collect())
}

/// The client did not come: the booking stays (and keeps its time) but counts as a no-show.
pub async fn mark_no_show(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<BookingRow> {
    let (before, cal) = acting_on(state, scope, id, Action::CancelBooking).await?;
    if before.status != "confirmed" {
        return Err(AppError::conflict("not-confirmed", "Only a confirmed booking can be marked as a no-show."));
    }
    if before.start_at > to_ms(state.now()) {
        return Err(AppError::conflict("not-started", "A booking can be marked as a no-show once it has started."));
    }
    end(state, ctx, scope, &before, &cal, "no_show").await?;
    get(state, scope, id).await
}
