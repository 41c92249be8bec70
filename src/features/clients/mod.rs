//! Clients: contact details, notes, booking history, visit count and frequency, search,
//! merge duplicates, export one client's data and erase it (GDPR). Visible only to members
//! with the client-list right, and only for the places in their scope.

pub mod api;
mod pages;
pub mod personal;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get, post};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/clients", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/clients/{id}", Guard::Org, get(api::get).patch(api::update))
        .api("/api/v1/orgs/{org_id}/clients/{id}/merge", Guard::Org, post(api::merge))
        .api("/api/v1/orgs/{org_id}/clients/{id}/export", Guard::Org, get(api::export))
        .api("/api/v1/orgs/{org_id}/clients/{id}/erase", Guard::Org, post(api::erase))
        .page("/clients", Guard::Org, get(pages::list).post(pages::create))
        .page("/clients/{id}", Guard::Org, get(pages::detail).post(pages::update))
        .page("/clients/{id}/merge", Guard::Org, post(pages::merge))
        .page("/clients/{id}/export", Guard::Org, get(pages::export))
        .page("/clients/{id}/erase", Guard::Org, post(pages::erase))
}
