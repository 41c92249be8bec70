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

/// What a signed-in account's handlers take: the state, the request's context and the
/// account, extracted in that order.
pub struct AccountRequest {
    pub state: AppState,
    pub ctx: Ctx,
    pub who: Identity,
}

impl FromRequestParts<AppState> for AccountRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let who = Identity::from_request_parts(parts, state).await?;
        Ok(AccountRequest { state: state.clone(), ctx, who })
    }
}

/// What every organisation page takes: `AccountRequest` and then the organisation's scope.
pub struct OrgPage {
    pub state: AppState,
    pub ctx: Ctx,
    pub who: Identity,
    pub scope: OrgScope,
}

impl FromRequestParts<AppState> for OrgPage {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let AccountRequest { state, ctx, who } = AccountRequest::from_request_parts(parts, state).await?;
        let scope = OrgScope::from_request_parts(parts, &state).await?;
        Ok(OrgPage { state, ctx, who, scope })
    }
}
