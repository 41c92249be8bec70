//! Who is calling: the signed-in account that `http::identify` resolved from the session
//! cookie (`session.rs`), as handlers extract it, and the organisations it belongs to (the
//! page frame's switcher needs them on every page, the orgs feature lists them).

use crate::{
    error::{AppError, AppResult},
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};

/// The signed-in account behind this request's session, or the member who made the API key
/// the request carries (`key`: what the key narrows them to; `session_id` is empty then).
#[derive(Clone, Debug)]
pub struct Identity {
    pub session_id: String,
    pub account_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub active_org_id: Option<String>,
    pub totp_enabled: bool,
    pub key: Option<std::sync::Arc<super::api_key::KeyLimits>>,
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

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MyOrg {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub role: String,
    pub created_at: i64,
}

/// The organisations where the account has an active membership.
pub async fn my_orgs(state: &AppState, account_id: &str) -> AppResult<Vec<MyOrg>> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.name, o.slug, m.role, o.created_at FROM memberships m JOIN orgs o ON o.id = m.org_id \
         WHERE m.account_id = $1 AND m.status = 'active' ORDER BY o.name, o.id",
    )
    .bind(account_id)
    .fetch_all(state.db.pool())
    .await?)
}
