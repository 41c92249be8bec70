//! The account's security pages: password, second factor, sessions.

use super::pages::*;
use super::{api::clear_session_cookie, repo, service};
use crate::features::prelude::*;
use crate::http::pages::local_time;
use askama::Template;
use axum::{extract::Path, http::StatusCode};
use serde::Deserialize;

// ---------------------------------------------------------------- security

#[derive(Template)]
#[template(path = "security.html")]
pub(super) struct SecurityPage {
    p: PageCtx,
    password_error: Option<String>,
    totp_error: Option<String>,
    totp_enabled: bool,
    pending_secret: Option<String>,
    pending_uri: String,
}

pub(super) async fn security_page(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    flash: Option<&str>,
    password_error: Option<String>,
    totp_error: Option<String>,
    pending: Option<service::TotpSetup>,
) -> PageResult {
    let a = repo::account_by_id(state.db.pool(), &who.account_id)
        .await
        .or_page(ctx)?
        .ok_or(AppError::Unauthenticated)
        .or_page(ctx)?;
    let mut p = PageCtx::for_user(state, ctx, who).await.or_page(ctx)?;
    if let Some(f) = flash {
        p = p.with_flash(f);
    }
    let status = if password_error.is_some() || totp_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(
        status,
        &SecurityPage {
            p,
            password_error,
            totp_error,
            totp_enabled: a.totp_enabled_at.is_some(),
            pending_uri: pending.as_ref().map(|s| s.otpauth_uri.clone()).unwrap_or_default(),
            pending_secret: pending.map(|s| s.secret),
        },
    ))
}

pub async fn security(AccountRequest { state, ctx, who }: AccountRequest) -> PageResult {
    security_page(&state, &ctx, &who, None, None, None, None).await
}

pub(super) fn first_message(t: Tr, e: &AppError) -> Option<String> {
    match e {
        AppError::Validation(v) => v.first().map(|f| t.field_message(f)),
        AppError::Conflict { .. } => Some(e.text(t)),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

pub async fn password(
    AccountRequest { state, ctx, who }: AccountRequest,
    PageForm(f): PageForm<PasswordForm>,
) -> PageResult {
    let input = service::PasswordChange {
        current_password: f.current_password,
        new_password: f.new_password,
        new_password_confirm: f.new_password_confirm,
    };
    let done = service::change_password(&state, &ctx, &who.account_id, &who.session_id, input).await;
    answer(&state, &ctx, &who, done, "password.changed", Form::Password).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpForm {
    password: String,
    code: String,
}

pub async fn totp_setup(
    AccountRequest { state, ctx, who }: AccountRequest,
    PageForm(f): PageForm<TotpForm>,
) -> PageResult {
    match service::totp_setup(&state, &who.account_id, &f.password).await {
        Ok(setup) => security_page(&state, &ctx, &who, None, None, None, Some(setup)).await,
        Err(e) => refused(&state, &ctx, &who, e, Form::Totp).await,
    }
}

pub async fn totp_enable(
    AccountRequest { state, ctx, who }: AccountRequest,
    PageForm(f): PageForm<TotpForm>,
) -> PageResult {
    let done = service::totp_enable(&state, &ctx, &who.account_id, &who.session_id, &f.code).await;
    answer(&state, &ctx, &who, done, "totp.enabled", Form::Totp).await
}

pub async fn totp_disable(
    AccountRequest { state, ctx, who }: AccountRequest,
    PageForm(f): PageForm<TotpForm>,
) -> PageResult {
    let done = service::totp_disable(&state, &ctx, &who.account_id, &f.password, &f.code).await;
    answer(&state, &ctx, &who, done, "totp.disabled", Form::Totp).await
}

/// The security page's two forms, each showing its own refusal.
#[derive(Clone, Copy)]
enum Form {
    Password,
    Totp,
}

/// The security page after one of its forms: `flash` said on success, the refusal beside
/// `form` otherwise.
async fn answer(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    done: AppResult<()>,
    flash: &str,
    form: Form,
) -> PageResult {
    match done {
        Ok(()) => security_page(state, ctx, who, Some(ctx_t(ctx).get(flash)), None, None, None).await,
        Err(e) => refused(state, ctx, who, e, form).await,
    }
}

/// A refusal the form shows (its first message) beside `form`; any other is the error page.
async fn refused(state: &AppState, ctx: &Ctx, who: &Identity, e: AppError, form: Form) -> PageResult {
    let Some(m) = first_message(ctx_t(ctx), &e) else { return Err(e).or_page(ctx) };
    let (password_error, totp_error) = match form {
        Form::Password => (Some(m), None),
        Form::Totp => (None, Some(m)),
    };
    security_page(state, ctx, who, None, password_error, totp_error, None).await
}

// ---------------------------------------------------------------- sessions

pub(super) struct SessionLine {
    id: String,
    current: bool,
    device: String,
    ip: String,
    started: String,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
pub(super) struct SessionsPage {
    p: PageCtx,
    sessions: Vec<SessionLine>,
}

pub async fn sessions(AccountRequest { state, ctx, who }: AccountRequest) -> PageResult {
    let tz = viewer_zone(&state, &who).await.or_page(&ctx)?;
    let list = service::list_sessions(&state, &who.account_id).await.or_page(&ctx)?;
    let p = PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?;
    Ok(render(&SessionsPage {
        p,
        sessions: list
            .into_iter()
            .map(|s| SessionLine {
                current: s.id == who.session_id,
                id: s.id,
                device: s.user_agent.unwrap_or_default(),
                ip: s.ip.unwrap_or_default(),
                started: local_time(s.created_at, &tz),
                last_seen: local_time(s.last_seen_at, &tz),
            })
            .collect(),
    }))
}

pub async fn revoke_session(AccountRequest { state, ctx, who }: AccountRequest, Path(id): Path<String>) -> PageResult {
    service::revoke_session(&state, &ctx, &who.account_id, &who.label(), &id).await.or_page(&ctx)?;
    if id == who.session_id {
        return Ok(clear_session_cookie(&state, see_other("/login")));
    }
    Ok(see_other("/account/sessions"))
}

pub async fn revoke_others(AccountRequest { state, ctx, who }: AccountRequest) -> PageResult {
    service::revoke_other_sessions(&state, &ctx, &who.account_id, &who.label(), &who.session_id).await.or_page(&ctx)?;
    Ok(see_other("/account/sessions"))
}
