//! API keys (R32): per organisation, scoped to part of what their creator holds, shown once,
//! stored hashed, regenerated, revoked; managed from the "API and integrations" page and the
//! API by whoever holds that right. How a key acts on a request is `access::api_key`.

pub mod api;
mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes, get, post};

pub fn routes() -> Routes {
    Routes::default()
        .api("/api/v1/orgs/{org_id}/api-keys", Guard::Org, get(api::list).post(api::create))
        .api("/api/v1/orgs/{org_id}/api-keys/{id}", Guard::Org, get(api::get).delete(api::revoke))
        .api("/api/v1/orgs/{org_id}/api-keys/{id}/regenerate", Guard::Org, post(api::regenerate))
        .page("/integrations", Guard::Org, get(pages::page).post(pages::create))
        .page("/integrations/keys/{id}/regenerate", Guard::Org, post(pages::regenerate))
        .page("/integrations/keys/{id}/revoke", Guard::Org, post(pages::revoke))
}
