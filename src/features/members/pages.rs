//! Member pages: the team list, the invitation form, one member's rights (role, toggles,
//! grants, explain-access, preview) and the page behind the emailed invitation link.
//!
//! Every rule lives in `service` and `invitations`; these handlers only translate forms into
//! service calls and results into pages. The policy is asked (through `OrgScope::check`)
//! only to decide which controls to show.

use super::{
    invitations,
    service::{self, GrantInput, MemberRow},
};
use crate::{
    access::{
        Identity, MaybeIdentity, OrgScope, Role,
        context::member_view_by_id,
        policy::{self, Action, Level, Object, Preset, Reason, Scope, Toggle, Toggles},
        session::SESSION_LIFETIME_MS,
    },
    error::{AppError, AppResult},
    features::{
        accounts::pages::viewer_zone,
        calendars::service::{self as calendars, CalendarRow},
        locations::service::{self as locations, Location},
    },
    http::{
        Ctx, cookie_names,
        pages::{
            DoneQuery, FormErrors, FormFields, Opt, OrPage, PageCtx, PageResult, enc, inline_error, local_time, render,
            render_status, see_other, with_done,
        },
        set_cookie,
    },
    i18n::Tr,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, header},
};
use serde::Deserialize;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- shared page helpers

/// The three levels, for a `<select>`.
pub(crate) fn level_options(t: Tr) -> Vec<Opt> {
    Level::ALL.into_iter().map(|l| Opt::new(l.as_str(), t.get(&format!("level.{}", l.as_str())))).collect()
}

pub(crate) fn role_label(t: Tr, role: &str) -> &'static str {
    match Role::parse(role) {
        Some(r) => t.get(&format!("role.{}", r.as_str())),
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

// ---------------------------------------------------------------- the team list

struct MemberLine {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    status: &'static str,
    last_active: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    p: PageCtx,
    members: Vec<MemberLine>,
    can_invite: bool,
}

fn status_label(t: Tr, status: &str) -> &'static str {
    match status {
        "active" | "invited" | "inactive" | "blocked" | "removed" => t.get(&format!("member.status.{status}")),
        _ => t.get("member.unknown"),
    }
}

fn display_name(m: &MemberRow) -> String {
    format!("{} {}", m.first_name, m.last_name).trim().to_string()
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let rows = service::list(&state, &scope).await.or_page(&ctx)?;
    let zone = viewer_zone(&state, &who).await.or_page(&ctx)?;
    let p = PageCtx::for_org(&state, &ctx, &who, &scope, "/team").await.or_page(&ctx)?;
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

// ---------------------------------------------------------------- invite

struct ToggleBox {
    name: &'static str,
    label: &'static str,
    checked: bool,
}

struct CalendarBox {
    id: String,
    name: String,
    location: String,
    checked: bool,
    level: String,
}

#[derive(Default)]
struct InviteValues {
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
struct InvitePage {
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

const INVITE_FIELDS: [&str; 5] = ["email", "first_name", "last_name", "role", "calendar_location_id"];

fn role_options(t: Tr) -> Vec<Opt> {
    Role::ALL.into_iter().map(|r| Opt::new(r.as_str(), t.get(&format!("role.{}", r.as_str())))).collect()
}

#[allow(clippy::too_many_arguments)]
async fn invite_page(
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
            other_errors: errors.others(&INVITE_FIELDS),
            errors,
            error,
            f,
            roles: role_options(t),
            toggles: Toggle::ALL
                .into_iter()
                .map(|x| ToggleBox {
                    name: x.as_str(),
                    label: t.get(&format!("toggle.{}", x.as_str())),
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

pub async fn invite_form(State(state): State<AppState>, ctx: Ctx, who: Identity, scope: OrgScope) -> PageResult {
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

pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    form: FormFields,
) -> PageResult {
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
        Err(e) => match inline_error(Tr(ctx.lang), &e) {
            Some((status, message)) => {
                let errors = FormErrors::from_error(&e).unwrap_or_default();
                let error = (!errors.any()).then_some(message);
                invite_page(&state, &ctx, &who, &scope, status, f, Some(&form), errors, error).await
            }
            None => Err(e).or_page(&ctx),
        },
    }
}

// ---------------------------------------------------------------- one member

struct RightLine {
    label: &'static str,
    held: bool,
    hint: &'static str,
}

struct GrantLine {
    target: String,
    level: &'static str,
    via_team: Option<String>,
}

struct CalendarLink {
    id: String,
    name: String,
    link: bool,
}

struct ToggleChoice {
    name: &'static str,
    label: &'static str,
    value: &'static str,
    default_label: String,
}

struct OpButton {
    op: &'static str,
    label: &'static str,
    danger: bool,
}

struct Explained {
    allowed: bool,
    text: String,
}

struct PreviewLine {
    id: String,
    name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
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
struct Outcome {
    status: Option<StatusCode>,
    error: Option<String>,
    errors: FormErrors,
}

fn hint(m: &MemberRow, toggle: Toggle, reason: &Reason) -> &'static str {
    match reason {
        Reason::Role { .. } => "rights.hint.role",
        Reason::RoleDefault { .. } => "rights.hint.role_default",
        Reason::ToggleOn { .. } => "rights.hint.switched_on",
        Reason::ToggleOff { .. } if Toggles::from_json(&m.toggles).0.get(&toggle) == Some(&false) => {
            "rights.hint.switched_off"
        }
        Reason::RoleCeiling { .. } => "rights.hint.never",
        _ => "rights.hint.role_default",
    }
}

async fn member_page(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    scope: &OrgScope,
    id: &str,
    q: MemberQuery,
    outcome: Outcome,
) -> PageResult {
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
            RightLine { label: t.get(&format!("toggle.{}", x.as_str())), held, hint: t.get(hint(&m, x, &reason)) }
        })
        .collect();
    let toggle_choices = Toggle::ALL
        .into_iter()
        .map(|x| {
            let default_on = matches!(policy::preset(role, x), Preset::Always | Preset::DefaultOn);
            ToggleChoice {
                name: x.as_str(),
                label: t.get(&format!("toggle.{}", x.as_str())),
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
            level: t.get(&format!("level.{}", g.level.as_str())),
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

    let mut ops = Vec::new();
    let mut op = |shown: bool, op: &'static str, danger: bool| {
        if shown {
            ops.push(OpButton { op, label: t.get(&format!("member.op.{op}")), danger });
        }
    };
    match m.status.as_str() {
        "inactive" => {
            op(can_change, "activate", false);
            op(can_remove, "revoke", true);
        }
        "invited" => {
            op(can_resend, "resend", false);
            op(can_remove, "revoke", true);
        }
        "active" => {
            op(can_change, "block", true);
            op(can_remove, "remove", true);
        }
        "blocked" => {
            op(can_change, "unblock", false);
            op(can_remove, "remove", true);
        }
        _ => {}
    }

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
                    .map(|(l, _)| t.get(&format!("level.{}", l.as_str())).to_string())
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
        actions: Action::ALL
            .into_iter()
            .map(|a| Opt::new(a.as_str(), t.get(&format!("perm.{}", a.as_str()))))
            .collect(),
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

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    Query(q): Query<MemberQuery>,
) -> PageResult {
    member_page(&state, &ctx, &who, &scope, &id, q, Outcome::default()).await
}

/// After a refused change: the member page again, with the reason above the forms.
async fn refused(state: &AppState, ctx: &Ctx, who: &Identity, scope: &OrgScope, id: &str, e: AppError) -> PageResult {
    match inline_error(Tr(ctx.lang), &e) {
        Some((status, message)) => {
            let errors = FormErrors::from_error(&e).unwrap_or_default();
            let mut lines = errors.others(&[]);
            let error = if lines.is_empty() {
                message
            } else {
                lines.insert(0, message);
                lines.join(" — ")
            };
            let outcome = Outcome { status: Some(status), error: Some(error), errors };
            member_page(state, ctx, who, scope, id, MemberQuery::default(), outcome).await
        }
        None => Err(e).or_page(ctx),
    }
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
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
    match service::update(&state, &ctx, &scope, &id, change).await {
        Ok(_) => Ok(see_other(&format!("/team/{id}?done=saved"))),
        Err(e) => refused(&state, &ctx, &who, &scope, &id, e).await,
    }
}

pub async fn set_grants(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Identity,
    scope: OrgScope,
    Path(id): Path<String>,
    form: FormFields,
) -> PageResult {
    let m = service::get(&state, &scope, &id).await.or_page(&ctx)?;
    let view = service::view_of(&state, &scope, &m).await.or_page(&ctx)?;
    let direct: Vec<(Scope, Level)> =
        view.grants.iter().filter(|g| g.via_team.is_none()).map(|g| (g.scope.clone(), g.level)).collect();
    let vis = visible(&state, &scope).await.or_page(&ctx)?;
    let wanted = grants_from_editor(&form, &vis, &direct);
    match service::set_grants(&state, &ctx, &scope, &m.id, &wanted).await {
        Ok(_) => Ok(see_other(&format!("/team/{id}?done=grants"))),
        Err(e) => refused(&state, &ctx, &who, &scope, &id, e).await,
    }
}

/// The status buttons of the member page.
#[derive(Clone, Copy)]
enum Op {
    Activate,
    Resend,
    Revoke,
    Block,
    Unblock,
    Remove,
}

async fn member_op(state: &AppState, ctx: &Ctx, who: &Identity, scope: &OrgScope, id: &str, op: Op) -> PageResult {
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
        Err(e) => refused(state, ctx, who, scope, id, e).await,
    }
}

macro_rules! op_handler {
    ($($name:ident => $op:expr),* $(,)?) => {
        $(
            pub async fn $name(
                State(state): State<AppState>,
                ctx: Ctx,
                who: Identity,
                scope: OrgScope,
                Path(id): Path<String>,
            ) -> PageResult {
                member_op(&state, &ctx, &who, &scope, &id, $op).await
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

// ---------------------------------------------------------------- the invitation link

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    p: PageCtx,
    title: String,
    message: String,
    link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    p: PageCtx,
    token: String,
    org_name: String,
    role: &'static str,
    email: String,
    /// accept, other, login or register.
    mode: &'static str,
    signed_in_as: String,
    login_href: String,
    first_name: String,
    last_name: String,
    errors: FormErrors,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn frame(state: &AppState, ctx: &Ctx, who: Option<&Identity>) -> Result<PageCtx, AppError> {
    match who {
        Some(who) => PageCtx::for_user(state, ctx, who).await,
        None => Ok(PageCtx::anonymous(ctx)),
    }
}

fn invalid_link(p: PageCtx) -> axum::response::Response {
    let t = p.t;
    render_status(
        StatusCode::BAD_REQUEST,
        &MessagePage {
            title: t.get("invitation.title").into(),
            message: t.get("invitation.invalid").into(),
            link: Some(("/".into(), t.get("error.back_home").into())),
            p,
        },
    )
}

struct InvitationForm {
    first_name: String,
    last_name: String,
    errors: FormErrors,
    error: Option<String>,
}

/// Show the invitation: who invites whom, and the one next step that fits the visitor.
async fn invitation_page(
    state: &AppState,
    ctx: &Ctx,
    who: Option<&Identity>,
    token: &str,
    status: StatusCode,
    form: Option<InvitationForm>,
) -> PageResult {
    let p = frame(state, ctx, who).await.or_page(ctx)?;
    let info = match invitations::lookup(state, ctx, token).await {
        Ok(info) => info,
        Err(AppError::BadRequest { code: "invalid-token", .. }) => return Ok(invalid_link(p)),
        Err(e) => return Err(e).or_page(ctx),
    };
    let mode = match who {
        Some(w) if w.email.to_lowercase() == info.email.to_lowercase() => "accept",
        Some(_) => "other",
        None if info.account_exists => "login",
        None => "register",
    };
    let form = form.unwrap_or(InvitationForm {
        first_name: info.first_name.clone(),
        last_name: info.last_name.clone(),
        errors: FormErrors::default(),
        error: None,
    });
    let t = p.t;
    Ok(render_status(
        status,
        &InvitationPage {
            token: token.to_string(),
            role: role_label(t, &info.role),
            org_name: info.org_name,
            email: info.email,
            mode,
            signed_in_as: who.map(|w| w.email.clone()).unwrap_or_default(),
            login_href: format!("/login?next={}", enc(&format!("/invitations/accept?token={token}"))),
            first_name: form.first_name,
            last_name: form.last_name,
            errors: form.errors,
            error: form.error,
            p,
        },
    ))
}

/// GET only shows the invitation and the next step: following the link changes nothing.
pub async fn invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeIdentity(who): MaybeIdentity,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    invitation_page(&state, &ctx, who.as_ref(), q.token.trim(), StatusCode::OK, None).await
}

pub async fn accept(State(state): State<AppState>, ctx: Ctx, who: Identity, form: FormFields) -> PageResult {
    match invitations::accept(&state, &ctx, &who, form.get("token")).await {
        Ok(_) => Ok(see_other("/")),
        Err(AppError::BadRequest { code: "invalid-token", .. }) => {
            Ok(invalid_link(PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?))
        }
        Err(e) => Err(e).or_page(&ctx),
    }
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeIdentity(who): MaybeIdentity,
    form: FormFields,
) -> PageResult {
    let t = Tr(ctx.lang);
    let token = form.get("token").to_string();
    let again = |errors: FormErrors, error: Option<String>| InvitationForm {
        first_name: form.get("first_name").into(),
        last_name: form.get("last_name").into(),
        errors,
        error,
    };
    // Passwords are taken as typed (spaces included), like on the sign-up page.
    let raw = |name: &str| form.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    if raw("password") != raw("password_confirm") {
        let f = again(FormErrors::default(), Some(t.get("error.password_mismatch").into()));
        return invitation_page(&state, &ctx, who.as_ref(), &token, StatusCode::UNPROCESSABLE_ENTITY, Some(f)).await;
    }
    let r = invitations::register(
        &state,
        &ctx,
        &token,
        raw("password"),
        Some(form.get("first_name")),
        Some(form.get("last_name")),
    )
    .await;
    match r {
        Ok(r) => {
            let secure = state.config.secure_cookies();
            let cookie = set_cookie(
                secure,
                cookie_names(secure).session,
                &r.session_token,
                Some(SESSION_LIFETIME_MS / 1000),
                true,
            );
            let mut res = see_other("/");
            res.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(AppError::BadRequest { code: "invalid-token", .. }) => {
            Ok(invalid_link(frame(&state, &ctx, who.as_ref()).await.or_page(&ctx)?))
        }
        Err(e) => match inline_error(t, &e) {
            Some((status, message)) => {
                let errors = FormErrors::from_error(&e).unwrap_or_default();
                let error = (!errors.any()).then_some(message);
                let f = again(errors, error);
                invitation_page(&state, &ctx, who.as_ref(), &token, status, Some(f)).await
            }
            None => Err(e).or_page(&ctx),
        },
    }
}

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
