//! The invitation form: role, toggles, grants and an own calendar for someone new.

use super::pages::*;
use super::service::{self, GrantInput};
use crate::features::prelude::*;
use crate::http::forms::refused;
use crate::{
    access::{
        Role,
        policy::{Level, Toggle},
    },
    http::pages::Opt,
};
use askama::Template;
use axum::http::StatusCode;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- invite

pub(super) struct ToggleBox {
    name: &'static str,
    label: &'static str,
    checked: bool,
}

pub(super) struct CalendarBox {
    id: String,
    name: String,
    location: String,
    checked: bool,
    level: String,
}

#[derive(Default)]
pub(super) struct InviteValues {
    email: String,
    first_name: String,
    last_name: String,
    role: String,
    send_invitation: bool,
    calendar_location_id: String,
    grant_location: String,
    grant_location_level: String,
}

#[derive(Template)]
#[template(path = "member_invite.html")]
pub(super) struct InvitePage {
    p: PageCtx,
    errors: FormErrors,
    other_errors: Vec<String>,
    error: Option<String>,
    f: InviteValues,
    roles: Vec<Opt>,
    toggles: Vec<ToggleBox>,
    locations: Vec<Opt>,
    calendars: Vec<CalendarBox>,
    levels: Vec<Opt>,
}

pub(super) const INVITE_FIELDS: [&str; 5] = ["email", "first_name", "last_name", "role", "calendar_location_id"];

pub(super) fn role_options(t: Tr) -> Vec<Opt> {
    Role::ALL.into_iter().map(|r| Opt::new(r.as_str(), t.role(r.as_str()))).collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn invite_page(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    scope: &OrgScope,
    status: StatusCode,
    f: InviteValues,
    form: Option<&FormFields>,
    errors: FormErrors,
    error: Option<String>,
) -> PageResult {
    let vis = visible(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/team").await.or_page(ctx)?;
    let t = p.t;
    let checked = |name: &str| form.is_some_and(|f| f.checked(name));
    let picked: Vec<String> = form.map(|f| f.all("grant_calendar")).unwrap_or_default();
    Ok(render_status(
        status,
        &InvitePage {
            other_errors: errors.others(&t, &INVITE_FIELDS),
            errors,
            error,
            f,
            roles: role_options(t),
            toggles: Toggle::ALL
                .into_iter()
                .map(|x| ToggleBox {
                    name: x.as_str(),
                    label: t.toggle(x.as_str()),
                    checked: checked(&format!("toggle_{}", x.as_str())),
                })
                .collect(),
            locations: vis.locations.iter().map(|l| Opt::new(&l.id, &l.name)).collect(),
            calendars: vis
                .calendars
                .iter()
                .map(|c| CalendarBox {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    location: vis.location_name(&c.location_id).unwrap_or_default().to_string(),
                    checked: picked.contains(&c.id),
                    level: form
                        .map(|f| f.get(&format!("grant_calendar_level_{}", c.id)).to_string())
                        .unwrap_or_else(|| "book".into()),
                })
                .collect(),
            levels: level_options(t),
            p,
        },
    ))
}

pub async fn invite_form(OrgPage { state, ctx, who, scope }: OrgPage) -> PageResult {
    // The form is for those who manage users; others get the readable 403.
    scope.require(Action::ViewMembers, Object::Org).or_page(&ctx)?;
    let f = InviteValues {
        role: Role::Staff.as_str().into(),
        send_invitation: true,
        grant_location_level: Level::View.as_str().into(),
        ..Default::default()
    };
    invite_page(&state, &ctx, &who, &scope, StatusCode::OK, f, None, FormErrors::default(), None).await
}

pub async fn invite(OrgPage { state, ctx, who, scope }: OrgPage, form: FormFields) -> PageResult {
    let mut toggles = BTreeMap::new();
    for x in Toggle::ALL {
        if form.checked(&format!("toggle_{}", x.as_str())) {
            toggles.insert(x.as_str().to_string(), true);
        }
    }
    let mut grants = Vec::new();
    if let Some(loc) = form.opt("grant_location") {
        grants.push(GrantInput {
            scope: "location".into(),
            location_id: Some(loc),
            calendar_id: None,
            level: form.opt("grant_location_level").unwrap_or_else(|| Level::View.as_str().into()),
        });
    }
    for cal in form.all("grant_calendar") {
        grants.push(GrantInput {
            scope: "calendar".into(),
            level: form.opt(&format!("grant_calendar_level_{cal}")).unwrap_or_else(|| Level::View.as_str().into()),
            location_id: None,
            calendar_id: Some(cal),
        });
    }
    let f = InviteValues {
        email: form.get("email").into(),
        first_name: form.get("first_name").into(),
        last_name: form.get("last_name").into(),
        role: form.get("role").into(),
        send_invitation: form.checked("send_invitation"),
        calendar_location_id: form.get("calendar_location_id").into(),
        grant_location: form.get("grant_location").into(),
        grant_location_level: form.get("grant_location_level").into(),
    };
    let input = service::InviteInput {
        email: f.email.clone(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        role: f.role.clone(),
        toggles,
        grants,
        send_invitation: f.send_invitation,
        calendar_location_id: form.opt("calendar_location_id"),
    };
    match service::invite(&state, &ctx, &scope, input).await {
        Ok(m) => {
            let done = if f.send_invitation { "invited" } else { "created" };
            Ok(see_other(&format!("/team/{}?done={done}", m.id)))
        }
        Err(e) => {
            let r = refused(&ctx, e)?;
            invite_page(&state, &ctx, &who, &scope, r.status, f, Some(&form), r.errors, r.error).await
        }
    }
}
