//! Invitation links: issued by email, accepted by an existing account (which proves its
//! password by being signed in) or by a new person who registers inside the flow. The link
//! proves control of the invited address; accepting never changes an existing account.

use super::{
    repo::{self, InvitationRow, NewInvitation},
    service::MemberRow,
};
use crate::features::prelude::*;
use crate::{
    access::{Tenant, tenant::by_invitation_token},
    audit::{self, Actor, Event},
    clock::to_ms,
    crypto,
    db::{Tx, new_id},
    features::accounts::repo as accounts,
    jobs::{mail::compose, outbox},
    ratelimit,
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
    repo::revoke_invitations(tx, scope.tenant(), &m.id, now).await?;
    let token = crypto::new_token();
    let invitation = NewInvitation {
        membership_id: &m.id,
        token_hash: &crypto::hash_token(&token),
        created_by: scope.membership_id(),
        now,
        expires_at: now + INVITE_TTL_MS,
    };
    repo::insert_invitation(tx, scope.tenant(), &invitation).await?;
    let t = Tr(ctx.lang);
    let role = t.role(&m.role);
    let inviter = scope.actor();
    let inviter = match &inviter {
        Actor::Account { label, .. } => label.clone(),
        Actor::Client { label, .. } => label.clone(),
        // An integration invites on behalf of the member who made its key.
        Actor::ApiKey { .. } => scope.person_label().to_string(),
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

/// A live invitation and the organisation it reaches.
struct Pending {
    tenant: Tenant,
    invitation: InvitationRow,
}

fn invalid() -> AppError {
    AppError::bad_request("invalid-token", "This invitation link is invalid, expired, revoked or already used.")
}

/// The live invitation behind a raw token, with its membership.
async fn pending(exec: &mut Tx, raw: &str, now: i64) -> AppResult<(Pending, MemberRow)> {
    let (tenant, id) = by_invitation_token(&mut **exec, raw.trim()).await?.ok_or_else(invalid)?;
    let invitation = repo::invitation(exec, &tenant, &id)
        .await?
        .filter(|p| p.used_at.is_none() && p.revoked_at.is_none() && p.expires_at > now)
        .ok_or_else(invalid)?;
    let m = repo::find(&mut **exec, &tenant, &invitation.membership_id)
        .await?
        .ok_or_else(|| AppError::internal("an invitation without its membership"))?;
    if m.status != "invited" {
        return Err(invalid());
    }
    Ok((Pending { tenant, invitation }, m))
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
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.pool().begin().await?;
    let (p, m) = pending(&mut tx, raw, now).await?;
    let exists = accounts::account_by_email(&mut *tx, &m.email_norm).await?.is_some();
    tx.rollback().await?;
    Ok(InvitationInfo {
        org_name: p.invitation.org_name,
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
    if !repo::take_invitation(tx, &p.tenant, &p.invitation.invitation_id, now).await? {
        return Err(invalid());
    }
    if repo::other_memberships_of(tx, &p.tenant, account_id, &m.id).await? > 0 {
        return Err(AppError::conflict("already-member", "Your account already belongs to this organisation."));
    }
    if !repo::join(tx, &p.tenant, &m.id, account_id, now).await? {
        return Err(invalid());
    }
    if let Some(s) = session_id {
        accounts::set_active_org(&mut **tx, account_id, s, Some(p.tenant.org_id())).await?;
    }
    let event = Event::new("member.joined", "membership", &m.id)
        .before(json!({"status": "invited"}))
        .after(json!({"status": "active", "account_id": account_id}));
    audit::record(
        tx,
        now,
        Some(p.tenant.org_id()),
        &Actor::Account { id: account_id.into(), label: label.into() },
        Some(ctx),
        event,
    )
    .await
}

/// A signed-in account accepts: it must be the invited address.
pub async fn accept(state: &AppState, ctx: &Ctx, who: &Identity, raw: &str) -> AppResult<String> {
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
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
    Ok(p.tenant.org_id().to_string())
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
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
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
    accounts::insert_account(
        &mut tx,
        &accounts::NewAccount {
            id: &account_id,
            email: &m.email,
            email_norm: &m.email_norm,
            first_name: &first,
            last_name: &last,
            password_hash: Some(&hash),
            time_zone: &state.config.default_time_zone,
            language: Some(ctx.lang.code()),
            email_verified_at: Some(now),
            now,
        },
    )
    .await
    .map_err(|e| {
        crate::db::unique_or(e, AppError::conflict("account-exists", "This address already has an account."))
    })?;
    let event =
        Event::new("account.created", "account", &account_id).after(json!({"email": m.email, "via": "invitation"}));
    audit::record(
        &mut tx,
        now,
        None,
        &Actor::Account { id: account_id.clone(), label: m.email.clone() },
        Some(ctx),
        event,
    )
    .await?;
    let (session_id, session_token) =
        accounts::create_session(&mut tx, now, &account_id, ctx.ip.as_deref(), ctx.user_agent.as_deref()).await?;
    join(&mut tx, now, ctx, &p, &m, Joiner { account_id: &account_id, label: &m.email, session_id: Some(&session_id) })
        .await?;
    tx.commit().await?;
    Ok(Registration { account_id, org_id: p.tenant.org_id().to_string(), session_id, session_token })
}
