//! Notification preferences (R30): each member chooses which booking events reach them, by
//! email and by SMS. Only their own: the routes name no member, the scope says who.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/me/notifications", Guard::Org, get(api::get_mine).put(api::set_mine))
        .page("/notifications", Guard::Org, get(pages::show).post(pages::save))
}
