//! Account pages: sign-up, verification, login, password reset, profile, security, sessions.

use super::{api::clear_session_cookie, repo, service};
use crate::features::prelude::*;
use crate::{
    http::{
        LANG_COOKIE,
        pages::{MessagePage, ZONES, safe_next},
        session_cookie, set_cookie,
    },
    types::Lang,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use jiff::tz::TimeZone;
use serde::Deserialize;

pub use super::security_pages::{
    password, revoke_others, revoke_session, security, sessions, totp_disable, totp_enable, totp_setup,
};

fn message(p: PageCtx, title_key: &str, message_key: &str, link: Option<(&str, &str)>) -> Response {
    render(&MessagePage::of(p, title_key, message_key, link))
}

/// A single-use link that is invalid, expired or used, under `title_key`, with the way to ask
/// for a new one (`href`, the key of its label).
fn invalid_link(ctx: &Ctx, title_key: &str, again: (&str, &str)) -> Response {
    let page = MessagePage::of(PageCtx::anonymous(ctx), title_key, "error.invalid-token", Some(again));
    render_status(StatusCode::BAD_REQUEST, &page)
}

// ---------------------------------------------------------------- sign-up

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    p: PageCtx,
    errors: FormErrors,
    first_name: String,
    last_name: String,
    email: String,
}

pub async fn signup_form(ctx: Ctx) -> Response {
    render(&SignupPage {
        p: PageCtx::anonymous(&ctx),
        errors: FormErrors::default(),
        first_name: String::new(),
        last_name: String::new(),
        email: String::new(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    first_name: String,
    last_name: String,
    email: String,
    password: String,
}

pub async fn signup(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<SignupForm>) -> PageResult {
    let input = service::SignupInput {
        email: f.email.clone(),
        password: f.password,
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
    };
    match service::signup(&state, &ctx, input).await {
        Ok(secret) => {
            let mut res = message(PageCtx::anonymous(&ctx), "signup.sent_title", "signup.sent", None);
            res.headers_mut().append(
                header::SET_COOKIE,
                crate::http::signup_cookie(state.config.secure_cookies(), &secret, service::VERIFY_TTL_MS),
            );
            Ok(res)
        }
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignupPage {
                    p: PageCtx::anonymous(&ctx),
                    errors,
                    first_name: f.first_name,
                    last_name: f.last_name,
                    email: f.email,
                },
            )),
            None => Err(e).or_page(&ctx),
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VerifyForm {
    token: String,
    password: String,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    p: PageCtx,
    token: String,
    /// Another browser than the one that signed up: the sign-up's password is asked.
    ask_password: bool,
    error: Option<String>,
}

/// GET only shows a button: following a link never changes anything by itself.
pub async fn verify_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let ask_password = crate::http::signup_secret(&state, &headers).is_none();
    render(&VerifyPage { p: PageCtx::anonymous(&ctx), token: q.token, ask_password, error: None })
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    PageForm(f): PageForm<VerifyForm>,
) -> PageResult {
    let browser = crate::http::signup_secret(&state, &headers);
    let password = Some(f.password.as_str()).filter(|p| !p.is_empty());
    match service::verify_email(&state, &ctx, &f.token, password, browser.as_deref(), true).await {
        Err(AppError::Validation(errors)) => {
            let wrong = errors.iter().any(|e| e.code == "wrong-password");
            let t = ctx_t(&ctx);
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &VerifyPage {
                    p: PageCtx::anonymous(&ctx),
                    token: f.token,
                    ask_password: true,
                    error: Some(t.get(if wrong { "verify.wrong_password" } else { "verify.password_required" }).into()),
                },
            ))
        }
        // Signed in at once: the set-up checklist is on the home page.
        Ok(service::Verified { session_token: Some(token), .. }) => {
            let mut res = see_other("/?done=welcome");
            res.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &token));
            Ok(res)
        }
        // The address already has an account: it is confirmed all the same.
        Ok(_) | Err(AppError::Conflict { .. }) => {
            Ok(message(PageCtx::anonymous(&ctx), "verify.title", "verify.done", Some(("/login", "nav.login"))))
        }
        Err(AppError::BadRequest { code: "invalid-token", .. }) => {
            Ok(invalid_link(&ctx, "verify.title", ("/signup", "nav.signup")))
        }
        Err(e) => Err(e).or_page(&ctx),
    }
}

pub(super) fn ctx_t(ctx: &Ctx) -> crate::i18n::Tr {
    crate::i18n::Tr(ctx.lang)
}

// ---------------------------------------------------------------- login

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: PageCtx,
    error: Option<String>,
    email: String,
    next: String,
    totp: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    render(&LoginPage {
        p: PageCtx::anonymous(&ctx),
        error: None,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        totp: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    totp_code: Option<String>,
    next: Option<String>,
}

pub async fn login(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<LoginForm>) -> PageResult {
    let next = safe_next(f.next.as_deref());
    let input = service::LoginInput { email: f.email.clone(), password: f.password, totp_code: f.totp_code };
    let t = ctx_t(&ctx);
    let (status, error, totp) = match service::login(&state, &ctx, input).await {
        Ok(done) => {
            let cookie = session_cookie(&state, &done.token);
            let mut res = see_other(&next);
            res.headers_mut().append(header::SET_COOKIE, cookie);
            return Ok(res);
        }
        Err(AppError::Unauthorized { code: "totp-required", .. }) => {
            (StatusCode::UNAUTHORIZED, t.get("login.totp_needed"), true)
        }
        Err(AppError::Unauthorized { code: "invalid-totp", .. }) => {
            (StatusCode::UNAUTHORIZED, t.get("error.invalid-totp"), true)
        }
        Err(AppError::Unauthorized { .. }) => (StatusCode::UNAUTHORIZED, t.get("error.invalid-credentials"), false),
        Err(AppError::Forbidden { code: "account-blocked", .. }) => {
            (StatusCode::FORBIDDEN, t.get("error.account-blocked"), false)
        }
        Err(AppError::RateLimited { .. }) => (StatusCode::TOO_MANY_REQUESTS, t.get("error.rate-limited"), false),
        Err(e) => return Err(e).or_page(&ctx),
    };
    Ok(render_status(
        status,
        &LoginPage { p: PageCtx::anonymous(&ctx), error: Some(error.into()), email: f.email, next, totp },
    ))
}

pub async fn logout(AccountRequest { state, ctx, who }: AccountRequest) -> PageResult {
    service::logout(&state, &ctx, &who.account_id, &who.label(), &who.session_id).await.or_page(&ctx)?;
    Ok(clear_session_cookie(&state, see_other("/login")))
}

// ---------------------------------------------------------------- password reset

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    p: PageCtx,
}

pub async fn forgot_form(ctx: Ctx) -> Response {
    render(&ForgotPage { p: PageCtx::anonymous(&ctx) })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

pub async fn forgot(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<EmailForm>) -> PageResult {
    service::forgot_password(&state, &ctx, &f.email).await.or_page(&ctx)?;
    Ok(message(PageCtx::anonymous(&ctx), "forgot.title", "forgot.sent", None))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    p: PageCtx,
    token: String,
    error: Option<String>,
}

pub async fn reset_form(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    render(&ResetPage { p: PageCtx::anonymous(&ctx), token: q.token, error: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
    password_confirm: String,
}

pub async fn reset(State(state): State<AppState>, ctx: Ctx, PageForm(f): PageForm<ResetForm>) -> PageResult {
    let t = ctx_t(&ctx);
    let again = |error: String| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage { p: PageCtx::anonymous(&ctx), token: f.token.clone(), error: Some(error) },
        )
    };
    if f.password != f.password_confirm {
        return Ok(again(t.get("field_error.password-mismatch").into()));
    }
    match service::reset_password(&state, &ctx, &f.token, &f.password).await {
        Ok(()) => Ok(clear_session_cookie(
            &state,
            message(PageCtx::anonymous(&ctx), "reset.title", "reset.done", Some(("/login", "nav.login"))),
        )),
        Err(AppError::Validation(v)) => Ok(again(v.first().map(|e| e.message.clone()).unwrap_or_default())),
        Err(AppError::BadRequest { code: "invalid-token", .. }) => {
            Ok(invalid_link(&ctx, "reset.title", ("/forgot", "login.forgot")))
        }
        Err(e) => Err(e).or_page(&ctx),
    }
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

/// Visitors choose the language with a cookie; accounts in their profile.
pub async fn set_language(ctx: Ctx, headers: HeaderMap, PageForm(f): PageForm<LangForm>) -> Response {
    let lang = Lang::from_code(&f.lang).unwrap_or(ctx.lang);
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string())));
    let mut res = see_other(&safe_next(back.as_deref()));
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(false, LANG_COOKIE, lang.code(), Some(365 * 24 * 3600), false));
    res
}

// ---------------------------------------------------------------- profile

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    p: PageCtx,
    errors: FormErrors,
    email: String,
    /// The values in the form: as stored, or as sent when refused.
    f: ProfileForm,
    zones: Vec<String>,
}

fn profile_page(p: PageCtx, errors: FormErrors, email: String, f: ProfileForm) -> ProfilePage {
    ProfilePage { p, errors, email, f, zones: ZONES.iter().map(|z| z.to_string()).collect() }
}

pub async fn profile_form(AccountRequest { state, ctx, who }: AccountRequest) -> PageResult {
    let a = repo::account_by_id(state.db.pool(), &who.account_id)
        .await
        .or_page(&ctx)?
        .ok_or(AppError::Unauthenticated)
        .or_page(&ctx)?;
    let p = PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?;
    Ok(render(&saved_profile(p, a)))
}

/// The profile page showing the account as stored.
fn saved_profile(p: PageCtx, a: repo::AccountRow) -> ProfilePage {
    let f = ProfileForm {
        first_name: a.first_name,
        last_name: a.last_name,
        mobile_phone: a.mobile_phone.unwrap_or_default(),
        country: a.country.unwrap_or_default(),
        time_zone: a.time_zone,
        language: a.language.unwrap_or_default(),
    };
    profile_page(p, FormErrors::default(), a.email, f)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    first_name: String,
    last_name: String,
    mobile_phone: String,
    country: String,
    time_zone: String,
    language: String,
}

pub async fn profile(
    State(state): State<AppState>,
    mut ctx: Ctx,
    who: Identity,
    PageForm(f): PageForm<ProfileForm>,
) -> PageResult {
    let input = service::ProfileInput {
        first_name: Some(f.first_name.clone()),
        last_name: Some(f.last_name.clone()),
        mobile_phone: Some(f.mobile_phone.clone()),
        country: Some(f.country.clone()),
        time_zone: Some(f.time_zone.clone()),
        language: Some(f.language.clone()),
    };
    match service::update_profile(&state, &ctx, &who.account_id, input).await {
        Ok(a) => {
            if let Some(l) = a.lang() {
                ctx.lang = l;
            }
            let mut who = who.clone();
            who.first_name = a.first_name.clone();
            who.last_name = a.last_name.clone();
            let p = PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?;
            let flash = p.t.get("profile.saved");
            Ok(render(&saved_profile(p.with_flash(flash), a)))
        }
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                let p = PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &profile_page(p, errors, who.email.clone(), f)))
            }
            None => Err(e).or_page(&ctx),
        },
    }
}

/// The viewer's own time zone (profile), for every time shown to them.
pub(crate) async fn viewer_zone(state: &AppState, who: &Identity) -> AppResult<TimeZone> {
    let tz = repo::account_by_id(state.db.pool(), &who.account_id).await?.map(|a| a.time_zone).unwrap_or_default();
    Ok(TimeZone::get(&tz).unwrap_or(TimeZone::UTC))
}
