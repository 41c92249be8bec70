//! The second factor is limited per account across every address: wrong codes fill one
//! window, wherever they come from (login, turning the factor off), and a full window
//! answers the same whether the password was right or not.

use crate::helpers::{Client, PASSWORD, TestApp, dual};
use axum::http::StatusCode;
use creneau::crypto;
use jiff::SignedDuration;
use serde_json::json;

dual!(totp_guesses_from_many_addresses_end_in_429, wrong_codes_when_turning_off_count_against_login_too);

fn code_at(secret: &str, at: jiff::Timestamp, offset: i64) -> String {
    let raw = crypto::base32_decode(secret).unwrap();
    format!("{:06}", crypto::totp_code(&raw, at.as_second().div_euclid(30) + offset))
}

/// A code that none of the accepted steps (now, one either side) produces.
fn wrong_code(secret: &str, at: jiff::Timestamp, n: u32) -> String {
    let valid: Vec<String> = (-1..=1).map(|o| code_at(secret, at, o)).collect();
    (n..).map(|i| format!("{:06}", (i * 7919) % 1_000_000)).find(|c| !valid.contains(c)).unwrap()
}

/// Turn TOTP on for a signed-in client; returns the secret.
pub async fn enable_totp(app: &TestApp, c: &Client<'_>) -> String {
    let setup = c.post_json("/api/v1/me/totp/setup", json!({"password": PASSWORD})).await;
    setup.assert(StatusCode::OK);
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    c.post_json("/api/v1/me/totp/enable", json!({"code": code_at(&secret, app.clock_now(), 0)}))
        .await
        .assert(StatusCode::OK);
    // The enabling code's step is used up; later codes come from later steps.
    app.advance(SignedDuration::from_secs(60));
    secret
}

fn login_body(password: &str, code: &str) -> serde_json::Value {
    json!({"email": "guess@example.fr", "password": password, "totp_code": code})
}

async fn totp_guesses_from_many_addresses_end_in_429(app: TestApp) {
    let owner = app.user("guess@example.fr").await;
    let secret = enable_totp(&app, &owner).await;
    let mut statuses = Vec::new();
    for i in 0..40u32 {
        let guesser = app.client_from(&format!("198.51.100.{}", 100 + i));
        let r = guesser
            .post_json("/api/v1/auth/login", login_body(PASSWORD, &wrong_code(&secret, app.clock_now(), i)))
            .await;
        statuses.push(r.status);
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(limited >= 25, "40 guesses from 40 addresses: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));

    // Now even the right code is refused, and a wrong password gets exactly the same answer.
    let right = code_at(&secret, app.clock_now(), 0);
    let with_right_code =
        app.client_from("192.0.2.77").post_json("/api/v1/auth/login", login_body(PASSWORD, &right)).await;
    with_right_code.problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
    assert!(with_right_code.header("retry-after").is_some());
    let with_wrong_password =
        app.client_from("192.0.2.78").post_json("/api/v1/auth/login", login_body("not the password!", &right)).await;
    assert_eq!(with_wrong_password.status, with_right_code.status);
    assert_eq!(with_wrong_password.header("retry-after"), with_right_code.header("retry-after"));
    assert_eq!(with_wrong_password.json(), with_right_code.json());
    // Nor can the factor be turned off from a session meanwhile, right code or not; once
    // the window has passed, the right code works again.
    off_refused_then_login_after_the_window(&app, &owner, &secret, &right, "192.0.2.79").await;
}

async fn wrong_codes_when_turning_off_count_against_login_too(app: TestApp) {
    let owner = app.user("guess@example.fr").await;
    let secret = enable_totp(&app, &owner).await;
    // Five wrong codes through "turn off" (a stolen session that also knows the password)
    // and five through the login, from five addresses…
    for i in 0..5u32 {
        let r = owner
            .post_json(
                "/api/v1/me/totp/disable",
                json!({"password": PASSWORD, "code": wrong_code(&secret, app.clock_now(), i)}),
            )
            .await;
        r.assert(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "invalid-totp");
    }
    for i in 5..10u32 {
        app.client_from(&format!("198.51.100.{i}"))
            .post_json("/api/v1/auth/login", login_body(PASSWORD, &wrong_code(&secret, app.clock_now(), i)))
            .await
            .problem(StatusCode::UNAUTHORIZED, "invalid-totp");
    }
    // …fill the account's one window: the right code is refused at login, from any address,
    // exactly as a wrong password is, and when turning the factor off.
    let right = code_at(&secret, app.clock_now(), 0);
    let r = app.client_from("192.0.2.90").post_json("/api/v1/auth/login", login_body(PASSWORD, &right)).await;
    r.problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
    assert!(r.header("retry-after").is_some());
    let wrong_password =
        app.client_from("192.0.2.91").post_json("/api/v1/auth/login", login_body("not the password!", &right)).await;
    assert_eq!((wrong_password.status, wrong_password.json()), (r.status, r.json()));
    off_refused_then_login_after_the_window(&app, &owner, &secret, &right, "192.0.2.92").await;
}

/// With the account's window full, `right` (the current code) cannot turn the factor off;
/// 16 minutes later the right code of then logs in again, from `ip`.
async fn off_refused_then_login_after_the_window(
    app: &TestApp,
    owner: &Client<'_>,
    secret: &str,
    right: &str,
    ip: &str,
) {
    owner
        .post_json("/api/v1/me/totp/disable", json!({"password": PASSWORD, "code": right}))
        .await
        .problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
    app.advance(SignedDuration::from_mins(16));
    let right = code_at(secret, app.clock_now(), 0);
    app.client_from(ip).post_json("/api/v1/auth/login", login_body(PASSWORD, &right)).await.assert(StatusCode::OK);
}
