//! Locations (branches, "scheduling instances"): name, public booking-page slug, time zone,
//! address; create, rename, archive, reopen, delete.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .api(Method::GET, "/api/v1/orgs/{org_id}/locations", Guard::Org, api::list)
        .api(Method::POST, "/api/v1/orgs/{org_id}/locations", Guard::Org, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, api::update)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, api::delete)
        .page(Method::GET, "/locations", Guard::Org, pages::list)
        .page(Method::POST, "/locations", Guard::Org, pages::create)
        .page(Method::GET, "/locations/{id}", Guard::Org, pages::detail)
        .page(Method::POST, "/locations/{id}", Guard::Org, pages::update)
        .page(Method::POST, "/locations/{id}/delete", Guard::Org, pages::delete)
        .page(Method::POST, "/locations/{id}/calendars", Guard::Org, pages::create_calendar)
}
