//! Bookings: create, list, move, cancel. Two active bookings never overlap on one calendar:
//! the database refuses it (an exclusion constraint on PostgreSQL, triggers inside
//! serialised write transactions on SQLite), and a lost race answers 409 with the clash.

mod absence_pages;
pub mod api;
pub mod export;
mod export_pages;
mod export_repo;
pub(crate) mod grid;
mod history;
pub mod hours;
pub mod hours_pages;
pub(crate) mod list_pages;
mod location_day;
pub mod notify;
pub mod pages;
pub mod repo;
pub mod service;
mod unavailability;
pub mod write;

use crate::http::routes::{Guard, Routes, delete, get, post};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/bookings", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/bookings/search", Guard::Org, get(api::search))
        .api("/api/v1/orgs/{org_id}/bookings/export.csv", Guard::Org, get(api::export))
        .api("/api/v1/orgs/{org_id}/bookings/{id}", Guard::Org, get(api::get).patch(api::update))
        .api("/api/v1/orgs/{org_id}/bookings/{id}/cancel", Guard::Org, post(api::cancel))
        .api("/api/v1/orgs/{org_id}/calendars/{id}/hours", Guard::Org, get(api::get_hours).put(api::set_hours))
        .api(
            "/api/v1/orgs/{org_id}/calendars/{id}/unavailability",
            Guard::Org,
            get(api::list_unavailability).post(api::add_unavailability),
        )
        .api(
            "/api/v1/orgs/{org_id}/calendars/{id}/unavailability/{period_id}",
            Guard::Org,
            delete(api::remove_unavailability).put(api::update_unavailability),
        )
        .api("/api/v1/orgs/{org_id}/bookings/{id}/no-show", Guard::Org, post(api::no_show))
        .page("/calendars/{id}/hours", Guard::Org, get(hours_pages::page).post(hours_pages::save_week))
        .page("/calendars/{id}/hours/overrides", Guard::Org, post(hours_pages::add_override))
        .page("/calendars/{id}/hours/overrides/{date}/delete", Guard::Org, post(hours_pages::remove_override))
        .page("/calendars/{id}/absences", Guard::Org, get(absence_pages::page).post(absence_pages::add))
        .page("/calendars/{id}/absences/{absence_id}", Guard::Org, get(absence_pages::edit).post(absence_pages::update))
        .page("/calendars/{id}/absences/{absence_id}/delete", Guard::Org, post(absence_pages::remove))
        .page("/locations/{id}/day", Guard::Org, get(location_day::day))
        .page("/bookings/export", Guard::Org, get(export_pages::page))
        .page("/bookings/export.csv", Guard::Org, get(export_pages::download))
        .page("/calendars/{id}/week", Guard::Org, get(pages::week))
        .page("/calendars/{id}/day", Guard::Org, get(pages::day))
        .page("/calendars/{id}/bookings/new", Guard::Org, get(pages::new_form))
        .page("/calendars/{id}/bookings", Guard::Org, post(pages::create))
        .page("/bookings", Guard::Org, get(list_pages::list))
        .page("/bookings/{id}", Guard::Org, get(pages::detail))
        .page("/bookings/{id}/move", Guard::Org, post(pages::move_booking))
        .page("/bookings/{id}/cancel", Guard::Org, post(pages::cancel))
        .page("/bookings/{id}/no-show", Guard::Org, post(pages::no_show))
}
