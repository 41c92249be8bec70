//! Locations (branches, "scheduling instances"): name, public booking-page slug, time zone,
//! address; create, rename, archive, reopen, delete.

pub mod api;
pub mod service;

use crate::app::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .api(Method::GET, "/api/v1/orgs/{org_id}/locations", Guard::Org, api::list)
        .api(Method::POST, "/api/v1/orgs/{org_id}/locations", Guard::Org, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, api::update)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, api::delete)
}
