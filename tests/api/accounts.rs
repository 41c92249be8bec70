//! Accounts: sign-up, verification, login, sessions, profile, password, reset, block, 2FA.

use crate::helpers::{PASSWORD, TestApp, dual, link_token, owner_with_org};
use axum::http::StatusCode;
use creneau::{crypto, features::accounts::service};
use jiff::SignedDuration;
use serde_json::json;

dual!(
    signup_verify_login_and_me,
    signup_answers_the_same_for_known_and_unknown_addresses,
    nobody_can_preregister_someone_elses_address,
    verification_links_are_single_use_and_expire,
    get_on_a_link_changes_nothing,
    password_reset_is_single_use_expiring_and_ends_sessions,
    forgot_password_answers_the_same_for_unknown_addresses,
    blocked_accounts_cannot_log_in_nor_register_again,
    login_is_rate_limited_per_address,
    signup_and_reset_are_rate_limited,
    sessions_are_listed_and_revocable,
    password_change_needs_the_current_one_and_ends_other_sessions,
    profile_updates_and_refuses_mass_assignment,
    totp_second_factor_never_replaces_the_password,
    emailed_links_use_the_configured_base_url,
    clicking_a_link_someone_else_requested_does_not_give_them_the_account,
    simultaneous_profile_edits_of_different_fields_both_stay,
    simultaneous_requests_of_many_sessions_each_get_their_own_identity,
);

async fn signup_verify_login_and_me(app: TestApp) {
    let c = app.client();
    c.signup("Ana.Lopez@Example.fr", PASSWORD, "Ana", "Lopez").await.assert(StatusCode::ACCEPTED);
    // No account until the address is confirmed.
    c.login("ana.lopez@example.fr", PASSWORD).await.problem(StatusCode::UNAUTHORIZED, "invalid-credentials");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);

    let mail = app.last_mail_to("Ana.Lopez@Example.fr").await;
    let token = link_token(&mail, "/verify?token=");
    assert!(token.len() >= 43, "token too short: {token}");
    c.post_json("/api/v1/auth/verify", json!({"token": token})).await.assert(StatusCode::OK);

    // The address is case-insensitive.
    let r = c.login("ANA.LOPEZ@example.FR", PASSWORD).await;
    r.assert(StatusCode::OK);
    let cookie = r.header("set-cookie").unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    let me = c.get("/api/v1/me").await;
    me.assert(StatusCode::OK);
    let me = me.json();
    assert_eq!(me["email"], "Ana.Lopez@Example.fr");
    assert_eq!(me["first_name"], "Ana");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["totp_enabled"], false);
    assert!(me["active_org"].is_null());

    // The session id in the database is not the cookie value.
    let raw = c.cookie("creneau_session").unwrap();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{raw}'")).await, 0);

    c.post_json("/api/v1/auth/logout", json!({})).await.assert(StatusCode::NO_CONTENT);
    c.get("/api/v1/me").await.problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn signup_answers_the_same_for_known_and_unknown_addresses(app: TestApp) {
    app.user("known@example.fr").await;
    let stranger = app.client_from("198.51.100.7");
    let body =
        |email: &str| json!({"email": email, "password": "another password 1", "first_name": "X", "last_name": "Y"});
    let known = stranger.post_json("/api/v1/auth/signup", body("KNOWN@example.fr")).await;
    let unknown = stranger.post_json("/api/v1/auth/signup", body("new@example.fr")).await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    // The existing account is untouched and was told by mail.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE email_norm = 'known@example.fr'").await, 1);
    app.client().login("known@example.fr", PASSWORD).await.assert(StatusCode::OK);
    app.client().login("known@example.fr", "another password 1").await.assert(StatusCode::UNAUTHORIZED);
    let mail = app.last_mail_to("known@example.fr").await;
    assert!(mail.text.contains("already") || mail.text.contains("déjà"), "{}", mail.text);
    assert!(!mail.text.contains("verify?token="));
}

async fn nobody_can_preregister_someone_elses_address(app: TestApp) {
    let attacker = app.client_from("198.51.100.66");
    attacker.signup("victim@example.fr", "attacker password", "V", "X").await.assert(StatusCode::ACCEPTED);
    let victim = app.client();
    victim.signup("victim@example.fr", "victim password 1", "Vera", "Martin").await.assert(StatusCode::ACCEPTED);
    // The victim follows the link of their own sign-up.
    let token = link_token(&app.last_mail_to("victim@example.fr").await, "/verify?token=");
    victim.post_json("/api/v1/auth/verify", json!({"token": token})).await.assert(StatusCode::OK);
    app.client()
        .login("victim@example.fr", "attacker password")
        .await
        .problem(StatusCode::UNAUTHORIZED, "invalid-credentials");
    victim.login("victim@example.fr", "victim password 1").await.assert(StatusCode::OK);
    assert_eq!(victim.get("/api/v1/me").await.json()["first_name"], "Vera");
    // The attacker's pending link is dead too.
    let first = link_token(&app.mails_to("victim@example.fr").await[0], "/verify?token=");
    app.client()
        .post_json("/api/v1/auth/verify", json!({"token": first}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
}

async fn verification_links_are_single_use_and_expire(app: TestApp) {
    let c = app.client();
    let signup =
        |email: &'static str| json!({"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B"});
    c.post_json("/api/v1/auth/signup", signup("once@example.fr")).await.assert(StatusCode::ACCEPTED);
    let token = link_token(&app.last_mail_to("once@example.fr").await, "/verify?token=");
    c.post_json("/api/v1/auth/verify", json!({"token": token})).await.assert(StatusCode::OK);
    c.post_json("/api/v1/auth/verify", json!({"token": token})).await.problem(StatusCode::BAD_REQUEST, "invalid-token");

    c.post_json("/api/v1/auth/signup", signup("late@example.fr")).await.assert(StatusCode::ACCEPTED);
    let token = link_token(&app.last_mail_to("late@example.fr").await, "/verify?token=");
    app.advance(SignedDuration::from_hours(49));
    c.post_json("/api/v1/auth/verify", json!({"token": token})).await.problem(StatusCode::BAD_REQUEST, "invalid-token");
    c.post_json("/api/v1/auth/verify", json!({"token": "made-up"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");

    // A resent link supersedes the earlier one.
    c.post_json("/api/v1/auth/signup", signup("resend@example.fr")).await.assert(StatusCode::ACCEPTED);
    let old = link_token(&app.last_mail_to("resend@example.fr").await, "/verify?token=");
    c.post_json("/api/v1/auth/verify/resend", json!({"email": "resend@example.fr"})).await.assert(StatusCode::ACCEPTED);
    let new = link_token(&app.last_mail_to("resend@example.fr").await, "/verify?token=");
    assert_ne!(old, new);
    c.post_json("/api/v1/auth/verify", json!({"token": old})).await.problem(StatusCode::BAD_REQUEST, "invalid-token");
    c.post_json("/api/v1/auth/verify", json!({"token": new})).await.assert(StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 2);
}

async fn get_on_a_link_changes_nothing(app: TestApp) {
    let c = app.client();
    c.signup("g@example.fr", PASSWORD, "G", "H").await.assert(StatusCode::ACCEPTED);
    let token = link_token(&app.last_mail_to("g@example.fr").await, "/verify?token=");
    let page = c.get(&format!("/verify?token={token}")).await;
    page.assert(StatusCode::OK);
    assert!(page.text().contains("method=\"post\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0, "a GET created the account");
    // The page's own form then confirms, and signs the same browser in.
    let r = c.post_form("/verify", &[("token", &token)]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/?done=welcome"));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

async fn password_reset_is_single_use_expiring_and_ends_sessions(app: TestApp) {
    let laptop = app.user("reset@example.fr").await;
    let phone = app.client_from("203.0.113.20");
    phone.login("reset@example.fr", PASSWORD).await.assert(StatusCode::OK);

    let anon = app.client_from("203.0.113.30");
    anon.post_json("/api/v1/auth/password/forgot", json!({"email": "Reset@Example.fr"}))
        .await
        .assert(StatusCode::ACCEPTED);
    let first = link_token(&app.last_mail_to("reset@example.fr").await, "/reset?token=");
    anon.post_json("/api/v1/auth/password/forgot", json!({"email": "reset@example.fr"}))
        .await
        .assert(StatusCode::ACCEPTED);
    let second = link_token(&app.last_mail_to("reset@example.fr").await, "/reset?token=");
    // Superseded.
    anon.post_json("/api/v1/auth/password/reset", json!({"token": first, "password": "brand new password"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
    // Too short: refused, and the link still works afterwards.
    anon.post_json("/api/v1/auth/password/reset", json!({"token": second, "password": "short"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    anon.post_json("/api/v1/auth/password/reset", json!({"token": second, "password": "brand new password"}))
        .await
        .assert(StatusCode::OK);
    anon.post_json("/api/v1/auth/password/reset", json!({"token": second, "password": "third password here"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
    // Every session ended; the old password is gone; a confirmation was mailed.
    laptop.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
    phone.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
    anon.login("reset@example.fr", PASSWORD).await.assert(StatusCode::UNAUTHORIZED);
    anon.login("reset@example.fr", "brand new password").await.assert(StatusCode::OK);
    let last = app.last_mail_to("reset@example.fr").await;
    assert!(last.subject.contains("changé") || last.subject.contains("changed"), "{}", last.subject);

    // Expiry: one hour.
    anon.post_json("/api/v1/auth/password/forgot", json!({"email": "reset@example.fr"}))
        .await
        .assert(StatusCode::ACCEPTED);
    let late = link_token(&app.last_mail_to("reset@example.fr").await, "/reset?token=");
    app.advance(SignedDuration::from_mins(61));
    anon.post_json("/api/v1/auth/password/reset", json!({"token": late, "password": "too late password"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
}

async fn forgot_password_answers_the_same_for_unknown_addresses(app: TestApp) {
    app.user("exists@example.fr").await;
    let c = app.client_from("198.51.100.9");
    let before = app.outbox().await.len();
    let a = c.post_json("/api/v1/auth/password/forgot", json!({"email": "exists@example.fr"})).await;
    let b = c.post_json("/api/v1/auth/password/forgot", json!({"email": "ghost@example.fr"})).await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    assert_eq!((a.status, &a.body), (b.status, &b.body));
    let after = app.outbox().await;
    assert_eq!(after.len(), before + 1, "only the real account gets a mail");
    assert!(app.mails_to("ghost@example.fr").await.is_empty());
}

async fn blocked_accounts_cannot_log_in_nor_register_again(app: TestApp) {
    let c = app.user("blocked@example.fr").await;
    c.patch_json("/api/v1/me", json!({"mobile_phone": "+33 6 11 22 33 44"})).await.assert(StatusCode::OK);
    service::set_blocked(&app.state, "Blocked@example.fr", true).await.unwrap();
    // The open session stops at once.
    c.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
    // Only someone with the password learns the account is blocked.
    app.client()
        .login("blocked@example.fr", "wrong password!")
        .await
        .problem(StatusCode::UNAUTHORIZED, "invalid-credentials");
    app.client().login("blocked@example.fr", PASSWORD).await.problem(StatusCode::FORBIDDEN, "account-blocked");
    // The address cannot register again, and nothing is mailed to it.
    let before = app.mails_to("blocked@example.fr").await.len();
    app.client_from("198.51.100.3")
        .signup("blocked@example.fr", "another pass 12", "B", "C")
        .await
        .assert(StatusCode::ACCEPTED);
    assert_eq!(app.mails_to("blocked@example.fr").await.len(), before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM signups WHERE email_norm = 'blocked@example.fr' AND used_at IS NULL").await,
        0
    );
    // Nor reset its password.
    app.client()
        .post_json("/api/v1/auth/password/forgot", json!({"email": "blocked@example.fr"}))
        .await
        .assert(StatusCode::ACCEPTED);
    assert_eq!(app.mails_to("blocked@example.fr").await.len(), before);
    // Unblocking restores it exactly.
    service::set_blocked(&app.state, "blocked@example.fr", false).await.unwrap();
    let again = app.client();
    again.login("blocked@example.fr", PASSWORD).await.assert(StatusCode::OK);
    assert_eq!(again.get("/api/v1/me").await.json()["mobile_phone"], "+33611223344");
}

async fn login_is_rate_limited_per_address(app: TestApp) {
    app.user("target@example.fr").await;
    // Successful logins never count: someone who logs in often is never locked out.
    let c = app.client_from("198.51.100.99");
    for _ in 0..15 {
        c.login("target@example.fr", PASSWORD).await.assert(StatusCode::OK);
    }
    // Ten wrong passwords fill the window, even spread over addresses.
    for i in 0..10 {
        let c = app.client_from(&format!("198.51.100.{}", 10 + i));
        c.login("target@example.fr", "wrong password!").await.assert(StatusCode::UNAUTHORIZED);
    }
    let r = c.login("TARGET@example.fr", PASSWORD).await;
    r.problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
    assert!(r.header("retry-after").is_some());
    app.advance(SignedDuration::from_mins(16));
    c.login("target@example.fr", PASSWORD).await.assert(StatusCode::OK);
}

async fn signup_and_reset_are_rate_limited(app: TestApp) {
    let c = app.client_from("198.51.100.200");
    let mut last = StatusCode::OK;
    for i in 0..25 {
        let r = c
            .post_json(
                "/api/v1/auth/signup",
                json!({"email": format!("p{i}@example.fr"), "password": PASSWORD, "first_name": "P", "last_name": "Q"}),
            )
            .await;
        last = r.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let mut statuses = Vec::new();
    for i in 0..7 {
        let c = app.client_from(&format!("192.0.2.{i}"));
        statuses.push(c.post_json("/api/v1/auth/password/forgot", json!({"email": "someone@example.fr"})).await.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count(), 5);
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
}

async fn sessions_are_listed_and_revocable(app: TestApp) {
    let laptop = app.user("s@example.fr").await;
    let phone = app.client_from("203.0.113.50");
    phone.login("s@example.fr", PASSWORD).await.assert(StatusCode::OK);
    let tablet = app.client_from("203.0.113.51");
    tablet.login("s@example.fr", PASSWORD).await.assert(StatusCode::OK);
    let list = laptop.get("/api/v1/me/sessions").await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_id = list.iter().find(|s| s["ip"] == "203.0.113.50").unwrap()["id"].as_str().unwrap().to_string();

    // Another account cannot end my session, and learns nothing.
    let other = app.user("other@example.fr").await;
    other.delete(&format!("/api/v1/me/sessions/{phone_id}")).await.problem(StatusCode::NOT_FOUND, "not-found");
    phone.get("/api/v1/me").await.assert(StatusCode::OK);

    laptop.delete(&format!("/api/v1/me/sessions/{phone_id}")).await.assert(StatusCode::NO_CONTENT);
    phone.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
    tablet.get("/api/v1/me").await.assert(StatusCode::OK);
    let r = laptop.post_json("/api/v1/me/sessions/revoke-others", json!({})).await;
    r.assert(StatusCode::OK);
    assert_eq!(r.json()["sessions_ended"], 1);
    tablet.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
    laptop.get("/api/v1/me").await.assert(StatusCode::OK);

    // Idle sessions end by themselves.
    app.advance(SignedDuration::from_hours(24 * 15));
    laptop.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
}

async fn password_change_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
    let c = app.user("pw@example.fr").await;
    let other = app.client_from("203.0.113.77");
    other.login("pw@example.fr", PASSWORD).await.assert(StatusCode::OK);
    let change = |cur: &str, new: &str, confirm: &str| json!({"current_password": cur, "new_password": new, "new_password_confirm": confirm});
    let r =
        c.post_json("/api/v1/me/password", change("not the password", "fresh password 1", "fresh password 1")).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["field"], "current_password");
    let r = c.post_json("/api/v1/me/password", change(PASSWORD, "fresh password 1", "fresh password 2")).await;
    assert_eq!(r.json()["errors"][0]["code"], "password-mismatch");
    c.post_json("/api/v1/me/password", change(PASSWORD, "fresh password 1", "fresh password 1"))
        .await
        .assert(StatusCode::OK);
    c.get("/api/v1/me").await.assert(StatusCode::OK);
    other.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);
    app.client().login("pw@example.fr", PASSWORD).await.assert(StatusCode::UNAUTHORIZED);
    app.client().login("pw@example.fr", "fresh password 1").await.assert(StatusCode::OK);
}

async fn profile_updates_and_refuses_mass_assignment(app: TestApp) {
    let c = app.user("p@example.fr").await;
    let r = c
        .patch_json(
            "/api/v1/me",
            json!({"first_name": " Zoé ", "mobile_phone": "+32 470 12 34 56", "country": "be", "time_zone": "Europe/Brussels", "language": "en"}),
        )
        .await;
    r.assert(StatusCode::OK);
    let me = r.json();
    assert_eq!(
        (me["first_name"].as_str(), me["country"].as_str(), me["language"].as_str()),
        (Some("Zoé"), Some("BE"), Some("en"))
    );
    assert_eq!(me["mobile_phone"], "+32470123456");

    for forbidden in [
        json!({"email": "evil@example.fr"}),
        json!({"role": "owner"}),
        json!({"email_verified": true}),
        json!({"id": "x"}),
    ] {
        c.patch_json("/api/v1/me", forbidden).await.problem(StatusCode::BAD_REQUEST, "invalid-body");
    }
    let r = c.patch_json("/api/v1/me", json!({"time_zone": "Mars/Olympus", "country": "FRA"})).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"].as_array().unwrap().len(), 2);
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["email"], "p@example.fr");
    assert_eq!(me["time_zone"], "Europe/Brussels");
    // Clearing optional fields.
    let me = c.patch_json("/api/v1/me", json!({"mobile_phone": "", "language": ""})).await.json();
    assert!(me["mobile_phone"].is_null() && me["language"].is_null());
}

fn code_for(secret: &str, at: jiff::Timestamp) -> String {
    let raw = crypto::base32_decode(secret).unwrap();
    format!("{:06}", crypto::totp_code(&raw, at.as_second().div_euclid(30)))
}

async fn totp_second_factor_never_replaces_the_password(app: TestApp) {
    let c = app.user("mfa@example.fr").await;
    let other = app.client_from("203.0.113.88");
    other.login("mfa@example.fr", PASSWORD).await.assert(StatusCode::OK);
    c.post_json("/api/v1/me/totp/setup", json!({"password": "wrong one!!"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let setup = c.post_json("/api/v1/me/totp/setup", json!({"password": PASSWORD})).await;
    setup.assert(StatusCode::OK);
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    assert!(setup.json()["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    c.post_json("/api/v1/me/totp/enable", json!({"code": "000000"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    c.post_json("/api/v1/me/totp/enable", json!({"code": code_for(&secret, app.clock_now())}))
        .await
        .assert(StatusCode::OK);
    assert_eq!(c.get("/api/v1/me").await.json()["totp_enabled"], true);
    other.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);

    app.advance(SignedDuration::from_secs(60));
    let fresh = app.client();
    fresh.login("mfa@example.fr", PASSWORD).await.problem(StatusCode::UNAUTHORIZED, "totp-required");
    let code = code_for(&secret, app.clock_now());
    // A right code with a wrong password is still refused.
    fresh
        .post_json(
            "/api/v1/auth/login",
            json!({"email": "mfa@example.fr", "password": "wrong password!", "totp_code": code}),
        )
        .await
        .problem(StatusCode::UNAUTHORIZED, "invalid-credentials");
    fresh
        .post_json(
            "/api/v1/auth/login",
            json!({"email": "mfa@example.fr", "password": PASSWORD, "totp_code": "123456"}),
        )
        .await
        .problem(StatusCode::UNAUTHORIZED, "invalid-totp");
    fresh
        .post_json("/api/v1/auth/login", json!({"email": "mfa@example.fr", "password": PASSWORD, "totp_code": code}))
        .await
        .assert(StatusCode::OK);
    // The same code cannot be replayed.
    app.client()
        .post_json("/api/v1/auth/login", json!({"email": "mfa@example.fr", "password": PASSWORD, "totp_code": code}))
        .await
        .problem(StatusCode::UNAUTHORIZED, "invalid-totp");
    // Turning it off needs password and a fresh code.
    app.advance(SignedDuration::from_secs(60));
    fresh
        .post_json("/api/v1/me/totp/disable", json!({"password": PASSWORD, "code": "000000"}))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let code = code_for(&secret, app.clock_now());
    fresh
        .post_json("/api/v1/me/totp/disable", json!({"password": PASSWORD, "code": code}))
        .await
        .assert(StatusCode::OK);
    app.client().login("mfa@example.fr", PASSWORD).await.assert(StatusCode::OK);
}

async fn emailed_links_use_the_configured_base_url(app: TestApp) {
    let c = app.client();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/auth/signup")
        .header("content-type", "application/json")
        .header("host", "evil.example.com")
        .header("x-forwarded-host", "evil.example.com")
        .body(axum::body::Body::from(
            json!({"email": "links@example.fr", "password": PASSWORD, "first_name": "L", "last_name": "M"}).to_string(),
        ))
        .unwrap();
    c.send(req).await.assert(StatusCode::ACCEPTED);
    let mail = app.last_mail_to("links@example.fr").await;
    assert!(mail.text.contains("http://creneau.test/verify?token="), "{}", mail.text);
    assert!(!mail.text.contains("evil"));
    assert!(!mail.html.contains("evil"));
}

impl TestApp {
    pub fn clock_now(&self) -> jiff::Timestamp {
        use creneau::clock::Clock;
        self.clock.now()
    }
}

/// SECURITY (accounts): an attacker signs up with the victim's address; the victim, puzzled,
/// clicks the confirmation mail. That must not create an account holding the attacker's
/// password: away from the browser that signed up, the sign-up's password is asked.
async fn clicking_a_link_someone_else_requested_does_not_give_them_the_account(app: TestApp) {
    let attacker = app.client_from("198.51.100.66");
    attacker.signup("victim@example.fr", "attacker password", "V", "X").await.assert(StatusCode::ACCEPTED);
    let token = link_token(&app.last_mail_to("victim@example.fr").await, "/verify?token=");
    let victim = app.client();
    // The link alone, from the victim's browser: refused, nothing created, link still alive.
    victim
        .post_json("/api/v1/auth/verify", json!({"token": token}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    victim
        .post_json("/api/v1/auth/verify", json!({"token": token, "password": "a guess at it"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE email_norm = 'victim@example.fr'").await, 0);
    // The page says why and asks for the password instead of confirming.
    let page = victim.get(&format!("/verify?token={token}")).await;
    assert!(page.text().contains("name=\"password\""), "{}", page.text());
    let r = victim.post_form("/verify", &[("token", &token)]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("role=\"alert\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    // The victim signs up for real; their own link works from their browser, and the
    // attacker's password never opens the account.
    victim.signup("victim@example.fr", "victim password 1", "Vera", "Martin").await.assert(StatusCode::ACCEPTED);
    let own = link_token(&app.last_mail_to("victim@example.fr").await, "/verify?token=");
    victim.post_json("/api/v1/auth/verify", json!({"token": own})).await.assert(StatusCode::OK);
    app.client().login("victim@example.fr", "attacker password").await.assert(StatusCode::UNAUTHORIZED);
    app.client().login("victim@example.fr", "victim password 1").await.assert(StatusCode::OK);
    attacker
        .post_json("/api/v1/auth/verify", json!({"token": token}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
    // Someone who signed up on a computer and opens the mail on a phone gives the password.
    let laptop = app.client();
    laptop.signup("phone@example.fr", "phone password 1", "P", "Q").await.assert(StatusCode::ACCEPTED);
    let t = link_token(&app.last_mail_to("phone@example.fr").await, "/verify?token=");
    let phone = app.client();
    let r = phone.post_form("/verify", &[("token", &t), ("password", "phone password 1")]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(phone.get("/api/v1/me").await.json()["email"] == "phone@example.fr", "the password proved it: signed in");
    app.client().login("phone@example.fr", "phone password 1").await.assert(StatusCode::OK);
}

async fn simultaneous_profile_edits_of_different_fields_both_stay(app: TestApp) {
    let c = app.user("tabs@example.fr").await;
    for i in 0..10 {
        let name = format!("Name{i}");
        let zone = if i % 2 == 0 { "Europe/Brussels" } else { "America/New_York" };
        let (a, b) = tokio::join!(
            c.patch_json("/api/v1/me", json!({"first_name": name})),
            c.patch_json("/api/v1/me", json!({"time_zone": zone}))
        );
        a.assert(StatusCode::OK);
        b.assert(StatusCode::OK);
        let me = c.get("/api/v1/me").await.json();
        assert_eq!(
            (me["first_name"].as_str(), me["time_zone"].as_str()),
            (Some(name.as_str()), Some(zone)),
            "round {i}"
        );
    }
}

/// Session lookups that arrive together are answered by one query (`SessionLookups`): under
/// load, every request must still get its own account, its own membership of the
/// organisation its path names, and nothing for a session that has ended.
async fn simultaneous_requests_of_many_sessions_each_get_their_own_identity(app: TestApp) {
    let mut owners = Vec::new();
    for i in 0..4 {
        owners.push(owner_with_org(&app, &format!("owner{i}@many.fr"), &format!("Org {i}")).await);
    }
    // A session that has ended, its cookie sent again.
    let gone = app.user("gone@many.fr").await;
    let ended = gone.cookie("creneau_session").unwrap();
    gone.post_json("/api/v1/auth/logout", serde_json::json!({})).await.assert(StatusCode::NO_CONTENT);
    gone.set_cookie("creneau_session", &ended);
    enum Ask {
        Me(usize),
        Own(usize),
        Other(usize),
        Gone,
    }
    let asks: Vec<Ask> = (0..96)
        .map(|n| match n % 4 {
            0 => Ask::Me(n / 4 % 4),
            1 => Ask::Own(n / 4 % 4),
            2 => Ask::Other(n / 4 % 4),
            _ => Ask::Gone,
        })
        .collect();
    let (owners_ref, gone_ref) = (&owners, &gone);
    let requests = asks.iter().map(|a| async move {
        let (owners, gone) = (owners_ref, gone_ref);
        match *a {
            Ask::Me(i) => owners[i].0.get("/api/v1/me").await,
            Ask::Own(i) => owners[i].0.get(&format!("/api/v1/orgs/{}", owners[i].1)).await,
            Ask::Other(i) => owners[i].0.get(&format!("/api/v1/orgs/{}/locations", owners[(i + 1) % 4].1)).await,
            Ask::Gone => gone.get("/api/v1/me").await,
        }
    });
    let before = app.state.sessions.counts();
    let results = futures_util::future::join_all(requests).await;
    let after = app.state.sessions.counts();
    assert_eq!(after.0 - before.0, 96, "one lookup per request");
    assert!(after.1 - before.1 < 96, "lookups were answered together: {before:?} → {after:?}");
    for (ask, r) in asks.iter().zip(&results) {
        match *ask {
            Ask::Me(i) => {
                r.assert(StatusCode::OK);
                assert_eq!(r.json()["email"], format!("owner{i}@many.fr"), "{}", r.text());
                assert_eq!(r.json()["active_org"]["id"].as_str(), Some(owners[i].1.as_str()));
            }
            Ask::Own(i) => {
                r.assert(StatusCode::OK);
                assert_eq!(r.json()["name"], format!("Org {i}"), "{}", r.text());
            }
            Ask::Other(_) => {
                r.problem(StatusCode::NOT_FOUND, "not-found");
            }
            Ask::Gone => {
                r.problem(StatusCode::UNAUTHORIZED, "unauthenticated");
            }
        }
    }
}
