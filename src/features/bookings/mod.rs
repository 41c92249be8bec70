//! Bookings: create, list, move, cancel. Two active bookings never overlap on one calendar:
//! the database refuses it (an exclusion constraint on PostgreSQL, triggers inside
//! serialised write transactions on SQLite), and a lost race answers 409 with the clash.

pub mod api;
pub(crate) mod grid;
pub mod hours;
pub mod notify;
pub mod pages;
pub mod repo;
pub mod service;
mod unavailability;
pub mod write;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .org_collection("/api/v1/orgs/{org_id}/bookings", api::list, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/bookings/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/bookings/{id}", Guard::Org, api::update)
        .api(Method::POST, "/api/v1/orgs/{org_id}/bookings/{id}/cancel", Guard::Org, api::cancel)
        .api(Method::GET, "/api/v1/orgs/{org_id}/calendars/{id}/hours", Guard::Org, api::get_hours)
        .api(Method::PUT, "/api/v1/orgs/{org_id}/calendars/{id}/hours", Guard::Org, api::set_hours)
        .api(Method::GET, "/api/v1/orgs/{org_id}/calendars/{id}/unavailability", Guard::Org, api::list_unavailability)
        .api(Method::POST, "/api/v1/orgs/{org_id}/calendars/{id}/unavailability", Guard::Org, api::add_unavailability)
        .api(
            Method::DELETE,
            "/api/v1/orgs/{org_id}/calendars/{id}/unavailability/{period_id}",
            Guard::Org,
            api::remove_unavailability,
        )
        .api(Method::POST, "/api/v1/orgs/{org_id}/bookings/{id}/no-show", Guard::Org, api::no_show)
        .page(Method::GET, "/calendars/{id}/week", Guard::Org, pages::week)
        .page(Method::GET, "/calendars/{id}/day", Guard::Org, pages::day)
        .page(Method::GET, "/calendars/{id}/bookings/new", Guard::Org, pages::new_form)
        .page(Method::POST, "/calendars/{id}/bookings", Guard::Org, pages::create)
        .page(Method::GET, "/bookings/{id}", Guard::Org, pages::detail)
        .page(Method::POST, "/bookings/{id}/move", Guard::Org, pages::move_booking)
        .page(Method::POST, "/bookings/{id}/cancel", Guard::Org, pages::cancel)
        .page(Method::POST, "/bookings/{id}/no-show", Guard::Org, pages::no_show)
}
