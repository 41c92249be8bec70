//! The grants editor shared by the member and team pages: the places the editor may see, the
//! levels, and the form read back into grants.

use super::service::GrantInput;
use crate::features::prelude::*;
use crate::{
    access::{
        Role,
        policy::{Level, Scope},
    },
    features::{
        calendars::service::{self as calendars, CalendarRow},
        locations::service::{self as locations, Location},
    },
    http::pages::Opt,
};

// ---------------------------------------------------------------- shared page helpers

/// The three levels, for a `<select>`.
pub(crate) fn level_options(t: Tr) -> Vec<Opt> {
    Level::ALL.into_iter().map(|l| Opt::new(l.as_str(), t.level(l.as_str()))).collect()
}

pub(crate) fn role_label(t: Tr, role: &str) -> &'static str {
    match Role::parse(role) {
        Some(r) => t.role(r.as_str()),
        None => t.get("member.unknown"),
    }
}

/// What the current member sees of the organisation: the targets a grants editor offers.
pub(crate) struct Visible {
    pub locations: Vec<Location>,
    pub calendars: Vec<CalendarRow>,
}

pub(crate) async fn visible(state: &AppState, scope: &OrgScope) -> AppResult<Visible> {
    Ok(Visible {
        locations: locations::list(state, scope).await?,
        calendars: calendars::list(state, scope, None).await?,
    })
}

impl Visible {
    pub fn location_name(&self, id: &str) -> Option<&str> {
        self.locations.iter().find(|l| l.id == id).map(|l| l.name.as_str())
    }

    pub fn calendar_name(&self, id: &str) -> Option<&str> {
        self.calendars.iter().find(|c| c.id == id).map(|c| c.name.as_str())
    }

    /// "Where" in words: the organisation, a location, or a calendar (with its location).
    pub fn target(&self, t: Tr, scope: &Scope) -> String {
        match scope {
            Scope::Org => t.get("explain.scope.org").to_string(),
            Scope::Location { location_id } => match self.location_name(location_id) {
                Some(n) => n.to_string(),
                None => t.fmt("explain.scope.location", &[("id", location_id)]),
            },
            Scope::Calendar { location_id, calendar_id } => match self.calendar_name(calendar_id) {
                Some(n) => match self.location_name(location_id) {
                    Some(l) => format!("{n} ({l})"),
                    None => n.to_string(),
                },
                None => t.fmt("explain.scope.calendar", &[("id", calendar_id)]),
            },
        }
    }
}

/// One line of a grants editor: a location or a calendar and the level held there.
pub(crate) struct GrantRowView {
    pub id: String,
    pub name: String,
    pub detail: String,
    pub level: String,
}

/// The grants editor (members and teams): one level per place, "none" removing it.
pub(crate) struct GrantsEditor {
    pub org_level: String,
    pub locations: Vec<GrantRowView>,
    pub calendars: Vec<GrantRowView>,
    pub levels: Vec<Opt>,
}

fn best(current: &[(Scope, Level)], matches: impl Fn(&Scope) -> bool) -> String {
    current
        .iter()
        .filter(|(s, _)| matches(s))
        .map(|(_, l)| *l)
        .max()
        .map(|l| l.as_str().to_string())
        .unwrap_or_default()
}

pub(crate) fn grants_editor(t: Tr, vis: &Visible, current: &[(Scope, Level)]) -> GrantsEditor {
    GrantsEditor {
        org_level: best(current, |s| *s == Scope::Org),
        locations: vis
            .locations
            .iter()
            .map(|l| GrantRowView {
                id: l.id.clone(),
                name: l.name.clone(),
                detail: String::new(),
                level: best(current, |s| matches!(s, Scope::Location { location_id } if *location_id == l.id)),
            })
            .collect(),
        calendars: vis
            .calendars
            .iter()
            .map(|c| GrantRowView {
                id: c.id.clone(),
                name: c.name.clone(),
                detail: vis.location_name(&c.location_id).unwrap_or_default().to_string(),
                level: best(current, |s| matches!(s, Scope::Calendar { calendar_id, .. } if *calendar_id == c.id)),
            })
            .collect(),
        levels: level_options(t),
    }
}

/// The grants a submitted editor asks for. Grants on places this member cannot see are
/// not in the editor, so they are kept as they are (the service still checks everything).
pub(crate) fn grants_from_editor(f: &FormFields, vis: &Visible, current: &[(Scope, Level)]) -> Vec<GrantInput> {
    let grant = |scope: &str, location_id: Option<&str>, calendar_id: Option<&str>, level: String| GrantInput {
        scope: scope.into(),
        location_id: location_id.map(String::from),
        calendar_id: calendar_id.map(String::from),
        level,
    };
    let mut out = Vec::new();
    if let Some(level) = f.opt("grant_org") {
        out.push(grant("org", None, None, level));
    }
    for l in &vis.locations {
        if let Some(level) = f.opt(&format!("grant_loc_{}", l.id)) {
            out.push(grant("location", Some(&l.id), None, level));
        }
    }
    for c in &vis.calendars {
        if let Some(level) = f.opt(&format!("grant_cal_{}", c.id)) {
            out.push(grant("calendar", Some(&c.location_id), Some(&c.id), level));
        }
    }
    for (s, level) in current {
        match s {
            Scope::Location { location_id } if vis.location_name(location_id).is_none() => {
                out.push(grant("location", Some(location_id), None, level.as_str().into()));
            }
            Scope::Calendar { location_id, calendar_id } if vis.calendar_name(calendar_id).is_none() => {
                out.push(grant("calendar", Some(location_id), Some(calendar_id), level.as_str().into()));
            }
            _ => {}
        }
    }
    out
}
