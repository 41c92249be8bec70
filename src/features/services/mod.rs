//! Services (appointment types): length, buffers, notice, advance, price for display, and
//! the calendars offering each (a toggle per calendar).

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get, post, put};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/services", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/services/{id}", Guard::Org, get(api::get).patch(api::update).delete(api::delete))
        .api(
            "/api/v1/orgs/{org_id}/services/{id}/calendars/{calendar_id}",
            Guard::Org,
            put(api::offer).delete(api::withdraw),
        )
        .page("/services", Guard::Org, get(pages::list).post(pages::create))
        .page("/services/{id}", Guard::Org, get(pages::detail).post(pages::update))
        .page("/services/{id}/delete", Guard::Org, post(pages::delete))
        .page("/services/{id}/calendars", Guard::Org, post(pages::set_calendars))
        .page("/calendars/{id}/services", Guard::Org, post(pages::set_for_calendar))
}
