//! Organisations: create, list, switch; isolation between accounts.

use crate::helpers::{PASSWORD, TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use serde_json::json;

dual!(
    create_list_and_switch,
    slugs_are_unique_and_validated,
    another_accounts_org_is_invisible,
    session_owner_never_changes,
    settings_and_required_second_factor
);

async fn create_list_and_switch(app: TestApp) {
    let c = app.user("owner@example.fr").await;
    let r = c.post_json("/api/v1/orgs", json!({"name": "Salon Étoile"})).await;
    r.assert(StatusCode::CREATED);
    let first = r.json();
    assert_eq!(first["slug"], "salon-etoile");
    assert_eq!(first["role"], "owner");
    assert_eq!(first["active"], true);
    let second = c.post_json("/api/v1/orgs", json!({"name": "Cabinet Nord", "slug": "cabinet-nord"})).await.json();
    let list = c.get("/api/v1/orgs").await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(c.get("/api/v1/me").await.json()["active_org"]["id"], second["id"]);

    let r = c.put_json("/api/v1/me/active-org", json!({"org_id": first["id"]})).await;
    r.assert(StatusCode::OK);
    assert_eq!(r.json()["active_org"]["slug"], "salon-etoile");
    assert_eq!(c.get("/api/v1/me").await.json()["active_org"]["name"], "Salon Étoile");
    // The personal space.
    c.put_json("/api/v1/me/active-org", json!({"org_id": null})).await.assert(StatusCode::OK);
    assert!(c.get("/api/v1/me").await.json()["active_org"].is_null());
    // Audit rows landed in each organisation's chain.
    let n =
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE org_id = '{}'", first["id"].as_str().unwrap())).await;
    assert_eq!(n, 2, "org.created and member.added");
}

async fn slugs_are_unique_and_validated(app: TestApp) {
    let c = app.user("o@example.fr").await;
    c.post_json("/api/v1/orgs", json!({"name": "A", "slug": "same-slug"})).await.assert(StatusCode::CREATED);
    let other = app.user("o2@example.fr").await;
    let r = other.post_json("/api/v1/orgs", json!({"name": "B", "slug": "Same-Slug"})).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["code"], "slug-taken");
    let r = other.post_json("/api/v1/orgs", json!({"name": "", "slug": "-bad"})).await;
    assert_eq!(r.json()["errors"].as_array().unwrap().len(), 2);
    other
        .post_json("/api/v1/orgs", json!({"name": "B", "owner_id": "x"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-body");
    assert_eq!(app.count("SELECT COUNT(*) FROM orgs").await, 1);
}

async fn another_accounts_org_is_invisible(app: TestApp) {
    let a = app.user("a@example.fr").await;
    let org = a.post_json("/api/v1/orgs", json!({"name": "A corp"})).await.json();
    let b = app.user("b@example.fr").await;
    assert_eq!(b.get("/api/v1/orgs").await.json(), json!([]));
    let wrong = b.put_json("/api/v1/me/active-org", json!({"org_id": org["id"]})).await;
    let missing = b.put_json("/api/v1/me/active-org", json!({"org_id": "00000000-0000-0000-0000-000000000000"})).await;
    wrong.problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(wrong.body, missing.body, "a foreign id answers exactly like a missing one");
    assert!(b.get("/api/v1/me").await.json()["active_org"].is_null());
}

async fn session_owner_never_changes(app: TestApp) {
    let a = app.user("sa@example.fr").await;
    let b = app.user("sb@example.fr").await;
    let b_id = b.get("/api/v1/me").await.json()["id"].clone();
    // Whatever a body says, the session stays its own.
    a.put_json("/api/v1/me/active-org", json!({"org_id": null, "account_id": b_id}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-body");
    a.patch_json("/api/v1/me", json!({"id": b_id})).await.problem(StatusCode::BAD_REQUEST, "invalid-body");
    assert_eq!(a.get("/api/v1/me").await.json()["email"], "sa@example.fr");
}

async fn enable_totp(app: &TestApp, c: &crate::helpers::Client<'_>) {
    let secret = c.post_json("/api/v1/me/totp/setup", json!({"password": PASSWORD})).await.json()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let raw = creneau::crypto::base32_decode(&secret).unwrap();
    let code = format!("{:06}", creneau::crypto::totp_code(&raw, app.clock_now().as_second().div_euclid(30)));
    c.post_json("/api/v1/me/totp/enable", json!({"code": code})).await.assert(StatusCode::OK);
}

async fn settings_and_required_second_factor(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@set.fr", "Set").await;
    let (staff, _) = owner.join(&org, "staff@set.fr", json!({"role": "staff"})).await;
    let (admin, _) = owner.join(&org, "admin@set.fr", json!({"role": "administrator"})).await;
    let path = format!("/api/v1/orgs/{org}");
    staff.patch_json(&path, json!({"name": "Mine"})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    let r = admin.patch_json(&path, json!({"name": "Set & Co"})).await;
    r.assert(StatusCode::OK);
    assert_eq!(r.json()["name"], "Set & Co");
    assert_eq!(r.json()["require_totp"], false);
    // No self lock-out: one's own second factor first.
    owner
        .patch_json(&path, json!({"require_totp": true}))
        .await
        .problem(StatusCode::CONFLICT, "enable-your-own-2fa-first");
    enable_totp(&app, &owner).await;
    owner.patch_json(&path, json!({"require_totp": true})).await.assert(StatusCode::OK);
    // Members without a second factor are stopped at the door until they turn it on.
    staff.org_get(&org, "/calendars").await.problem(StatusCode::FORBIDDEN, "totp-required-by-organisation");
    staff.get("/api/v1/me").await.assert(StatusCode::OK);
    app.advance(jiff::SignedDuration::from_secs(60));
    enable_totp(&app, &staff).await;
    staff.org_get(&org, "/calendars").await.assert(StatusCode::OK);
    owner.org_get(&org, "/calendars").await.assert(StatusCode::OK);
    let audit = owner.org_get(&org, "/audit?action=org.settings_updated").await.json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 2);
}
