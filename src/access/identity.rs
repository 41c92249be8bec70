//! Who is calling: the signed-in account that `http::identify` resolved from the session
//! cookie (`session.rs`), as handlers extract it.

use crate::error::AppError;
use axum::{extract::FromRequestParts, http::request::Parts};

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
