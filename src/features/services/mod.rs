//! Services (appointment types): length, buffers, notice, advance, price for display, and
//! the calendars offering each (a toggle per calendar).

pub mod api;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .api(Method::GET, "/api/v1/orgs/{org_id}/services", Guard::Org, api::list)
        .api(Method::POST, "/api/v1/orgs/{org_id}/services", Guard::Org, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/services/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/services/{id}", Guard::Org, api::update)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/services/{id}", Guard::Org, api::delete)
        .api(Method::PUT, "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", Guard::Org, api::offer)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", Guard::Org, api::withdraw)
}
