//! The page behind the emailed invitation link: accept with an existing account, or register
//! inside the flow.

use super::invitations;
use super::pages::*;
use crate::features::prelude::*;
use crate::{
    access::MaybeIdentity,
    http::{
        forms::refused,
        pages::{MessagePage, enc},
        session_cookie,
    },
};
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{StatusCode, header},
};
use serde::Deserialize;

// ---------------------------------------------------------------- the invitation link

#[derive(Template)]
#[template(path = "invitation.html")]
pub(super) struct InvitationPage {
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

pub(super) async fn frame(state: &AppState, ctx: &Ctx, who: Option<&Identity>) -> Result<PageCtx, AppError> {
    match who {
        Some(who) => PageCtx::for_user(state, ctx, who).await,
        None => Ok(PageCtx::anonymous(ctx)),
    }
}

pub(super) fn invalid_link(p: PageCtx) -> axum::response::Response {
    render_status(
        StatusCode::BAD_REQUEST,
        &MessagePage::of(p, "invitation.title", "invitation.invalid", Some(("/", "error.back_home"))),
    )
}

pub(super) struct InvitationForm {
    first_name: String,
    last_name: String,
    errors: FormErrors,
    error: Option<String>,
}

/// Show the invitation: who invites whom, and the one next step that fits the visitor.
pub(super) async fn invitation_page(
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

pub async fn accept(AccountRequest { state, ctx, who }: AccountRequest, form: FormFields) -> PageResult {
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
        let f = again(FormErrors::default(), Some(t.get("field_error.password-mismatch").into()));
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
            let cookie = session_cookie(&state, &r.session_token);
            let mut res = see_other("/");
            res.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(AppError::BadRequest { code: "invalid-token", .. }) => {
            Ok(invalid_link(frame(&state, &ctx, who.as_ref()).await.or_page(&ctx)?))
        }
        Err(e) => {
            let r = refused(&ctx, e)?;
            let f = again(r.errors, r.error);
            invitation_page(&state, &ctx, who.as_ref(), &token, r.status, Some(f)).await
        }
    }
}
