//! Cross-site request forgery defence.
//!
//! Pages: every state-changing request must carry a `_csrf` form field equal to the
//! browser's CSRF cookie (double submit; the cookie is host-only, `__Host-` on HTTPS).
//! API: bodies must be JSON (a cross-site form cannot send that without a CORS preflight,
//! which we never grant) and a browser request whose `Origin` is not ours is refused. A POST
//! that takes no body (cancel, activate, resend…) must still say `Content-Type:
//! application/json`, or carry the CSRF cookie's value in `X-CSRF-Token`: otherwise a plain
//! cross-site form, from a browser that sends no `Origin`, would reach it.

use super::{Ctx, MAX_BODY, MAX_UPLOAD};
use crate::{crypto::constant_time_eq, error::AppError, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path();
    if !origin_allowed(&state, &req) {
        let err = AppError::forbidden("cross-origin", "Cross-origin requests are refused.");
        return if path.starts_with("/api/") {
            err.into_response()
        } else {
            super::pages::error_page(req.extensions().get::<Ctx>(), &err)
        };
    }
    if path.starts_with("/api/") {
        // A request that carries an API key carries its own credential, which no other site
        // can make a browser send: nothing ambient to forge (`identify` checked the key).
        let with_key = req.extensions().get::<crate::access::Identity>().is_some_and(|i| i.key.is_some());
        // Forms can only GET and POST; every other method already needs a preflight.
        if req.method() == Method::POST
            && !with_key
            && !super::is_json_content_type(req.headers())
            && !csrf_header_ok(&req)
        {
            return AppError::UnsupportedMediaType.into_response();
        }
        return next.run(req).await;
    }
    let expected = match req.extensions().get::<Ctx>() {
        Some(ctx) => ctx.csrf.clone(),
        None => return AppError::internal("request context missing").into_response(),
    };
    let (parts, body) = req.into_parts();
    let ctx = parts.extensions.get::<Ctx>().cloned();
    let refuse = |ctx: Option<&Ctx>| {
        super::pages::error_page(
            ctx,
            &AppError::forbidden("csrf", "This form has expired. Go back, reload the page and try again."),
        )
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // A file sent from a page (a logo): the same token, as a field of the multipart body.
    let is_upload = content_type.starts_with("multipart/form-data");
    if !is_form && !is_upload {
        return refuse(ctx.as_ref());
    }
    let bytes = match to_bytes(body, if is_upload { MAX_UPLOAD } else { MAX_BODY }).await {
        Ok(b) => b,
        Err(_) => return super::pages::error_page(ctx.as_ref(), &AppError::PayloadTooLarge),
    };
    let pairs =
        if is_upload { upload_fields(content_type, bytes.clone()).await } else { serde_urlencoded_pairs(&bytes) };
    let submitted = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v);
    // A booking page framed by the business's website: there the browser keeps no cookie of
    // ours (a third-party frame), so the double submit cannot match. The browser's own word
    // that the form comes from our page (Sec-Fetch-Site: same-origin, which another site
    // cannot make it say) stands in for it, for that form alone.
    let framed_booking = parts.uri.path().starts_with("/book/")
        && parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin");
    match submitted {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) || framed_booking => {
            // Every form passes here, whether its handler reads it or not: the one place to
            // refuse NUL (`%00`), which PostgreSQL cannot store in text and no field means.
            if pairs.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
                let err = AppError::bad_request("nul-character", crate::error::en("error.nul-character"));
                return super::pages::error_page(ctx.as_ref(), &err);
            }
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => refuse(ctx.as_ref()),
    }
}

/// The text fields of a multipart body (files left out); nothing when it cannot be read.
async fn upload_fields(content_type: &str, bytes: axum::body::Bytes) -> Vec<(String, String)> {
    use axum::extract::FromRequest;
    let Ok(req) = Request::builder().header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)) else {
        return Vec::new();
    };
    let Ok(mut form) = axum::extract::Multipart::from_request(req, &()).await else { return Vec::new() };
    let mut out = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        if field.file_name().is_some() {
            continue;
        }
        let name = field.name().unwrap_or_default().to_string();
        match field.text().await {
            Ok(v) => out.push((name, v)),
            Err(_) => return Vec::new(),
        }
    }
    out
}

/// `X-CSRF-Token` equal to the browser's CSRF cookie (a request without that cookie holds a
/// fresh random token that nobody was ever shown, so nothing matches it).
fn csrf_header_ok(req: &Request) -> bool {
    match (req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()), req.extensions().get::<Ctx>()) {
        (Some(sent), Some(ctx)) => constant_time_eq(sent.as_bytes(), ctx.csrf.as_bytes()),
        _ => false,
    }
}

/// Browsers send `Origin` on cross-site POSTs; when present it must be our own.
fn origin_allowed(state: &AppState, req: &Request) -> bool {
    if let Some(site) = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return false;
    }
    match req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let base = state.config.base_url.trim_end_matches('/');
            origin == base || same_host_origin(req, origin)
        }
    }
}

/// When the server is reached under another name than the configured base URL (a local
/// run on 127.0.0.1 vs localhost), accept an Origin equal to the request's own host.
fn same_host_origin(req: &Request, origin: &str) -> bool {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    match (host, origin.split_once("://")) {
        (Some(host), Some((_, rest))) => rest == host,
        _ => false,
    }
}

/// Minimal `application/x-www-form-urlencoded` decoding of key/value pairs.
pub fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |&b| b == b'=');
            let k = percent_decode(it.next().unwrap_or_default());
            let v = percent_decode(it.next().unwrap_or_default());
            (k, v)
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => {
                let hex = std::str::from_utf8(&input[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let pairs = serde_urlencoded_pairs(b"a=1&_csrf=ab%2Dc&name=Jean+Dupont&x=%zz&y=%4");
        assert_eq!(pairs[1], ("_csrf".into(), "ab-c".into()));
        assert_eq!(pairs[2].1, "Jean Dupont");
        assert_eq!(pairs[3].1, "%zz");
        assert_eq!(pairs[4].1, "%4");
    }
}
