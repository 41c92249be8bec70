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
        .api(Method::GET, "/api/v1/orgs/{org_id}/teams", Guard::Org, api::list)
        .api(Method::POST, "/api/v1/orgs/{org_id}/teams", Guard::Org, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/teams/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/teams/{id}", Guard::Org, api::update)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/teams/{id}", Guard::Org, api::delete)
        .page(Method::GET, "/teams", Guard::Org, pages::list)
        .page(Method::POST, "/teams", Guard::Org, pages::create)
        .page(Method::GET, "/teams/{id}", Guard::Org, pages::detail)
        .page(Method::POST, "/teams/{id}", Guard::Org, pages::update)
        .page(Method::POST, "/teams/{id}/delete", Guard::Org, pages::delete)
}
