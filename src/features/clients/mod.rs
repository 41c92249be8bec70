//! Clients: contact details, notes, booking history, visit count and frequency, search,
//! merge duplicates, export one client's data and erase it (GDPR). Visible only to members
//! with the client-list right, and only for the places in their scope.

pub mod api;
pub mod personal;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .org_collection("/api/v1/orgs/{org_id}/clients", api::list, api::create)
        .api(Method::GET, "/api/v1/orgs/{org_id}/clients/{id}", Guard::Org, api::get)
        .api(Method::PATCH, "/api/v1/orgs/{org_id}/clients/{id}", Guard::Org, api::update)
        .api(Method::POST, "/api/v1/orgs/{org_id}/clients/{id}/merge", Guard::Org, api::merge)
        .api(Method::GET, "/api/v1/orgs/{org_id}/clients/{id}/export", Guard::Org, api::export)
        .api(Method::POST, "/api/v1/orgs/{org_id}/clients/{id}/erase", Guard::Org, api::erase)
}
