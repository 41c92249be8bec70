//! Member rules: who may add, change and remove whom, and with which rights.

use crate::features::prelude::*;
use crate::{
    access::{
        Role,
        context::load_member_view,
        holdings::{self, Watch},
        policy::{Footprint, GrantView, Level, MemberView, Scope, Toggles},
    },
    audit::{self, Event},
    clock::to_ms,
    types::Checks,
};
use serde_json::json;
use std::collections::BTreeMap;

pub use super::repo::MemberRow;
pub use super::{
    explain::{Explanation, Preview, PreviewItem, explain, preview},
    grants::{GrantInput, insert_grants, resolve_grants},
    invite::{InviteInput, activate, invite, resend, revoke, target},
};
use super::{
    grants::{check_within_own_rights, grants_json, parse_toggles, refuse},
    invite::{ensure_not_last_owner, lock_member},
    repo,
};
use crate::features::{accounts::repo as accounts, teams::repo as teams};

pub async fn find(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Option<MemberRow>> {
    repo::find(state.db.pool(), scope.tenant(), id).await
}

/// A member of this organisation, for someone allowed to see them in the member list
/// (someone limited to some locations sees only the staff and assistants working there).
pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<MemberRow> {
    let m = find(state, scope, id).await?.ok_or(AppError::NotFound)?;
    if m.id != scope.membership_id() {
        scope.require(Action::ViewMembers, Object::Org)?;
        let fp = footprint(state, scope, &m).await?;
        if !scope.check(Action::ViewMembers, m.object(&fp)).allowed {
            return Err(AppError::NotFound);
        }
    }
    Ok(m)
}

pub async fn list(state: &AppState, scope: &OrgScope) -> AppResult<Vec<MemberRow>> {
    scope.require(Action::ViewMembers, Object::Org)?;
    let rows = repo::list(state.db.pool(), scope.tenant()).await?;
    if scope.member().org_wide().is_some() {
        return Ok(rows);
    }
    // Limited to some locations: only the members working inside them.
    let mut conn = state.db.pool().acquire().await?;
    let footprints = holdings::load(&mut conn, scope.org_id()).await?.footprints();
    Ok(rows
        .into_iter()
        .filter(|m| {
            let fp = footprints.get(&m.id).cloned().unwrap_or_default();
            scope.check(Action::ViewMembers, m.object(&fp)).allowed
        })
        .collect())
}

/// Where a member works: their grants' and own calendars' locations, or the organisation.
pub async fn footprint(state: &AppState, scope: &OrgScope, m: &MemberRow) -> AppResult<Footprint> {
    Ok(view_of(state, scope, m).await?.footprint())
}

/// The policy's view of a member (grants, teams, own calendars).
pub async fn view_of(state: &AppState, scope: &OrgScope, m: &MemberRow) -> AppResult<MemberView> {
    load_member_view(state.db.pool(), scope.org_id(), &m.id, m.role(), m.status(), Toggles::from_json(&m.toggles)).await
}

// ---------------------------------------------------------------- change

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    pub role: Option<String>,
    /// Overrides to set; the whole map replaces the previous one.
    pub toggles: Option<BTreeMap<String, bool>>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Change role and toggles; effective on the member's very next request.
pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    change: MemberChange,
) -> AppResult<MemberRow> {
    let before = target(state, scope, id, Action::ChangeMember).await?;
    let mut after = before.clone();
    let new_role = match &change.role {
        Some(r) => Role::parse(r).ok_or_else(|| AppError::field("role", "invalid-role", "Unknown role."))?,
        None => before.role(),
    };
    if new_role != before.role() {
        let fp = footprint(state, scope, &before).await?;
        let d = scope.check(Action::InviteMember, Object::Member { membership_id: "", role: new_role, footprint: &fp });
        if !d.allowed {
            return Err(refuse(d, &format!("make someone {}", new_role.as_str())));
        }
        after.role = new_role.as_str().to_string();
    }
    let mut checks = Checks::default();
    checks.set_name(&mut after.first_name, "first_name", change.first_name.as_deref(), 100);
    checks.set_name(&mut after.last_name, "last_name", change.last_name.as_deref(), 100);
    checks.finish()?;
    let old_toggles = Toggles::from_json(&before.toggles);
    let toggles = match &change.toggles {
        Some(t) => parse_toggles(new_role, t)?,
        None => old_toggles.clone(),
    };
    // Only newly switched-on rights need to be within the granter's own.
    let newly_on = Toggles(
        toggles.0.iter().filter(|(k, v)| **v && old_toggles.0.get(k) != Some(&true)).map(|(k, v)| (*k, *v)).collect(),
    );
    check_within_own_rights(scope.member(), &newly_on, &[])?;
    after.toggles = toggles.to_json();
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    lock_member(state, &mut tx, scope.tenant(), &before).await?;
    if new_role != before.role() {
        ensure_not_last_owner(&mut tx, scope.tenant(), &before).await?;
        if new_role == Role::Assistant {
            let own = repo::active_own_calendars(&mut tx, scope.tenant(), id).await?;
            if own > 0 {
                return Err(AppError::conflict(
                    "has-calendars",
                    "Assistants have no calendar: reassign or archive this member's calendars first.",
                ));
            }
        }
    }
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    repo::update(&mut tx, scope.tenant(), &after, now).await?;
    watch.judge(&mut tx, scope).await?;
    let event = Event::new("member.updated", "membership", id).before(before.snapshot()).after(after.snapshot());
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(after)
}

/// Replace a member's direct grants. Both the grants removed and those added must be within
/// the granter's own rights (a manager cannot strip an organisation-wide grant either).
pub async fn set_grants(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    input: &[GrantInput],
) -> AppResult<Vec<GrantView>> {
    let m = target(state, scope, id, Action::ChangeMember).await?;
    let wanted = resolve_grants(state, scope, input).await?;
    let current = view_of(state, scope, &m).await?;
    let current_direct: Vec<(Scope, Level)> =
        current.grants.iter().filter(|g| g.via_team.is_none()).map(|g| (g.scope.clone(), g.level)).collect();
    let removed: Vec<(Scope, Level)> = current_direct.iter().filter(|g| !wanted.contains(g)).cloned().collect();
    let added: Vec<(Scope, Level)> = wanted.iter().filter(|g| !current_direct.contains(g)).cloned().collect();
    check_within_own_rights(scope.member(), &Toggles::default(), &added)?;
    check_within_own_rights(scope.member(), &Toggles::default(), &removed)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    lock_member(state, &mut tx, scope.tenant(), &m).await?;
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    repo::delete_grants(&mut tx, scope.tenant(), "member", id).await?;
    insert_grants(&mut tx, now, scope.tenant(), "member", id, &wanted).await?;
    watch.judge(&mut tx, scope).await?;
    let event = Event::new("member.grants_changed", "membership", id)
        .before(grants_json(&current_direct))
        .after(grants_json(&wanted));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    let updated = view_of(state, scope, &m).await?;
    Ok(updated.grants)
}

/// Block or unblock a membership: a blocked member cannot act in this organisation; nothing
/// of theirs is deleted.
pub async fn set_blocked(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    blocked: bool,
) -> AppResult<MemberRow> {
    let m = target(state, scope, id, Action::ChangeMember).await?;
    let (from, to) = if blocked { ("active", "blocked") } else { ("blocked", "active") };
    if m.status != from {
        return Err(AppError::conflict("wrong-status", format!("Only a member who is {from} can be {to}.")));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    lock_member(state, &mut tx, scope.tenant(), &m).await?;
    if blocked {
        ensure_not_last_owner(&mut tx, scope.tenant(), &m).await?;
    }
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    repo::set_status(&mut tx, scope.tenant(), id, to, now).await?;
    watch.judge(&mut tx, scope).await?;
    let mut after = m.clone();
    after.status = to.into();
    let event = Event::new(if blocked { "member.blocked" } else { "member.unblocked" }, "membership", id)
        .before(m.snapshot())
        .after(after.snapshot());
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(after)
}

/// Remove a member: access ends at once; their calendars, bookings and history stay,
/// attributed to them.
pub async fn remove(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let m = target(state, scope, id, Action::RemoveMember).await?;
    remove_row(state, ctx, scope, &m, "member.removed").await
}

async fn remove_row(state: &AppState, ctx: &Ctx, scope: &OrgScope, m: &MemberRow, action: &str) -> AppResult<()> {
    if m.status == "removed" {
        return Err(AppError::conflict("already-removed", "This member was already removed."));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    lock_member(state, &mut tx, scope.tenant(), m).await?;
    ensure_not_last_owner(&mut tx, scope.tenant(), m).await?;
    repo::set_status(&mut tx, scope.tenant(), &m.id, "removed", now).await?;
    repo::delete_grants(&mut tx, scope.tenant(), "member", &m.id).await?;
    teams::leave_all(&mut tx, scope.tenant(), &m.id).await?;
    repo::revoke_invitations(&mut tx, scope.tenant(), &m.id, now).await?;
    // Sessions pointing at this organisation fall back to the personal space.
    if let Some(account) = &m.account_id {
        accounts::leave_active_org(&mut tx, scope.tenant(), account).await?;
    }
    audit::org_event(&mut tx, now, scope, ctx, Event::new(action, "membership", &m.id).before(m.snapshot())).await?;
    tx.commit().await?;
    Ok(())
}

/// Leave an organisation oneself (the last owner cannot).
pub async fn leave(state: &AppState, ctx: &Ctx, scope: &OrgScope) -> AppResult<()> {
    let m = find(state, scope, scope.membership_id()).await?.ok_or(AppError::NotFound)?;
    remove_row(state, ctx, scope, &m, "member.left").await
}

/// Hand ownership to another active member; the current owner becomes an administrator.
pub async fn transfer_ownership(state: &AppState, ctx: &Ctx, scope: &OrgScope, to_member: &str) -> AppResult<()> {
    scope.require(Action::TransferOwnership, Object::Org)?;
    let target = find(state, scope, to_member).await?.ok_or(AppError::NotFound)?;
    if target.id == scope.membership_id() {
        return Err(AppError::conflict("already-owner", "You are already an owner."));
    }
    if target.status != "active" {
        return Err(AppError::conflict("not-active", "Ownership can only go to an active member."));
    }
    let me = find(state, scope, scope.membership_id()).await?.ok_or(AppError::NotFound)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // Both memberships are as they were when the transfer was decided (the giver still an
    // owner, the receiver still active).
    lock_member(state, &mut tx, scope.tenant(), &target).await?;
    lock_member(state, &mut tx, scope.tenant(), &me).await?;
    repo::set_role(&mut tx, scope.tenant(), &target.id, Role::Owner, now).await?;
    repo::set_role(&mut tx, scope.tenant(), scope.membership_id(), Role::Administrator, now).await?;
    let event = Event::new("org.ownership_transferred", "org", scope.org_id())
        .before(json!({"owner": scope.membership_id(), "new_owner_role": target.role}))
        .after(json!({"owner": target.id, "previous_owner_role": "administrator"}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}
