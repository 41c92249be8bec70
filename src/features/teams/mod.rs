//! Teams: named groups of members, usable as a grant target (a team's grants apply to each
//! of its members).

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .org_collection("/api/v1/orgs/{org_id}/teams", api::list, api::create)
        .org_item("/api/v1/orgs/{org_id}/teams/{id}", api::get, api::update, api::delete)
        .page(Method::GET, "/teams", Guard::Org, pages::list)
        .page(Method::POST, "/teams", Guard::Org, pages::create)
        .page(Method::GET, "/teams/{id}", Guard::Org, pages::detail)
        .page(Method::POST, "/teams/{id}", Guard::Org, pages::update)
        .page(Method::POST, "/teams/{id}/delete", Guard::Org, pages::delete)
}
