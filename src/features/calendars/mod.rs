//! Calendars (agendas): a staff member's own or a resource, inside a location, with the
//! settings of R3 (time zone, default appointment length, visible day hours, split hour).

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/calendars", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/calendars/{id}", Guard::Org, get(api::get).patch(api::update).delete(api::delete))
        .page("/agenda", Guard::Org, get(pages::agenda))
        .page("/calendars/{id}", Guard::Org, get(pages::settings).post(pages::update))
}
