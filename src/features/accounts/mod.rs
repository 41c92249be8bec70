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

use crate::http::routes::{Guard, Routes, delete, get, post};

pub fn routes() -> Routes {
    use Guard::{Account, Public};
    Routes::default()
        .api("/api/v1/auth/signup", Public, post(api::signup))
        .api("/api/v1/auth/verify", Public, post(api::verify))
        .api("/api/v1/auth/verify/resend", Public, post(api::resend_verification))
        .api("/api/v1/auth/login", Public, post(api::login))
        .api("/api/v1/auth/logout", Account, post(api::logout))
        .api("/api/v1/auth/password/forgot", Public, post(api::forgot))
        .api("/api/v1/auth/password/reset", Public, post(api::reset))
        .api("/api/v1/me", Account, get(api::me).patch(api::update_me))
        .api("/api/v1/me/password", Account, post(api::change_password))
        .api("/api/v1/me/sessions", Account, get(api::sessions))
        .api("/api/v1/me/sessions/{id}", Account, delete(api::revoke_session))
        .api("/api/v1/me/sessions/revoke-others", Account, post(api::revoke_others))
        .api("/api/v1/me/totp/setup", Account, post(api::totp_setup))
        .api("/api/v1/me/totp/enable", Account, post(api::totp_enable))
        .api("/api/v1/me/totp/disable", Account, post(api::totp_disable))
        .page("/signup", Public, get(pages::signup_form).post(pages::signup))
        .page("/verify", Public, get(pages::verify_form).post(pages::verify))
        .page("/login", Public, get(pages::login_form).post(pages::login))
        .page("/logout", Account, post(pages::logout))
        .page("/forgot", Public, get(pages::forgot_form).post(pages::forgot))
        .page("/reset", Public, get(pages::reset_form).post(pages::reset))
        .page("/language", Public, post(pages::set_language))
        .page("/account/profile", Account, get(pages::profile_form).post(pages::profile))
        .page("/account/security", Account, get(pages::security))
        .page("/account/password", Account, post(pages::password))
        .page("/account/totp/setup", Account, post(pages::totp_setup))
        .page("/account/totp/enable", Account, post(pages::totp_enable))
        .page("/account/totp/disable", Account, post(pages::totp_disable))
        .page("/account/sessions", Account, get(pages::sessions))
        .page("/account/sessions/{id}/revoke", Account, post(pages::revoke_session))
        .page("/account/sessions/revoke-others", Account, post(pages::revoke_others))
}
