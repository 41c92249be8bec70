//! What an organisation's handlers take together, extracted as one.

use super::{Ctx, ItemPath};
use crate::{
    access::{Identity, OrgScope},
    state::AppState,
};
use axum::{
    extract::{FromRequestParts, Path, State},
    http::request::Parts,
    response::{IntoResponse, Response},
};

/// What every organisation handler takes: the state, the request's context and the
/// organisation's scope (built by the route's guard), extracted in that order.
#[derive(FromRequestParts)]
#[from_request(state(AppState))]
pub struct OrgRequest {
    #[from_request(via(State))]
    pub state: AppState,
    pub ctx: Ctx,
    pub scope: OrgScope,
}

/// What every handler of one organisation item (`/api/v1/orgs/{org_id}/…/{id}`) takes:
/// `OrgRequest` and then the item's id.
pub struct OrgItem {
    pub state: AppState,
    pub ctx: Ctx,
    pub scope: OrgScope,
    pub id: String,
}

impl FromRequestParts<AppState> for OrgItem {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let OrgRequest { state, ctx, scope } = OrgRequest::from_request_parts(parts, state).await?;
        let Path(ItemPath { id, .. }) =
            Path::<ItemPath>::from_request_parts(parts, &state).await.map_err(IntoResponse::into_response)?;
        Ok(OrgItem { state, ctx, scope, id })
    }
}

/// What a handler open to anyone takes: the state and the request's context, extracted in
/// that order.
#[derive(FromRequestParts)]
#[from_request(state(AppState))]
pub struct PublicRequest {
    #[from_request(via(State))]
    pub state: AppState,
    pub ctx: Ctx,
}

/// What a signed-in account's handlers take: the state, the request's context and the
/// account, extracted in that order.
#[derive(FromRequestParts)]
#[from_request(state(AppState))]
pub struct AccountRequest {
    #[from_request(via(State))]
    pub state: AppState,
    pub ctx: Ctx,
    pub who: Identity,
}

/// What every organisation page takes: `AccountRequest` and then the organisation's scope.
#[derive(FromRequestParts)]
#[from_request(state(AppState))]
pub struct OrgPage {
    #[from_request(via(State))]
    pub state: AppState,
    pub ctx: Ctx,
    pub who: Identity,
    pub scope: OrgScope,
}
