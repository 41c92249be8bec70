//! One domain error, two presenters: RFC 9457 problem+json for the API (here) and a
//! readable page for the browser (`http::pages`). What a person reads comes from the
//! translation files by the error's code (`error-<code>`, `locales/*/errors.ftl`); the
//! English detail the service wrote stays the log's text and the API's detail in English.

use crate::{i18n::Tr, types::Lang};
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    /// Credentials were given and refused; `code` tells the client what to ask for next.
    #[error("unauthorized: {code}")]
    Unauthorized { code: &'static str, detail: String },
    /// The actor is known but lacks the right; `code` is machine-readable.
    #[error("forbidden: {code}")]
    Forbidden { code: &'static str, detail: String },
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, detail: String },
    /// The request clashes with the state of things; `reasons` say why field by field when
    /// there are several (a refused booking time names its rule, as a validation error would).
    #[error("conflict: {code}")]
    Conflict { code: &'static str, detail: String, reasons: Vec<FieldError> },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("URI too long")]
    UriTooLong,
    /// Details go to the log, never to the client; the cause is kept as the source.
    /// Shown (in the log, the CLI) with its whole chain of causes.
    #[error("internal error: {}", .0.chain())]
    Internal(#[source] Cause),
}

/// What went wrong inside, and the error that caused it when there is one (a database
/// error, a serialiser's): logged with its whole chain where the 500 is produced.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct Cause {
    what: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Cause {
    /// What went wrong and every error behind it: "database: <the driver's message>: …".
    pub fn chain(&self) -> String {
        let mut chain = self.what.clone();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            chain.push_str(": ");
            chain.push_str(&e.to_string());
            next = e.source();
        }
        chain
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Forbidden { code, detail: detail.into() }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest { code, detail: detail.into() }
    }

    /// A missing (or unseen) object named inside a body is an invalid field there; any other
    /// error stays what it is, cause and all.
    pub fn not_found_as_field(self, field: &str, code: &str, message: &str) -> Self {
        match self {
            AppError::NotFound => AppError::field(field, code, message),
            other => other,
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict { code, detail: detail.into(), reasons: Vec::new() }
    }

    /// A conflict whose cause is one field's value, named by `reason`'s code.
    pub fn conflict_because(code: &'static str, detail: impl Into<String>, reason: FieldError) -> Self {
        AppError::Conflict { code, detail: detail.into(), reasons: vec![reason] }
    }

    /// An internal error said in words (what was expected and did not hold).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(Cause { what: e.to_string(), source: None })
    }

    /// An internal error and the error that caused it, kept as its source.
    pub fn caused_by(what: impl Into<String>, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Cause { what: what.into(), source: Some(Box::new(cause)) })
    }

    /// Log an internal error with its chain of causes. The two presenters (problem document
    /// here, error page in `http::pages`) call it where they produce the 500, so once.
    pub fn log_if_internal(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = %cause.chain(), "internal error");
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code, also the last segment of the problem `type`.
    pub fn code(&self) -> &str {
        match self {
            AppError::NotFound => "not-found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden { code, .. } | AppError::Unauthorized { code, .. } => code,
            AppError::Validation(_) => "validation",
            AppError::BadRequest { code, .. } => code,
            AppError::Conflict { code, .. } => code,
            AppError::RateLimited { .. } => "rate-limited",
            AppError::PayloadTooLarge => "payload-too-large",
            AppError::UnsupportedMediaType => "unsupported-media-type",
            AppError::MethodNotAllowed => "method-not-allowed",
            AppError::UriTooLong => "uri-too-long",
            AppError::Internal(_) => "internal",
        }
    }

    /// What the client may read. Internal details never leave the server.
    pub fn public_detail(&self) -> String {
        match self {
            AppError::NotFound => "The resource does not exist or is not visible to you.".into(),
            AppError::Unauthenticated => "Log in first.".into(),
            AppError::Forbidden { detail, .. }
            | AppError::Unauthorized { detail, .. }
            | AppError::BadRequest { detail, .. }
            | AppError::Conflict { detail, .. } => detail.clone(),
            AppError::Validation(_) => "Some fields are invalid.".into(),
            AppError::RateLimited { retry_after_secs } => {
                format!("Too many attempts; try again in {retry_after_secs} seconds.")
            }
            AppError::PayloadTooLarge => "The request body is too large.".into(),
            AppError::UnsupportedMediaType => "Send a JSON body with Content-Type: application/json.".into(),
            AppError::MethodNotAllowed => en("error.method-not-allowed"),
            AppError::UriTooLong => en("error.uri-too-long"),
            AppError::Internal(_) => "Something went wrong on our side.".into(),
        }
    }
}

impl AppError {
    /// What a person reads, in `t`'s language: the words of the code, with the values the
    /// English detail carries; the detail itself only for a code the files lack (a test
    /// refuses such codes).
    pub fn text(&self, t: Tr) -> String {
        let detail = self.public_detail();
        t.error_text(self.code(), &detail).unwrap_or(detail)
    }

    /// The problem document's `detail` in `lang`: English callers keep the service's own
    /// words (one code may stand for several sentences); French ones read the files.
    pub fn detail_in(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.public_detail(),
            (_, AppError::RateLimited { retry_after_secs }) => {
                let seconds = i64::try_from(*retry_after_secs).unwrap_or(i64::MAX);
                Tr(lang).error_count("rate-limited", "wait", "seconds", seconds)
            }
            _ => self.text(Tr(lang)),
        }
    }
}

/// The English words of an i18n key. Problem documents speak English unless the caller stated
/// French (then `detail` is French; `errors[].message` stays the service's English and `code`
/// is the stable part); pages speak the visitor's language, from the same files.
pub fn en(key: &str) -> String {
    Tr(Lang::En).get(key).to_string()
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::caused_by("database", e)
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem without field errors, for answers that no `AppError` stands for (an
    /// unusual status the HTTP layer produced).
    pub fn of_status(status: StatusCode, code: &str, detail: String) -> Problem {
        Problem {
            type_: format!("/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            code: code.to_string(),
            errors: Vec::new(),
        }
    }
}

impl Problem {
    /// The document of a domain error, its detail in English.
    fn of(err: &AppError) -> Problem {
        let status = err.status();
        Problem {
            type_: format!("/problems/{}", err.code()),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: err.public_detail(),
            code: err.code().to_string(),
            errors: match err {
                AppError::Validation(v) | AppError::Conflict { reasons: v, .. } => v.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        res
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let problem = Problem::of(&self);
        let mut res = problem.into_response();
        if let AppError::RateLimited { retry_after_secs } = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        // Kept so that the request's language, once known, can tell the detail (`localize`).
        res.extensions_mut().insert(ProblemSource(std::sync::Arc::new(self)));
        res
    }
}

/// The error a problem document was made from.
#[derive(Clone)]
pub struct ProblemSource(pub std::sync::Arc<AppError>);

/// A problem document in the language the caller stated: the same status, headers, `type`,
/// `code` and field errors; the `detail` from the translation files. Other answers pass.
pub fn localize(mut res: Response, lang: Lang) -> Response {
    if lang == Lang::En {
        return res;
    }
    let Some(ProblemSource(err)) = res.extensions_mut().remove::<ProblemSource>() else { return res };
    let mut problem = Problem::of(&err);
    problem.detail = err.detail_in(lang);
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(serde_json::to_vec(&problem).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_cause_and_shows_none_of_it() {
        let e = AppError::from(sqlx::Error::RowNotFound);
        let source = std::error::Error::source(&e).and_then(std::error::Error::source);
        assert!(source.is_some_and(|s| s.downcast_ref::<sqlx::Error>().is_some()), "the database error is the source");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.public_detail(), "Something went wrong on our side.");
        let said = AppError::internal("unknown role");
        assert_eq!(said.to_string(), "internal error: unknown role");
        assert!(std::error::Error::source(&said).and_then(std::error::Error::source).is_none());
    }
}
