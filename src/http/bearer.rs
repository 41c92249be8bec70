//! API keys on the wire: where a request may carry one (`Authorization: Bearer`, nowhere
//! else) and the identity it stands for, rate-limited per key. The key's rules are
//! `access::api_key`.

use super::Request;
use crate::{error::AppError, state::AppState};
use axum::http::header;

/// The API key an API request carries in `Authorization: Bearer …` (`Ok(None)`: none, the
/// session cookie decides). A key anywhere else (the query string, a cookie) is refused, so
/// that no link, log or proxy ever learns one that works; so is an `Authorization` that is
/// not one of our keys.
pub(super) fn key_in_request(req: &Request) -> Result<Option<String>, AppError> {
    use crate::access::api_key::{SECRET_PREFIX, looks_like_key};
    let misplaced = || AppError::Unauthorized {
        code: "api-key-misplaced",
        detail: "Send API keys in the Authorization header (Bearer), never in a URL or a cookie.".into(),
    };
    let query = req.uri().query().unwrap_or_default();
    if query.split('&').filter_map(|kv| kv.split_once('=').map(|(_, v)| v)).any(|v| v.starts_with(SECRET_PREFIX)) {
        return Err(misplaced());
    }
    let in_cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.split_once('=').is_some_and(|(_, v)| v.trim().starts_with(SECRET_PREFIX)));
    if in_cookie {
        return Err(misplaced());
    }
    let Some(auth) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let secret = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    match secret {
        Some(s) if looks_like_key(s) => Ok(Some(s.to_string())),
        _ => Err(invalid_key()),
    }
}

fn invalid_key() -> AppError {
    AppError::Unauthorized {
        code: "invalid-api-key",
        detail: "This API key is unknown, revoked or expired, or its member no longer has access.".into(),
    }
}

/// The key's creator as the caller, narrowed by the key; each key has its own rate limit.
pub(super) async fn api_key_identity(
    state: &AppState,
    secret: &str,
    ip: Option<&str>,
) -> Result<crate::access::Identity, AppError> {
    let identity = crate::access::api_key::key_identity(state, secret, ip).await?.ok_or_else(invalid_key)?;
    if let Some(k) = identity.key.as_deref() {
        let limit = crate::ratelimit::api_key(state.config.api_key_requests_per_minute);
        crate::ratelimit::hit(state, limit, &k.id).await?;
    }
    Ok(identity)
}
