//! Public booking rules. Nothing a visitor sends chooses the organisation, the price, the
//! status or a client record: the location slug decides the organisation, the engine decides
//! whether a time is offered, and a booking's manage token reaches only that booking.

use super::repo;
use crate::features::prelude::*;
use crate::{
    access::tenant::PublicSite,
    audit::Actor,
    clock::to_ms,
    crypto,
    db::new_id,
    error::FieldError,
    features::{
        availability::{self, Asked, FreeSlots, SlotList, SlotWindow},
        bookings::{repo::NewRow, write},
        clients::{repo as clients_repo, service::ClientRow},
        services::{
            repo as services_repo,
            service::{Service, rule_of},
        },
    },
    ratelimit,
    scheduling::admission::{self, Limits, Proposal, Refusal},
    types::{Email, Name, Phone},
};
use jiff::{Timestamp, civil::Date, tz::TimeZone};
use serde::Serialize;
use serde_json::json;

/// An open location reached by its slug, with its organisation (`access::tenant::PublicSite`).
pub type PublicLocation = PublicSite;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PublicCalendar {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub time_zone: String,
}

/// An open location by slug; anything else (archived, unknown) is not found.
pub async fn location(state: &AppState, slug: &str) -> AppResult<PublicLocation> {
    crate::access::tenant::public_site(state.db.pool(), slug).await?.ok_or(AppError::NotFound)
}

/// Public, active services offered by at least one active calendar of the location, with
/// those calendars. Hidden services and calendars never appear.
pub async fn offer(state: &AppState, loc: &PublicLocation) -> AppResult<Offer> {
    let offer = state
        .cache
        .get_or_load::<crate::cache::kind::PublicOffer, _, _>(
            loc.tenant.org_id(),
            loc.change_seq,
            &loc.location_id,
            || load_offer(state, loc),
        )
        .await?;
    Ok((*offer).clone())
}

type Offer = Vec<(Service, Vec<PublicCalendar>)>;

impl crate::cache::Kind for crate::cache::kind::PublicOffer {
    type Value = Offer;
}

async fn load_offer(state: &AppState, loc: &PublicLocation) -> AppResult<Offer> {
    let (services, links) = services_repo::public_offer(state.db.pool(), &loc.tenant, &loc.location_id).await?;
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
) -> AppResult<FreeSlots> {
    let keys: Vec<(&str, &str)> = cals.iter().map(|c| (c.id.as_str(), c.time_zone.as_str())).collect();
    let window = SlotWindow::new(from, to, tz.clone());
    availability::free_for(state, &loc.tenant, loc.change_seq, &rule_of(service), &keys, &window, except).await
}

/// Offered slots of a service at a location, for one person or anyone (`calendar_id`), over
/// the dates asked (read in the visitor's zone, the location's by default).
pub async fn slots(
    state: &AppState,
    slug: &str,
    (service_id, calendar_id): (&str, Option<&str>),
    asked: Asked,
    detail: bool,
) -> AppResult<SlotList> {
    let loc = location(state, slug).await?;
    let (s, cals) = pick(state, &loc, service_id, calendar_id).await?;
    let window = asked.in_zone_or(&loc.time_zone);
    let free = offered(state, &loc, &s, &cals, &window.tz, (window.from, window.to), None).await?;
    let ids = cals.iter().map(|c| c.id.clone()).collect();
    Ok(SlotList::new(&free, ids, &window.tz, s.length_min, detail))
}

/// Only these fields: nothing here can choose a price, a status, a client record or staff.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicBooking {
    pub service_id: String,
    pub calendar_id: Option<String>,
    /// An offered start, RFC 3339.
    pub start: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    #[serde(default)]
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
    ratelimit::hit_ip(state, ratelimit::PUBLIC_BOOKING_PER_IP, ctx).await?;
    let loc = location(state, slug).await?;
    let (s, cals) = pick(state, &loc, &b.service_id, b.calendar_id.as_deref()).await?;
    let mut errors = Vec::new();
    let first = Name::parse("first_name", &b.first_name, 100).map_err(|e| errors.push(e)).ok();
    let last = Name::parse("last_name", &b.last_name, 100).map_err(|e| errors.push(e)).ok();
    let email = Email::parse("email", &b.email).map_err(|e| errors.push(e)).ok();
    let phone = match b.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        // The location's country's national form ("06 …" in Lyon) or the international one.
        Some(p) => Phone::parse_field_in("phone", p, Phone::country_of_zone(&loc.time_zone))
            .map(String::from)
            .map_err(|e| errors.push(e))
            .ok(),
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
    let end_ms = start_ms + s.length_min * 60_000;
    // Which calendar: the one asked for, or the first free one ("anyone").
    let tz = TimeZone::get(&loc.time_zone).unwrap_or(TimeZone::UTC);
    let day = start.to_zoned(tz.clone()).date();
    let free = offered(state, &loc, &s, &cals, &tz, (day, day), None).await?;
    let Some(cal) = free.first_free(start_ms).and_then(|i| cals.get(i)) else {
        return Err(refused(state, &loc, &s, &cals, start_ms, None).await);
    };
    let now = to_ms(state.now());
    let token = crypto::new_token();
    let id = new_id();
    let tenant = &loc.tenant;
    let mut tx = state.db.begin().await?;
    // A returning client (same address in this organisation) is recognised, never updated.
    let client_id = match clients_repo::by_email(&mut tx, tenant, email.norm()).await? {
        Some(c) => c,
        None => {
            let c = ClientRow {
                id: new_id(),
                first_name: first.as_str().to_string(),
                last_name: last.as_str().to_string(),
                email: Some(email.as_str().to_string()),
                phone: phone.clone(),
                notes: String::new(),
                erased_at: None,
                created_at: now,
            };
            clients_repo::insert(&mut tx, tenant, &c, Some(ctx.lang.code())).await?;
            c.id
        }
    };
    // The booker's address is personal: sealed under the client's key in the audit entry,
    // readable only with the client-list right, gone with the client's erasure.
    let after = crate::features::clients::personal::seal(
        &mut tx,
        state,
        tenant,
        &client_id,
        json!({"calendar_id": cal.id, "service_id": s.id, "start": start_ms, "end": end_ms, "source": "public",
               "client_email": email.as_str()}),
    )
    .await?;
    let row = NewRow {
        id: &id,
        location_id: &loc.location_id,
        calendar_id: &cal.id,
        service_id: Some(&s.id),
        client_id: Some(&client_id),
        span: (start_ms, end_ms),
        buffers: (s.buffer_before_min, s.buffer_after_min),
        notes: b.notes.trim(),
        source: "public",
        created_by: None,
        manage_token_hash: Some(crypto::hash_token(&token)),
        now,
    };
    let by =
        write::By { actor: Actor::Client { id: client_id.clone(), label: "public booking".into() }, ctx, member: None };
    let place = write::Place { calendar_id: &cal.id, location_id: &loc.location_id, zone: &cal.time_zone };
    let at = write::At { tenant, place, by };
    let rules = write::Rules { limits: Some(Limits::of(&rule_of(&s))), override_hours: None };
    let notice = write::Notice { kind: "booked", manage_token: Some(&token) };
    if let Err(r) = write::create(state, &mut tx, &at, &row, rules, after, notice).await? {
        return Err(unavailable(r, "This time was just taken; choose another slot."));
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    let fmt = |ms: i64| Timestamp::from_millisecond(ms).map(|t| t.to_zoned(tz.clone()).to_string()).unwrap_or_default();
    Ok(Booked { booking_id: id, start: fmt(start_ms), end: fmt(end_ms), calendar_name: cal.name.clone() })
}

use super::repo::Managed;

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
    let (tenant, id) =
        crate::access::tenant::by_manage_token(state.db.pool(), token).await?.ok_or(AppError::NotFound)?;
    repo::managed(state.db.pool(), &tenant, &id).await?.ok_or(AppError::NotFound)
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
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
    Ok(present(&by_token(state, token).await?))
}

/// A write on the managed booking's calendar by the holder of its manage link.
fn manage_link<'a>(ctx: &'a Ctx, m: &'a Managed) -> write::At<'a> {
    let by = write::By { actor: Actor::Client { id: String::new(), label: "manage link".into() }, ctx, member: None };
    let place = write::Place { calendar_id: &m.calendar_id, location_id: &m.location_id, zone: &m.calendar_time_zone };
    write::At { tenant: &m.tenant, place, by }
}

fn moving(m: &Managed) -> write::Moving<'_> {
    write::Moving {
        id: &m.id,
        span: (m.start_at, m.end_at),
        buffers: (m.buffer_before_min, m.buffer_after_min),
        status: &m.status,
    }
}

pub async fn cancel(state: &AppState, ctx: &Ctx, token: &str) -> AppResult<ManagedBooking> {
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
    let m = by_token(state, token).await?;
    let now = to_ms(state.now());
    if m.status != "confirmed" || m.start_at <= now {
        return Err(AppError::conflict("not-cancellable", "This booking can no longer be cancelled online."));
    }
    let mut tx = state.db.begin().await?;
    let status = ("cancelled", Some("manage-link"));
    write::set_status(state, &mut tx, &manage_link(ctx, &m), &moving(&m), status).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(present(&by_token(state, token).await?))
}

/// Move to another offered time of the same service on the same calendar (never elsewhere).
pub async fn reschedule(state: &AppState, ctx: &Ctx, token: &str, start: &str) -> AppResult<ManagedBooking> {
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
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
        return Err(refused(state, &loc, &s, &cals, start_ms, Some(&m.id)).await);
    }
    let mut tx = state.db.begin().await?;
    let span = (start_ms, start_ms + s.length_min * 60_000);
    let rules = write::Rules { limits: Some(Limits::of(&rule_of(&s))), override_hours: None };
    let notice = write::Notice { kind: "moved", manage_token: Some(token) };
    let done =
        write::reschedule(state, &mut tx, &manage_link(ctx, &m), &moving(&m), span, rules, Some("manage-link"), notice)
            .await?;
    if let Err(r) = done {
        return Err(unavailable(r, "This time was just taken."));
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(present(&by_token(state, token).await?))
}

/// A visitor's refused time: `409 slot-unavailable`, with the rule that refused it as the
/// reason (the same codes a staff booking is refused with).
fn unavailable(r: Refusal, detail: &str) -> AppError {
    AppError::conflict_because("slot-unavailable", detail, FieldError::new("start", r.code(), detail))
}

/// Why the engine does not offer `start` on any of `cals`: the first calendar's reason by the
/// one rule, or that it is not one of the offered start times.
async fn refused(
    state: &AppState,
    loc: &PublicLocation,
    s: &Service,
    cals: &[PublicCalendar],
    start: i64,
    except: Option<&str>,
) -> AppError {
    const DETAIL: &str = "This time is not available; choose another slot.";
    let Some(cal) = cals.first() else { return AppError::conflict("slot-unavailable", DETAIL) };
    let rule = rule_of(s);
    let p = Proposal {
        start_ms: start,
        end_ms: start + s.length_min * 60_000,
        buffer_before_min: s.buffer_before_min,
        buffer_after_min: s.buffer_after_min,
    };
    let place = write::Place { calendar_id: &cal.id, location_id: &loc.location_id, zone: &cal.time_zone };
    let rules = write::Rules { limits: Some(Limits::of(&rule)), override_hours: None };
    let why = async {
        let mut conn = state.db.pool().acquire().await?;
        let around = write::Around::read(&mut conn, &loc.tenant, place, &p, except).await?;
        Ok::<_, AppError>(match around.judge(&p, rules, state.now()) {
            Err(r) => Some(r.code()),
            Ok(_) if !admission::on_grid(&around.tz, &around.hours, &rule, start) => Some("not-offered"),
            Ok(_) => None,
        })
    };
    match why.await {
        Ok(Some(code)) => {
            AppError::conflict_because("slot-unavailable", DETAIL, FieldError::new("start", code, DETAIL))
        }
        Ok(None) => AppError::conflict("slot-unavailable", DETAIL),
        Err(e) => {
            tracing::warn!(error = %e, "could not tell why a time is not offered");
            AppError::conflict("slot-unavailable", DETAIL)
        }
    }
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
