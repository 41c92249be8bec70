//! Locations (branches, "scheduling instances"): name, public booking-page slug, time zone,
//! address; create, rename, archive, reopen, delete.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get, post};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/locations", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/locations/{id}", Guard::Org, get(api::get).patch(api::update).delete(api::delete))
        .page("/locations", Guard::Org, get(pages::list).post(pages::create))
        .page("/locations/{id}", Guard::Org, get(pages::detail).post(pages::update))
        .page("/locations/{id}/delete", Guard::Org, post(pages::delete))
        .page("/locations/{id}/calendars", Guard::Org, post(pages::create_calendar))
}
