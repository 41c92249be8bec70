//! JSON API for accounts. Handlers extract, call one service function and present.

use super::{repo, service};
use crate::features::prelude::*;
use crate::http::{cookie_names, session_cookie, set_cookie, ts};
use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub status: &'static str,
    pub detail: &'static str,
}

const SIGNUP_ACCEPTED: Accepted =
    Accepted { status: "accepted", detail: "If this address can be used, a confirmation link has been sent to it." };

#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 202, body = Accepted), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn signup(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(req): ApiJson<SignupRequest>,
) -> AppResult<Response> {
    service::signup(
        &state,
        &ctx,
        service::SignupInput {
            email: req.email,
            password: req.password,
            first_name: req.first_name,
            last_name: req.last_name,
        },
    )
    .await
    .map(|secret| {
        let mut res = (StatusCode::ACCEPTED, Json(SIGNUP_ACCEPTED)).into_response();
        res.headers_mut().append(
            axum::http::header::SET_COOKIE,
            crate::http::signup_cookie(state.config.secure_cookies(), &secret, service::VERIFY_TTL_MS),
        );
        res
    })
}

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: &'static str,
}

/// The emailed token; from another browser than the one that signed up, also the password
/// chosen at sign-up.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub token: String,
    #[serde(default)]
    pub password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "auth", request_body = VerifyRequest,
    responses((status = 200, body = Status), (status = 400, body = Problem), (status = 409, body = Problem),
        (status = 422, description = "password-required or wrong-password (another browser than the sign-up's)", body = Problem)))]
pub async fn verify(
    PublicRequest { state, ctx }: PublicRequest,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> AppResult<Json<Status>> {
    let browser = crate::http::signup_secret(&state, &headers);
    service::verify_email(&state, &ctx, &req.token, req.password.as_deref(), browser.as_deref(), false).await?;
    Ok(Json(Status { status: "verified" }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

#[utoipa::path(post, path = "/api/v1/auth/verify/resend", tag = "auth", request_body = EmailRequest,
    responses((status = 202, body = Accepted), (status = 429, body = Problem)))]
pub async fn resend_verification(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(req): ApiJson<EmailRequest>,
) -> AppResult<Response> {
    service::resend_verification(&state, &ctx, &req.email).await?;
    Ok((StatusCode::ACCEPTED, Json(SIGNUP_ACCEPTED)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub account: Me,
    pub session_id: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = service::LoginInput,
    responses((status = 200, body = LoginResponse, description = "Sets the session cookie"),
        (status = 401, body = Problem, description = "invalid-credentials, totp-required or invalid-totp"),
        (status = 403, body = Problem, description = "account-blocked"), (status = 429, body = Problem)))]
pub async fn login(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(req): ApiJson<service::LoginInput>,
) -> AppResult<Response> {
    let done = service::login(&state, &ctx, req).await?;
    let cookie = session_cookie(&state, &done.token);
    let me = me_of(&state, &done.account, None).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(LoginResponse { account: me, session_id: done.session_id }))
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(AccountRequest { state, ctx, who }: AccountRequest) -> AppResult<Response> {
    service::logout(&state, &ctx, &who.account_id, &who.label(), &who.session_id).await?;
    Ok(clear_session_cookie(&state, StatusCode::NO_CONTENT.into_response()))
}

pub fn clear_session_cookie(state: &AppState, mut res: Response) -> Response {
    let secure = state.config.secure_cookies();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(secure, cookie_names(secure).session, "", Some(0), true));
    res
}

#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = EmailRequest,
    responses((status = 202, body = Accepted), (status = 429, body = Problem)))]
pub async fn forgot(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(req): ApiJson<EmailRequest>,
) -> AppResult<Response> {
    service::forgot_password(&state, &ctx, &req.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "accepted",
            detail: "If an account exists for this address, a reset link has been sent.",
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub token: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 200, body = Status), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn reset(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(req): ApiJson<ResetRequest>,
) -> AppResult<Json<Status>> {
    service::reset_password(&state, &ctx, &req.token, &req.password).await?;
    Ok(Json(Status { status: "password-changed" }))
}

// ---------------------------------------------------------------- me

#[derive(Serialize, ToSchema)]
pub struct ActiveOrg {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile_phone: Option<String>,
    pub country: Option<String>,
    pub time_zone: String,
    /// `fr`, `en`, or null for the browser's language.
    pub language: Option<String>,
    pub email_verified: bool,
    pub totp_enabled: bool,
    /// Null: the personal space.
    pub active_org: Option<ActiveOrg>,
    pub created_at: String,
}

async fn me_of(state: &AppState, a: &repo::AccountRow, active_org_id: Option<&str>) -> AppResult<Me> {
    let active_org = match active_org_id {
        Some(id) => crate::access::identity::my_orgs(state, &a.id)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| ActiveOrg { id: o.id, name: o.name, slug: o.slug, role: o.role }),
        None => None,
    };
    Ok(Me {
        id: a.id.clone(),
        email: a.email.clone(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        mobile_phone: a.mobile_phone.clone(),
        country: a.country.clone(),
        time_zone: a.time_zone.clone(),
        language: a.language.clone(),
        email_verified: a.email_verified_at.is_some(),
        totp_enabled: a.totp_enabled_at.is_some(),
        active_org,
        created_at: ts(a.created_at),
    })
}

#[utoipa::path(get, path = "/api/v1/me", tag = "me", responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(AccountRequest { state, who, .. }: AccountRequest) -> AppResult<Json<Me>> {
    let a = repo::account_by_id(state.db.pool(), &who.account_id).await?.ok_or(AppError::Unauthenticated)?;
    Ok(Json(me_of(&state, &a, who.active_org_id.as_deref()).await?))
}

#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = service::ProfileInput,
    responses((status = 200, body = Me), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn update_me(
    AccountRequest { state, ctx, who }: AccountRequest,
    ApiJson(req): ApiJson<service::ProfileInput>,
) -> AppResult<Json<Me>> {
    let a = service::update_profile(&state, &ctx, &who.account_id, req).await?;
    Ok(Json(me_of(&state, &a, who.active_org_id.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", request_body = service::PasswordChange,
    responses((status = 200, body = Status), (status = 422, body = Problem)))]
pub async fn change_password(
    AccountRequest { state, ctx, who }: AccountRequest,
    ApiJson(req): ApiJson<service::PasswordChange>,
) -> AppResult<Json<Status>> {
    service::change_password(&state, &ctx, &who.account_id, &who.session_id, req).await?;
    Ok(Json(Status { status: "password-changed" }))
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub id: String,
    pub current: bool,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "me", responses((status = 200, body = [SessionInfo])))]
pub async fn sessions(AccountRequest { state, who, .. }: AccountRequest) -> AppResult<Json<Vec<SessionInfo>>> {
    let list = service::list_sessions(&state, &who.account_id).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| SessionInfo {
                current: s.id == who.session_id,
                id: s.id,
                created_at: ts(s.created_at),
                last_seen_at: ts(s.last_seen_at),
                expires_at: ts(s.expires_at),
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_session(
    AccountRequest { state, ctx, who }: AccountRequest,
    Path(id): Path<String>,
) -> AppResult<Response> {
    service::revoke_session(&state, &ctx, &who.account_id, &who.label(), &id).await?;
    let res = StatusCode::NO_CONTENT.into_response();
    Ok(if id == who.session_id { clear_session_cookie(&state, res) } else { res })
}

#[derive(Serialize, ToSchema)]
pub struct Revoked {
    pub sessions_ended: u64,
}

#[utoipa::path(post, path = "/api/v1/me/sessions/revoke-others", tag = "me", responses((status = 200, body = Revoked)))]
pub async fn revoke_others(AccountRequest { state, ctx, who }: AccountRequest) -> AppResult<Json<Revoked>> {
    let n = service::revoke_other_sessions(&state, &ctx, &who.account_id, &who.label(), &who.session_id).await?;
    Ok(Json(Revoked { sessions_ended: n }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirm {
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TotpSetupResponse {
    /// Base32 secret to type into an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
}

#[utoipa::path(post, path = "/api/v1/me/totp/setup", tag = "me", request_body = PasswordConfirm,
    responses((status = 200, body = TotpSetupResponse), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn totp_setup(
    AccountRequest { state, who, .. }: AccountRequest,
    ApiJson(req): ApiJson<PasswordConfirm>,
) -> AppResult<Json<TotpSetupResponse>> {
    let s = service::totp_setup(&state, &who.account_id, &req.password).await?;
    Ok(Json(TotpSetupResponse { secret: s.secret, otpauth_uri: s.otpauth_uri }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

#[utoipa::path(post, path = "/api/v1/me/totp/enable", tag = "me", request_body = TotpCode,
    responses((status = 200, body = Status), (status = 422, body = Problem)))]
pub async fn totp_enable(
    AccountRequest { state, ctx, who }: AccountRequest,
    ApiJson(req): ApiJson<TotpCode>,
) -> AppResult<Json<Status>> {
    service::totp_enable(&state, &ctx, &who.account_id, &who.session_id, &req.code).await?;
    Ok(Json(Status { status: "totp-enabled" }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    pub password: String,
    pub code: String,
}

#[utoipa::path(post, path = "/api/v1/me/totp/disable", tag = "me", request_body = TotpDisable,
    responses((status = 200, body = Status), (status = 422, body = Problem)))]
pub async fn totp_disable(
    AccountRequest { state, ctx, who }: AccountRequest,
    ApiJson(req): ApiJson<TotpDisable>,
) -> AppResult<Json<Status>> {
    service::totp_disable(&state, &ctx, &who.account_id, &req.password, &req.code).await?;
    Ok(Json(Status { status: "totp-disabled" }))
}
