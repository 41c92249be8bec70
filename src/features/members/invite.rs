//! Adding members: invite, or create inactive and activate later; resend and revoke a
//! pending invitation; the locks and checks member changes share.

use crate::features::prelude::*;
use crate::{
    access::{MembershipStatus, Role, Tenant, holdings::Watch, policy::Footprint},
    audit::{self, Event},
    clock::to_ms,
    db::{Tx, new_id},
    error::FieldError,
    features::calendars::service::{self as calendars, CalendarRow},
    types::{Checks, Email, Name},
};
use serde_json::json;
use std::collections::BTreeMap;

use super::{
    grants::{GrantInput, check_within_own_rights, grants_json, insert_grants, parse_toggles, refuse, resolve_grants},
    repo::{self, Invitee},
    service::{MemberRow, find, footprint},
};
use crate::features::orgs::repo as orgs;

// ---------------------------------------------------------------- invite / create

pub struct InviteInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub toggles: BTreeMap<String, bool>,
    pub grants: Vec<GrantInput>,
    /// False: create the member inactive (no email); activate later.
    pub send_invitation: bool,
    /// Give a staff member their own calendar in this location.
    pub calendar_location_id: Option<String>,
}

pub async fn invite(state: &AppState, ctx: &Ctx, scope: &OrgScope, input: InviteInput) -> AppResult<MemberRow> {
    // Someone who may add nobody at all is refused before the form is judged, so a refusal
    // never depends on how the request was filled in.
    let d = scope.check(
        Action::InviteMember,
        Object::Member { membership_id: "", role: Role::Assistant, footprint: Footprint::none() },
    );
    if !d.allowed {
        return Err(refuse(d, "add members"));
    }
    let mut checks = Checks::default();
    let email = checks.check(Email::parse("email", &input.email));
    let first = checks.check(Name::parse("first_name", &input.first_name, 100));
    let last = checks.check(Name::parse("last_name", &input.last_name, 100));
    let role = Role::parse(&input.role);
    if role.is_none() {
        checks.push(FieldError::new("role", "invalid-role", "Use owner, administrator, manager, staff or assistant."));
    }
    checks.finish()?;
    let (Some(email), Some(first), Some(last), Some(role)) = (email, first, last, role) else {
        return Err(AppError::internal("validation"));
    };
    // May this member add someone with that role at all?
    let d = scope.check(Action::InviteMember, Object::Member { membership_id: "", role, footprint: Footprint::none() });
    if !d.allowed {
        return Err(refuse(d, &format!("add a member as {}", role.as_str())));
    }
    let toggles = parse_toggles(role, &input.toggles)?;
    let grants = resolve_grants(state, scope, &input.grants).await?;
    check_within_own_rights(scope.member(), &toggles, &grants)?;
    // ... and working where the new grants and own calendar put them.
    let fp = Footprint::of(grants.iter().map(|(s, _)| s), input.calendar_location_id.as_deref());
    let d = scope.check(Action::InviteMember, Object::Member { membership_id: "", role, footprint: &fp });
    if !d.allowed {
        return Err(refuse(d, "add a member working there"));
    }
    let own_location = match &input.calendar_location_id {
        Some(_) if role == Role::Assistant => {
            return Err(AppError::field(
                "calendar_location_id",
                "assistant-has-no-calendar",
                "Assistants have no calendar of their own.",
            ));
        }
        Some(l) => {
            let loc = crate::features::locations::service::get(state, scope, l)
                .await
                .map_err(|e| e.not_found_as_field("calendar_location_id", "unknown-location", "No such location."))?;
            scope.require(Action::CreateCalendar, Object::Location { id: &loc.id })?;
            Some(loc)
        }
        None => None,
    };

    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    let existing = repo::find_by_email(&mut tx, scope.tenant(), email.norm()).await?;
    let status = if input.send_invitation { MembershipStatus::Invited } else { MembershipStatus::Inactive };
    let toggles_json = toggles.to_json();
    let invitee =
        Invitee { first_name: first.as_str(), last_name: last.as_str(), role, status, toggles: &toggles_json };
    let id = match existing {
        // A removed member can be invited again; their history stays on the same row.
        Some(m) if m.status == "removed" => {
            repo::revive(&mut tx, scope.tenant(), &m.id, &invitee, now).await?;
            repo::delete_grants(&mut tx, scope.tenant(), "member", &m.id).await?;
            m.id
        }
        Some(_) => {
            return Err(AppError::conflict("already-member", "This address is already a member of the organisation."));
        }
        None => {
            let id = new_id();
            repo::insert(&mut tx, scope.tenant(), &id, email.as_str(), email.norm(), &invitee, now).await.map_err(
                |e| crate::db::unique_or(e, AppError::conflict("already-member", "This address is already a member.")),
            )?;
            id
        }
    };
    insert_grants(&mut tx, now, scope.tenant(), "member", &id, &grants).await?;
    if let Some(loc) = own_location {
        let cal = CalendarRow {
            id: new_id(),
            location_id: loc.id.clone(),
            member_id: Some(id.clone()),
            name: format!("{} {}", first.as_str(), last.as_str()),
            kind: "staff".into(),
            time_zone: loc.time_zone.clone(),
            default_length_min: 15,
            day_start_min: 8 * 60,
            day_end_min: 19 * 60,
            split_min: 13 * 60,
            status: "active".into(),
        };
        calendars::insert_in_tx(&mut tx, now, ctx, scope, &cal).await?;
    }
    let row = repo::find(&mut *tx, scope.tenant(), &id)
        .await?
        .ok_or_else(|| AppError::internal("the member just written vanished"))?;
    watch.judge(&mut tx, scope).await?;
    let event =
        Event::new(if input.send_invitation { "member.invited" } else { "member.created_inactive" }, "membership", &id)
            .after(json!({"member": row.snapshot(), "grants": grants_json(&grants)}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    if input.send_invitation {
        super::invitations::issue(&mut tx, state, ctx, scope, &row, now).await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(row)
}

/// Load a member the caller may act on with `action`; another organisation's id, or a member
/// the caller may not even see, is 404.
pub async fn target(state: &AppState, scope: &OrgScope, id: &str, action: Action) -> AppResult<MemberRow> {
    let m = find(state, scope, id).await?.ok_or(AppError::NotFound)?;
    let fp = footprint(state, scope, &m).await?;
    // Someone who manages users but not this member (outside their locations) does not see
    // them at all; someone who manages no users is told so.
    if m.id != scope.membership_id()
        && scope.check(Action::ViewMembers, Object::Org).allowed
        && !scope.check(Action::ViewMembers, m.object(&fp)).allowed
    {
        return Err(AppError::NotFound);
    }
    let d = scope.check(action, m.object(&fp));
    if !d.allowed {
        return Err(refuse(d, "act on this member"));
    }
    Ok(m)
}

/// Inactive → invited: the invitation email goes out now.
pub async fn activate(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<MemberRow> {
    let m = target(state, scope, id, Action::ChangeMember).await?;
    if m.status != "inactive" {
        return Err(AppError::conflict("not-inactive", "Only a member created inactive can be activated."));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    lock_member(state, &mut tx, scope.tenant(), &m).await?;
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    repo::set_status(&mut tx, scope.tenant(), id, "invited", now).await?;
    watch.judge(&mut tx, scope).await?;
    let mut after = m.clone();
    after.status = "invited".into();
    let event = Event::new("member.activated", "membership", id).before(m.snapshot()).after(after.snapshot());
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    super::invitations::issue(&mut tx, state, ctx, scope, &after, now).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(after)
}

/// Send the invitation again; the previous link stops working.
pub async fn resend(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let m = target(state, scope, id, Action::InviteMember).await?;
    if m.status != "invited" {
        return Err(AppError::conflict("not-invited", "There is no pending invitation for this member."));
    }
    crate::ratelimit::hit(state, crate::ratelimit::INVITE_RESEND, id).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    super::invitations::issue(&mut tx, state, ctx, scope, &m, now).await?;
    audit::org_event(&mut tx, now, scope, ctx, Event::new("member.invitation_resent", "membership", id)).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Withdraw a pending (or not yet sent) invitation: the link dies and the member is removed.
pub async fn revoke(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let m = target(state, scope, id, Action::RemoveMember).await?;
    if !matches!(m.status.as_str(), "invited" | "inactive") {
        return Err(AppError::conflict("not-invited", "There is no pending invitation for this member."));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // An invitation accepted meanwhile is a member now: revoking is no longer the right act.
    lock_member(state, &mut tx, scope.tenant(), &m).await?;
    repo::revoke_invitations(&mut tx, scope.tenant(), id, now).await?;
    repo::set_status(&mut tx, scope.tenant(), id, "removed", now).await?;
    let event = Event::new("member.invitation_revoked", "membership", id).before(m.snapshot());
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Serialise member management in one organisation and check that `seen` (read before the
/// transaction, when rights were decided) is still what the database holds. On PostgreSQL
/// the organisation row is locked for the rest of the transaction, so two administrators
/// cannot both pass the last-owner count or overwrite each other's change; SQLite's
/// `BEGIN IMMEDIATE` already holds the write lock.
pub(super) async fn lock_member(state: &AppState, tx: &mut Tx, tenant: &Tenant, seen: &MemberRow) -> AppResult<()> {
    orgs::lock_org(tx, &state.db, tenant).await?;
    match repo::member_state(tx, tenant, &seen.id).await? {
        Some((role, status, toggles)) if role == seen.role && status == seen.status && toggles == seen.toggles => {
            Ok(())
        }
        Some(_) => Err(AppError::conflict(
            "changed-meanwhile",
            "Someone else changed this member a moment ago; reload and try again.",
        )),
        None => Err(AppError::NotFound),
    }
}

/// The last active owner cannot be demoted, blocked or removed.
pub(super) async fn ensure_not_last_owner(tx: &mut Tx, tenant: &Tenant, m: &MemberRow) -> AppResult<()> {
    if m.role() != Role::Owner || m.status != "active" {
        return Ok(());
    }
    if repo::active_owners(tx, tenant).await? <= 1 {
        return Err(AppError::conflict("last-owner", "The organisation must keep at least one owner."));
    }
    Ok(())
}
