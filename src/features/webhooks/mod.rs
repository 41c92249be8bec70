//! Webhooks (R34): an organisation's endpoints subscribed to booking, client and member
//! events, signed as Standard Webhooks says, delivered by the background worker
//! (`jobs::webhooks`) from the audit chain with back-off, logged, re-sent on demand, disabled after sustained failure;
//! outbound addresses public only (`outbound.rs`) unless the operator allows private ones.

pub mod api;
pub mod outbound;
mod pages;
pub mod repo;
pub mod service;
pub mod sign;

use crate::http::routes::{Guard, Routes, get, post};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/webhooks", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/webhooks/{id}", Guard::Org, get(api::get).patch(api::update).delete(api::delete))
        .api("/api/v1/orgs/{org_id}/webhooks/{id}/messages", Guard::Org, get(api::messages))
        .api("/api/v1/orgs/{org_id}/webhooks/{id}/ping", Guard::Org, post(api::ping))
        .api("/api/v1/orgs/{org_id}/webhooks/{id}/messages/{message_id}/resend", Guard::Org, post(api::resend))
        .page("/integrations/webhooks", Guard::Org, get(pages::list).post(pages::create))
        .page("/integrations/webhooks/{id}", Guard::Org, get(pages::detail).post(pages::update))
        .page("/integrations/webhooks/{id}/ping", Guard::Org, post(pages::ping))
        .page("/integrations/webhooks/{id}/delete", Guard::Org, post(pages::delete))
        .page("/integrations/webhooks/{id}/messages/{message_id}/resend", Guard::Org, post(pages::resend))
}
