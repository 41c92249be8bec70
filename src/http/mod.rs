//! HTTP plumbing shared by the API and the pages: request context, identity, cookies,
//! security headers, JSON extraction with problem errors.

pub mod assets;
mod bearer;
pub mod csrf;
pub mod extract;
pub mod forms;
pub mod idempotency;
pub mod pages;
pub mod paging;
pub mod routes;

use crate::{
    clock::{from_ms, to_ms},
    crypto,
    error::AppError,
    state::AppState,
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

/// Largest request body accepted, but on the routes that take a file.
pub const MAX_BODY: usize = 64 * 1024;
/// Largest body of a route that takes a file (a logo), set on that route alone.
pub const MAX_UPLOAD: usize = 256 * 1024;

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
    /// Who the session cookie names (name, address), set by `identify`: an error page shows
    /// a signed-in person their own header, not the sign-in links.
    pub signed_in: Option<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::internal("request context missing"))
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

/// The language a signed-in caller's profile states, handed back with the answer so that
/// `request_context` tells a problem document in it.
#[derive(Clone, Copy, Debug)]
pub struct StatedLang(pub Lang);

/// The sign-up browser cookie: set with the sign-up, read by the confirmation, as long-lived
/// as the sign-up's link (`lifetime_ms`).
pub fn signup_cookie(secure: bool, secret: &str, lifetime_ms: i64) -> HeaderValue {
    set_cookie(secure, cookie_names(secure).signup, secret, Some(lifetime_ms / 1000), true)
}

/// The session cookie for a new sign-in's `token`, as long-lived as the session.
pub fn session_cookie(state: &crate::state::AppState, token: &str) -> HeaderValue {
    let secure = state.config.secure_cookies();
    set_cookie(
        secure,
        cookie_names(secure).session,
        token,
        Some(crate::access::session::SESSION_LIFETIME_MS / 1000),
        true,
    )
}

/// The sign-up browser secret sent with this request, if any.
pub fn signup_secret(state: &crate::state::AppState, headers: &HeaderMap) -> Option<String> {
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
    let stated = cookie(headers, LANG_COOKIE).and_then(Lang::from_code).or_else(|| {
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
    });
    let lang = stated.unwrap_or_default();
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
    req.extensions_mut().insert(Ctx {
        request_id: request_id.clone(),
        ip,
        user_agent,
        lang,
        csrf: csrf.clone(),
        signed_in: None,
    });
    // Route guards need the state to build the tenant context.
    req.extensions_mut().insert(state.clone());

    let mut res = tracing::Instrument::instrument(next.run(req), span).await;
    // A problem document speaks the language the caller stated (the profile's, else the
    // browser's); without one it stays in English, as the API always has.
    if let Some(lang) = res.extensions().get::<StatedLang>().map(|s| s.0).or(stated) {
        res = crate::error::localize(res, lang);
    }
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
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        let ip = req.extensions().get::<Ctx>().and_then(|c| c.ip.clone());
        let found = match bearer::key_in_request(&req) {
            Ok(Some(secret)) => bearer::api_key_identity(&state, &secret, ip.as_deref()).await.map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match found {
            Ok(None) => {}
            Ok(Some(identity)) => {
                tracing::Span::current().record("account", identity.account_id.as_str());
                req.extensions_mut().insert(identity);
                return next.run(req).await;
            }
            Err(e) => {
                let mut res = e.into_response();
                if res.status() == axum::http::StatusCode::UNAUTHORIZED {
                    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                return res;
            }
        }
    }
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
    let mut profile_lang = None;
    match crate::access::session::session_identity(&state, &token, org.as_deref()).await {
        Ok(Some((identity, language, membership))) => {
            if let Some(ctx) = req.extensions_mut().get_mut::<Ctx>() {
                // The profile's language, when set, wins over the browser's.
                if let Some(lang) = language {
                    ctx.lang = lang;
                    profile_lang = Some(lang);
                }
                let name = format!("{} {}", identity.first_name, identity.last_name).trim().to_string();
                ctx.signed_in = Some((name, identity.email.clone()));
            }
            tracing::Span::current().record("account", identity.account_id.as_str());
            req.extensions_mut().insert(identity);
            req.extensions_mut().insert(membership);
        }
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    let mut res = next.run(req).await;
    if let Some(lang) = profile_lang {
        res.extensions_mut().insert(StatedLang(lang));
    }
    res
}

/// Marks a response that other sites may put in a frame: a business's public booking page,
/// which its own website embeds. Its CSP's `frame-ancestors` takes these sources (the
/// websites the business listed, or `*`) and it carries no `X-Frame-Options`; every other
/// answer may be framed by no one.
#[derive(Clone, Debug)]
pub struct Framable(pub String);

impl Framable {
    /// `ancestors`: CSP sources, already checked to be origins or `*`.
    pub fn allow(ancestors: &str, mut res: Response) -> Response {
        res.extensions_mut().insert(Framable(ancestors.to_string()));
        res
    }
}

const CSP_HEAD: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors ";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let ancestors = res.extensions().get::<Framable>().map(|f| f.0.clone());
    let framable = ancestors.is_some();
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    let csp = format!("{CSP_HEAD}{}", ancestors.as_deref().unwrap_or("'none'"));
    // Sources are checked origins; were one ever not a header's text, framing is refused.
    if let Ok(v) = HeaderValue::from_str(&csp).or_else(|_| HeaderValue::from_str(&format!("{CSP_HEAD}'none'"))) {
        h.insert("content-security-policy", v);
    }
    set(h, "strict-transport-security", "max-age=63072000; includeSubDomains");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    if !framable {
        set(h, "x-frame-options", "DENY");
    }
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=()");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    res
}

/// Longest request target (path and query) accepted: far beyond any link we build, well
/// below what proxies and logs keep.
pub const MAX_URI: usize = 8 * 1024;

/// Refuse, before anything reads it, a request target that is too long (414) or that holds
/// NUL (400): PostgreSQL cannot store NUL in text, and no path segment or query value of
/// ours means it. A URI cannot carry a raw NUL, and percent-decoding is one pass, so `%00`
/// is the only way one arrives (`%2500` is the text "%00", harmless).
pub async fn refuse_bad_urls(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or_default();
    let err = if target.len() > MAX_URI {
        AppError::UriTooLong
    } else if target.as_bytes().windows(3).any(|w| w == b"%00") {
        AppError::bad_request("nul-character", crate::error::en("error.nul-character"))
    } else {
        return next.run(req).await;
    };
    present(&req, err)
}

/// A domain error as the request's surface shows it: a problem document under `/api/`,
/// the readable page elsewhere.
fn present(req: &Request, err: AppError) -> Response {
    if req.uri().path().starts_with("/api/") {
        err.into_response()
    } else {
        pages::error_page(req.extensions().get::<Ctx>(), &err)
    }
}

/// Error answers that the framework wrote (axum's `Query`/`Path` rejections in
/// `text/plain`, an empty 405, …) become a problem document under `/api/` and the readable
/// page elsewhere; headers such as `Allow` stay. Answers that already are one pass as they are.
pub async fn problem_bodies(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let ctx = req.extensions().get::<Ctx>().cloned();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let status = res.status();
    if status.as_u16() < 400 {
        return res;
    }
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if ct.starts_with("application/problem+json") || ct.starts_with("text/html") {
        return res;
    }
    let plain = ct.starts_with("text/plain");
    let (parts, body) = res.into_parts();
    // axum's rejections are one short English sentence ("Failed to deserialize query
    // string: missing field `from`"): worth keeping as the API's detail.
    let text = if plain {
        axum::body::to_bytes(body, 1024)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .filter(|t| !t.is_empty())
    } else {
        None
    };
    let err = match status {
        axum::http::StatusCode::BAD_REQUEST => {
            AppError::bad_request("bad-request", text.unwrap_or_else(|| crate::error::en("error.bad-request")))
        }
        axum::http::StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
        axum::http::StatusCode::FORBIDDEN => AppError::forbidden("forbidden", "You are not allowed to do that."),
        axum::http::StatusCode::NOT_FOUND => AppError::NotFound,
        axum::http::StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        axum::http::StatusCode::URI_TOO_LONG => AppError::UriTooLong,
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        s if s.is_server_error() => {
            AppError::internal(format!("{s} without a body for {path}: {}", text.as_deref().unwrap_or("")))
        }
        s => {
            // A status no domain error stands for (422 from a form, 408…): keep it.
            let mut out = if is_api {
                crate::error::Problem::of_status(
                    s,
                    "bad-request",
                    text.unwrap_or_else(|| crate::error::en("error.bad-request")),
                )
                .into_response()
            } else {
                let t = crate::i18n::Tr(ctx.as_ref().map(|c| c.lang).unwrap_or_default());
                pages::status_page(ctx.as_ref(), s, t.get("error.bad-request").to_string())
            };
            keep_headers(&mut out, parts.headers);
            return out;
        }
    };
    let mut out = if is_api { err.into_response() } else { pages::error_page(ctx.as_ref(), &err) };
    keep_headers(&mut out, parts.headers);
    out
}

/// Headers of the answer being replaced (`Allow` on a 405, `Retry-After`…), but its body's.
fn keep_headers(out: &mut Response, old: HeaderMap) {
    let own: Vec<header::HeaderName> = out.headers().keys().cloned().collect();
    let mut name = None;
    for (k, v) in old {
        if let Some(k) = k {
            name = Some(k);
        }
        let Some(k) = name.clone() else { continue };
        if k == header::CONTENT_TYPE || k == header::CONTENT_LENGTH || own.contains(&k) {
            continue;
        }
        out.headers_mut().append(k, v);
    }
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

/// `Json<T>` whose rejections are problem documents. A string holding NUL (`\u0000`), as a
/// value or a key anywhere in the body, is refused here, once for every handler:
/// PostgreSQL cannot store it in text, and no field of ours means it.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json_content_type(req.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::bad_request("invalid-body", e.body_text())
            }
        })?;
        ApiJson::from_bytes(&bytes)
    }
}

impl<T: DeserializeOwned> ApiJson<T> {
    /// A JSON body already read (by a handler that also needs its bytes), judged as the
    /// extractor judges one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AppError> {
        // Raw control bytes are not JSON, so a NUL can only come as this escape.
        if bytes.windows(6).any(|w| w == b"\\u0000")
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes)
            && let Some(field) = nul_field(&v, String::new())
        {
            return Err(AppError::field(&field, "nul-character", crate::error::en("field_error.nul-character")));
        }
        match axum::Json::<T>::from_bytes(bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// `201 Created` with `body` as JSON: what every API creation answers.
pub fn created(body: impl serde::Serialize) -> Response {
    (axum::http::StatusCode::CREATED, axum::Json(body)).into_response()
}

/// One page of a keyset-paginated list: `rows` were read asking for one more than `limit`, so
/// a row beyond it means there is a next page, which starts after the last row kept (`cursor`).
pub fn next_page<T, C>(mut rows: Vec<T>, limit: i64, cursor: impl Fn(&T) -> C) -> (Vec<T>, Option<C>) {
    if rows.len() as i64 <= limit {
        return (rows, None);
    }
    rows.truncate(limit as usize);
    let next = rows.last().map(cursor);
    (rows, next)
}

/// `application/json` or `application/*+json`, with any parameters: what axum's `Json`
/// accepts, and what a plain HTML form can never send.
pub fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let mime = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match mime.split_once('/') {
        Some(("application", sub)) => sub == "json" || sub.ends_with("+json"),
        _ => false,
    }
}

/// The path (`grants[0].scope`) of the first string or key holding NUL.
fn nul_field(v: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    let name = |at: &str| if at.is_empty() { "body".to_string() } else { at.to_string() };
    match v {
        Value::String(s) if s.contains('\0') => Some(name(&at)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| nul_field(x, format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            if k.contains('\0') { Some(name(&at)) } else { nul_field(x, path) }
        }),
        _ => None,
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

/// Path of an organisation's routes, `/api/v1/orgs/{org_id}/…`, for their documents (the
/// route's guard reads it).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgPath {
    pub org_id: String,
}

/// Path of an item under an organisation: `/api/v1/orgs/{org_id}/…/{id}`.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ItemPath {
    pub org_id: String,
    pub id: String,
}
