//! Explain access and preview: the policy's own decisions about a member, shown.

use crate::features::prelude::*;
use crate::{
    access::{
        context::member_view_by_id,
        policy::{self, Decision, Toggle},
    },
    features::calendars::service as calendars,
};
use serde::Serialize;

use super::{
    repo,
    service::{find, footprint, target},
};

// ---------------------------------------------------------------- explain

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub member_id: String,
    pub action: Action,
    pub object_type: String,
    pub object_id: Option<String>,
    pub decision: Decision,
    /// The same reason in words, in the caller's language.
    pub text: String,
}

/// "May member M do action A on object O, and why?" — the policy's own decision, shown.
pub async fn explain(
    state: &AppState,
    scope: &OrgScope,
    member_id: &str,
    action: Action,
    object_type: &str,
    object_id: Option<&str>,
    t: crate::i18n::Tr,
) -> AppResult<Explanation> {
    let m = find(state, scope, member_id).await?.ok_or(AppError::NotFound)?;
    if m.id != scope.membership_id() {
        target(state, scope, &m.id, Action::ExplainAccess).await?;
    }
    let view = member_view_by_id(state, scope.org_id(), &m.id).await?.ok_or(AppError::NotFound)?;
    let decision = match object_type {
        "org" => policy::authorize(&view, action, Object::Org),
        "location" => {
            let id = object_id.unwrap_or_default();
            let loc = crate::features::locations::service::find(state, scope, id).await?.ok_or(AppError::NotFound)?;
            policy::authorize(&view, action, Object::Location { id: &loc.id })
        }
        "calendar" => {
            let c = calendars::find(state, scope, object_id.unwrap_or_default()).await?.ok_or(AppError::NotFound)?;
            policy::authorize(&view, action, Object::Calendar(c.as_ref()))
        }
        "member" => {
            let other = find(state, scope, object_id.unwrap_or_default()).await?.ok_or(AppError::NotFound)?;
            let fp = footprint(state, scope, &other).await?;
            policy::authorize(&view, action, other.object(&fp))
        }
        _ => {
            return Err(AppError::field(
                "object_type",
                "invalid-object-type",
                "Use org, location, calendar or member.",
            ));
        }
    };
    let text = crate::access::explain::describe(&decision, t);
    Ok(Explanation {
        member_id: m.id,
        action,
        object_type: object_type.to_string(),
        object_id: object_id.map(String::from),
        decision,
        text,
    })
}

/// What a member sees, computed by the policy from their own view (read-only preview for
/// those allowed to explain that member's access).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub member_id: String,
    pub role: String,
    /// Each right after role and toggles.
    pub rights: std::collections::BTreeMap<String, bool>,
    pub locations: Vec<PreviewItem>,
    pub calendars: Vec<PreviewItem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewItem {
    pub id: String,
    pub name: String,
    /// For calendars: view, book or manage.
    pub access: Option<String>,
}

pub async fn preview(state: &AppState, scope: &OrgScope, member_id: &str) -> AppResult<Preview> {
    let m = find(state, scope, member_id).await?.ok_or(AppError::NotFound)?;
    if m.id != scope.membership_id() {
        target(state, scope, &m.id, Action::ExplainAccess).await?;
    }
    let view = member_view_by_id(state, scope.org_id(), &m.id).await?.ok_or(AppError::NotFound)?;
    let locations = crate::features::locations::repo::list(state.db.pool(), scope.tenant()).await?;
    let cals = repo::calendars_brief(state.db.pool(), scope.tenant()).await?;
    Ok(Preview {
        member_id: m.id.clone(),
        role: m.role.clone(),
        rights: Toggle::ALL.into_iter().map(|t| (t.as_str().to_string(), view.capability(t).0)).collect(),
        locations: locations
            .into_iter()
            .filter(|l| policy::authorize(&view, Action::ViewLocation, Object::Location { id: &l.id }).allowed)
            .map(|l| PreviewItem { id: l.id, name: l.name, access: None })
            .collect(),
        calendars: cals
            .into_iter()
            .filter_map(|(id, name, loc, owner)| {
                let r = crate::access::policy::CalendarRef {
                    id: &id,
                    location_id: &loc,
                    owner_member_id: owner.as_deref(),
                };
                let level = view.calendar_level(r).map(|(l, _)| l.as_str().to_string());
                policy::authorize(&view, Action::ViewCalendar, Object::Calendar(r)).allowed.then(|| PreviewItem {
                    id: id.clone(),
                    name,
                    access: level,
                })
            })
            .collect(),
    })
}
