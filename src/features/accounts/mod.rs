//! Accounts: sign-up with email verification, login/logout, sessions, profile, password
//! change and reset, second factor, blocking.

pub mod api;
pub mod pages;
pub mod repo;
mod security_pages;
pub mod service;
mod sessions;
mod signup;
mod totp;

use crate::http::routes::{Guard, Routes};
use axum::http::Method;

pub fn routes() -> Routes {
    use Guard::{Account, Public};
    Routes::default()
        .api(Method::POST, "/api/v1/auth/signup", Public, api::signup)
        .api(Method::POST, "/api/v1/auth/verify", Public, api::verify)
        .api(Method::POST, "/api/v1/auth/verify/resend", Public, api::resend_verification)
        .api(Method::POST, "/api/v1/auth/login", Public, api::login)
        .api(Method::POST, "/api/v1/auth/logout", Account, api::logout)
        .api(Method::POST, "/api/v1/auth/password/forgot", Public, api::forgot)
        .api(Method::POST, "/api/v1/auth/password/reset", Public, api::reset)
        .api(Method::GET, "/api/v1/me", Account, api::me)
        .api(Method::PATCH, "/api/v1/me", Account, api::update_me)
        .api(Method::POST, "/api/v1/me/password", Account, api::change_password)
        .api(Method::GET, "/api/v1/me/sessions", Account, api::sessions)
        .api(Method::DELETE, "/api/v1/me/sessions/{id}", Account, api::revoke_session)
        .api(Method::POST, "/api/v1/me/sessions/revoke-others", Account, api::revoke_others)
        .api(Method::POST, "/api/v1/me/totp/setup", Account, api::totp_setup)
        .api(Method::POST, "/api/v1/me/totp/enable", Account, api::totp_enable)
        .api(Method::POST, "/api/v1/me/totp/disable", Account, api::totp_disable)
        .page(Method::GET, "/", Public, pages::home)
        .page(Method::GET, "/signup", Public, pages::signup_form)
        .page(Method::POST, "/signup", Public, pages::signup)
        .page(Method::GET, "/verify", Public, pages::verify_form)
        .page(Method::POST, "/verify", Public, pages::verify)
        .page(Method::GET, "/login", Public, pages::login_form)
        .page(Method::POST, "/login", Public, pages::login)
        .page(Method::POST, "/logout", Account, pages::logout)
        .page(Method::GET, "/forgot", Public, pages::forgot_form)
        .page(Method::POST, "/forgot", Public, pages::forgot)
        .page(Method::GET, "/reset", Public, pages::reset_form)
        .page(Method::POST, "/reset", Public, pages::reset)
        .page(Method::POST, "/language", Public, pages::set_language)
        .page(Method::GET, "/account/profile", Account, pages::profile_form)
        .page(Method::POST, "/account/profile", Account, pages::profile)
        .page(Method::GET, "/account/security", Account, pages::security)
        .page(Method::POST, "/account/password", Account, pages::password)
        .page(Method::POST, "/account/totp/setup", Account, pages::totp_setup)
        .page(Method::POST, "/account/totp/enable", Account, pages::totp_enable)
        .page(Method::POST, "/account/totp/disable", Account, pages::totp_disable)
        .page(Method::GET, "/account/sessions", Account, pages::sessions)
        .page(Method::POST, "/account/sessions/{id}/revoke", Account, pages::revoke_session)
        .page(Method::POST, "/account/sessions/revoke-others", Account, pages::revoke_others)
}
