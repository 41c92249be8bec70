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
        .org_collection("/api/v1/orgs/{org_id}/calendars", api::list, api::create)
        .org_item("/api/v1/orgs/{org_id}/calendars/{id}", api::get, api::update, api::delete)
        .page(Method::GET, "/agenda", Guard::Org, pages::agenda)
        .page(Method::GET, "/calendars/{id}", Guard::Org, pages::settings)
        .page(Method::POST, "/calendars/{id}", Guard::Org, pages::update)
}
