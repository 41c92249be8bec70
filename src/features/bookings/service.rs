//! Booking rules. The overlap guarantee lives in the database; this code maps a refusal to
//! `409 slot-taken` naming the clashing booking's time.

use super::hours;
use crate::{
    access::{
        OrgScope,
        policy::{Action, Object},
    },
    audit::{self, OrgEvent},
    clock::to_ms,
    db::new_id,
    error::{AppError, AppResult},
    features::calendars::service::{self as calendars, CalendarRow},
    http::Ctx,
    state::AppState,
    types::{Email, Name, Phone},
};
use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BookingRow {
    pub id: String,
    pub location_id: String,
    pub calendar_id: String,
    pub service_id: Option<String>,
    pub client_id: Option<String>,
    pub start_at: i64,
    pub end_at: i64,
    pub status: String,
    pub notes: String,
    pub source: String,
    pub created_at: i64,
}

/// Longest booking allowed; it lets window queries bound `start_at` from below, so their
/// cost follows the window, not the calendar's whole history.
pub const MAX_LENGTH_MS: i64 = 24 * 3_600_000;

/// Inside a write transaction, make `calendar_id` one writer at a time and check, as the
/// availability engine does, that `[start, end)` meets no active booking extended by that
/// booking's buffers and that `[start, end)` extended by its own buffers meets no booking.
/// The database's own guarantee (exclusion constraint, triggers) covers raw times only;
/// buffers are re-checked here, after the lock, so two visitors cannot both take times whose
/// buffers collide. On SQLite `BEGIN IMMEDIATE` is the lock; on PostgreSQL an advisory lock
/// per calendar, released with the transaction.
pub async fn clear_with_buffers(
    state: &AppState,
    tx: &mut crate::db::Tx,
    calendar_id: &str,
    (start, end): (i64, i64),
    (before_min, after_min): (i64, i64),
    except: Option<&str>,
) -> AppResult<bool> {
    if state.db.backend() == crate::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))::text").bind(calendar_id).execute(&mut **tx).await?;
    }
    let (from, to) = (start - before_min * 60_000, end + after_min * 60_000);
    // Buffers are at most a day; `start_at` bounds keep this an index range scan.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE calendar_id = $1 AND status <> 'cancelled' AND id <> $2 \
         AND start_at >= $3 AND start_at < $4 \
         AND ((start_at - buffer_before_min * 60000 < $5 AND end_at + buffer_after_min * 60000 > $6) \
              OR (start_at < $7 AND end_at > $8))",
    )
    .bind(calendar_id)
    .bind(except.unwrap_or(""))
    .bind(from - MAX_LENGTH_MS - 2 * 86_400_000)
    .bind(to + 86_400_000)
    .bind(end)
    .bind(start)
    .bind(to)
    .bind(from)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n == 0)
}

pub const COLUMNS: &str =
    "id, location_id, calendar_id, service_id, client_id, start_at, end_at, status, notes, source, created_at";

/// Is this database error the overlap refusal (exclusion constraint or trigger)?
pub fn is_overlap(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23P01") || db.message().contains("bookings_no_overlap")
        }
        _ => false,
    }
}

/// The 409 for a lost race or a taken slot, naming the clashing time in the calendar's zone.
async fn slot_taken(state: &AppState, cal: &CalendarRow, start: i64, end: i64, except: Option<&str>) -> AppError {
    let clash: Option<(i64, i64)> = sqlx::query_as(
        "SELECT start_at, end_at FROM bookings WHERE calendar_id = $1 AND status <> 'cancelled' AND start_at < $2 AND end_at > $3 \
         AND start_at >= $4 AND id <> $5 ORDER BY start_at LIMIT 1",
    )
    .bind(&cal.id)
    .bind(end)
    .bind(start)
    .bind(start - MAX_LENGTH_MS)
    .bind(except.unwrap_or(""))
    .fetch_optional(state.db.pool())
    .await
    .unwrap_or_else(|e| {
        // The refusal stands; only its detail is lost.
        tracing::warn!(error = %e, "could not look up the clashing booking");
        None
    });
    let tz = TimeZone::get(&cal.time_zone).unwrap_or(TimeZone::UTC);
    let fmt = |ms: i64| {
        Timestamp::from_millisecond(ms)
            .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string())
            .unwrap_or_default()
    };
    match clash {
        Some((s, e)) => {
            AppError::conflict("slot-taken", format!("This time clashes with a booking from {} to {}.", fmt(s), fmt(e)))
        }
        None => AppError::conflict("slot-taken", "This time was just taken."),
    }
}

/// Epoch milliseconds of an instant from a request, inside the years we compute with (a
/// start at the end of year 9999 has no end).
fn parse_instant(field: &str, v: &str) -> AppResult<i64> {
    crate::types::BoundedInstant::parse(field, v).map(|t| t.ms()).map_err(|e| AppError::Validation(vec![e]))
}

/// Does `[start, end)` fit the calendar's working hours and miss its unavailability?
async fn within_hours(state: &AppState, cal: &CalendarRow, start: i64, end: i64) -> AppResult<bool> {
    let tz = TimeZone::get(&cal.time_zone).unwrap_or(TimeZone::UTC);
    let hours = hours::load(state, &cal.id).await?;
    let (Ok(s), Ok(e)) = (Timestamp::from_millisecond(start), Timestamp::from_millisecond(end)) else {
        return Ok(false);
    };
    let (zs, ze) = (s.to_zoned(tz.clone()), e.to_zoned(tz.clone()));
    let start_min = i64::from(zs.hour()) * 60 + i64::from(zs.minute());
    let days = (ze.date() - zs.date()).get_days();
    let end_min = i64::from(ze.hour()) * 60 + i64::from(ze.minute()) + 1440 * i64::from(days);
    let fits = hours
        .for_date(zs.date())
        .iter()
        .any(|iv| i64::from(iv.start_min) <= start_min && end_min <= i64::from(iv.end_min));
    if !fits {
        return Ok(false);
    }
    Ok(hours::unavailability(state, &cal.id, start, end).await?.is_empty())
}

pub struct ClientInput {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub struct NewBooking {
    pub calendar_id: String,
    /// The service booked: its length and buffers apply, and the calendar must offer it.
    pub service_id: Option<String>,
    pub start: String,
    pub end: Option<String>,
    pub client_id: Option<String>,
    pub client: Option<ClientInput>,
    pub notes: String,
    /// Staff may book outside working hours or inside unavailability only by saying so; the
    /// audit trail records it.
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
    let in_hours = within_hours(state, &cal, start, end).await?;
    if !in_hours && !input.override_hours {
        return Err(AppError::field(
            "start",
            "outside-hours",
            "Outside the calendar's working hours or inside an unavailability period (staff may override explicitly).",
        ));
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
                Some(p) => Phone::parse_field("client.phone", p).map(String::from).map_err(|e| errors.push(e)).ok(),
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
    let client_id = match new_client {
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
    let inserted = sqlx::query(
        "INSERT INTO bookings (id, org_id, location_id, calendar_id, service_id, client_id, start_at, end_at, buffer_before_min, \
         buffer_after_min, status, notes, source, created_by, created_at, updated_at, manage_token_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'confirmed', $11, 'staff', $12, $13, $13, $14)",
    )
    .bind(&id)
    .bind(scope.org_id())
    .bind(&cal.location_id)
    .bind(&cal.id)
    .bind(&input.service_id)
    .bind(&client_id)
    .bind(start)
    .bind(end)
    .bind(buffer_before)
    .bind(buffer_after)
    .bind(input.notes.trim())
    .bind(scope.membership_id())
    .bind(now)
    .bind(manage_token.as_deref().map(crate::crypto::hash_token))
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        if is_overlap(&e) {
            drop(tx);
            return Err(slot_taken(state, &cal, start, end, None).await);
        }
        return Err(e.into());
    }
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "booking.created",
            object_type: "booking",
            object_id: &id,
            location_id: Some(&cal.location_id),
            before: None,
            after: Some(json!({
                "calendar_id": cal.id, "start": start, "end": end, "client_id": client_id,
                "override_hours": input.override_hours && !in_hours,
            })),
        },
    )
    .await?;
    super::notify::notify(
        &mut tx,
        state,
        now,
        scope.org_id(),
        &id,
        "created",
        manage_token.as_deref(),
        Some(scope.membership_id()),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    get(state, scope, &id).await
}

/// A booking on a calendar the member may see; anything else is "not found".
pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<BookingRow> {
    let b: BookingRow = sqlx::query_as(&format!("SELECT {COLUMNS} FROM bookings WHERE org_id = $1 AND id = $2"))
        .bind(scope.org_id())
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    let cal = calendars::find(state, scope, &b.calendar_id).await?.ok_or(AppError::NotFound)?;
    if !scope.check(Action::ViewBookings, Object::Calendar(cal.as_ref())).allowed {
        return Err(AppError::NotFound);
    }
    Ok(b)
}

/// Bookings meeting `[from, to)` on the calendars the member may see (or one of them).
pub async fn list(
    state: &AppState,
    scope: &OrgScope,
    calendar_id: Option<&str>,
    from: i64,
    to: i64,
) -> AppResult<Vec<BookingRow>> {
    let visible: Vec<String> = calendars::list(state, scope, None)
        .await?
        .into_iter()
        .filter(|c| scope.check(Action::ViewBookings, Object::Calendar(c.as_ref())).allowed)
        .map(|c| c.id)
        .filter(|id| calendar_id.is_none_or(|want| want == id))
        .collect();
    if visible.is_empty() {
        return Ok(Vec::new());
    }
    // One indexed range scan per calendar: (calendar_id, start_at) from `from - 24 h` to `to`.
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE org_id = $1 AND start_at >= $2 AND start_at < $3 AND end_at > $4 \
         AND calendar_id IN ({}) ORDER BY start_at, id LIMIT 5000",
        crate::db::placeholders(5, visible.len())
    );
    let mut q =
        sqlx::query_as::<_, BookingRow>(&sql).bind(scope.org_id()).bind(from - MAX_LENGTH_MS).bind(to).bind(from);
    for id in &visible {
        q = q.bind(id);
    }
    Ok(q.fetch_all(state.db.pool()).await?)
}

/// Move a booking to another time on its calendar.
pub async fn reschedule(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    start: &str,
    end: Option<&str>,
    override_hours: bool,
) -> AppResult<BookingRow> {
    let before = get(state, scope, id).await?;
    let cal = calendars::find(state, scope, &before.calendar_id).await?.ok_or(AppError::NotFound)?;
    scope.require(Action::MoveBooking, Object::Calendar(cal.as_ref()))?;
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
    let in_hours = within_hours(state, &cal, start, end).await?;
    if !in_hours && !override_hours {
        return Err(AppError::field(
            "start",
            "outside-hours",
            "Outside the calendar's working hours or inside an unavailability period.",
        ));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let moved =
        sqlx::query("UPDATE bookings SET start_at = $1, end_at = $2, updated_at = $3 WHERE org_id = $4 AND id = $5")
            .bind(start)
            .bind(end)
            .bind(now)
            .bind(scope.org_id())
            .bind(id)
            .execute(&mut *tx)
            .await;
    if let Err(e) = moved {
        if is_overlap(&e) {
            drop(tx);
            return Err(slot_taken(state, &cal, start, end, Some(id)).await);
        }
        return Err(e.into());
    }
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "booking.moved",
            object_type: "booking",
            object_id: id,
            location_id: Some(&cal.location_id),
            before: Some(json!({"start": before.start_at, "end": before.end_at})),
            after: Some(json!({"start": start, "end": end, "override_hours": override_hours && !in_hours})),
        },
    )
    .await?;
    super::notify::notify(&mut tx, state, now, scope.org_id(), id, "moved", None, Some(scope.membership_id())).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    get(state, scope, id).await
}

pub async fn cancel(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<BookingRow> {
    let before = get(state, scope, id).await?;
    let cal = calendars::find(state, scope, &before.calendar_id).await?.ok_or(AppError::NotFound)?;
    scope.require(Action::CancelBooking, Object::Calendar(cal.as_ref()))?;
    if before.status == "cancelled" {
        return Ok(before);
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE bookings SET status = 'cancelled', updated_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now)
        .bind(scope.org_id())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "booking.cancelled",
            object_type: "booking",
            object_id: id,
            location_id: Some(&cal.location_id),
            before: Some(json!({"status": before.status})),
            after: Some(json!({"status": "cancelled"})),
        },
    )
    .await?;
    super::notify::notify(&mut tx, state, now, scope.org_id(), id, "cancelled", None, Some(scope.membership_id()))
        .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    get(state, scope, id).await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ClientSummary {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

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
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, first_name, last_name, email, phone FROM clients WHERE org_id = $1 AND id IN ({})",
        crate::db::placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as::<_, ClientSummary>(&sql).bind(scope.org_id());
    for id in &ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(state.db.pool())
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
    let before = get(state, scope, id).await?;
    let cal = calendars::find(state, scope, &before.calendar_id).await?.ok_or(AppError::NotFound)?;
    scope.require(Action::CancelBooking, Object::Calendar(cal.as_ref()))?;
    if before.status != "confirmed" {
        return Err(AppError::conflict("not-confirmed", "Only a confirmed booking can be marked as a no-show."));
    }
    if before.start_at > to_ms(state.now()) {
        return Err(AppError::conflict("not-started", "A booking can be marked as a no-show once it has started."));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE bookings SET status = 'no_show', updated_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now)
        .bind(scope.org_id())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "booking.no_show",
            object_type: "booking",
            object_id: id,
            location_id: Some(&cal.location_id),
            before: Some(json!({"status": before.status})),
            after: Some(json!({"status": "no_show"})),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, scope, id).await
}
