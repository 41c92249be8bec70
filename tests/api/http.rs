//! HTTP behaviour: bad input, security headers, CSRF, cross-origin requests, pages.

use crate::helpers::{PASSWORD, TestApp, dual, link_token};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

dual!(
    bad_input_gets_a_problem_and_changes_nothing,
    security_headers_are_set,
    page_forms_need_the_csrf_token,
    cross_origin_api_writes_are_refused,
    pages_flow_signup_to_dashboard,
    pages_escape_what_users_type,
    unknown_routes_are_404,
    pages_reset_password_sessions_and_second_factor,
    errors_speak_the_language_asked_for,
);

#[tokio::test]
async fn https_deployments_use_host_prefixed_secure_cookies() {
    let app = TestApp::sqlite_configured(|c| c.base_url = "https://rdv.example.fr".into()).await;
    let c = app.client();
    let page = c.get("/login").await;
    let csrf = page.header("set-cookie").unwrap();
    assert!(csrf.starts_with("__Host-creneau_csrf=") && csrf.contains("; Secure") && csrf.contains("Path=/"), "{csrf}");
    c.signup("h@example.fr", PASSWORD, "H", "S").await.assert(StatusCode::ACCEPTED);
    let token = link_token(&app.last_mail_to("h@example.fr").await, "https://rdv.example.fr/verify?token=");
    c.post_json("/api/v1/auth/verify", json!({"token": token})).await.assert(StatusCode::OK);
    let r = c.login("h@example.fr", PASSWORD).await;
    let session = r.header("set-cookie").unwrap();
    assert!(
        session.starts_with("__Host-creneau_session=") && session.contains("; Secure") && session.contains("HttpOnly")
    );
    c.get("/api/v1/me").await.assert(StatusCode::OK);
}

async fn bad_input_gets_a_problem_and_changes_nothing(app: TestApp) {
    let c = app.client();
    let raw = |body: &'static str, ctype: Option<&str>| {
        let mut b = Request::builder().method("POST").uri("/api/v1/auth/signup");
        if let Some(t) = ctype {
            b = b.header(header::CONTENT_TYPE, t);
        }
        b.body(Body::from(body)).unwrap()
    };
    c.send(raw("{not json", Some("application/json"))).await.problem(StatusCode::BAD_REQUEST, "malformed-json");
    c.send(raw(r#"{"email": 5, "password": "x", "first_name": "a", "last_name": "b"}"#, Some("application/json")))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-body");
    c.send(raw(r#"{"email": "a@b.fr"}"#, Some("application/json")))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-body");
    c.send(raw(
        r#"{"email":"a@b.fr","password":"long enough pw","first_name":"a","last_name":"b"}"#,
        Some("text/plain"),
    ))
    .await
    .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    c.send(raw(
        r#"{"email":"a@b.fr","password":"long enough pw","first_name":"a","last_name":"b","is_admin":true}"#,
        Some("application/json"),
    ))
    .await
    .problem(StatusCode::BAD_REQUEST, "invalid-body");
    let huge = format!(r#"{{"email":"a@b.fr","password":"{}","first_name":"a","last_name":"b"}}"#, "x".repeat(100_000));
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .unwrap();
    c.send(req).await.problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    let r = c.signup("nope", "short", " ", "x").await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields: Vec<_> =
        r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, ["email", "password", "first_name"]);
    // Odd bytes in paths and headers do not crash anything.
    c.get("/api/v1/me/sessions/%00%ff").await;
    c.delete("/api/v1/me/sessions/..%2F..%2Fetc").await.assert(StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM signups").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}

async fn security_headers_are_set(app: TestApp) {
    for path in ["/", "/login", "/api/v1/me", "/healthz"] {
        let r = app.client().get(path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(r.header("strict-transport-security").is_some());
        assert!(r.header("referrer-policy").is_some());
    }
    let page = app.client().get("/login").await;
    assert!(!page.text().contains("<script>"), "no inline script");
}

async fn page_forms_need_the_csrf_token(app: TestApp) {
    let c = app.user("csrf@example.fr").await;
    c.get("/").await.assert(StatusCode::OK);
    // No token, a wrong token, or the right token in a JSON body: refused.
    c.post_form_raw("/orgs", &[("name", "Forged")]).await.assert(StatusCode::FORBIDDEN);
    c.post_form_raw("/orgs", &[("_csrf", "A".repeat(43).as_str()), ("name", "Forged")])
        .await
        .assert(StatusCode::FORBIDDEN);
    let token = c.cookie("creneau_csrf").unwrap();
    let req = Request::builder()
        .method("POST")
        .uri("/orgs")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"_csrf": token, "name": "Forged"}).to_string()))
        .unwrap();
    c.send(req).await.assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM orgs").await, 0);
    // A real form with the token works.
    c.post_form("/orgs", &[("name", "Real one")]).await.assert(StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM orgs").await, 1);
    // Logout is a POST with the token too.
    c.post_form_raw("/logout", &[]).await.assert(StatusCode::FORBIDDEN);
    c.get("/api/v1/me").await.assert(StatusCode::OK);
}

async fn cross_origin_api_writes_are_refused(app: TestApp) {
    let c = app.user("co@example.fr").await;
    let req = |origin: &str, site: Option<&str>| {
        let mut b = Request::builder()
            .method("POST")
            .uri("/api/v1/orgs")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, origin);
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(Body::from(json!({"name": "Cross"}).to_string())).unwrap()
    };
    c.send(req("https://evil.example", None)).await.problem(StatusCode::FORBIDDEN, "cross-origin");
    c.send(req("http://creneau.test", Some("cross-site"))).await.problem(StatusCode::FORBIDDEN, "cross-origin");
    assert_eq!(app.count("SELECT COUNT(*) FROM orgs").await, 0);
    c.send(req("http://creneau.test", Some("same-origin"))).await.assert(StatusCode::CREATED);
}

async fn pages_flow_signup_to_dashboard(app: TestApp) {
    let c = app.client();
    let form = c.get("/signup").await;
    form.assert(StatusCode::OK);
    assert!(form.text().contains("name=\"_csrf\""));
    // Invalid input re-renders the form with messages and keeps what was typed (not the password).
    let r = c
        .post_form(
            "/signup",
            &[("first_name", "Léa"), ("last_name", ""), ("email", "lea@example.fr"), ("password", "secret-pw-123")],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"Léa\"") && !r.text().contains("secret-pw-123"));
    let r = c
        .post_form(
            "/signup",
            &[("first_name", "Léa"), ("last_name", "Roux"), ("email", "lea@example.fr"), ("password", PASSWORD)],
        )
        .await;
    r.assert(StatusCode::OK);
    let token = link_token(&app.last_mail_to("lea@example.fr").await, "/verify?token=");
    c.post_form("/verify", &[("token", &token)]).await.assert(StatusCode::SEE_OTHER);
    c.post_form("/logout", &[]).await.assert(StatusCode::SEE_OTHER);
    let r =
        c.post_form("/login", &[("email", "lea@example.fr"), ("password", "wrong password"), ("next", "/orgs")]).await;
    r.assert(StatusCode::UNAUTHORIZED);
    let r = c
        .post_form("/login", &[("email", "lea@example.fr"), ("password", PASSWORD), ("next", "https://evil.example/")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"), "no open redirect");
    let home = c.get("/").await;
    assert!(home.text().contains("Léa Roux"));
    c.post_form("/orgs", &[("name", "Institut Léa"), ("slug", "")]).await.assert(StatusCode::SEE_OTHER);
    let home = c.get("/").await.text();
    assert!(home.contains("Institut Léa"), "{home}");
    // Profile page: language switch to English changes the interface.
    c.post_form(
        "/account/profile",
        &[
            ("first_name", "Léa"),
            ("last_name", "Roux"),
            ("mobile_phone", ""),
            ("country", "FR"),
            ("time_zone", "Europe/Paris"),
            ("language", "en"),
        ],
    )
    .await
    .assert(StatusCode::OK);
    assert!(c.get("/account/security").await.text().contains("Change password"));
    // Protected pages send visitors to the login page.
    let anon = app.client().get("/account/sessions").await;
    anon.assert(StatusCode::SEE_OTHER);
    assert_eq!(anon.header("location"), Some("/login?next=/account/sessions"));
    c.post_form("/logout", &[]).await.assert(StatusCode::SEE_OTHER);
    c.get("/account/profile").await.assert(StatusCode::SEE_OTHER);
}

async fn pages_escape_what_users_type(app: TestApp) {
    let c = app.client();
    let evil = "<script>alert(1)</script>";
    let r = c
        .post_form(
            "/signup",
            &[("first_name", evil), ("last_name", ""), ("email", "x@example.fr"), ("password", PASSWORD)],
        )
        .await;
    let text = r.text();
    assert!(!text.contains(evil), "typed markup came back raw");
    assert!(text.contains("&lt;script&gt;") || text.contains("&#60;script&#62;"), "{text}");
    let u = app.user_named("xss@example.fr", "<img src=x onerror=alert(1)>", "O'Brien").await;
    u.post_json("/api/v1/orgs", json!({"name": "<b>Bold & co</b>"})).await.assert(StatusCode::CREATED);
    let page = u.get("/").await.text();
    assert!(!page.contains("<img src=x") && !page.contains("<b>Bold"), "{page}");
    let mail = app.last_mail_to("xss@example.fr").await;
    assert!(!mail.html.contains("<img src=x"));
}

async fn unknown_routes_are_404(app: TestApp) {
    app.client().get("/api/v1/nothing-here").await.problem(StatusCode::NOT_FOUND, "not-found");
    let page = app.client().get("/nothing-here").await;
    page.assert(StatusCode::NOT_FOUND);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
}

async fn pages_reset_password_sessions_and_second_factor(app: TestApp) {
    let browser = app.client();
    app.user("pages@example.fr").await;
    browser
        .post_form("/login", &[("email", "pages@example.fr"), ("password", PASSWORD)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let phone = app.client_from("203.0.113.99");
    phone.login("pages@example.fr", PASSWORD).await.assert(StatusCode::OK);

    // Sessions page lists both and revokes the phone's.
    let page = browser.get("/account/sessions").await;
    page.assert(StatusCode::OK);
    assert!(page.text().contains("203.0.113.99"));
    let phone_id: String = sqlx::query_scalar("SELECT id FROM sessions WHERE ip = '203.0.113.99'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    browser.post_form(&format!("/account/sessions/{phone_id}/revoke"), &[]).await.assert(StatusCode::SEE_OTHER);
    phone.get("/api/v1/me").await.assert(StatusCode::UNAUTHORIZED);

    // Second factor through the security page.
    let r = browser.post_form("/account/totp/setup", &[("password", PASSWORD)]).await;
    r.assert(StatusCode::OK);
    let text = r.text();
    let start = text.find("secret=").unwrap() + "secret=".len();
    let secret: String = text[start..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let raw = creneau::crypto::base32_decode(&secret).unwrap();
    let code = format!("{:06}", creneau::crypto::totp_code(&raw, app.clock_now().as_second().div_euclid(30)));
    browser.post_form("/account/totp/enable", &[("code", "000000")]).await.assert(StatusCode::UNPROCESSABLE_ENTITY);
    browser.post_form("/account/totp/enable", &[("code", &code)]).await.assert(StatusCode::OK);
    let login_page = app.client();
    let r = login_page.post_form("/login", &[("email", "pages@example.fr"), ("password", PASSWORD)]).await;
    r.assert(StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("name=\"totp_code\""), "the code field appears");

    // Forgot / reset through the pages; the reset ends the browser's session.
    let anon = app.client_from("192.0.2.44");
    anon.post_form("/forgot", &[("email", "pages@example.fr")]).await.assert(StatusCode::OK);
    let token = link_token(&app.last_mail_to("pages@example.fr").await, "/reset?token=");
    let form = anon.get(&format!("/reset?token={token}")).await;
    assert!(form.text().contains(&token));
    anon.post_form(
        "/reset",
        &[("token", &token), ("password", "new page password"), ("password_confirm", "different one")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    anon.post_form(
        "/reset",
        &[("token", &token), ("password", "new page password"), ("password_confirm", "new page password")],
    )
    .await
    .assert(StatusCode::OK);
    anon.post_form(
        "/reset",
        &[("token", &token), ("password", "new page password"), ("password_confirm", "new page password")],
    )
    .await
    .assert(StatusCode::BAD_REQUEST);
    browser.get("/account/profile").await.assert(StatusCode::SEE_OTHER);
}

async fn errors_speak_the_language_asked_for(app: TestApp) {
    // A problem document: English unless the caller states French; code and type the same.
    let ask = |lang: Option<&'static str>| {
        let mut req = Request::builder().uri("/api/v1/me");
        if let Some(l) = lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        req.body(Body::empty()).unwrap()
    };
    for (lang, detail) in
        [(None, "Log in first."), (Some("en"), "Log in first."), (Some("fr-FR"), "Connectez-vous d'abord.")]
    {
        let r = app.client().send(ask(lang)).await;
        r.problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        assert_eq!(r.json()["type"], "/problems/unauthenticated");
        assert_eq!(r.json()["detail"], detail, "{lang:?}");
    }
    // A French form says what is wrong with a field in French, an English one in English.
    let c = app.client();
    c.get("/signup").await.assert(StatusCode::OK);
    let fields = [("first_name", "Léa"), ("last_name", "Roux"), ("email", "not-an-address"), ("password", PASSWORD)];
    let r = c.post_form("/signup", &fields).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Saisissez une adresse e-mail valide."), "{}", r.text());
    c.set_cookie("creneau_lang", "en");
    let r = c.post_form("/signup", &fields).await;
    assert!(r.text().contains("Enter a valid email address."), "{}", r.text());
}
