//! Member storage: memberships, their direct (and teams') grants, and invitation links.
//! Every function takes the organisation's `Tenant` and binds it.

use crate::{
    access::{
        MembershipStatus, Role, Tenant,
        policy::{Footprint, Object},
    },
    db::{self, Executor, Tx, new_id},
    error::AppResult,
};
use serde_json::json;

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

const COLUMNS: &str =
    "id, account_id, email, email_norm, first_name, last_name, role, status, toggles, last_active_at, created_at";

// ---------------------------------------------------------------- memberships

pub async fn find(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<MemberRow>> {
    let sql = format!("SELECT {COLUMNS} FROM memberships WHERE org_id = $1 AND id = $2");
    db::fetch_by_org_id(exec, &sql, tenant, id).await
}

pub async fn find_by_email(tx: &mut Tx, tenant: &Tenant, email_norm: &str) -> AppResult<Option<MemberRow>> {
    let sql = format!("SELECT {COLUMNS} FROM memberships WHERE org_id = $1 AND email_norm = $2");
    Ok(db::query_as(&sql, &[tenant, &email_norm]).fetch_optional(&mut **tx).await?)
}

/// Every membership, removed ones last, by name.
pub async fn list(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<MemberRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM memberships WHERE org_id = $1 ORDER BY status = 'removed', last_name, first_name, id"
    );
    Ok(db::query_as(&sql, &[tenant]).fetch_all(exec).await?)
}

/// A membership as it is now: `(role, status, toggles)`.
pub async fn member_state(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<Option<(String, String, String)>> {
    let sql = "SELECT role, status, toggles FROM memberships WHERE org_id = $1 AND id = $2";
    db::fetch_by_org_id(&mut **tx, sql, tenant, id).await
}

pub async fn active_owners(tx: &mut Tx, tenant: &Tenant) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner' AND status = 'active'";
    Ok(db::query_scalar(sql, &[tenant]).fetch_one(&mut **tx).await?)
}

/// How many other memberships of this organisation an account holds.
pub async fn other_memberships_of(tx: &mut Tx, tenant: &Tenant, account_id: &str, except: &str) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND account_id = $2 AND id <> $3";
    Ok(db::query_scalar(sql, &[tenant, &account_id, &except]).fetch_one(&mut **tx).await?)
}

/// A member's active calendars of their own.
pub async fn active_own_calendars(tx: &mut Tx, tenant: &Tenant, member_id: &str) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) FROM calendars WHERE org_id = $1 AND member_id = $2 AND status = 'active'";
    Ok(db::query_scalar(sql, &[tenant, &member_id]).fetch_one(&mut **tx).await?)
}

/// What an invitation (or creating a member inactive) writes of a membership.
pub struct Invitee<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
    pub status: MembershipStatus,
    pub toggles: &'a str,
}

/// A new membership without an account yet (invited, or created inactive). The database's
/// own error is returned, so that the caller says what a taken address means.
pub async fn insert(
    tx: &mut Tx,
    tenant: &Tenant,
    id: &str,
    email: &str,
    email_norm: &str,
    m: &Invitee<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO memberships (id, org_id, account_id, email, email_norm, first_name, last_name, role, status, toggles, created_at, updated_at) \
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $10)";
    db::execute(
        tx,
        sql,
        &[
            &id,
            tenant,
            &email,
            &email_norm,
            &m.first_name,
            &m.last_name,
            &m.role.as_str(),
            &m.status.as_str(),
            &m.toggles,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// A removed member invited again: new names, role, status and toggles on the same row.
pub async fn revive(tx: &mut Tx, tenant: &Tenant, id: &str, m: &Invitee<'_>, now: i64) -> AppResult<()> {
    let sql = "UPDATE memberships SET first_name = $1, last_name = $2, role = $3, status = $4, toggles = $5, updated_at = $6 \
         WHERE org_id = $7 AND id = $8";
    db::execute(
        tx,
        sql,
        &[&m.first_name, &m.last_name, &m.role.as_str(), &m.status.as_str(), &m.toggles, &now, tenant, &id],
    )
    .await?;
    Ok(())
}

/// Write role, toggles and names of `m`.
pub async fn update(tx: &mut Tx, tenant: &Tenant, m: &MemberRow, now: i64) -> AppResult<()> {
    let sql = "UPDATE memberships SET role = $1, toggles = $2, first_name = $3, last_name = $4, updated_at = $5 \
         WHERE org_id = $6 AND id = $7";
    db::execute(tx, sql, &[&m.role, &m.toggles, &m.first_name, &m.last_name, &now, tenant, &m.id]).await?;
    Ok(())
}

pub async fn set_role(tx: &mut Tx, tenant: &Tenant, id: &str, role: Role, now: i64) -> AppResult<()> {
    let sql = "UPDATE memberships SET role = $1, updated_at = $2 WHERE org_id = $3 AND id = $4";
    db::execute(tx, sql, &[&role.as_str(), &now, tenant, &id]).await?;
    Ok(())
}

pub async fn set_status(tx: &mut Tx, tenant: &Tenant, id: &str, status: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE memberships SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4";
    db::execute(tx, sql, &[&status, &now, tenant, &id]).await?;
    Ok(())
}

/// An invited membership joins with `account_id`; false when it is no longer invited.
pub async fn join(tx: &mut Tx, tenant: &Tenant, id: &str, account_id: &str, now: i64) -> AppResult<bool> {
    let sql = "UPDATE memberships SET account_id = $1, status = 'active', updated_at = $2 \
         WHERE org_id = $3 AND id = $4 AND status = 'invited'";
    Ok(db::execute(tx, sql, &[&account_id, &now, tenant, &id]).await? == 1)
}

// ---------------------------------------------------------------- grants

/// One grant row of a member or a team: `kind` is `org`, `location` or `calendar`.
pub struct NewGrant<'a> {
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub kind: &'a str,
    pub location_id: Option<&'a str>,
    pub calendar_id: Option<&'a str>,
    pub level: &'a str,
}

pub async fn insert_grant(tx: &mut Tx, tenant: &Tenant, g: &NewGrant<'_>, now: i64) -> AppResult<()> {
    let sql = "INSERT INTO grants (id, org_id, subject_type, subject_id, scope, location_id, calendar_id, level, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    db::execute(
        tx,
        sql,
        &[&new_id(), tenant, &g.subject_type, &g.subject_id, &g.kind, &g.location_id, &g.calendar_id, &g.level, &now],
    )
    .await?;
    Ok(())
}

/// Every grant of a member or a team (`subject_type`: `member` or `team`).
pub async fn delete_grants(tx: &mut Tx, tenant: &Tenant, subject_type: &str, subject_id: &str) -> AppResult<()> {
    let sql = "DELETE FROM grants WHERE org_id = $1 AND subject_type = $2 AND subject_id = $3";
    db::execute(tx, sql, &[tenant, &subject_type, &subject_id]).await?;
    Ok(())
}

// ---------------------------------------------------------------- invitations

pub struct NewInvitation<'a> {
    pub membership_id: &'a str,
    pub token_hash: &'a str,
    pub created_by: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert_invitation(tx: &mut Tx, tenant: &Tenant, i: &NewInvitation<'_>) -> AppResult<()> {
    let sql = "INSERT INTO invitations (id, org_id, membership_id, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    db::execute(tx, sql, &[&new_id(), tenant, &i.membership_id, &i.token_hash, &i.created_by, &i.now, &i.expires_at])
        .await?;
    Ok(())
}

/// A membership's live invitation links stop working.
pub async fn revoke_invitations(tx: &mut Tx, tenant: &Tenant, membership_id: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE invitations SET revoked_at = $1 \
         WHERE org_id = $2 AND membership_id = $3 AND used_at IS NULL AND revoked_at IS NULL";
    db::execute(tx, sql, &[&now, tenant, &membership_id]).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct InvitationRow {
    pub invitation_id: String,
    pub membership_id: String,
    pub org_name: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// An invitation with its organisation's name, live or not.
pub async fn invitation(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<Option<InvitationRow>> {
    let sql = "SELECT i.id AS invitation_id, i.membership_id, o.name AS org_name, i.expires_at, i.used_at, i.revoked_at \
         FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.org_id = $1 AND i.id = $2";
    Ok(db::query_as(sql, &[tenant, &id]).fetch_optional(&mut **tx).await?)
}

/// Use an invitation, unless it was used or revoked meanwhile: false then.
pub async fn take_invitation(tx: &mut Tx, tenant: &Tenant, id: &str, now: i64) -> AppResult<bool> {
    let sql =
        "UPDATE invitations SET used_at = $1 WHERE org_id = $2 AND id = $3 AND used_at IS NULL AND revoked_at IS NULL";
    Ok(db::execute(tx, sql, &[&now, tenant, &id]).await? == 1)
}

// ---------------------------------------------------------------- preview

/// Every calendar of the organisation: `(id, name, location id, own member id)`, by name.
pub async fn calendars_brief(
    exec: impl Executor<'_>,
    tenant: &Tenant,
) -> AppResult<Vec<(String, String, String, Option<String>)>> {
    let sql = "SELECT id, name, location_id, member_id FROM calendars WHERE org_id = $1 ORDER BY name, id";
    Ok(db::query_as(sql, &[tenant]).fetch_all(exec).await?)
}
