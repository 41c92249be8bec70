//! Services (appointment types): length, buffers, notice, advance, price for display, and
//! the calendars offering each (a toggle per calendar).

pub mod api;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .org_collection("/api/v1/orgs/{org_id}/services", api::list, api::create)
        .org_item("/api/v1/orgs/{org_id}/services/{id}", api::get, api::update, api::delete)
        .api(Method::PUT, "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", Guard::Org, api::offer)
        .api(Method::DELETE, "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}", Guard::Org, api::withdraw)
}
