//! Organisations (tenants): create, list mine, switch the active one.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .api(Method::GET, "/api/v1/orgs", Guard::Account, api::list)
        .api(Method::POST, "/api/v1/orgs", Guard::Account, api::create)
        .api(Method::PUT, "/api/v1/me/active-org", Guard::Account, api::switch)
        .api(Method::GET, "/api/v1/orgs/{org_id}", Guard::Org, api::get_settings)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}", Guard::Org, api::update_settings)
        .page(Method::GET, "/orgs", Guard::Account, pages::list)
        .page(Method::POST, "/orgs", Guard::Account, pages::create)
        .page(Method::POST, "/orgs/switch", Guard::Account, pages::switch)
}
