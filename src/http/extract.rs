//! What an organisation's handlers take together, extracted as one.

use super::Ctx;
use crate::{
    access::{Identity, OrgScope},
    error::AppError,
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};

/// What every organisation handler takes: the state, the request's context and the
/// organisation's scope (built by the route's guard), extracted in that order.
pub struct OrgRequest {
    pub state: AppState,
    pub ctx: Ctx,
    pub scope: OrgScope,
}

impl FromRequestParts<AppState> for OrgRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let scope = OrgScope::from_request_parts(parts, state).await?;
        Ok(OrgRequest { state: state.clone(), ctx, scope })
    }
}

/// What every organisation page takes: `OrgRequest` and the signed-in account (which the
/// route's guard has already required).
pub struct OrgPage {
    pub state: AppState,
    pub ctx: Ctx,
    pub who: Identity,
    pub scope: OrgScope,
}

impl FromRequestParts<AppState> for OrgPage {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let who = Identity::from_request_parts(parts, state).await?;
        let OrgRequest { state, ctx, scope } = OrgRequest::from_request_parts(parts, state).await?;
        Ok(OrgPage { state, ctx, who, scope })
    }
}
