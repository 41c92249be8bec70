//! Organisations (tenants): create, list mine, switch the active one.

pub mod api;
pub mod look;
pub mod pages;
pub mod repo;
pub mod service;
mod settings_pages;

use crate::http::routes::{Guard, Routes, get, post, put};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs", Guard::Account, get(api::list).post(api::create))
        .api("/api/v1/me/active-org", Guard::Account, put(api::switch))
        .api("/api/v1/orgs/{org_id}", Guard::Org, get(api::get_settings).patch(api::update_settings))
        .api(
            "/api/v1/orgs/{org_id}/logo",
            Guard::Org,
            get(api::get_logo).put(api::set_logo).delete(api::remove_logo).uploads(),
        )
        .page("/orgs", Guard::Account, get(pages::list).post(pages::create))
        .page("/orgs/switch", Guard::Account, post(pages::switch))
        .page("/settings", Guard::Org, get(settings_pages::page).post(settings_pages::save))
        .page("/settings/logo", Guard::Org, get(settings_pages::logo).post(settings_pages::upload_logo).uploads())
        .page("/settings/logo/delete", Guard::Org, post(settings_pages::remove_logo))
        .page("/settings/ownership", Guard::Org, post(settings_pages::transfer))
        .page("/settings/delete", Guard::Org, post(settings_pages::delete))
}
