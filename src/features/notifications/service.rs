//! Preference rules: the events and channels, their defaults, reading and changing one's own.

use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    error::FieldError,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

use super::repo;

/// Booking events on the member's own calendar.
pub const EVENTS: [&str; 3] = ["booking_created", "booking_moved", "booking_cancelled"];
pub const CHANNELS: [&str; 2] = ["email", "sms"];

/// Without a choice of their own, members get email and no SMS.
pub fn default_enabled(channel: &str) -> bool {
    channel == "email"
}

/// The event a booking notification (`booked`, `moved`, `cancelled`) belongs to.
pub fn event_of(kind: &str) -> &'static str {
    match kind {
        "moved" => "booking_moved",
        "cancelled" => "booking_cancelled",
        _ => "booking_created",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preference {
    /// `booking_created`, `booking_moved` or `booking_cancelled`.
    pub event: String,
    /// `email` or `sms`.
    pub channel: String,
    pub enabled: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Preferences {
    /// Every event × channel, defaults included.
    pub preferences: Vec<Preference>,
    /// Whether this organisation sends text messages at all (its setting and the server's).
    pub sms_available: bool,
    /// Where SMS go: the mobile phone of the member's profile.
    pub mobile_phone: Option<String>,
}

impl Preferences {
    pub fn enabled(&self, event: &str, channel: &str) -> bool {
        self.preferences.iter().any(|p| p.event == event && p.channel == channel && p.enabled)
    }
}

type Matrix = BTreeMap<(String, String), bool>;

async fn load(state: &AppState, scope: &OrgScope) -> AppResult<Matrix> {
    let rows = repo::preferences(state.db.pool(), scope.tenant(), scope.membership_id()).await?;
    let mut m: Matrix = EVENTS
        .iter()
        .flat_map(|e| CHANNELS.iter().map(move |c| ((e.to_string(), c.to_string()), default_enabled(c))))
        .collect();
    for (event, channel, enabled) in rows {
        if let Some(v) = m.get_mut(&(event, channel)) {
            *v = enabled != 0;
        }
    }
    Ok(m)
}

fn as_json(m: &Matrix) -> serde_json::Value {
    json!(m.iter().map(|((e, c), v)| (format!("{e}.{c}"), *v)).collect::<BTreeMap<_, _>>())
}

/// The caller's own preferences.
pub async fn mine(state: &AppState, scope: &OrgScope) -> AppResult<Preferences> {
    let m = load(state, scope).await?;
    let (sms_enabled, mobile_phone) = repo::sms_and_phone(state.db.pool(), scope.tenant(), scope.account_id()).await?;
    // In the order of EVENTS, then CHANNELS.
    let preferences = EVENTS
        .iter()
        .flat_map(|e| CHANNELS.iter().map(move |c| (*e, *c)))
        .map(|(e, c)| Preference {
            event: e.into(),
            channel: c.into(),
            enabled: m.get(&(e.to_string(), c.to_string())).copied().unwrap_or(false),
        })
        .collect();
    Ok(Preferences { preferences, sms_available: crate::jobs::sms::sms_on(&state.config, sms_enabled), mobile_phone })
}

/// Change some of the caller's own preferences; the ones not named keep their value. All or
/// nothing: one unknown event or channel (or a cell named twice) and nothing is written.
pub async fn set_mine(state: &AppState, ctx: &Ctx, scope: &OrgScope, changes: &[Preference]) -> AppResult<Preferences> {
    let mut errors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, p) in changes.iter().enumerate() {
        if !EVENTS.contains(&p.event.as_str()) {
            errors.push(FieldError::new(
                &format!("preferences[{i}].event"),
                "unknown-event",
                format!("Use one of {}.", EVENTS.join(", ")),
            ));
        }
        if !CHANNELS.contains(&p.channel.as_str()) {
            errors.push(FieldError::new(
                &format!("preferences[{i}].channel"),
                "unknown-channel",
                format!("Use one of {}.", CHANNELS.join(", ")),
            ));
        }
        if !seen.insert((p.event.as_str(), p.channel.as_str())) {
            errors.push(FieldError::new(&format!("preferences[{i}]"), "duplicate", "Each event and channel once."));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = load(state, scope).await?;
    let mut after = before.clone();
    for p in changes {
        after.insert((p.event.clone(), p.channel.clone()), p.enabled);
    }
    if after != before {
        let now = to_ms(state.now());
        let mut tx = state.db.begin().await?;
        for p in changes {
            repo::set_preference(&mut tx, scope.tenant(), scope.membership_id(), &p.event, &p.channel, p.enabled, now)
                .await?;
        }
        let event = Event::new("member.notifications_updated", "membership", scope.membership_id())
            .before(as_json(&before))
            .after(as_json(&after));
        audit::org_event(&mut tx, now, scope, ctx, event).await?;
        tx.commit().await?;
    }
    mine(state, scope).await
}
