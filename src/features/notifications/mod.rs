//! Notification preferences (R30): each member chooses which booking events reach them, by
//! email and by SMS. Only their own: the routes name no member, the scope says who.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    Routes::default()
        .api(Method::GET, "/api/v1/orgs/{org_id}/me/notifications", Guard::Org, api::get_mine)
        .api(Method::PUT, "/api/v1/orgs/{org_id}/me/notifications", Guard::Org, api::set_mine)
        .page(Method::GET, "/notifications", Guard::Org, pages::show)
        .page(Method::POST, "/notifications", Guard::Org, pages::save)
}
