//! Member rules: who may add, change and remove whom, and with which rights.

use crate::{
    access::{
        MembershipStatus, OrgScope, Role,
        context::load_member_view,
        holdings::{self, Watch},
        policy::{Action, Footprint, GrantView, Level, MemberView, Object, Scope, Toggles},
    },
    audit::{self, OrgEvent},
    clock::to_ms,
    error::{AppError, AppResult},
    http::Ctx,
    state::AppState,
    types::{Checks, Name},
};
use serde_json::json;
use std::collections::BTreeMap;

pub use super::{
    explain::{Explanation, Preview, PreviewItem, explain, preview},
    grants::{GrantInput, insert_grants, resolve_grants},
    invite::{InviteInput, activate, invite, resend, revoke, target},
};
use super::{
    grants::{check_within_own_rights, grants_json, parse_toggles, refuse},
    invite::{ensure_not_last_owner, lock_member, set_status},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub id: String,
    pub account_id: Option<String>,
    pub email: String,
    pub email_norm: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub status: String,
    pub toggles: String,
    pub last_active_at: Option<i64>,
    pub created_at: i64,
}

impl MemberRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Staff)
    }

    pub fn status(&self) -> MembershipStatus {
        match self.status.as_str() {
            "active" => MembershipStatus::Active,
            "invited" => MembershipStatus::Invited,
            "blocked" => MembershipStatus::Blocked,
            "removed" => MembershipStatus::Removed,
            _ => MembershipStatus::Inactive,
        }
    }

    /// This member as an object of access, working in `footprint` (see `footprint`).
    pub fn object<'a>(&'a self, footprint: &'a Footprint) -> Object<'a> {
        Object::Member { membership_id: &self.id, role: self.role(), footprint }
    }

    pub fn snapshot(&self) -> serde_json::Value {
        json!({
            "email": self.email, "first_name": self.first_name, "last_name": self.last_name,
            "role": self.role, "status": self.status, "toggles": serde_json::from_str::<serde_json::Value>(&self.toggles).ok(),
        })
    }
}

pub const COLUMNS: &str =
    "id, account_id, email, email_norm, first_name, last_name, role, status, toggles, last_active_at, created_at";

pub async fn find(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Option<MemberRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM memberships WHERE org_id = $1 AND id = $2"))
        .bind(scope.org_id())
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?)
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
    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM memberships WHERE org_id = $1 ORDER BY status = 'removed', last_name, first_name, id"
    ))
    .bind(scope.org_id())
    .fetch_all(state.db.pool())
    .await?;
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

pub struct MemberChange {
    pub role: Option<String>,
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
    if let Some(v) = &change.first_name
        && let Some(n) = checks.check(Name::parse("first_name", v, 100))
    {
        after.first_name = n.into_string();
    }
    if let Some(v) = &change.last_name
        && let Some(n) = checks.check(Name::parse("last_name", v, 100))
    {
        after.last_name = n.into_string();
    }
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
    lock_member(state, &mut tx, scope.org_id(), &before).await?;
    if new_role != before.role() {
        ensure_not_last_owner(&mut tx, scope.org_id(), &before).await?;
        if new_role == Role::Assistant {
            let own: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM calendars WHERE org_id = $1 AND member_id = $2 AND status = 'active'",
            )
            .bind(scope.org_id())
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if own > 0 {
                return Err(AppError::conflict(
                    "has-calendars",
                    "Assistants have no calendar: reassign or archive this member's calendars first.",
                ));
            }
        }
    }
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    sqlx::query("UPDATE memberships SET role = $1, toggles = $2, first_name = $3, last_name = $4, updated_at = $5 WHERE id = $6")
        .bind(&after.role)
        .bind(&after.toggles)
        .bind(&after.first_name)
        .bind(&after.last_name)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    watch.judge(&mut tx, scope).await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "member.updated",
            object_type: "membership",
            object_id: id,
            location_id: None,
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
        },
    )
    .await?;
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
    lock_member(state, &mut tx, scope.org_id(), &m).await?;
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    sqlx::query("DELETE FROM grants WHERE org_id = $1 AND subject_type = 'member' AND subject_id = $2")
        .bind(scope.org_id())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    insert_grants(&mut tx, now, scope.org_id(), "member", id, &wanted).await?;
    watch.judge(&mut tx, scope).await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "member.grants_changed",
            object_type: "membership",
            object_id: id,
            location_id: None,
            before: Some(grants_json(&current_direct)),
            after: Some(grants_json(&wanted)),
        },
    )
    .await?;
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
    lock_member(state, &mut tx, scope.org_id(), &m).await?;
    if blocked {
        ensure_not_last_owner(&mut tx, scope.org_id(), &m).await?;
    }
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    set_status(&mut tx, now, id, to).await?;
    watch.judge(&mut tx, scope).await?;
    let mut after = m.clone();
    after.status = to.into();
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: if blocked { "member.blocked" } else { "member.unblocked" },
            object_type: "membership",
            object_id: id,
            location_id: None,
            before: Some(m.snapshot()),
            after: Some(after.snapshot()),
        },
    )
    .await?;
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
    lock_member(state, &mut tx, scope.org_id(), m).await?;
    ensure_not_last_owner(&mut tx, scope.org_id(), m).await?;
    set_status(&mut tx, now, &m.id, "removed").await?;
    sqlx::query("DELETE FROM grants WHERE org_id = $1 AND subject_type = 'member' AND subject_id = $2")
        .bind(scope.org_id())
        .bind(&m.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM team_members WHERE member_id = $1").bind(&m.id).execute(&mut *tx).await?;
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE membership_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(&m.id)
    .execute(&mut *tx)
    .await?;
    // Sessions pointing at this organisation fall back to the personal space.
    if let Some(account) = &m.account_id {
        sqlx::query("UPDATE sessions SET active_org_id = NULL WHERE account_id = $1 AND active_org_id = $2")
            .bind(account)
            .bind(scope.org_id())
            .execute(&mut *tx)
            .await?;
    }
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action,
            object_type: "membership",
            object_id: &m.id,
            location_id: None,
            before: Some(m.snapshot()),
            after: None,
        },
    )
    .await?;
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
    lock_member(state, &mut tx, scope.org_id(), &target).await?;
    lock_member(state, &mut tx, scope.org_id(), &me).await?;
    sqlx::query("UPDATE memberships SET role = 'owner', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&target.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE memberships SET role = 'administrator', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(scope.membership_id())
        .execute(&mut *tx)
        .await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "org.ownership_transferred",
            object_type: "org",
            object_id: scope.org_id(),
            location_id: None,
            before: Some(json!({"owner": scope.membership_id(), "new_owner_role": target.role})),
            after: Some(json!({"owner": target.id, "previous_owner_role": "administrator"})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
