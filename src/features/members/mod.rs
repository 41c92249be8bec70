//! Members: invite (or create inactive and activate later), accept, change role, toggles and
//! grants, block, remove, transfer ownership, explain access.

pub mod api;
mod explain;
mod grant_editor;
mod grants;
mod invitation_pages;
pub mod invitations;
mod invite;
mod invite_pages;
pub mod pages;
pub mod repo;
pub mod service;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    use Guard::{Account, Org, Public};
    Routes::default()
        .api(Method::GET, "/api/v1/roles", Account, api::roles)
        .org_collection("/api/v1/orgs/{org_id}/members", api::list, api::invite)
        .org_item("/api/v1/orgs/{org_id}/members/{id}", api::get, api::update, api::remove)
        .api(Method::PUT, "/api/v1/orgs/{org_id}/members/{id}/grants", Org, api::set_grants)
        .api(Method::POST, "/api/v1/orgs/{org_id}/members/{id}/activate", Org, api::activate)
        .api(Method::POST, "/api/v1/orgs/{org_id}/members/{id}/resend", Org, api::resend)
        .api(Method::POST, "/api/v1/orgs/{org_id}/members/{id}/revoke", Org, api::revoke)
        .api(Method::POST, "/api/v1/orgs/{org_id}/members/{id}/block", Org, api::block)
        .api(Method::POST, "/api/v1/orgs/{org_id}/members/{id}/unblock", Org, api::unblock)
        .api(Method::GET, "/api/v1/orgs/{org_id}/members/{id}/explain", Org, api::explain)
        .api(Method::GET, "/api/v1/orgs/{org_id}/members/{id}/preview", Org, api::preview)
        .api(Method::GET, "/api/v1/orgs/{org_id}/me", Org, api::me)
        .api(Method::POST, "/api/v1/orgs/{org_id}/ownership", Org, api::transfer_ownership)
        .api(Method::POST, "/api/v1/orgs/{org_id}/leave", Org, api::leave)
        .api(Method::POST, "/api/v1/invitations/lookup", Public, api::lookup_invitation)
        .api(Method::POST, "/api/v1/invitations/accept", Account, api::accept_invitation)
        .api(Method::POST, "/api/v1/invitations/register", Public, api::register_with_invitation)
        .page(Method::GET, "/team", Org, pages::list)
        .page(Method::GET, "/team/invite", Org, pages::invite_form)
        .page(Method::POST, "/team/invite", Org, pages::invite)
        .page(Method::GET, "/team/{id}", Org, pages::detail)
        .page(Method::POST, "/team/{id}", Org, pages::update)
        .page(Method::POST, "/team/{id}/grants", Org, pages::set_grants)
        .page(Method::POST, "/team/{id}/activate", Org, pages::activate)
        .page(Method::POST, "/team/{id}/resend", Org, pages::resend)
        .page(Method::POST, "/team/{id}/revoke", Org, pages::revoke)
        .page(Method::POST, "/team/{id}/block", Org, pages::block)
        .page(Method::POST, "/team/{id}/unblock", Org, pages::unblock)
        .page(Method::POST, "/team/{id}/remove", Org, pages::remove)
        .page(Method::GET, "/invitations/accept", Public, pages::invitation)
        .page(Method::POST, "/invitations/accept", Account, pages::accept)
        .page(Method::POST, "/invitations/register", Public, pages::register)
}
