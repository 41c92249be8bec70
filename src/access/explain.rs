//! Explain-access: the policy's `Reason`, in words.

use super::policy::{Decision, Reason, Scope};
use crate::i18n::Tr;

fn scope_text(scope: &Scope, t: Tr) -> String {
    match scope {
        Scope::Org => t.get("explain.scope.org").to_string(),
        Scope::Location { location_id } => t.fmt("explain.scope.location", &[("id", location_id)]),
        Scope::Calendar { calendar_id, .. } => t.fmt("explain.scope.calendar", &[("id", calendar_id)]),
    }
}

fn reason_text(r: &Reason, t: Tr) -> String {
    let role = |r: &crate::access::Role| t.role(r.as_str()).to_string();
    let toggle = |x: &super::policy::Toggle| t.toggle(x.as_str()).to_string();
    match r {
        Reason::Role { role: r } => t.fmt("explain.role", &[("role", &role(r))]),
        Reason::RoleDefault { role: r, toggle: x } => {
            t.fmt("explain.role_default", &[("role", &role(r)), ("toggle", &toggle(x))])
        }
        Reason::ToggleOn { toggle: x } => t.fmt("explain.toggle_on", &[("toggle", &toggle(x))]),
        Reason::ToggleOff { toggle: x } => t.fmt("explain.toggle_off", &[("toggle", &toggle(x))]),
        Reason::RoleCeiling { role: r, toggle: x } => {
            t.fmt("explain.ceiling", &[("role", &role(r)), ("toggle", &toggle(x))])
        }
        Reason::OwnCalendar => t.get("explain.own_calendar").to_string(),
        Reason::Grant { scope, level, via_team, .. } => {
            let base = t.fmt("explain.grant", &[("level", t.level(level.as_str())), ("scope", &scope_text(scope, t))]);
            match via_team {
                Some(team) => format!("{base} {}", t.fmt("explain.via_team", &[("team", team)])),
                None => base,
            }
        }
        Reason::AllBookingsInLocation { location_id, by } => {
            format!("{} ({})", t.fmt("explain.all_bookings", &[("id", location_id)]), reason_text(by, t))
        }
        Reason::InScope { by, .. } => format!("{} ({})", reason_text(by, t), t.get("explain.in_scope")),
        Reason::LevelTooLow { have, need, by } => format!(
            "{} ({})",
            t.fmt("explain.level_too_low", &[("have", t.level(have.as_str())), ("need", t.level(need.as_str()))]),
            reason_text(by, t)
        ),
        Reason::NotInScope => t.get("explain.not_in_scope").to_string(),
        Reason::OwnersOnly => t.get("explain.owners_only").to_string(),
        Reason::OutsideApiKey => t.get("explain.outside_api_key").to_string(),
        Reason::TargetRoleTooHigh { target } => t.fmt("explain.target_too_high", &[("role", &role(target))]),
        Reason::OwnMembership => t.get("explain.own_membership").to_string(),
        Reason::Oneself => t.get("explain.oneself").to_string(),
        Reason::Inactive { status } => t.fmt("explain.inactive", &[("status", status.as_str())]),
    }
}

/// "Allowed: …" / "Denied: …" in the reader's language.
pub fn describe(d: &Decision, t: Tr) -> String {
    let verdict = t.get(if d.allowed { "explain.allowed" } else { "explain.denied" });
    format!("{verdict} — {}", reason_text(&d.reason, t))
}
