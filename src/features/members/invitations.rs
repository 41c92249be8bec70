//! Invitation links: issued by email, accepted by an existing account (which proves its
//! password by being signed in) or by a new person who registers inside the flow. The link
//! proves control of the invited address; accepting never changes an existing account.

use super::service::{COLUMNS, MemberRow};
use crate::{
    access::{Identity, OrgScope},
    audit::{self, Actor, Entry},
    clock::to_ms,
    crypto,
    db::{Tx, new_id},
    error::{AppError, AppResult},
    features::accounts::repo as accounts,
    http::Ctx,
    i18n::Tr,
    jobs::{mail::compose, outbox},
    ratelimit,
    state::AppState,
    types::{Name, NewPassword},
};
use serde::Serialize;
use serde_json::json;

pub const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

/// Issue a fresh link for `m` (superseding earlier ones) and queue the email.
pub async fn issue(
    tx: &mut Tx,
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    m: &MemberRow,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE membership_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(&m.id)
    .execute(&mut **tx)
    .await?;
    let token = crypto::new_token();
    sqlx::query(
        "INSERT INTO invitations (id, org_id, membership_id, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(scope.org_id())
    .bind(&m.id)
    .bind(crypto::hash_token(&token))
    .bind(scope.membership_id())
    .bind(now)
    .bind(now + INVITE_TTL_MS)
    .execute(&mut **tx)
    .await?;
    let t = Tr(ctx.lang);
    let role = t.get(&format!("role.{}", m.role));
    let inviter = scope.actor();
    let inviter = match &inviter {
        Actor::Account { label, .. } => label.clone(),
        Actor::Client { label, .. } => label.clone(),
        Actor::System => "Creneau".into(),
    };
    let mail = compose(
        &m.email,
        &t.fmt("mail.invite.subject", &[("org", scope.org_name())]),
        &[
            t.fmt(
                "mail.invite.body",
                &[("name", &m.first_name), ("inviter", &inviter), ("org", scope.org_name()), ("role", role)],
            ),
            t.get("mail.invite.expiry").to_string(),
        ],
        Some((t.get("mail.invite.action"), &format!("{}/invitations/accept?token={token}", state.config.base_url))),
        t.get("mail.footer"),
    );
    outbox::enqueue_email(tx, now, Some(scope.org_id()), &mail).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Pending {
    invitation_id: String,
    org_id: String,
    org_name: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
}

fn invalid() -> AppError {
    AppError::bad_request("invalid-token", "This invitation link is invalid, expired, revoked or already used.")
}

/// The live invitation behind a raw token, with its membership.
async fn pending(exec: &mut Tx, raw: &str, now: i64) -> AppResult<(Pending, MemberRow)> {
    let p: Option<Pending> = sqlx::query_as(
        "SELECT i.id AS invitation_id, i.org_id, o.name AS org_name, i.expires_at, i.used_at, i.revoked_at \
         FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.token_hash = $1",
    )
    .bind(crypto::hash_token(raw.trim()))
    .fetch_optional(&mut **exec)
    .await?;
    let p = p.filter(|p| p.used_at.is_none() && p.revoked_at.is_none() && p.expires_at > now).ok_or_else(invalid)?;
    let m: MemberRow = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM memberships WHERE id = (SELECT membership_id FROM invitations WHERE id = $1)"
    ))
    .bind(&p.invitation_id)
    .fetch_one(&mut **exec)
    .await?;
    if m.status != "invited" {
        return Err(invalid());
    }
    Ok((p, m))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationInfo {
    pub org_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    /// Whether the invited address already has an account (then: log in and accept).
    pub account_exists: bool,
}

/// What the link is for; only the holder of the link (the invited mailbox) learns it.
pub async fn lookup(state: &AppState, ctx: &Ctx, raw: &str) -> AppResult<InvitationInfo> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.pool().begin().await?;
    let (p, m) = pending(&mut tx, raw, now).await?;
    let exists = accounts::account_by_email(&mut *tx, &m.email_norm).await?.is_some();
    tx.rollback().await?;
    Ok(InvitationInfo {
        org_name: p.org_name,
        email: m.email,
        first_name: m.first_name,
        last_name: m.last_name,
        role: m.role,
        account_exists: exists,
    })
}

/// Mark the invitation used, link the account, activate the membership, audit, and make
/// the organisation active in this session.
/// Who joins: the account, its label for the audit trail, and the session to switch.
struct Joiner<'a> {
    account_id: &'a str,
    label: &'a str,
    session_id: Option<&'a str>,
}

async fn join(tx: &mut Tx, now: i64, ctx: &Ctx, p: &Pending, m: &MemberRow, who: Joiner<'_>) -> AppResult<()> {
    let Joiner { account_id, label, session_id } = who;
    // Conditional writes: a revocation or another acceptance committed meanwhile wins.
    let taken =
        sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL")
            .bind(now)
            .bind(&p.invitation_id)
            .execute(&mut **tx)
            .await?;
    if taken.rows_affected() != 1 {
        return Err(invalid());
    }
    let already: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND account_id = $2 AND id <> $3")
            .bind(&p.org_id)
            .bind(account_id)
            .bind(&m.id)
            .fetch_one(&mut **tx)
            .await?;
    if already > 0 {
        return Err(AppError::conflict("already-member", "Your account already belongs to this organisation."));
    }
    let joined = sqlx::query(
        "UPDATE memberships SET account_id = $1, status = 'active', updated_at = $2 WHERE id = $3 AND status = 'invited'",
    )
    .bind(account_id)
    .bind(now)
    .bind(&m.id)
    .execute(&mut **tx)
    .await?;
    if joined.rows_affected() != 1 {
        return Err(invalid());
    }
    if let Some(s) = session_id {
        sqlx::query("UPDATE sessions SET active_org_id = $1 WHERE id = $2")
            .bind(&p.org_id)
            .bind(s)
            .execute(&mut **tx)
            .await?;
    }
    audit::record(
        tx,
        now,
        Entry {
            org_id: Some(&p.org_id),
            location_id: None,
            actor: &Actor::Account { id: account_id.into(), label: label.into() },
            action: "member.joined",
            object_type: "membership",
            object_id: Some(&m.id),
            before: Some(json!({"status": "invited"})),
            after: Some(json!({"status": "active", "account_id": account_id})),
            ctx: Some(ctx),
        },
    )
    .await
}

/// A signed-in account accepts: it must be the invited address.
pub async fn accept(state: &AppState, ctx: &Ctx, who: &Identity, raw: &str) -> AppResult<String> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let (p, m) = pending(&mut tx, raw, now).await?;
    if who.email.to_lowercase() != m.email_norm {
        return Err(AppError::forbidden(
            "invitation-for-another-address",
            "This invitation was sent to another address; log in with that address to accept it.",
        ));
    }
    join(
        &mut tx,
        now,
        ctx,
        &p,
        &m,
        Joiner { account_id: &who.account_id, label: &who.label(), session_id: Some(&who.session_id) },
    )
    .await?;
    tx.commit().await?;
    Ok(p.org_id)
}

pub struct Registration {
    pub account_id: String,
    pub org_id: String,
    pub session_id: String,
    pub session_token: String,
}

/// A person without an account registers inside the invitation flow. The link proves the
/// address, so the account starts verified. An address that has an account must log in
/// and accept instead: nothing about an existing account changes here.
pub async fn register(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
    password: &str,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> AppResult<Registration> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let password = NewPassword::parse("password", password).map_err(|e| AppError::Validation(vec![e]))?;
    let hash = crypto::hash_password(password.expose()).map_err(AppError::internal)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let (p, m) = pending(&mut tx, raw, now).await?;
    if accounts::account_by_email(&mut *tx, &m.email_norm).await?.is_some() {
        return Err(AppError::conflict(
            "account-exists",
            "This address already has an account: log in, then accept the invitation.",
        ));
    }
    let first = match first_name {
        Some(v) => Name::parse("first_name", v, 100).map_err(|e| AppError::Validation(vec![e]))?.into_string(),
        None => m.first_name.clone(),
    };
    let last = match last_name {
        Some(v) => Name::parse("last_name", v, 100).map_err(|e| AppError::Validation(vec![e]))?.into_string(),
        None => m.last_name.clone(),
    };
    let account_id = new_id();
    sqlx::query(
        "INSERT INTO accounts (id, email, email_norm, first_name, last_name, password_hash, time_zone, language, \
         email_verified_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)",
    )
    .bind(&account_id)
    .bind(&m.email)
    .bind(&m.email_norm)
    .bind(&first)
    .bind(&last)
    .bind(&hash)
    .bind(&state.config.default_time_zone)
    .bind(ctx.lang.code())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        crate::db::unique_or(e, AppError::conflict("account-exists", "This address already has an account."))
    })?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &Actor::Account { id: account_id.clone(), label: m.email.clone() },
            action: "account.created",
            object_type: "account",
            object_id: Some(&account_id),
            before: None,
            after: Some(json!({"email": m.email, "via": "invitation"})),
            ctx: Some(ctx),
        },
    )
    .await?;
    let (session_id, session_token) =
        accounts::create_session(&mut tx, now, &account_id, ctx.ip.as_deref(), ctx.user_agent.as_deref()).await?;
    join(&mut tx, now, ctx, &p, &m, Joiner { account_id: &account_id, label: &m.email, session_id: Some(&session_id) })
        .await?;
    tx.commit().await?;
    Ok(Registration { account_id, org_id: p.org_id, session_id, session_token })
}
