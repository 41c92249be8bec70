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

use crate::http::routes::{Guard, Routes, get, post, put};

pub fn routes() -> Routes {
    use Guard::{Account, Org, Public};
    Routes::default()
        .api("/api/v1/roles", Account, get(api::roles))
        .api("/api/v1/orgs/{org_id}/members", Org, get(api::list).post(api::invite))
        .api("/api/v1/orgs/{org_id}/members/{id}", Org, get(api::get).patch(api::update).delete(api::remove))
        .api("/api/v1/orgs/{org_id}/members/{id}/grants", Org, put(api::set_grants))
        .api("/api/v1/orgs/{org_id}/members/{id}/activate", Org, post(api::activate))
        .api("/api/v1/orgs/{org_id}/members/{id}/resend", Org, post(api::resend))
        .api("/api/v1/orgs/{org_id}/members/{id}/revoke", Org, post(api::revoke))
        .api("/api/v1/orgs/{org_id}/members/{id}/block", Org, post(api::block))
        .api("/api/v1/orgs/{org_id}/members/{id}/unblock", Org, post(api::unblock))
        .api("/api/v1/orgs/{org_id}/members/{id}/explain", Org, get(api::explain))
        .api("/api/v1/orgs/{org_id}/members/{id}/preview", Org, get(api::preview))
        .api("/api/v1/orgs/{org_id}/me", Org, get(api::me))
        .api("/api/v1/orgs/{org_id}/ownership", Org, post(api::transfer_ownership))
        .api("/api/v1/orgs/{org_id}/leave", Org, post(api::leave))
        .api("/api/v1/invitations/lookup", Public, post(api::lookup_invitation))
        .api("/api/v1/invitations/accept", Account, post(api::accept_invitation))
        .api("/api/v1/invitations/register", Public, post(api::register_with_invitation))
        .page("/team", Org, get(pages::list))
        .page("/team/invite", Org, get(pages::invite_form).post(pages::invite))
        .page("/team/{id}", Org, get(pages::detail).post(pages::update))
        .page("/team/{id}/grants", Org, post(pages::set_grants))
        .page("/team/{id}/activate", Org, post(pages::activate))
        .page("/team/{id}/resend", Org, post(pages::resend))
        .page("/team/{id}/revoke", Org, post(pages::revoke))
        .page("/team/{id}/block", Org, post(pages::block))
        .page("/team/{id}/unblock", Org, post(pages::unblock))
        .page("/team/{id}/remove", Org, post(pages::remove))
        .page("/invitations/accept", Public, get(pages::invitation))
        .page("/invitations/accept", Account, post(pages::accept))
        .page("/invitations/register", Public, post(pages::register))
}
