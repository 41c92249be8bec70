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
        .org_collection("/api/v1/orgs/{org_id}/locations", api::list, api::create)
        .org_item("/api/v1/orgs/{org_id}/locations/{id}", api::get, api::update, api::delete)
        .page(Method::GET, "/locations", Guard::Org, pages::list)
        .page(Method::POST, "/locations", Guard::Org, pages::create)
        .page(Method::GET, "/locations/{id}", Guard::Org, pages::detail)
        .page(Method::POST, "/locations/{id}", Guard::Org, pages::update)
        .page(Method::POST, "/locations/{id}/delete", Guard::Org, pages::delete)
        .page(Method::POST, "/locations/{id}/calendars", Guard::Org, pages::create_calendar)
}
