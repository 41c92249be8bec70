//! The public booking API, per location slug: services and people, availability in the
//! visitor's zone, booking (re-checked by the engine on the server), and the emailed
//! manage link (view, reschedule, cancel) that exposes only that booking's minimum.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    use Guard::Public;
    Routes::default()
        .api(Method::GET, "/api/v1/book/{slug}", Public, api::page)
        .api(Method::GET, "/api/v1/book/{slug}/availability", Public, api::availability)
        .api(Method::POST, "/api/v1/book/{slug}/bookings", Public, api::book)
        .api(Method::GET, "/api/v1/manage/{token}", Public, api::manage)
        .api(Method::POST, "/api/v1/manage/{token}/cancel", Public, api::cancel)
        .api(Method::POST, "/api/v1/manage/{token}/reschedule", Public, api::reschedule)
        .page(Method::GET, "/book/{slug}", Public, pages::book_page)
        .page(Method::POST, "/book/{slug}", Public, pages::book)
        .page(Method::GET, "/manage/{token}", Public, pages::manage)
        .page(Method::POST, "/manage/{token}/cancel", Public, pages::cancel)
        .page(Method::POST, "/manage/{token}/reschedule", Public, pages::reschedule)
}
