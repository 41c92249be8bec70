//! The public booking API, per location slug: services and people, availability in the
//! visitor's zone, booking (re-checked by the engine on the server), and the emailed
//! manage link (view, reschedule, cancel) that exposes only that booking's minimum.

pub mod api;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get, post};

pub fn routes() -> Routes {
    use Guard::Public;
    Routes::default()
        .api("/api/v1/book/{slug}", Public, get(api::page))
        .api("/api/v1/book/{slug}/availability", Public, get(api::availability))
        .api("/api/v1/book/{slug}/bookings", Public, post(api::book))
        .api("/api/v1/manage/{token}", Public, get(api::manage))
        .api("/api/v1/manage/{token}/cancel", Public, post(api::cancel))
        .api("/api/v1/manage/{token}/reschedule", Public, post(api::reschedule))
        .page("/book/{slug}", Public, get(pages::book_page).post(pages::book))
        .page("/book/{slug}/theme.css", Public, get(pages::theme))
        .page("/book/{slug}/logo", Public, get(pages::logo))
        .page("/manage/{token}", Public, get(pages::manage))
        .page("/manage/{token}/cancel", Public, post(pages::cancel))
        .page("/manage/{token}/reschedule", Public, post(pages::reschedule))
}
