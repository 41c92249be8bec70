//! The SQL of bookings, working hours and unavailability, each statement once. Every function
//! takes the `Tenant` and binds its organisation: a booking, an hour or a period of another
//! organisation cannot be read or written through here. Working hours carry no `org_id`
//! column; they are reached through their calendar's.

use crate::{
    access::Tenant,
    db::{self, Backend, Executor, Tx, new_id, placeholders},
    error::{AppError, AppResult},
    scheduling::availability::{Busy, Hours, LocalInterval},
};
use jiff::civil::Date;
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
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
    pub status: String,
    pub notes: String,
    pub source: String,
    pub created_at: i64,
}

pub const COLUMNS: &str = "id, location_id, calendar_id, service_id, client_id, start_at, end_at, buffer_before_min, \
     buffer_after_min, status, notes, source, created_at";

/// Longest booking allowed; it lets window queries bound `start_at` from below, so their
/// cost follows the window, not the calendar's whole history.
pub const MAX_LENGTH_MS: i64 = 24 * 3_600_000;

/// A booking about to be written.
pub struct NewRow<'a> {
    pub id: &'a str,
    pub location_id: &'a str,
    pub calendar_id: &'a str,
    pub service_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub span: (i64, i64),
    pub buffers: (i64, i64),
    pub notes: &'a str,
    /// `staff` or `public`.
    pub source: &'static str,
    /// The membership that made it (staff), none for a visitor.
    pub created_by: Option<&'a str>,
    pub manage_token_hash: Option<String>,
    pub now: i64,
}

/// Insert; the raw error is returned so the caller can tell the overlap refusal (exclusion
/// constraint or trigger) from other failures.
pub async fn insert(tx: &mut Tx, tenant: &Tenant, b: &NewRow<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO bookings (id, org_id, location_id, calendar_id, service_id, client_id, start_at, end_at, buffer_before_min, \
         buffer_after_min, status, notes, source, created_by, created_at, updated_at, manage_token_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'confirmed', $11, $12, $13, $14, $14, $15)";
    db::execute(
        tx,
        sql,
        &[
            &b.id,
            tenant,
            &b.location_id,
            &b.calendar_id,
            &b.service_id,
            &b.client_id,
            &b.span.0,
            &b.span.1,
            &b.buffers.0,
            &b.buffers.1,
            &b.notes,
            &b.source,
            &b.created_by,
            &b.now,
            &b.manage_token_hash,
        ],
    )
    .await
    .map(|_| ())
}

/// Move; the raw error, as for `insert`.
pub async fn set_times(
    tx: &mut Tx,
    tenant: &Tenant,
    id: &str,
    (start, end): (i64, i64),
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE bookings SET start_at = $1, end_at = $2, updated_at = $3 WHERE org_id = $4 AND id = $5";
    db::execute(tx, sql, &[&start, &end, &now, tenant, &id]).await.map(|_| ())
}

/// `cancelled` or `no_show`.
pub async fn set_status(tx: &mut Tx, tenant: &Tenant, id: &str, status: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE bookings SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4";
    db::execute(tx, sql, &[&status, &now, tenant, &id]).await?;
    Ok(())
}

pub async fn get(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<BookingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE org_id = $1 AND id = $2");
    db::fetch_by_org_id(exec, &sql, tenant, id).await
}

/// Bookings meeting `[from, to)` on these calendars: one indexed range scan per calendar,
/// (calendar_id, start_at) from `from - 24 h` to `to`.
pub async fn meeting(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_ids: &[String],
    (from, to): (i64, i64),
) -> AppResult<Vec<BookingRow>> {
    if calendar_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE org_id = $1 AND start_at >= $2 AND start_at < $3 AND end_at > $4 \
         AND calendar_id IN ({}) ORDER BY start_at, id LIMIT 5000",
        placeholders(5, calendar_ids.len())
    );
    Ok(db::query_as(&sql, &db::and_list(&[tenant, &(from - MAX_LENGTH_MS), &to, &from], calendar_ids))
        .fetch_all(exec)
        .await?)
}

/// What the bookings list asks for, beyond the calendars it may read (empty: any).
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// Starting at or after, epoch ms.
    pub from: Option<i64>,
    /// Starting before, epoch ms.
    pub to: Option<i64>,
    pub service_id: String,
    pub status: String,
    pub client_id: String,
    /// Keyset cursor: rows after this (start, id).
    pub after: Option<(i64, String)>,
}

/// One page of bookings on `calendar_ids` matching `q`, by start then id; `limit` rows at
/// most (ask for one more to know whether a next page exists). Walks the `(org_id,
/// start_at)` index from the cursor, whatever the organisation's history.
pub async fn search(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_ids: &[String],
    q: &Search,
    limit: i64,
) -> AppResult<Vec<BookingRow>> {
    if calendar_ids.is_empty() {
        return Ok(Vec::new());
    }
    let (after_start, after_id) = q.after.clone().unwrap_or((i64::MIN, String::new()));
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE org_id = $1 AND start_at >= $2 AND start_at < $3 \
         AND ($4 = '' OR service_id = $4) AND ($5 = '' OR status = $5) AND ($6 = '' OR client_id = $6) \
         AND (start_at > $7 OR (start_at = $7 AND id > $8)) AND calendar_id IN ({}) \
         ORDER BY start_at, id LIMIT $9",
        placeholders(10, calendar_ids.len())
    );
    let (from, to) = (q.from.unwrap_or(i64::MIN), q.to.unwrap_or(i64::MAX));
    let fixed: [&dyn db::Value; 9] =
        [tenant, &from, &to, &q.service_id, &q.status, &q.client_id, &after_start, &after_id, &limit];
    Ok(db::query_as(&sql, &db::and_list(&fixed, calendar_ids)).fetch_all(exec).await?)
}

/// The first active booking of a calendar meeting `[start, end)` (other than `except`).
pub async fn clash(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_id: &str,
    (start, end): (i64, i64),
    except: Option<&str>,
) -> AppResult<Option<(i64, i64)>> {
    let sql = "SELECT start_at, end_at FROM bookings WHERE org_id = $1 AND calendar_id = $2 AND status <> 'cancelled' \
         AND start_at < $3 AND end_at > $4 AND start_at >= $5 AND id <> $6 ORDER BY start_at LIMIT 1";
    Ok(db::query_as(sql, &[tenant, &calendar_id, &end, &start, &(start - MAX_LENGTH_MS), &except.unwrap_or("")])
        .fetch_optional(exec)
        .await?)
}

/// Make `calendar_id` one writer at a time until the transaction ends: on SQLite `BEGIN
/// IMMEDIATE` already is the lock; on PostgreSQL an advisory lock per calendar.
pub async fn lock_calendar(tx: &mut Tx, backend: Backend, calendar_id: &str) -> AppResult<()> {
    if backend == Backend::Postgres {
        let sql = "SELECT pg_advisory_xact_lock(hashtext($1))::text";
        db::execute(tx, sql, &[&calendar_id]).await?;
    }
    Ok(())
}

/// What takes time on some calendars over `[from, to)`: active bookings with their buffers
/// (leaving out `except`, a booking being moved) and unavailability periods, apart.
#[derive(Clone, Debug, Default)]
pub struct Taken {
    pub bookings: Vec<Busy>,
    pub unavailable: Vec<Busy>,
}

/// One query, two indexed range scans per calendar.
pub async fn taken(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_ids: &[String],
    (from, to): (i64, i64),
    except: Option<&str>,
) -> AppResult<HashMap<String, Taken>> {
    let mut out: HashMap<String, Taken> = calendar_ids.iter().map(|id| (id.clone(), Taken::default())).collect();
    if calendar_ids.is_empty() {
        return Ok(out);
    }
    let list = placeholders(6, calendar_ids.len());
    let sql = format!(
        "SELECT calendar_id, start_at, end_at, buffer_before_min, buffer_after_min, 0 AS kind FROM bookings \
         WHERE org_id = $5 AND calendar_id IN ({list}) AND status <> 'cancelled' AND start_at >= $1 AND start_at < $2 \
           AND end_at > $3 AND id <> $4 \
         UNION ALL SELECT calendar_id, start_at, end_at, 0, 0, 1 FROM unavailability \
         WHERE org_id = $5 AND calendar_id IN ({list}) AND end_at > $3 AND start_at < $2"
    );
    let fixed: [&dyn db::Value; 5] = [&(from - MAX_LENGTH_MS), &to, &from, &except.unwrap_or(""), tenant];
    let rows: Vec<(String, i64, i64, i64, i64, i64)> =
        db::query_as(&sql, &db::and_list(&fixed, calendar_ids)).fetch_all(exec).await?;
    for (cal, s, e, b, a, kind) in rows {
        if let Some(t) = out.get_mut(&cal) {
            let busy = Busy { start_ms: s, end_ms: e, buffer_before_min: b, buffer_after_min: a };
            if kind == 0 { t.bookings.push(busy) } else { t.unavailable.push(busy) }
        }
    }
    Ok(out)
}

fn interval(s: i64, e: i64) -> Option<LocalInterval> {
    LocalInterval::new(u16::try_from(s).ok()?, u16::try_from(e).ok()?)
}

/// `(calendar, weekday or -1, the override's day, start, end)`: a weekly row or an override.
type HourRow = (String, i64, Option<String>, Option<i64>, Option<i64>);

/// Hours of several calendars in one query (weekly rows and date overrides side by side; no
/// query per calendar); a calendar of another organisation has none.
pub async fn hours_of(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_ids: &[String],
) -> AppResult<HashMap<String, Hours>> {
    let mut out: HashMap<String, Hours> = calendar_ids.iter().map(|id| (id.clone(), Hours::default())).collect();
    if calendar_ids.is_empty() {
        return Ok(out);
    }
    let list = placeholders(2, calendar_ids.len());
    let mine = format!("SELECT id FROM calendars WHERE org_id = $1 AND id IN ({list})");
    // Weekly rows have a weekday and no day; overrides have weekday -1 and their day.
    let sql = format!(
        "SELECT calendar_id, weekday, NULL AS day, start_min, end_min FROM working_hours WHERE calendar_id IN ({mine}) \
         UNION ALL SELECT calendar_id, -1, day, start_min, end_min FROM hour_overrides WHERE calendar_id IN ({mine}) \
         ORDER BY 2, 3, 4"
    );
    let rows: Vec<HourRow> = db::query_as(&sql, &db::and_list(&[tenant], calendar_ids)).fetch_all(exec).await?;
    for (cal, wd, day, s, e) in rows {
        let Some(h) = out.get_mut(&cal) else { continue };
        match day {
            None => {
                if let (Some(slot), Some(iv)) =
                    (h.weekly.get_mut(wd as usize), s.zip(e).and_then(|(s, e)| interval(s, e)))
                {
                    slot.push(iv);
                }
            }
            Some(day) => {
                let Ok(d) = day.parse::<Date>() else { continue };
                let entry = h.overrides.entry(d).or_default();
                if let Some(iv) = s.zip(e).and_then(|(s, e)| interval(s, e)) {
                    entry.push(iv);
                }
            }
        }
    }
    Ok(out)
}

/// Replace a calendar's hours: weekly `(weekday 0 = Monday, start, end)` minutes and date
/// overrides (an empty list closes the day). A calendar of another organisation is not found.
pub async fn replace_hours(
    tx: &mut Tx,
    tenant: &Tenant,
    calendar_id: &str,
    weekly: &[(i64, i64, i64)],
    overrides: &[(String, Vec<(i64, i64)>)],
) -> AppResult<()> {
    let mine: Option<i64> =
        db::query_scalar("SELECT 1 FROM calendars WHERE org_id = $1 AND id = $2", &[tenant, &calendar_id])
            .fetch_optional(&mut **tx)
            .await?;
    if mine.is_none() {
        return Err(AppError::NotFound);
    }
    let sql = "DELETE FROM working_hours WHERE calendar_id = $1";
    db::execute(tx, sql, &[&calendar_id]).await?;
    db::execute(tx, "DELETE FROM hour_overrides WHERE calendar_id = $1", &[&calendar_id]).await?;
    for (wd, s, e) in weekly {
        db::execute(
            tx,
            "INSERT INTO working_hours (id, calendar_id, weekday, start_min, end_min) VALUES ($1, $2, $3, $4, $5)",
            &[&new_id(), &calendar_id, &wd, &s, &e],
        )
        .await?;
    }
    for (day, ivs) in overrides {
        // A closed day is one row without times.
        let spans: Vec<(Option<i64>, Option<i64>)> =
            if ivs.is_empty() { vec![(None, None)] } else { ivs.iter().map(|&(s, e)| (Some(s), Some(e))).collect() };
        for (s, e) in spans {
            db::execute(
                tx,
                "INSERT INTO hour_overrides (id, calendar_id, day, start_min, end_min) VALUES ($1, $2, $3, $4, $5)",
                &[&new_id(), &calendar_id, &day, &s, &e],
            )
            .await?;
        }
    }
    Ok(())
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Unavailability {
    pub id: String,
    pub calendar_id: String,
    #[serde(skip)]
    pub start_at: i64,
    #[serde(skip)]
    pub end_at: i64,
    pub reason: String,
}

/// A calendar's periods, newest first.
pub async fn unavailability_of(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_id: &str,
) -> AppResult<Vec<Unavailability>> {
    let sql = "SELECT id, calendar_id, start_at, end_at, reason FROM unavailability WHERE org_id = $1 AND calendar_id = $2 \
         ORDER BY start_at DESC LIMIT 500";
    Ok(db::query_as(sql, &[tenant, &calendar_id]).fetch_all(exec).await?)
}

/// One period of a calendar.
pub async fn unavailability_one(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    calendar_id: &str,
    id: &str,
) -> AppResult<Option<Unavailability>> {
    let sql = "SELECT id, calendar_id, start_at, end_at, reason FROM unavailability \
         WHERE org_id = $1 AND calendar_id = $2 AND id = $3";
    Ok(db::query_as(sql, &[tenant, &calendar_id, &id]).fetch_optional(exec).await?)
}

pub async fn update_unavailability(tx: &mut Tx, tenant: &Tenant, u: &Unavailability) -> AppResult<()> {
    let sql = "UPDATE unavailability SET start_at = $1, end_at = $2, reason = $3 \
         WHERE org_id = $4 AND calendar_id = $5 AND id = $6";
    db::execute(tx, sql, &[&u.start_at, &u.end_at, &u.reason, tenant, &u.calendar_id, &u.id]).await?;
    Ok(())
}

pub async fn insert_unavailability(tx: &mut Tx, tenant: &Tenant, u: &Unavailability, now: i64) -> AppResult<()> {
    let sql = "INSERT INTO unavailability (id, org_id, calendar_id, start_at, end_at, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    db::execute(tx, sql, &[&u.id, tenant, &u.calendar_id, &u.start_at, &u.end_at, &u.reason, &now]).await?;
    Ok(())
}

/// Whether a period was removed.
pub async fn delete_unavailability(tx: &mut Tx, tenant: &Tenant, calendar_id: &str, id: &str) -> AppResult<bool> {
    let sql = "DELETE FROM unavailability WHERE org_id = $1 AND calendar_id = $2 AND id = $3";
    Ok(db::execute(tx, sql, &[tenant, &calendar_id, &id]).await? > 0)
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ClientSummary {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Names and contacts of some clients, in one query.
pub async fn client_summaries(exec: impl Executor<'_>, tenant: &Tenant, ids: &[&str]) -> AppResult<Vec<ClientSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, first_name, last_name, email, phone FROM clients WHERE org_id = $1 AND id IN ({})",
        placeholders(2, ids.len())
    );
    Ok(db::query_as(&sql, &db::and_list(&[tenant], ids)).fetch_all(exec).await?)
}

/// Who hears of a change to a booking: its client, the organisation, the calendar's member
/// (unless they made the change) and that member's preferences for the event.
#[derive(sqlx::FromRow)]
pub struct Recipient {
    pub client_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: String,
    pub language: Option<String>,
    pub start_at: i64,
    pub end_at: i64,
    pub time_zone: String,
    pub location_name: String,
    pub address: String,
    pub calendar_name: String,
    pub service_name: Option<String>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub org_name: String,
    pub sms_enabled: i64,
    pub staff_email: Option<String>,
    pub staff_phone: Option<String>,
    pub staff_language: Option<String>,
    /// The staff member's choice for this event, when they made one.
    pub staff_email_on: Option<i64>,
    pub staff_sms_on: Option<i64>,
}

pub async fn recipient(
    tx: &mut Tx,
    tenant: &Tenant,
    booking_id: &str,
    event: &str,
    actor_member: Option<&str>,
) -> AppResult<Option<Recipient>> {
    let sql = "SELECT c.id AS client_id, c.email, c.phone, c.first_name, c.language, b.start_at, b.end_at, l.time_zone, \
                l.name AS location_name, l.address, k.name AS calendar_name, s.name AS service_name, s.price_cents, s.currency, \
                o.name AS org_name, o.sms_enabled, \
                a.email AS staff_email, a.mobile_phone AS staff_phone, a.language AS staff_language, \
                pe.enabled AS staff_email_on, ps.enabled AS staff_sms_on \
         FROM bookings b JOIN clients c ON c.id = b.client_id JOIN locations l ON l.id = b.location_id \
         JOIN orgs o ON o.id = b.org_id JOIN calendars k ON k.id = b.calendar_id \
         LEFT JOIN services s ON s.id = b.service_id AND s.org_id = b.org_id \
         LEFT JOIN memberships m ON m.id = k.member_id AND m.status = 'active' AND m.id <> $3 \
         LEFT JOIN accounts a ON a.id = m.account_id \
         LEFT JOIN notification_preferences pe ON pe.membership_id = m.id AND pe.event = $2 AND pe.channel = 'email' \
         LEFT JOIN notification_preferences ps ON ps.membership_id = m.id AND ps.event = $2 AND ps.channel = 'sms' \
         WHERE b.id = $1 AND b.org_id = $4";
    Ok(db::query_as(sql, &[&booking_id, &event, &actor_member.unwrap_or(""), tenant]).fetch_optional(&mut **tx).await?)
}

/// Where a client has history: the `(location, calendar)` pairs of their bookings.
pub async fn places_of_client(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    client_id: &str,
) -> AppResult<Vec<(String, String)>> {
    let sql = "SELECT DISTINCT location_id, calendar_id FROM bookings WHERE org_id = $1 AND client_id = $2";
    Ok(db::query_as(sql, &[tenant, &client_id]).fetch_all(exec).await?)
}

/// One booking in a client's history.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Visit {
    pub id: String,
    pub calendar_id: String,
    pub location_id: String,
    #[serde(skip)]
    pub start_at: i64,
    pub status: String,
}

/// A client's last 500 bookings, newest first.
pub async fn visits_of_client(exec: impl Executor<'_>, tenant: &Tenant, client_id: &str) -> AppResult<Vec<Visit>> {
    let sql = "SELECT id, calendar_id, location_id, start_at, status FROM bookings WHERE org_id = $1 AND client_id = $2 ORDER BY start_at DESC LIMIT 500";
    Ok(db::query_as(sql, &[tenant, &client_id]).fetch_all(exec).await?)
}

/// A client's booking with its notes, for an export of what is held about them.
#[derive(sqlx::FromRow)]
pub struct Noted {
    pub id: String,
    pub start_at: i64,
    pub end_at: i64,
    pub notes: String,
    pub calendar_id: String,
}

/// A client's bookings with their notes, oldest first.
pub async fn notes_of_client(exec: impl Executor<'_>, tenant: &Tenant, client_id: &str) -> AppResult<Vec<Noted>> {
    let sql = "SELECT id, start_at, end_at, notes, calendar_id FROM bookings WHERE org_id = $1 AND client_id = $2 ORDER BY start_at";
    Ok(db::query_as(sql, &[tenant, &client_id]).fetch_all(exec).await?)
}

/// Give one client's bookings to another (a merge); how many moved.
pub async fn move_to_client(tx: &mut Tx, tenant: &Tenant, from: &str, to: &str, now: i64) -> AppResult<u64> {
    let sql = "UPDATE bookings SET client_id = $1, updated_at = $2 WHERE org_id = $3 AND client_id = $4";
    Ok(db::execute(tx, sql, &[&to, &now, tenant, &from]).await?)
}

/// For an erasure: empty the notes of a client's bookings and forget their manage links.
pub async fn clear_notes_of_client(tx: &mut Tx, tenant: &Tenant, client_id: &str) -> AppResult<()> {
    let sql = "UPDATE bookings SET notes = '', manage_token_hash = NULL WHERE org_id = $1 AND client_id = $2";
    db::execute(tx, sql, &[tenant, &client_id]).await?;
    Ok(())
}

/// What a count of bookings is about.
pub enum CountOf<'a> {
    Calendar(&'a str),
    Service(&'a str),
}

/// How many bookings, cancelled ones included, a calendar or a service has.
pub async fn count(tx: &mut Tx, tenant: &Tenant, of: CountOf<'_>) -> AppResult<i64> {
    let (sql, id) = match of {
        CountOf::Calendar(id) => ("SELECT COUNT(*) FROM bookings WHERE org_id = $1 AND calendar_id = $2", id),
        CountOf::Service(id) => ("SELECT COUNT(*) FROM bookings WHERE org_id = $1 AND service_id = $2", id),
    };
    Ok(db::query_scalar(sql, &[tenant, &id]).fetch_one(&mut **tx).await?)
}

/// An unavailability period as the views and utilisation read it: its span and reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Away {
    pub start_at: i64,
    pub end_at: i64,
    pub reason: String,
}

/// The unavailability periods meeting `[from, to)` on several calendars, in one query (the
/// open-time side of utilisation; the absences shown in the day and week views).
pub async fn unavailable_in(
    exec: impl db::Executor<'_>,
    tenant: &Tenant,
    calendar_ids: &[String],
    (from, to): (i64, i64),
) -> AppResult<HashMap<String, Vec<Away>>> {
    let mut out: HashMap<String, Vec<Away>> = HashMap::new();
    if calendar_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT calendar_id, start_at, end_at, reason FROM unavailability \
         WHERE org_id = $1 AND end_at > $2 AND start_at < $3 AND calendar_id IN ({}) ORDER BY start_at",
        placeholders(4, calendar_ids.len())
    );
    let rows: Vec<(String, i64, i64, String)> =
        db::query_as(&sql, &db::and_list(&[tenant, &from, &to], calendar_ids)).fetch_all(exec).await?;
    for (cal, start_at, end_at, reason) in rows {
        out.entry(cal).or_default().push(Away { start_at, end_at, reason });
    }
    Ok(out)
}
