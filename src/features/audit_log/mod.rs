//! Reading the audit trail: organisation-wide, per object ("history"), filtered, paginated
//! and exported as CSV. Members with the audit right on part of the organisation (a manager
//! of one location) see the rows about that part only.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;
mod words;

use crate::http::routes::{Guard, Routes, get};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/audit", Guard::Org, get(api::list))
        .api("/api/v1/orgs/{org_id}/audit.csv", Guard::Org, get(api::export))
        .page("/audit", Guard::Org, get(pages::page))
}
