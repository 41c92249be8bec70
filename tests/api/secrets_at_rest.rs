//! Secrets at rest: TOTP seeds are sealed with the server key, legacy plaintext rows keep
//! working and are sealed at start-up, and a server with another key cannot read them.

use crate::{
    helpers::{PASSWORD, TestApp, dual},
    second_factor::enable_totp,
};
use axum::http::StatusCode;
use creneau::{crypto, features::accounts::service};
use jiff::SignedDuration;
use serde_json::json;

dual!(totp_secrets_are_sealed_with_the_server_key, plaintext_secrets_of_earlier_versions_keep_working_and_get_sealed);

fn code_now(app: &TestApp, secret: &str) -> String {
    let raw = crypto::base32_decode(secret).unwrap();
    format!("{:06}", crypto::totp_code(&raw, app.clock_now().as_second().div_euclid(30)))
}

async fn stored(app: &TestApp) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT totp_secret, totp_pending_secret FROM accounts WHERE email_norm = 'sealed@example.fr'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

fn login(code: &str) -> serde_json::Value {
    json!({"email": "sealed@example.fr", "password": PASSWORD, "totp_code": code})
}

async fn totp_secrets_are_sealed_with_the_server_key(app: TestApp) {
    let c = app.user("sealed@example.fr").await;
    // The pending secret is sealed too.
    let setup = c.post_json("/api/v1/me/totp/setup", json!({"password": PASSWORD})).await.json();
    let pending = setup["secret"].as_str().unwrap();
    let (_, stored_pending) = stored(&app).await;
    let stored_pending = stored_pending.unwrap();
    assert!(stored_pending.starts_with("v1:") && !stored_pending.contains(pending), "{stored_pending}");

    let secret = enable_totp(&app, &c).await;
    let (column, pending_column) = stored(&app).await;
    let column = column.unwrap();
    assert!(pending_column.is_none());
    assert!(crypto::is_sealed(&column) && column.starts_with("v1:"), "{column}");
    assert!(!column.to_uppercase().contains(&secret[..16]), "the base32 seed is not in the column");
    // Login with the factor still works.
    app.client_from("192.0.2.20")
        .post_json("/api/v1/auth/login", login(&code_now(&app, &secret)))
        .await
        .assert(StatusCode::OK);

    // A server with another key cannot read it: a clear error (in the log), a 500 problem
    // document for the client, no panic, nothing written.
    let other = app.sibling(|c| c.secret_key = Some(crypto::SecretKey::generate()));
    app.advance(SignedDuration::from_secs(60));
    let code = code_now(&app, &secret);
    let ctx = creneau::http::Ctx {
        request_id: "test".into(),
        ip: Some("192.0.2.21".into()),
        user_agent: None,
        lang: creneau::types::Lang::En,
        csrf: String::new(),
        signed_in: None,
    };
    let input = || service::LoginInput {
        email: "sealed@example.fr".into(),
        password: PASSWORD.into(),
        totp_code: Some(code.clone()),
    };
    let err = service::login(&other.state, &ctx, input()).await.err().expect("another key cannot open the seed");
    assert!(err.to_string().contains("sealed with another key"), "{err}");
    other
        .client_from("192.0.2.22")
        .post_json("/api/v1/auth/login", login(&code))
        .await
        .problem(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert!(matches!(
        crypto::open(other.state.secret_key().unwrap(), &column, b"any"),
        Err(crypto::OpenError::OtherKey { .. })
    ));
    assert_eq!(stored(&app).await.0.as_deref(), Some(column.as_str()), "the sealed seed is untouched");
    // At start-up the server says so (see main.rs); here, the count it logs.
    let key_of = |a: &TestApp| a.state.secret_key().unwrap().clone();
    assert_eq!(service::secrets_sealed_with_another_key(&app.state.db, &key_of(&other)).await.unwrap(), 1);
    assert_eq!(service::secrets_sealed_with_another_key(&app.state.db, &key_of(&app)).await.unwrap(), 0);
    // The right server still reads it.
    app.client_from("192.0.2.23").post_json("/api/v1/auth/login", login(&code)).await.assert(StatusCode::OK);
}

async fn plaintext_secrets_of_earlier_versions_keep_working_and_get_sealed(app: TestApp) {
    app.user("sealed@example.fr").await;
    // As an earlier version wrote it: the base32 seed itself.
    let secret = crypto::new_totp_secret();
    sqlx::query("UPDATE accounts SET totp_secret = $1, totp_enabled_at = $2 WHERE email_norm = 'sealed@example.fr'")
        .bind(&secret)
        .bind(creneau::clock::to_ms(app.clock_now()))
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.client_from("192.0.2.30")
        .post_json("/api/v1/auth/login", login(&code_now(&app, &secret)))
        .await
        .assert(StatusCode::OK);
    // Start-up seals it; it keeps working.
    let key = app.state.secret_key().unwrap();
    assert_eq!(service::seal_plaintext_secrets(&app.state.db, key).await.unwrap(), 1);
    assert_eq!(service::seal_plaintext_secrets(&app.state.db, key).await.unwrap(), 0, "once only");
    let column = stored(&app).await.0.unwrap();
    assert!(crypto::is_sealed(&column) && !column.contains(&secret));
    app.advance(SignedDuration::from_secs(60));
    app.client_from("192.0.2.31")
        .post_json("/api/v1/auth/login", login(&code_now(&app, &secret)))
        .await
        .assert(StatusCode::OK);
}
