//! Teams: named groups of members, usable as a grant target (a team's grants apply to each
//! of its members).

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get, post};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/teams", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/teams/{id}", Guard::Org, get(api::get).patch(api::update).delete(api::delete))
        .page("/teams", Guard::Org, get(pages::list).post(pages::create))
        .page("/teams/{id}", Guard::Org, get(pages::detail).post(pages::update))
        .page("/teams/{id}/delete", Guard::Org, post(pages::delete))
}
