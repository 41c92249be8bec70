//! Member pages: the team list and one member's rights (role, toggles, grants,
//! explain-access, preview); the invitation form is `invite_pages.rs`, the page behind the
//! emailed invitation link `invitation_pages.rs`, the grants editor `grant_editor.rs`.
//!
//! Every rule lives in `service` and `invitations`; these handlers only translate forms into
//! service calls and results into pages. The policy is asked (through `OrgScope::check`)
//! only to decide which controls to show.

use super::service::{self, MemberRow};
use crate::features::prelude::*;
use crate::{
    access::{
        context::member_view_by_id,
        policy::{self, Level, Preset, Reason, Scope, Toggle, Toggles},
    },
    features::accounts::pages::viewer_zone,
    http::pages::{Opt, local_time},
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) use super::grant_editor::*;
use super::invite_pages::role_options;
pub use super::{
    invitation_pages::{accept, invitation, register},
    invite_pages::{invite, invite_form},
};

// ---------------------------------------------------------------- the team list

pub(super) struct MemberLine {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    status: &'static str,
    last_active: String,
}

#[derive(Template)]
#[template(path = "members.html")]
pub(super) struct MembersPage {
    p: PageCtx,
    members: Vec<MemberLine>,
    can_invite: bool,
}

pub(super) fn status_label(t: Tr, status: &str) -> &'static str {
    match status {
        "active" | "invited" | "inactive" | "blocked" | "removed" => t.member_status(status),
        _ => t.get("member.unknown"),
    }
}

pub(super) fn display_name(m: &MemberRow) -> String {
    format!("{} {}", m.first_name, m.last_name).trim().to_string()
}

pub async fn list(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = &at;
    let rows = service::list(state, scope).await.or_page(ctx)?;
    let zone = viewer_zone(state, who).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/team").await.or_page(ctx)?;
    let t = p.t;
    Ok(render(&MembersPage {
        members: rows
            .iter()
            .map(|m| MemberLine {
                id: m.id.clone(),
                name: display_name(m),
                email: m.email.clone(),
                role: role_label(t, &m.role),
                status: status_label(t, &m.status),
                last_active: m.last_active_at.map(|ms| local_time(ms, &zone)).unwrap_or_else(|| "—".into()),
            })
            .collect(),
        can_invite: scope.check(Action::ViewMembers, Object::Org).allowed,
        p: with_done(p, q.done.as_deref()),
    }))
}

// ---------------------------------------------------------------- one member

pub(super) struct RightLine {
    label: &'static str,
    held: bool,
    hint: &'static str,
}

pub(super) struct GrantLine {
    target: String,
    level: &'static str,
    via_team: Option<String>,
}

pub(super) struct CalendarLink {
    id: String,
    name: String,
    link: bool,
}

pub(super) struct ToggleChoice {
    name: &'static str,
    label: &'static str,
    value: &'static str,
    default_label: String,
}

pub(super) struct OpButton {
    op: &'static str,
    label: &'static str,
    danger: bool,
}

pub(super) struct Explained {
    allowed: bool,
    text: String,
}

pub(super) struct PreviewLine {
    id: String,
    name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "member.html")]
pub(super) struct MemberPage {
    p: PageCtx,
    id: String,
    name: String,
    email: String,
    role: &'static str,
    role_value: String,
    status: &'static str,
    last_active: String,
    error: Option<String>,
    errors: FormErrors,
    rights: Vec<RightLine>,
    grants: Vec<GrantLine>,
    own_calendars: Vec<CalendarLink>,
    can_change: bool,
    roles: Vec<Opt>,
    toggle_choices: Vec<ToggleChoice>,
    editor: GrantsEditor,
    ops: Vec<OpButton>,
    can_explain: bool,
    actions: Vec<Opt>,
    objects: Vec<Opt>,
    explain_action: String,
    explain_object: String,
    explained: Option<Explained>,
    explain_error: Option<String>,
    preview_locations: Vec<PreviewLine>,
    preview_calendars: Vec<PreviewLine>,
}

#[derive(Deserialize, Default)]
pub struct MemberQuery {
    done: Option<String>,
    action: Option<String>,
    object: Option<String>,
}

/// What went wrong with a form on the member page, shown above it.
#[derive(Default)]
pub(super) struct Outcome {
    status: Option<StatusCode>,
    error: Option<String>,
    errors: FormErrors,
}

pub(super) fn hint(t: Tr, m: &MemberRow, toggle: Toggle, reason: &Reason) -> &'static str {
    t.get(match reason {
        Reason::Role { .. } => "rights.hint.role",
        Reason::RoleDefault { .. } => "rights.hint.role_default",
        Reason::ToggleOn { .. } => "rights.hint.switched_on",
        Reason::ToggleOff { .. } if Toggles::from_json(&m.toggles).0.get(&toggle) == Some(&false) => {
            "rights.hint.switched_off"
        }
        Reason::RoleCeiling { .. } => "rights.hint.never",
        _ => "rights.hint.role_default",
    })
}

pub(super) async fn member_page(at: &OrgPage, id: &str, q: MemberQuery, outcome: Outcome) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let m = service::get(state, scope, id).await.or_page(ctx)?;
    let view = service::view_of(state, scope, &m).await.or_page(ctx)?;
    let vis = visible(state, scope).await.or_page(ctx)?;
    let zone = viewer_zone(state, who).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/team").await.or_page(ctx)?;
    let t = p.t;
    let role = m.role();
    let fp = view.footprint();
    let obj = m.object(&fp);
    let is_self = m.id == scope.membership_id();
    let can_change = scope.check(Action::ChangeMember, obj).allowed;
    let can_remove = scope.check(Action::RemoveMember, obj).allowed;
    let can_resend = scope.check(Action::InviteMember, obj).allowed;
    let can_explain = is_self || scope.check(Action::ExplainAccess, obj).allowed;

    let overrides = Toggles::from_json(&m.toggles);
    let rights = Toggle::ALL
        .into_iter()
        .map(|x| {
            let (held, reason) = view.capability(x);
            RightLine { label: t.toggle(x.as_str()), held, hint: hint(t, &m, x, &reason) }
        })
        .collect();
    let toggle_choices = Toggle::ALL
        .into_iter()
        .map(|x| {
            let default_on = matches!(policy::preset(role, x), Preset::Always | Preset::DefaultOn);
            ToggleChoice {
                name: x.as_str(),
                label: t.toggle(x.as_str()),
                value: match overrides.0.get(&x) {
                    Some(true) => "on",
                    Some(false) => "off",
                    None => "",
                },
                default_label: t.fmt(
                    "member.toggle.as_role",
                    &[("value", t.get(if default_on { "common.yes" } else { "common.no" }))],
                ),
            }
        })
        .collect();
    let grants = view
        .grants
        .iter()
        .map(|g| GrantLine {
            target: vis.target(t, &g.scope),
            level: t.level(g.level.as_str()),
            via_team: g.via_team.clone(),
        })
        .collect();
    let direct: Vec<(Scope, Level)> =
        view.grants.iter().filter(|g| g.via_team.is_none()).map(|g| (g.scope.clone(), g.level)).collect();
    let own_calendars = view
        .own_calendars
        .iter()
        .map(|(c, _)| match vis.calendar_name(c) {
            Some(n) => CalendarLink { id: c.clone(), name: n.to_string(), link: true },
            None => CalendarLink { id: c.clone(), name: t.fmt("explain.scope.calendar", &[("id", c)]), link: false },
        })
        .collect();

    // The buttons a member's status offers, each shown when the viewer may use it.
    let offered: &[(bool, &'static str, bool)] = match m.status.as_str() {
        "inactive" => &[(can_change, "activate", false), (can_remove, "revoke", true)],
        "invited" => &[(can_resend, "resend", false), (can_remove, "revoke", true)],
        "active" => &[(can_change, "block", true), (can_remove, "remove", true)],
        "blocked" => &[(can_change, "unblock", false), (can_remove, "remove", true)],
        _ => &[],
    };
    let ops: Vec<OpButton> = offered
        .iter()
        .filter(|(shown, _, _)| *shown)
        .map(|&(_, op, danger)| OpButton { op, label: t.member_op(op), danger })
        .collect();

    // Explain access: the service's decision, shown as it is.
    let explain_action = q.action.clone().unwrap_or_default();
    let explain_object = q.object.clone().unwrap_or_default();
    let (mut explained, mut explain_error) = (None, None);
    if can_explain && !explain_action.is_empty() {
        let target = match explain_object.split_once(':') {
            Some((kind @ ("location" | "calendar"), oid)) => Some((kind, Some(oid))),
            None if explain_object == "org" || explain_object.is_empty() => Some(("org", None)),
            _ => None,
        };
        match (Action::parse(&explain_action), target) {
            (Some(action), Some((kind, oid))) => {
                match service::explain(state, scope, &m.id, action, kind, oid, t).await {
                    Ok(e) => {
                        // The policy's words name places by id; say their names where known.
                        let quote =
                            |n: &str| if t.lang() == "fr" { format!("« {n} »") } else { format!("“{n}”") };
                        let mut text = e.text;
                        for l in &vis.locations {
                            text = text.replace(&l.id, &quote(&l.name));
                        }
                        for c in &vis.calendars {
                            text = text.replace(&c.id, &quote(&c.name));
                        }
                        explained = Some(Explained { allowed: e.decision.allowed, text })
                    }
                    Err(AppError::NotFound | AppError::Validation(_)) => {
                        explain_error = Some(t.get("explain.unknown_object").to_string())
                    }
                    Err(e) => return Err(e).or_page(ctx),
                }
            }
            _ => explain_error = Some(t.get("explain.unknown_object").to_string()),
        }
    }

    // Preview: what the policy lets this member see, among what the viewer sees.
    let (mut preview_locations, mut preview_calendars) = (Vec::new(), Vec::new());
    if can_explain && let Some(their) = member_view_by_id(state, scope.org_id(), &m.id).await.or_page(ctx)? {
        preview_locations = vis
            .locations
            .iter()
            .filter(|l| policy::authorize(&their, Action::ViewLocation, Object::Location { id: &l.id }).allowed)
            .map(|l| PreviewLine { id: l.id.clone(), name: l.name.clone(), detail: String::new() })
            .collect();
        preview_calendars = vis
            .calendars
            .iter()
            .filter(|c| policy::authorize(&their, Action::ViewCalendar, Object::Calendar(c.as_ref())).allowed)
            .map(|c| PreviewLine {
                id: c.id.clone(),
                name: c.name.clone(),
                detail: their
                    .calendar_level(c.as_ref())
                    .map(|(l, _)| t.level(l.as_str()).to_string())
                    .unwrap_or_default(),
            })
            .collect();
    }

    let mut objects = vec![Opt::new("org", t.get("explain.scope.org"))];
    objects.extend(
        vis.locations
            .iter()
            .map(|l| Opt::new(format!("location:{}", l.id), t.fmt("member.object.location", &[("name", &l.name)]))),
    );
    objects.extend(
        vis.calendars
            .iter()
            .map(|c| Opt::new(format!("calendar:{}", c.id), t.fmt("member.object.calendar", &[("name", &c.name)]))),
    );

    let status = outcome.status.unwrap_or(StatusCode::OK);
    let page = MemberPage {
        id: m.id.clone(),
        name: display_name(&m),
        email: m.email.clone(),
        role: role_label(t, &m.role),
        role_value: m.role.clone(),
        status: status_label(t, &m.status),
        last_active: m.last_active_at.map(|ms| local_time(ms, &zone)).unwrap_or_else(|| "—".into()),
        error: outcome.error,
        errors: outcome.errors,
        rights,
        grants,
        own_calendars,
        can_change: can_change && m.status != "removed",
        roles: role_options(t),
        toggle_choices,
        editor: grants_editor(t, &vis, &direct),
        ops,
        can_explain,
        actions: Action::ALL.into_iter().map(|a| Opt::new(a.as_str(), t.perm(a.as_str()))).collect(),
        objects,
        explain_action,
        explain_object,
        explained,
        explain_error,
        preview_locations,
        preview_calendars,
        p: with_done(p, q.done.as_deref()),
    };
    Ok(render_status(status, &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<MemberQuery>) -> PageResult {
    member_page(&at, &id, q, Outcome::default()).await
}

/// After a refused change: the member page again, with the reason above the forms.
pub(super) async fn refused(at: &OrgPage, id: &str, e: AppError) -> PageResult {
    let ctx = &at.ctx;
    match inline_error(Tr(ctx.lang), &e) {
        Some((status, message)) => {
            let errors = FormErrors::from_error(&e).unwrap_or_default();
            let mut lines = errors.others(&Tr(ctx.lang), &[]);
            let error = if lines.is_empty() {
                message
            } else {
                lines.insert(0, message);
                lines.join(" — ")
            };
            let outcome = Outcome { status: Some(status), error: Some(error), errors };
            member_page(at, id, MemberQuery::default(), outcome).await
        }
        None => Err(e).or_page(ctx),
    }
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let mut toggles = BTreeMap::new();
    for x in Toggle::ALL {
        match form.get(&format!("toggle_{}", x.as_str())) {
            "on" => {
                toggles.insert(x.as_str().to_string(), true);
            }
            "off" => {
                toggles.insert(x.as_str().to_string(), false);
            }
            _ => {}
        }
    }
    let change =
        service::MemberChange { role: form.opt("role"), toggles: Some(toggles), first_name: None, last_name: None };
    match service::update(state, ctx, scope, &id, change).await {
        Ok(_) => Ok(see_other(&format!("/team/{id}?done=saved"))),
        Err(e) => refused(&at, &id, e).await,
    }
}

pub async fn set_grants(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let m = service::get(state, scope, &id).await.or_page(ctx)?;
    let view = service::view_of(state, scope, &m).await.or_page(ctx)?;
    let direct: Vec<(Scope, Level)> =
        view.grants.iter().filter(|g| g.via_team.is_none()).map(|g| (g.scope.clone(), g.level)).collect();
    let vis = visible(state, scope).await.or_page(ctx)?;
    let wanted = grants_from_editor(&form, &vis, &direct);
    match service::set_grants(state, ctx, scope, &m.id, &wanted).await {
        Ok(_) => Ok(see_other(&format!("/team/{id}?done=grants"))),
        Err(e) => refused(&at, &id, e).await,
    }
}

/// The status buttons of the member page.
#[derive(Clone, Copy)]
pub(super) enum Op {
    Activate,
    Resend,
    Revoke,
    Block,
    Unblock,
    Remove,
}

pub(super) async fn member_op(at: &OrgPage, id: &str, op: Op) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = at;
    let (result, done) = match op {
        Op::Activate => (service::activate(state, ctx, scope, id).await.map(|_| ()), "activated"),
        Op::Resend => (service::resend(state, ctx, scope, id).await, "resent"),
        Op::Revoke => (service::revoke(state, ctx, scope, id).await, "revoked"),
        Op::Block => (service::set_blocked(state, ctx, scope, id, true).await.map(|_| ()), "blocked"),
        Op::Unblock => (service::set_blocked(state, ctx, scope, id, false).await.map(|_| ()), "unblocked"),
        Op::Remove => (service::remove(state, ctx, scope, id).await, "removed"),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/team/{id}?done={done}"))),
        Err(e) => refused(at, id, e).await,
    }
}

macro_rules! op_handler {
    ($($name:ident => $op:expr),* $(,)?) => {
        $(
            pub async fn $name(at: OrgPage, Path(id): Path<String>) -> PageResult {
                member_op(&at, &id, $op).await
            }
        )*
    };
}

op_handler!(
    activate => Op::Activate,
    resend => Op::Resend,
    revoke => Op::Revoke,
    block => Op::Block,
    unblock => Op::Unblock,
    remove => Op::Remove,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{http::pages::done_flash, types::Lang};

    #[test]
    fn every_label_of_these_pages_is_translated() {
        for lang in [Lang::Fr, Lang::En] {
            let t = Tr(lang);
            let mut keys: Vec<String> = Action::ALL.iter().map(|a| format!("perm.{}", a.as_str())).collect();
            keys.extend(["active", "invited", "inactive", "blocked", "removed"].map(|s| format!("member.status.{s}")));
            keys.extend(
                ["activate", "resend", "revoke", "block", "unblock", "remove"].map(|s| format!("member.op.{s}")),
            );
            for (k, v) in keys.iter().map(|k| (k, t.get(k))) {
                assert_ne!(v, "??", "{k} is missing");
            }
            assert!(done_flash(t, Some("saved")).is_some());
            assert!(done_flash(t, Some("<script>")).is_none());
        }
    }

    #[test]
    fn grants_on_places_out_of_sight_are_kept() {
        let vis = Visible { locations: vec![], calendars: vec![] };
        let form = FormFields(vec![("grant_org".into(), "view".into()), ("grant_loc_x".into(), "manage".into())]);
        let hidden = vec![(Scope::Location { location_id: "hidden".into() }, Level::Book)];
        let out = grants_from_editor(&form, &vis, &hidden);
        let summary: Vec<(String, Option<String>, String)> =
            out.into_iter().map(|g| (g.scope, g.location_id, g.level)).collect();
        assert_eq!(
            summary,
            vec![
                ("org".to_string(), None, "view".to_string()),
                ("location".to_string(), Some("hidden".to_string()), "book".to_string())
            ],
            "a location not in the editor cannot be granted through it, and a hidden grant stays"
        );
    }
}
