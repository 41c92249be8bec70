//! What an organisation's handlers take together, extracted as one.

use super::Ctx;
use crate::{
    access::{Identity, OrgScope},
    state::AppState,
};
use axum::extract::{FromRequestParts, State};

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
