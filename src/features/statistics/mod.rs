//! Statistics: what the bookings say over a range, over what the member may see (R36; the
//! "statistics" toggle of R14 gates it, by location). Aggregated by the database, drawn as
//! SVG on the server, downloadable as CSV.

pub mod api;
pub mod chart;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/statistics", Guard::Org, get(api::statistics))
        .api("/api/v1/orgs/{org_id}/statistics.csv", Guard::Org, get(api::export))
        .page("/statistics", Guard::Org, get(pages::page))
}
