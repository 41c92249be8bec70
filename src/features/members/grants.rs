//! Grants and toggles as asked for in a request: resolved against the organisation, and
//! within the granter's own rights.

use crate::features::prelude::*;
use crate::{
    access::{
        Role, Tenant,
        policy::{self, Decision, Level, MemberView, Preset, Scope, Toggle, Toggles},
    },
    db::Tx,
    error::FieldError,
    features::calendars::service as calendars,
    types::Checks,
};

use super::repo::{self, NewGrant};
use serde_json::json;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- grants and toggles

/// A grant as asked for in a request: ids are checked against this organisation.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// `org`, `location` or `calendar`.
    pub scope: String,
    pub location_id: Option<String>,
    pub calendar_id: Option<String>,
    /// `view`, `book` or `manage`.
    pub level: String,
}

/// Resolve requested grants against this organisation's locations and calendars. A foreign
/// or unknown id is refused the same way.
pub async fn resolve_grants(
    state: &AppState,
    scope: &OrgScope,
    input: &[GrantInput],
) -> AppResult<Vec<(Scope, Level)>> {
    let mut out = Vec::new();
    let mut checks = Checks::default();
    for (i, g) in input.iter().enumerate() {
        let field = format!("grants[{i}]");
        let Some(level) = Level::parse(&g.level) else {
            checks.push(FieldError::new(&field, "invalid-level", "Use view, book or manage."));
            continue;
        };
        let resolved = match g.scope.as_str() {
            "org" => Some(Scope::Org),
            "location" => match g.location_id.as_deref() {
                Some(id) => crate::features::locations::service::find(state, scope, id)
                    .await?
                    .map(|l| Scope::Location { location_id: l.id }),
                None => None,
            },
            "calendar" => match g.calendar_id.as_deref() {
                Some(id) => calendars::find(state, scope, id)
                    .await?
                    .map(|c| Scope::Calendar { location_id: c.location_id, calendar_id: c.id }),
                None => None,
            },
            _ => {
                checks.push(FieldError::new(&field, "invalid-scope", "Use org, location or calendar."));
                continue;
            }
        };
        match resolved {
            Some(s) => out.push((s, level)),
            None => checks.push(FieldError::new(
                &field,
                "unknown-target",
                "No such location or calendar in this organisation.",
            )),
        }
    }
    checks.finish()?;
    Ok(out)
}

/// Parse toggle overrides; refuse one the role can never hold.
pub(super) fn parse_toggles(role: Role, input: &BTreeMap<String, bool>) -> AppResult<Toggles> {
    let mut out = BTreeMap::new();
    let mut checks = Checks::default();
    for (k, v) in input {
        match Toggle::parse(k) {
            None => checks.push(FieldError::new(&format!("toggles.{k}"), "unknown-toggle", "No such toggle.")),
            Some(t) if *v && policy::preset(role, t) == Preset::Never => checks.push(FieldError::new(
                &format!("toggles.{k}"),
                "not-for-this-role",
                format!("The {} role cannot have this right.", role.as_str()),
            )),
            Some(t) => {
                out.insert(t, *v);
            }
        }
    }
    checks.finish()?;
    Ok(Toggles(out))
}

pub(super) fn refuse(d: Decision, what: &str) -> AppError {
    let kind =
        serde_json::to_value(&d.reason).ok().and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(String::from));
    AppError::Forbidden { code: "forbidden", detail: format!("You cannot {what} ({}).", kind.unwrap_or_default()) }
}

/// Nobody gives more than they hold: every switched-on toggle and every grant must be within
/// the granter's own rights.
pub(super) fn check_within_own_rights(
    granter: &MemberView,
    toggles: &Toggles,
    grants: &[(Scope, Level)],
) -> AppResult<()> {
    for (t, on) in &toggles.0 {
        if *on {
            let d = policy::may_give_toggle(granter, *t);
            if !d.allowed {
                return Err(refuse(d, &format!("give the {} right", t.as_str())));
            }
        }
    }
    for (scope, level) in grants {
        let d = policy::may_grant(granter, scope, *level);
        if !d.allowed {
            return Err(refuse(d, &format!("grant {} access there", level.as_str())));
        }
    }
    Ok(())
}

pub async fn insert_grants(
    tx: &mut Tx,
    now: i64,
    tenant: &Tenant,
    subject_type: &str,
    subject_id: &str,
    grants: &[(Scope, Level)],
) -> AppResult<()> {
    for (scope, level) in grants {
        let (kind, loc, cal) = match scope {
            Scope::Org => ("org", None, None),
            Scope::Location { location_id } => ("location", Some(location_id.as_str()), None),
            Scope::Calendar { location_id, calendar_id } => {
                ("calendar", Some(location_id.as_str()), Some(calendar_id.as_str()))
            }
        };
        let grant =
            NewGrant { subject_type, subject_id, kind, location_id: loc, calendar_id: cal, level: level.as_str() };
        repo::insert_grant(tx, tenant, &grant, now).await?;
    }
    Ok(())
}

pub(super) fn grants_json(grants: &[(Scope, Level)]) -> serde_json::Value {
    json!(grants.iter().map(|(s, l)| json!({"scope": s, "level": l})).collect::<Vec<_>>())
}
