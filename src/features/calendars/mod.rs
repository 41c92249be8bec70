//! Calendars (agendas): a staff member's own or a resource, inside a location, with the
//! settings of R3 (time zone, default appointment length, visible day hours, split hour).

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .api(Method::GET, "/api/v1/orgs/{org_id}/calendars", Guard::Org, api::list)
        .api(Method::POST, "/api/v1/orgs/{org_id}/calendars", Guard::Org, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/calendars/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/calendars/{id}", Guard::Org, api::update)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/calendars/{id}", Guard::Org, api::delete)
        .page(Method::GET, "/agenda", Guard::Org, pages::agenda)
        .page(Method::GET, "/calendars/{id}", Guard::Org, pages::settings)
        .page(Method::POST, "/calendars/{id}", Guard::Org, pages::update)
}
