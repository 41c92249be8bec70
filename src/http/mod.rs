//! HTTP plumbing shared by the API and the pages: request context, identity, cookies,
//! security headers, JSON extraction with problem errors.

pub mod assets;
pub mod csrf;
pub mod pages;

use crate::{
    app::AppState,
    clock::{from_ms, to_ms},
    crypto,
    error::AppError,
    types::Lang,
};
use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State, rejection::JsonRejection},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// Largest request body accepted anywhere.
pub const MAX_BODY: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Api,
    Page,
}

/// Facts about the request that services record (audit) or use (language).
#[derive(Clone, Debug)]
pub struct Ctx {
    pub request_id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub lang: Lang,
    /// The browser's CSRF token (pages embed it in every form).
    pub csrf: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::internal("request context missing"))
    }
}

/// The signed-in account behind this request's session.
#[derive(Clone, Debug)]
pub struct Identity {
    pub session_id: String,
    pub account_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub active_org_id: Option<String>,
    pub totp_enabled: bool,
}

impl Identity {
    pub fn label(&self) -> String {
        self.email.clone()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts.extensions.get::<Identity>().cloned().ok_or(AppError::Unauthenticated)
    }
}

/// `Option<Identity>` for pages that show differently to visitors and members.
pub struct MaybeIdentity(pub Option<Identity>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeIdentity {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeIdentity(parts.extensions.get::<Identity>().cloned()))
    }
}

// ---- cookies ----

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    /// The browser that signed up (see `accounts::service::signup`).
    pub signup: &'static str,
}

pub fn cookie_names(secure: bool) -> CookieNames {
    if secure {
        CookieNames { session: "__Host-creneau_session", csrf: "__Host-creneau_csrf", signup: "__Host-creneau_signup" }
    } else {
        CookieNames { session: "creneau_session", csrf: "creneau_csrf", signup: "creneau_signup" }
    }
}

pub const LANG_COOKIE: &str = "creneau_lang";

/// The sign-up browser cookie: set with the sign-up, read by the confirmation.
pub fn signup_cookie(secure: bool, secret: &str) -> HeaderValue {
    let ttl = crate::features::accounts::service::VERIFY_TTL_MS / 1000;
    set_cookie(secure, cookie_names(secure).signup, secret, Some(ttl), true)
}

/// The sign-up browser secret sent with this request, if any.
pub fn signup_secret(state: &crate::app::AppState, headers: &HeaderMap) -> Option<String> {
    cookie(headers, cookie_names(state.config.secure_cookies()).signup).map(str::to_string)
}

/// `Set-Cookie` for a host-only cookie; `max_age` None means a browser-session cookie,
/// zero deletes it.
pub fn set_cookie(secure: bool, name: &str, value: &str, max_age_secs: Option<i64>, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

// ---- middleware ----

/// Request id, client address, user agent, language and CSRF token.
pub async fn request_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let forwarded = state
        .config
        .trust_proxy
        .then(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        // The proxy appends the address it saw: the last entry; earlier ones are the client's word.
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_string());
    let ip = forwarded.or(peer);
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|v| v.chars().take(256).collect());
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let names = cookie_names(state.config.secure_cookies());
    let existing_csrf = cookie(headers, names.csrf)
        .filter(|v| {
            v.len() >= 32 && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string);
    let new_csrf = existing_csrf.is_none();
    let csrf = existing_csrf.unwrap_or_else(crypto::new_token);
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let is_api = req.uri().path().starts_with("/api/");
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %req.method(),
        path = %req.uri().path(),
        account = tracing::field::Empty,
    );
    req.extensions_mut().insert(Ctx { request_id: request_id.clone(), ip, user_agent, lang, csrf: csrf.clone() });
    // Route guards need the state to build the tenant context.
    req.extensions_mut().insert(state.clone());

    let mut res = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert("x-request-id", v);
    }
    if new_csrf && !is_api {
        res.headers_mut()
            .append(header::SET_COOKIE, set_cookie(state.config.secure_cookies(), names.csrf, &csrf, None, true));
    }
    res
}

/// Resolve the session cookie into an `Identity`; a blocked account or an expired session
/// resolves to nobody.
pub async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let names = cookie_names(state.config.secure_cookies());
    let Some(token) = cookie(req.headers(), names.session).map(str::to_string) else { return next.run(req).await };
    // The organisation the route names, read the way the tenant guard reads it, so the
    // membership comes with the session; a path that names none asks for the active one.
    let (mut parts, body) = req.into_parts();
    let names_org =
        parts.extensions.get::<axum::extract::MatchedPath>().is_some_and(|m| m.as_str().contains("{org_id}"));
    let org = if names_org {
        axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(&mut parts, &state)
            .await
            .ok()
            .and_then(|axum::extract::Path(p)| p.get("org_id").cloned())
    } else {
        None
    };
    let mut req = Request::from_parts(parts, body);
    match crate::features::accounts::repo::session_identity(&state, &token, org.as_deref()).await {
        Ok(Some((identity, language, membership))) => {
            // The profile's language, when set, wins over the browser's.
            if let (Some(lang), Some(ctx)) = (language, req.extensions_mut().get_mut::<Ctx>()) {
                ctx.lang = lang;
            }
            tracing::Span::current().record("account", identity.account_id.as_str());
            req.extensions_mut().insert(identity);
            req.extensions_mut().insert(membership);
        }
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    next.run(req).await
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    set(h, "strict-transport-security", "max-age=63072000; includeSubDomains");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=()");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    res
}

pub async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        AppError::NotFound.into_response()
    } else {
        let ctx = req.extensions().get::<Ctx>().cloned();
        pages::error_page(ctx.as_ref(), &AppError::NotFound)
    }
}

// ---- JSON bodies ----

/// `Json<T>` whose rejections are problem documents.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
        JsonRejection::JsonDataError(e) => AppError::bad_request("invalid-body", e.body_text()),
        JsonRejection::JsonSyntaxError(_) => AppError::bad_request("malformed-json", "The body is not valid JSON."),
        JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge
        }
        other => AppError::bad_request("invalid-body", other.body_text()),
    }
}

/// Times in API bodies: RFC 3339 in UTC.
pub fn ts(ms: i64) -> String {
    from_ms(ms).to_string()
}

pub fn now_ms(state: &AppState) -> i64 {
    to_ms(state.now())
}

/// Path of an item under an organisation: `/api/v1/orgs/{org_id}/…/{id}`.
#[derive(serde::Deserialize)]
pub struct ItemPath {
    pub org_id: String,
    pub id: String,
}
