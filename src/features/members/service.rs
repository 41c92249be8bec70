//! Member rules: who may add, change and remove whom, and with which rights.

use crate::{
    access::{
        MembershipStatus, OrgScope, Role,
        context::{load_member_view, member_view_by_id},
        holdings::{self, Watch},
        policy::{
            self, Action, Decision, Footprint, GrantView, Level, MemberView, Object, Preset, Scope, Toggle, Toggles,
        },
    },
    audit::{self, OrgEvent},
    clock::to_ms,
    db::{Tx, new_id},
    error::{AppError, AppResult, FieldError},
    features::calendars::service::{self as calendars, CalendarRow},
    http::Ctx,
    state::AppState,
    types::{Checks, Email, Name},
};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

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
fn parse_toggles(role: Role, input: &BTreeMap<String, bool>) -> AppResult<Toggles> {
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

fn refuse(d: Decision, what: &str) -> AppError {
    let kind =
        serde_json::to_value(&d.reason).ok().and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(String::from));
    AppError::Forbidden { code: "forbidden", detail: format!("You cannot {what} ({}).", kind.unwrap_or_default()) }
}

/// Nobody gives more than they hold: every switched-on toggle and every grant must be within
/// the granter's own rights.
fn check_within_own_rights(granter: &MemberView, toggles: &Toggles, grants: &[(Scope, Level)]) -> AppResult<()> {
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
    org_id: &str,
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
        sqlx::query(
            "INSERT INTO grants (id, org_id, subject_type, subject_id, scope, location_id, calendar_id, level, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(org_id)
        .bind(subject_type)
        .bind(subject_id)
        .bind(kind)
        .bind(loc)
        .bind(cal)
        .bind(level.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn grants_json(grants: &[(Scope, Level)]) -> serde_json::Value {
    json!(grants.iter().map(|(s, l)| json!({"scope": s, "level": l})).collect::<Vec<_>>())
}

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
    let existing: Option<MemberRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM memberships WHERE org_id = $1 AND email_norm = $2"))
            .bind(scope.org_id())
            .bind(email.norm())
            .fetch_optional(&mut *tx)
            .await?;
    let status = if input.send_invitation { MembershipStatus::Invited } else { MembershipStatus::Inactive };
    let id = match existing {
        // A removed member can be invited again; their history stays on the same row.
        Some(m) if m.status == "removed" => {
            sqlx::query(
                "UPDATE memberships SET first_name = $1, last_name = $2, role = $3, status = $4, toggles = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(first.as_str())
            .bind(last.as_str())
            .bind(role.as_str())
            .bind(status.as_str())
            .bind(toggles.to_json())
            .bind(now)
            .bind(&m.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM grants WHERE org_id = $1 AND subject_type = 'member' AND subject_id = $2")
                .bind(scope.org_id())
                .bind(&m.id)
                .execute(&mut *tx)
                .await?;
            m.id
        }
        Some(_) => {
            return Err(AppError::conflict("already-member", "This address is already a member of the organisation."));
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO memberships (id, org_id, account_id, email, email_norm, first_name, last_name, role, status, toggles, created_at, updated_at) \
                 VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(&id)
            .bind(scope.org_id())
            .bind(email.as_str())
            .bind(email.norm())
            .bind(first.as_str())
            .bind(last.as_str())
            .bind(role.as_str())
            .bind(status.as_str())
            .bind(toggles.to_json())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::db::unique_or(e, AppError::conflict("already-member", "This address is already a member.")))?;
            id
        }
    };
    insert_grants(&mut tx, now, scope.org_id(), "member", &id, &grants).await?;
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
    let row: MemberRow = sqlx::query_as(&format!("SELECT {COLUMNS} FROM memberships WHERE id = $1"))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    watch.judge(&mut tx, scope).await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: if input.send_invitation { "member.invited" } else { "member.created_inactive" },
            object_type: "membership",
            object_id: &id,
            location_id: None,
            before: None,
            after: Some(json!({"member": row.snapshot(), "grants": grants_json(&grants)})),
        },
    )
    .await?;
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
    lock_member(state, &mut tx, scope.org_id(), &m).await?;
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    sqlx::query("UPDATE memberships SET status = 'invited', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    watch.judge(&mut tx, scope).await?;
    let mut after = m.clone();
    after.status = "invited".into();
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "member.activated",
            object_type: "membership",
            object_id: id,
            location_id: None,
            before: Some(m.snapshot()),
            after: Some(after.snapshot()),
        },
    )
    .await?;
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
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "member.invitation_resent",
            object_type: "membership",
            object_id: id,
            location_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
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
    lock_member(state, &mut tx, scope.org_id(), &m).await?;
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE membership_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    set_status(&mut tx, now, id, "removed").await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "member.invitation_revoked",
            object_type: "membership",
            object_id: id,
            location_id: None,
            before: Some(m.snapshot()),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn set_status(tx: &mut Tx, now: i64, id: &str, status: &str) -> AppResult<()> {
    sqlx::query("UPDATE memberships SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Serialise member management in one organisation and check that `seen` (read before the
/// transaction, when rights were decided) is still what the database holds. On PostgreSQL
/// the organisation row is locked for the rest of the transaction, so two administrators
/// cannot both pass the last-owner count or overwrite each other's change; SQLite's
/// `BEGIN IMMEDIATE` already holds the write lock.
async fn lock_member(state: &AppState, tx: &mut Tx, org_id: &str, seen: &MemberRow) -> AppResult<()> {
    sqlx::query(&format!("SELECT id FROM orgs WHERE id = $1{}", state.db.for_update()))
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let now: Option<(String, String, String)> =
        sqlx::query_as("SELECT role, status, toggles FROM memberships WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(&seen.id)
            .fetch_optional(&mut **tx)
            .await?;
    match now {
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
async fn ensure_not_last_owner(tx: &mut Tx, org_id: &str, m: &MemberRow) -> AppResult<()> {
    if m.role() != Role::Owner || m.status != "active" {
        return Ok(());
    }
    let owners: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner' AND status = 'active'",
    )
    .bind(org_id)
    .fetch_one(&mut **tx)
    .await?;
    if owners <= 1 {
        return Err(AppError::conflict("last-owner", "The organisation must keep at least one owner."));
    }
    Ok(())
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
    let locations: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM locations WHERE org_id = $1 ORDER BY name, id")
            .bind(scope.org_id())
            .fetch_all(state.db.pool())
            .await?;
    let cals: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, location_id, member_id FROM calendars WHERE org_id = $1 ORDER BY name, id")
            .bind(scope.org_id())
            .fetch_all(state.db.pool())
            .await?;
    Ok(Preview {
        member_id: m.id.clone(),
        role: m.role.clone(),
        rights: Toggle::ALL.into_iter().map(|t| (t.as_str().to_string(), view.capability(t).0)).collect(),
        locations: locations
            .into_iter()
            .filter(|(id, _)| policy::authorize(&view, Action::ViewLocation, Object::Location { id }).allowed)
            .map(|(id, name)| PreviewItem { id, name, access: None })
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
