//! Public booking rules. Nothing a visitor sends chooses the organisation, the price, the
//! status or a client record: the location slug decides the organisation, the engine decides
//! whether a time is offered, and a booking's manage token reaches only that booking.

use crate::{
    audit::{self, Actor, Entry},
    clock::to_ms,
    crypto,
    db::new_id,
    error::{AppError, AppResult},
    features::{
        bookings::{
            hours, notify,
            service::{clear_with_buffers, is_overlap},
        },
        services::service::{Service, rule_of},
    },
    http::Ctx,
    i18n::Tr,
    jobs::{mail::compose, outbox},
    ratelimit,
    state::AppState,
    types::{Email, Name, Phone},
};
use jiff::{Timestamp, civil::Date, tz::TimeZone};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PublicLocation {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub time_zone: String,
    pub address: String,
    /// The organisation's change sequence read with the row (`cache.rs`).
    pub change_seq: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PublicCalendar {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub time_zone: String,
}

/// An open location by slug; anything else (archived, unknown) is not found.
pub async fn location(state: &AppState, slug: &str) -> AppResult<PublicLocation> {
    sqlx::query_as(
        "SELECT l.id, l.org_id, l.name, l.time_zone, l.address, COALESCE(h.seq, 0) AS change_seq \
         FROM locations l LEFT JOIN audit_heads h ON h.chain = l.org_id WHERE l.slug = $1 AND l.status = 'open'",
    )
    .bind(slug.to_ascii_lowercase())
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

/// Public, active services offered by at least one active calendar of the location, with
/// those calendars. Hidden services and calendars never appear.
pub async fn offer(state: &AppState, loc: &PublicLocation) -> AppResult<Offer> {
    let offer = state
        .cache
        .get_or_load::<crate::cache::kind::PublicOffer, _, _>(&loc.org_id, loc.change_seq, &loc.id, || {
            load_offer(state, loc)
        })
        .await?;
    Ok((*offer).clone())
}

type Offer = Vec<(Service, Vec<PublicCalendar>)>;

impl crate::cache::Kind for crate::cache::kind::PublicOffer {
    type Value = Offer;
}

async fn load_offer(state: &AppState, loc: &PublicLocation) -> AppResult<Offer> {
    let services: Vec<Service> = sqlx::query_as(
        "SELECT id, name, description, length_min, buffer_before_min, buffer_after_min, min_notice_min, max_advance_days, \
                step_min, price_cents, currency, status FROM services WHERE org_id = $1 AND status = 'active' AND public = 1 ORDER BY name, id",
    )
    .bind(&loc.org_id)
    .fetch_all(state.db.pool())
    .await?;
    let links: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT cs.service_id, c.id, c.name, c.time_zone FROM calendar_services cs JOIN calendars c ON c.id = cs.calendar_id \
         WHERE c.location_id = $1 AND c.status = 'active' ORDER BY c.name, c.id",
    )
    .bind(&loc.id)
    .fetch_all(state.db.pool())
    .await?;
    let offer: Offer = services
        .into_iter()
        .filter_map(|s| {
            let cals: Vec<PublicCalendar> = links
                .iter()
                .filter(|l| l.0 == s.id)
                .map(|l| PublicCalendar { id: l.1.clone(), name: l.2.clone(), time_zone: l.3.clone() })
                .collect();
            (!cals.is_empty()).then_some((s, cals))
        })
        .collect();
    Ok(offer)
}

async fn pick(
    state: &AppState,
    loc: &PublicLocation,
    service_id: &str,
    calendar_id: Option<&str>,
) -> AppResult<(Service, Vec<PublicCalendar>)> {
    let (s, cals) = offer(state, loc).await?.into_iter().find(|(s, _)| s.id == service_id).ok_or(AppError::NotFound)?;
    let cals = match calendar_id {
        Some(c) => vec![cals.into_iter().find(|x| x.id == c).ok_or(AppError::NotFound)?],
        None => cals,
    };
    Ok((s, cals))
}

/// Offered start instants for each calendar, local dates `from..=to` of `tz`.
async fn offered(
    state: &AppState,
    loc: &PublicLocation,
    service: &Service,
    cals: &[PublicCalendar],
    tz: &TimeZone,
    (from, to): (Date, Date),
    except: Option<&str>,
) -> AppResult<hours::FreeSlots> {
    let start_ms = from.to_zoned(tz.clone()).map_err(AppError::internal)?.timestamp().as_millisecond();
    let end_ms =
        to.tomorrow().and_then(|d| d.to_zoned(tz.clone())).map_err(AppError::internal)?.timestamp().as_millisecond();
    let keys: Vec<(&str, &str)> = cals.iter().map(|c| (c.id.as_str(), c.time_zone.as_str())).collect();
    let ask = hours::SlotAsk {
        rule: rule_of(service),
        span: (start_ms, end_ms),
        dates: (from.yesterday().unwrap_or(from), to.tomorrow().unwrap_or(to)),
        except,
        now: state.now(),
    };
    hours::free_slots(state, &loc.org_id, loc.change_seq, &keys, &ask).await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicSlot {
    pub start: String,
    pub end: String,
    /// How many of the people asked are free at this time (1 for one person).
    pub free: usize,
    /// Only with `detail=calendars`: which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_ids: Option<Vec<String>>,
}

/// Offered slots of a service at a location, for one person or anyone (`calendar_id`).
pub async fn slots(
    state: &AppState,
    slug: &str,
    (service_id, calendar_id): (&str, Option<&str>),
    tz: &TimeZone,
    dates: (Date, Date),
    detail: bool,
) -> AppResult<Vec<PublicSlot>> {
    let loc = location(state, slug).await?;
    let (s, cals) = pick(state, &loc, service_id, calendar_id).await?;
    let fmt = |ms: i64| Timestamp::from_millisecond(ms).map(|t| t.to_zoned(tz.clone()).to_string()).unwrap_or_default();
    let free = offered(state, &loc, &s, &cals, tz, dates, None).await?;
    let slot = |start: i64, n: usize, ids: Option<Vec<String>>| PublicSlot {
        start: fmt(start),
        end: fmt(start + s.length_min * 60_000),
        free: n,
        calendar_ids: ids,
    };
    Ok(if detail {
        free.detail()
            .into_iter()
            .map(|(start, idx)| {
                let n = idx.len();
                slot(start, n, Some(idx.into_iter().map(|i| cals[i].id.clone()).collect()))
            })
            .collect()
    } else {
        free.counts().into_iter().map(|(start, n)| slot(start, n, None)).collect()
    })
}

pub struct PublicBooking {
    pub service_id: String,
    pub calendar_id: Option<String>,
    pub start: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub notes: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Booked {
    pub booking_id: String,
    pub start: String,
    pub end: String,
    pub calendar_name: String,
}

/// Book as a visitor. The time must be one the engine offers right now (hours, notice,
/// advance, unavailability, buffers); the database refuses a lost race.
pub async fn book(state: &AppState, ctx: &Ctx, slug: &str, b: PublicBooking) -> AppResult<Booked> {
    ratelimit::hit(state, ratelimit::PUBLIC_BOOKING_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let loc = location(state, slug).await?;
    let (s, cals) = pick(state, &loc, &b.service_id, b.calendar_id.as_deref()).await?;
    let mut errors = Vec::new();
    let first = Name::parse("first_name", &b.first_name, 100).map_err(|e| errors.push(e)).ok();
    let last = Name::parse("last_name", &b.last_name, 100).map_err(|e| errors.push(e)).ok();
    let email = Email::parse("email", &b.email).map_err(|e| errors.push(e)).ok();
    let phone = match b.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Phone::parse_field("phone", p).map(String::from).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    if b.notes.chars().count() > 1000 {
        errors.push(crate::error::FieldError::new("notes", "too-long", "At most 1000 characters."));
    }
    let start =
        crate::types::BoundedInstant::parse("start", &b.start).map(|t| t.get()).map_err(|e| errors.push(e)).ok();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(first), Some(last), Some(email), Some(start)) = (first, last, email, start) else {
        return Err(AppError::internal("validation"));
    };
    let start_ms = start.as_millisecond();
    // Which calendar: the one asked for, or the first free one ("anyone").
    let tz = TimeZone::get(&loc.time_zone).unwrap_or(TimeZone::UTC);
    let day = start.to_zoned(tz.clone()).date();
    let free = offered(state, &loc, &s, &cals, &tz, (day, day), None).await?;
    let Some(cal) = free.first_free(start_ms).and_then(|i| cals.get(i)) else {
        return Err(AppError::conflict("slot-unavailable", "This time is not available; choose another slot."));
    };
    let end_ms = start_ms + s.length_min * 60_000;
    let now = to_ms(state.now());
    let token = crypto::new_token();
    let id = new_id();
    let mut tx = state.db.begin().await?;
    let buffers = (s.buffer_before_min, s.buffer_after_min);
    if !clear_with_buffers(state, &mut tx, &cal.id, (start_ms, end_ms), buffers, None).await? {
        return Err(AppError::conflict("slot-unavailable", "This time was just taken; choose another slot."));
    }
    // A returning client (same address in this organisation) is recognised, never updated.
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM clients WHERE org_id = $1 AND email_norm = $2 AND erased_at IS NULL ORDER BY created_at LIMIT 1")
            .bind(&loc.org_id)
            .bind(email.norm())
            .fetch_optional(&mut *tx)
            .await?;
    let client_id = match existing {
        Some(c) => c,
        None => {
            let cid = new_id();
            sqlx::query(
                "INSERT INTO clients (id, org_id, first_name, last_name, email, email_norm, phone, language, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8, $8)",
            )
            .bind(&cid)
            .bind(&loc.org_id)
            .bind(first.as_str())
            .bind(last.as_str())
            .bind(email.as_str())
            .bind(email.norm())
            .bind(&phone)
            .bind(now)
            .bind(ctx.lang.code())
            .execute(&mut *tx)
            .await?;
            cid
        }
    };
    let inserted = sqlx::query(
        "INSERT INTO bookings (id, org_id, location_id, calendar_id, service_id, client_id, start_at, end_at, buffer_before_min, buffer_after_min, \
         status, notes, source, manage_token_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'confirmed', $11, 'public', $12, $13, $13)",
    )
    .bind(&id)
    .bind(&loc.org_id)
    .bind(&loc.id)
    .bind(&cal.id)
    .bind(&s.id)
    .bind(&client_id)
    .bind(start_ms)
    .bind(end_ms)
    .bind(s.buffer_before_min)
    .bind(s.buffer_after_min)
    .bind(b.notes.trim())
    .bind(crypto::hash_token(&token))
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        return Err(if is_overlap(&e) {
            AppError::conflict("slot-unavailable", "This time was just taken; choose another slot.")
        } else {
            e.into()
        });
    }
    let after = crate::features::clients::personal::seal(
        &mut tx,
        state,
        &loc.org_id,
        &client_id,
        json!({"calendar_id": cal.id, "service_id": s.id, "start": start_ms, "end": end_ms, "source": "public",
               "client_email": email.as_str()}),
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: Some(&loc.org_id),
            location_id: Some(&loc.id),
            // The booker's address is personal: sealed under the client's key in `after`,
            // readable only with the client-list right, gone with the client's erasure.
            actor: &Actor::Client { id: client_id.clone(), label: "public booking".into() },
            action: "booking.created",
            object_type: "booking",
            object_id: Some(&id),
            before: None,
            after: Some(after),
            ctx: Some(ctx),
        },
    )
    .await?;
    let t = Tr(ctx.lang);
    let when = start.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let mail = compose(
        email.as_str(),
        &t.fmt("mail.booked.subject", &[("service", &s.name), ("when", &when)]),
        &[t.fmt(
            "mail.booked.body",
            &[
                ("name", first.as_str()),
                ("service", &s.name),
                ("when", &when),
                ("with", &cal.name),
                ("place", &loc.name),
            ],
        )],
        Some((t.get("mail.booked.action"), &format!("{}/manage/{token}", state.config.base_url))),
        t.get("mail.footer"),
    );
    let mail_id = outbox::enqueue_email(&mut tx, now, Some(&loc.org_id), &mail).await?;
    outbox::about_client(&mut tx, &mail_id, &client_id).await?;
    notify::notify(&mut tx, state, now, &loc.org_id, &id, "booked", Some(&token), None).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    let fmt = |ms: i64| Timestamp::from_millisecond(ms).map(|t| t.to_zoned(tz.clone()).to_string()).unwrap_or_default();
    Ok(Booked { booking_id: id, start: fmt(start_ms), end: fmt(end_ms), calendar_name: cal.name.clone() })
}

#[derive(Clone, Debug, sqlx::FromRow)]
struct Managed {
    id: String,
    org_id: String,
    location_id: String,
    calendar_id: String,
    service_id: Option<String>,
    start_at: i64,
    end_at: i64,
    status: String,
    location_name: String,
    location_slug: String,
    time_zone: String,
    calendar_name: String,
    service_name: Option<String>,
}

/// What a manage link shows: that booking's minimum, nothing about the client.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ManagedBooking {
    pub start: String,
    pub end: String,
    pub status: String,
    pub service: Option<String>,
    pub with: String,
    pub location: String,
    pub location_slug: String,
    pub service_id: Option<String>,
}

async fn by_token(state: &AppState, token: &str) -> AppResult<Managed> {
    sqlx::query_as(
        "SELECT b.id, b.org_id, b.location_id, b.calendar_id, b.service_id, b.start_at, b.end_at, b.status, l.name AS location_name, \
                l.slug AS location_slug, l.time_zone, c.name AS calendar_name, s.name AS service_name \
         FROM bookings b JOIN locations l ON l.id = b.location_id JOIN calendars c ON c.id = b.calendar_id \
         LEFT JOIN services s ON s.id = b.service_id WHERE b.manage_token_hash = $1",
    )
    .bind(crypto::hash_token(token))
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

fn present(m: &Managed) -> ManagedBooking {
    let tz = TimeZone::get(&m.time_zone).unwrap_or(TimeZone::UTC);
    let fmt = |ms: i64| Timestamp::from_millisecond(ms).map(|t| t.to_zoned(tz.clone()).to_string()).unwrap_or_default();
    ManagedBooking {
        start: fmt(m.start_at),
        end: fmt(m.end_at),
        status: m.status.clone(),
        service: m.service_name.clone(),
        with: m.calendar_name.clone(),
        location: m.location_name.clone(),
        location_slug: m.location_slug.clone(),
        service_id: m.service_id.clone(),
    }
}

pub async fn manage(state: &AppState, ctx: &Ctx, token: &str) -> AppResult<ManagedBooking> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    Ok(present(&by_token(state, token).await?))
}

pub async fn cancel(state: &AppState, ctx: &Ctx, token: &str) -> AppResult<ManagedBooking> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let m = by_token(state, token).await?;
    let now = to_ms(state.now());
    if m.status != "confirmed" || m.start_at <= now {
        return Err(AppError::conflict("not-cancellable", "This booking can no longer be cancelled online."));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE bookings SET status = 'cancelled', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&m.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: Some(&m.org_id),
            location_id: Some(&m.location_id),
            actor: &Actor::Client { id: String::new(), label: "manage link".into() },
            action: "booking.cancelled",
            object_type: "booking",
            object_id: Some(&m.id),
            before: Some(json!({"status": m.status})),
            after: Some(json!({"status": "cancelled", "via": "manage-link"})),
            ctx: Some(ctx),
        },
    )
    .await?;
    notify::notify(&mut tx, state, now, &m.org_id, &m.id, "cancelled", None, None).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(present(&by_token(state, token).await?))
}

/// Move to another offered time of the same service on the same calendar (never elsewhere).
pub async fn reschedule(state: &AppState, ctx: &Ctx, token: &str, start: &str) -> AppResult<ManagedBooking> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let m = by_token(state, token).await?;
    let now = to_ms(state.now());
    if m.status != "confirmed" || m.start_at <= now {
        return Err(AppError::conflict("not-reschedulable", "This booking can no longer be moved online."));
    }
    let start = crate::types::BoundedInstant::parse("start", start).map_err(|e| AppError::Validation(vec![e]))?.get();
    let loc = location(state, &m.location_slug).await?;
    let service_id = m
        .service_id
        .clone()
        .ok_or_else(|| AppError::conflict("not-reschedulable", "Contact the business to move this booking."))?;
    let (s, cals) = pick(state, &loc, &service_id, Some(&m.calendar_id)).await?;
    let tz = TimeZone::get(&loc.time_zone).unwrap_or(TimeZone::UTC);
    let day = start.to_zoned(tz.clone()).date();
    // The booking's own time must not count against itself.
    let free = offered(state, &loc, &s, &cals, &tz, (day, day), Some(&m.id)).await?;
    let start_ms = start.as_millisecond();
    if free.first_free(start_ms).is_none() {
        return Err(AppError::conflict("slot-unavailable", "This time is not available; choose another slot."));
    }
    let mut tx = state.db.begin().await?;
    let span = (start_ms, start_ms + s.length_min * 60_000);
    if !clear_with_buffers(state, &mut tx, &m.calendar_id, span, (s.buffer_before_min, s.buffer_after_min), Some(&m.id))
        .await?
    {
        return Err(AppError::conflict("slot-unavailable", "This time was just taken."));
    }
    let moved = sqlx::query("UPDATE bookings SET start_at = $1, end_at = $2, updated_at = $3 WHERE id = $4")
        .bind(start_ms)
        .bind(start_ms + s.length_min * 60_000)
        .bind(now)
        .bind(&m.id)
        .execute(&mut *tx)
        .await;
    if let Err(e) = moved {
        return Err(if is_overlap(&e) {
            AppError::conflict("slot-unavailable", "This time was just taken.")
        } else {
            e.into()
        });
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: Some(&m.org_id),
            location_id: Some(&m.location_id),
            actor: &Actor::Client { id: String::new(), label: "manage link".into() },
            action: "booking.moved",
            object_type: "booking",
            object_id: Some(&m.id),
            before: Some(json!({"start": m.start_at, "end": m.end_at})),
            after: Some(json!({"start": start_ms, "end": start_ms + s.length_min * 60_000, "via": "manage-link"})),
            ctx: Some(ctx),
        },
    )
    .await?;
    notify::notify(&mut tx, state, now, &m.org_id, &m.id, "moved", Some(token), None).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(present(&by_token(state, token).await?))
}

/// Offered times to move a managed booking to (its own time does not count against it),
/// local dates `from..=to` of `tz`.
pub async fn reschedule_options(
    state: &AppState,
    token: &str,
    tz: &TimeZone,
    from: Date,
    to: Date,
) -> AppResult<Vec<i64>> {
    let m = by_token(state, token).await?;
    let Some(service_id) = m.service_id.clone() else { return Ok(Vec::new()) };
    let loc = location(state, &m.location_slug).await?;
    let (s, cals) = pick(state, &loc, &service_id, Some(&m.calendar_id)).await?;
    Ok(offered(state, &loc, &s, &cals, tz, (from, to), Some(&m.id))
        .await?
        .counts()
        .into_iter()
        .map(|(t, _)| t)
        .collect())
}

/// The zone of the managed booking's location.
pub async fn managed_zone(state: &AppState, token: &str) -> AppResult<TimeZone> {
    Ok(TimeZone::get(&by_token(state, token).await?.time_zone).unwrap_or(TimeZone::UTC))
}
