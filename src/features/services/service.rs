//! Service rules (their availability is `features::availability`).

use super::repo;
use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    db::new_id,
    error::FieldError,
    features::{
        bookings::{
            repo::{self as bookings, CountOf},
            service::MAX_LENGTH_MS,
        },
        calendars::service as calendars,
    },
    scheduling::availability::ServiceRule,
    types::Checks,
};
use serde_json::json;

pub use super::repo::Service;

/// Services of the organisation with their calendars: two queries.
pub async fn list(state: &AppState, scope: &OrgScope) -> AppResult<Vec<Service>> {
    let mut services = repo::list(state.db.pool(), scope.tenant()).await?;
    let links = repo::offers(state.db.pool(), scope.tenant()).await?;
    for s in &mut services {
        s.calendar_ids = links.iter().filter(|(sid, _)| *sid == s.id).map(|(_, c)| c.clone()).collect();
    }
    Ok(services)
}

/// One service of the organisation with its calendars: one row (availability and booking
/// creation ask for it on every request; ids are UUID text, without commas).
pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Service> {
    let s = state
        .cache
        .get_or_load::<crate::cache::kind::Service, _, _>(scope.org_id(), scope.change_seq(), id, || {
            load(state, scope, id)
        })
        .await?;
    Ok((*s).clone())
}

impl crate::cache::Kind for crate::cache::kind::Service {
    type Value = Service;
}

async fn load(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Service> {
    let s = repo::get(state.db.pool(), state.db.backend(), scope.tenant(), id).await?.ok_or(AppError::NotFound)?;
    Ok(s)
}

#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub length_min: Option<i64>,
    pub buffer_before_min: Option<i64>,
    pub buffer_after_min: Option<i64>,
    pub min_notice_min: Option<i64>,
    pub max_advance_days: Option<i64>,
    pub step_min: Option<i64>,
    /// Display only; null clears.
    #[serde(default, deserialize_with = "double_option")]
    pub price_cents: Option<Option<i64>>,
    pub currency: Option<String>,
    pub status: Option<String>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(<Option<i64> as serde::Deserialize>::deserialize(d)?))
}

fn apply(s: &mut Service, i: ServiceInput) -> AppResult<()> {
    let mut checks = Checks::default();
    checks.set_name(&mut s.name, "name", i.name.as_deref(), 120);
    if let Some(v) = i.description {
        if v.chars().count() > 2000 {
            checks.push(FieldError::new("description", "too-long", "At most 2000 characters."));
        }
        s.description = v.trim().to_string();
    }
    let mut range = |field: &str, v: Option<i64>, lo: i64, hi: i64, target: &mut i64| {
        if let Some(v) = v {
            if (lo..=hi).contains(&v) {
                *target = v;
            } else {
                checks.push(FieldError::new(field, "out-of-range", format!("Between {lo} and {hi}.")));
            }
        }
    };
    range("length_min", i.length_min, 5, MAX_LENGTH_MS / 60_000, &mut s.length_min);
    range("buffer_before_min", i.buffer_before_min, 0, 240, &mut s.buffer_before_min);
    range("buffer_after_min", i.buffer_after_min, 0, 240, &mut s.buffer_after_min);
    range("min_notice_min", i.min_notice_min, 0, 60 * 24 * 60, &mut s.min_notice_min);
    range("max_advance_days", i.max_advance_days, 1, 730, &mut s.max_advance_days);
    range("step_min", i.step_min, 5, 240, &mut s.step_min);
    if let Some(p) = i.price_cents {
        if p.is_some_and(|c| c < 0) {
            checks.push(FieldError::new("price_cents", "out-of-range", "A price cannot be negative."));
        }
        s.price_cents = p;
    }
    if let Some(c) = i.currency {
        if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
            s.currency = c.to_ascii_uppercase();
        } else {
            checks.push(FieldError::new("currency", "invalid-currency", "Use a three-letter code such as EUR."));
        }
    }
    if let Some(st) = i.status {
        match st.as_str() {
            "active" | "archived" => s.status = st,
            _ => checks.push(FieldError::new("status", "invalid-status", "Use active or archived.")),
        }
    }
    checks.finish()
}

pub async fn save(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: Option<&str>,
    input: ServiceInput,
) -> AppResult<Service> {
    scope.require(Action::ManageServices, Object::Org)?;
    let before = match id {
        Some(id) => Some(get(state, scope, id).await?),
        None => None,
    };
    if before.is_none() && input.name.is_none() {
        return Err(AppError::field("name", "required", "This field is required."));
    }
    let mut s = before.clone().unwrap_or(Service {
        id: new_id(),
        name: String::new(),
        description: String::new(),
        length_min: 30,
        buffer_before_min: 0,
        buffer_after_min: 0,
        min_notice_min: 60,
        max_advance_days: 90,
        step_min: 15,
        price_cents: None,
        currency: "EUR".into(),
        status: "active".into(),
        calendar_ids: vec![],
    });
    apply(&mut s, input)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if before.is_some() {
        repo::update(&mut tx, scope.tenant(), &s, now).await?;
    } else {
        repo::insert(&mut tx, scope.tenant(), &s, now).await?;
    }
    let event = Event::new(if before.is_some() { "service.updated" } else { "service.created" }, "service", &s.id)
        .before(before.as_ref().map(|b| json!(b)))
        .after(json!(s));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn delete(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    scope.require(Action::ManageServices, Object::Org)?;
    let before = get(state, scope, id).await?;
    let in_use = || AppError::conflict("service-in-use", "Bookings use this service: archive it instead.");
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // Inside the write transaction, so a booking made meanwhile is seen (SQLite) or meets
    // the foreign key, mapped to the same answer (PostgreSQL).
    if bookings::count(&mut tx, scope.tenant(), CountOf::Service(id)).await? > 0 {
        return Err(in_use());
    }
    repo::delete(&mut tx, scope.tenant(), id).await.map_err(|e| crate::db::foreign_key_or(e, in_use()))?;
    let event = Event::new("service.deleted", "service", id).before(json!(before));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The per-calendar toggle: whoever manages the calendar decides which services it offers.
pub async fn set_offered(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    service_id: &str,
    calendar_id: &str,
    offered: bool,
) -> AppResult<Service> {
    let s = get(state, scope, service_id).await?;
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::set_offered(&mut tx, scope.tenant(), &cal.id, &s.id, offered).await?;
    let event = Event::new(if offered { "service.offered" } else { "service.withdrawn" }, "calendar", &cal.id)
        .at(&cal.location_id)
        .after(json!({"service_id": s.id}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    // Read again, not through the cache: the request's change sequence is the one before
    // this change, under which the old list is kept.
    load(state, scope, &s.id).await
}

pub fn rule_of(s: &Service) -> ServiceRule {
    ServiceRule {
        length_min: s.length_min,
        buffer_before_min: s.buffer_before_min,
        buffer_after_min: s.buffer_after_min,
        step_min: s.step_min,
        min_notice_min: s.min_notice_min,
        max_advance_min: s.max_advance_days * 24 * 60,
    }
}
