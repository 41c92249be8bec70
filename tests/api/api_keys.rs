//! API keys (issue 14, item 1; SECURITY.md "API keys"): made by whoever holds "API and
//! integrations", for part of what they hold; shown once and stored hashed; sent as a bearer
//! token only; never more than their creator is now (narrowed by a demotion, stopped by a
//! block or a removal on the very next request); their own organisation only; regenerated,
//! revoked, expired; rate-limited; acting as themselves in the audit log.

use crate::helpers::{Client, Resp, TestApp, dual, in_location, owner_with_org};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};

dual!(
    a_key_is_shown_once_kept_hashed_and_sent_as_a_bearer_token_only,
    a_key_never_does_more_than_its_creator_now,
    a_key_reaches_its_own_organisation_only,
    keys_are_regenerated_revoked_expired_and_rate_limited,
    the_integrations_page_makes_shows_once_and_revokes_keys,
    a_retried_booking_post_returns_the_first_answer_never_a_second_booking,
);

/// A request with `Authorization: Bearer <secret>` from a client with no cookie.
async fn with_key(c: &Client<'_>, secret: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
    let mut b = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {secret}"));
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map(|v| Body::from(v.to_string())).unwrap_or_else(Body::empty);
    c.send(b.body(body).unwrap()).await
}

/// Makes a key through the API as `c`; (its id, its secret).
async fn make_key(c: &Client<'_>, org: &str, body: Value) -> (String, String) {
    let v = c.org_post(org, "/api-keys", body, StatusCode::CREATED).await;
    (v["key"]["id"].as_str().unwrap().to_string(), v["secret"].as_str().unwrap().to_string())
}

async fn a_key_is_shown_once_kept_hashed_and_sent_as_a_bearer_token_only(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@keys.fr", "Clés").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    let (id, secret) =
        make_key(&owner, &org, json!({"name": "Zapier", "scopes": ["bookings_read", "bookings_write"]})).await;
    assert!(secret.starts_with("crn_") && secret.len() > 40, "{secret}");
    // Stored as its hash; the readable start only to tell keys apart; never listed again.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM api_keys WHERE secret_hash = '{secret}'")).await, 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%{secret}%'")).await, 0);
    let listed = owner.org_get(&org, "/api-keys").await;
    listed.assert(StatusCode::OK);
    assert!(!listed.text().contains(&secret));
    assert_eq!(listed.json()["items"][0]["prefix"].as_str().unwrap(), &secret[..12]);
    // Sent as a bearer token, from a client without any cookie: it acts.
    let bot = app.client_from("203.0.113.7");
    let path = format!("/api/v1/orgs/{org}/bookings?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z");
    with_key(&bot, &secret, Method::GET, &path, None).await.assert(StatusCode::OK);
    // A POST with a key needs no CSRF header: nothing ambient to forge.
    let booking = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true});
    let r = with_key(&bot, &secret, Method::POST, &format!("/api/v1/orgs/{org}/bookings"), Some(booking)).await;
    r.assert(StatusCode::CREATED);
    let booking_id = r.json()["id"].as_str().unwrap().to_string();
    // The audit log names the key and its maker, not the owner.
    let actor = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'booking.created' AND actor_type = 'api_key' AND actor_id = '{id}'"))
        .await;
    assert_eq!(actor, 1);
    let audit = owner.get("/audit").await.text();
    assert!(audit.contains("Clé d&#39;API « Zapier », créée par"), "{audit}");
    let history = owner.get(&format!("/bookings/{booking_id}")).await.text();
    assert!(history.contains("La clé d&#39;API « Zapier »"), "{history}");
    // Its last use: when and from where.
    let k = owner.org_get(&org, &format!("/api-keys/{id}")).await.json();
    assert_eq!(k["last_used_ip"], "203.0.113.7");
    assert!(k["last_used_at"].is_string());
    // A key anywhere but the header is refused, even a live one, and does not act.
    let r = app.client().get(&format!("{path}&api_key={secret}")).await;
    r.problem(StatusCode::UNAUTHORIZED, "api-key-misplaced");
    let cookie = Request::builder().uri(&path).header(header::COOKIE, format!("token={secret}")).body(Body::empty());
    app.client().send(cookie.unwrap()).await.problem(StatusCode::UNAUTHORIZED, "api-key-misplaced");
    // Anything else in the header is refused, with the scheme to use.
    for wrong in ["Bearer crn_notakeynotakeynotakeynotakey", "Basic b3duZXI6cHc=", "Bearer "] {
        let req = Request::builder().uri(&path).header(header::AUTHORIZATION, wrong).body(Body::empty()).unwrap();
        let r = app.client().send(req).await;
        assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{wrong}");
        r.problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
    }
    // A key is not an account: no profile, password, sessions or other organisations.
    for p in ["/api/v1/me", "/api/v1/me/sessions", "/api/v1/orgs"] {
        with_key(&bot, &secret, Method::GET, p, None).await.problem(StatusCode::FORBIDDEN, "api-key-not-for-accounts");
    }
    // Pages never read the header: a key opens no page.
    let page = Request::builder().uri("/agenda").header(header::AUTHORIZATION, format!("Bearer {secret}"));
    let r = app.client().send(page.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "to the login page");
}

async fn a_key_never_does_more_than_its_creator_now(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@borne.fr", "Bornes").await;
    let lyon = owner.paris(&org, "Lyon", json!({})).await;
    let nice = owner.paris(&org, "Nice", json!({})).await;
    let cal_lyon = owner.calendar(&org, &lyon, "Lyon 1", json!({})).await;
    let cal_nice = owner.calendar(&org, &nice, "Nice 1", json!({})).await;
    for cal in [&cal_lyon, &cal_nice] {
        let b = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true});
        owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    }
    // Staff never hold "API and integrations" (REQUIREMENTS.md, role presets): no key.
    let (staff, _) = owner.join(&org, "staff@borne.fr", json!({"role": "staff"})).await;
    let keys = format!("/api/v1/orgs/{org}/api-keys");
    staff
        .post_json(&keys, json!({"name": "x", "scopes": ["bookings_read"]}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // A manager of Lyon with the toggle: a key of theirs sees Lyon's bookings, never Nice's.
    let body =
        json!({"role": "manager", "grants": [in_location(&lyon, "manage")], "toggles": {"api_integrations": true}});
    let (mgr, mgr_id) = owner.join(&org, "mgr@borne.fr", body).await;
    // Nobody makes a key with more than they hold: the settings are the owner's.
    let r = mgr.post_json(&format!("/api/v1/orgs/{org}/api-keys"), json!({"name": "x", "scopes": ["settings"]})).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("scope-not-held"), "{}", r.text());
    let r = mgr
        .post_json(
            &format!("/api/v1/orgs/{org}/api-keys"),
            json!({"name": "x", "scopes": ["bookings_read"], "locations": [nice]}),
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let (_, secret) = make_key(&mgr, &org, json!({"name": "Agenda Lyon", "scopes": ["bookings_read"]})).await;
    let bot = app.client();
    let list = format!("/api/v1/orgs/{org}/bookings?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z");
    let calendars_seen = |r: Resp| {
        let mut v: Vec<String> =
            r.json().as_array().unwrap().iter().map(|b| b["calendar_id"].as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    let r = with_key(&bot, &secret, Method::GET, &list, None).await;
    r.assert(StatusCode::OK);
    assert_eq!(calendars_seen(r), [cal_lyon.as_str()]);
    let nice_booking = app.count(&format!("SELECT COUNT(*) FROM bookings WHERE calendar_id = '{cal_nice}'")).await;
    assert_eq!(nice_booking, 1);
    // Without the bookings-write scope: refused, though the manager may.
    let b = json!({"calendar_id": cal_lyon, "start": "2026-03-05T10:00:00Z", "override_hours": true});
    let r = with_key(&bot, &secret, Method::POST, &format!("/api/v1/orgs/{org}/bookings"), Some(b.clone())).await;
    r.assert(StatusCode::FORBIDDEN);
    // Demoted (Lyon taken away): the key narrows on the next request, with no change to it.
    owner
        .put_json(&format!("/api/v1/orgs/{org}/members/{mgr_id}/grants"), json!({"grants": []}))
        .await
        .assert(StatusCode::OK);
    let r = with_key(&bot, &secret, Method::GET, &list, None).await;
    assert_eq!(calendars_seen(r), Vec::<String>::new(), "nothing left to see");
    owner
        .put_json(
            &format!("/api/v1/orgs/{org}/members/{mgr_id}/grants"),
            json!({"grants": [in_location(&lyon, "manage")]}),
        )
        .await
        .assert(StatusCode::OK);
    assert_eq!(calendars_seen(with_key(&bot, &secret, Method::GET, &list, None).await), [cal_lyon.as_str()]);
    // The toggle taken away: the key stops, saying why.
    let members = format!("/api/v1/orgs/{org}/members/{mgr_id}");
    owner.patch_json(&members, json!({"toggles": {"api_integrations": false}})).await.assert(StatusCode::OK);
    with_key(&bot, &secret, Method::GET, &list, None)
        .await
        .problem(StatusCode::FORBIDDEN, "api-key-creator-lacks-integrations");
    owner.patch_json(&members, json!({"toggles": {"api_integrations": true}})).await.assert(StatusCode::OK);
    with_key(&bot, &secret, Method::GET, &list, None).await.assert(StatusCode::OK);
    // Blocked: the very next request with the key is refused; unblocked, it works again.
    owner.post_json(&format!("{members}/block"), json!({})).await.assert(StatusCode::OK);
    with_key(&bot, &secret, Method::GET, &list, None).await.problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
    owner.post_json(&format!("{members}/unblock"), json!({})).await.assert(StatusCode::OK);
    with_key(&bot, &secret, Method::GET, &list, None).await.assert(StatusCode::OK);
    // Removed: over for good.
    owner.delete(&members).await.assert(StatusCode::NO_CONTENT);
    with_key(&bot, &secret, Method::GET, &list, None).await.problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
}

async fn a_key_reaches_its_own_organisation_only(app: TestApp) {
    let (owner, a) = owner_with_org(&app, "owner@a-keys.fr", "A").await;
    let loc_a = owner.paris(&a, "Lyon", json!({})).await;
    // The same person owns B too.
    let created = owner.post_json("/api/v1/orgs", json!({"name": "B"})).await;
    created.assert(StatusCode::CREATED);
    let b = created.json()["id"].as_str().unwrap().to_string();
    let loc_b = owner.paris(&b, "Nice", json!({})).await;
    let (key_a, secret) =
        make_key(&owner, &a, json!({"name": "A only", "scopes": ["bookings_read", "calendars"]})).await;
    let bot = app.client();
    with_key(&bot, &secret, Method::GET, &format!("/api/v1/orgs/{a}/locations/{loc_a}"), None)
        .await
        .assert(StatusCode::OK);
    // B's objects and routes, though its creator owns B: exactly like a missing id.
    for p in [
        format!("/api/v1/orgs/{b}/locations/{loc_b}"),
        format!("/api/v1/orgs/{b}/locations"),
        format!("/api/v1/orgs/{a}/locations/{loc_b}"),
    ] {
        with_key(&bot, &secret, Method::GET, &p, None).await.problem(StatusCode::NOT_FOUND, "not-found");
    }
    // B's owner (another person) cannot see, regenerate or revoke A's key.
    let (stranger, c) = owner_with_org(&app, "owner@c-keys.fr", "C").await;
    stranger.get(&format!("/api/v1/orgs/{c}/api-keys/{key_a}")).await.problem(StatusCode::NOT_FOUND, "not-found");
    stranger.delete(&format!("/api/v1/orgs/{c}/api-keys/{key_a}")).await.assert(StatusCode::NOT_FOUND);
    stranger
        .post_json(&format!("/api/v1/orgs/{a}/api-keys/{key_a}/regenerate"), json!({}))
        .await
        .assert(StatusCode::NOT_FOUND);
    // A key never manages keys (no scope covers it), whatever its creator may.
    let keys = format!("/api/v1/orgs/{a}/api-keys");
    let more = Some(json!({"name": "more", "scopes": ["settings"]}));
    with_key(&bot, &secret, Method::POST, &keys, more).await.problem(StatusCode::FORBIDDEN, "forbidden");
    with_key(&bot, &secret, Method::GET, &format!("/api/v1/orgs/{a}/api-keys"), None)
        .await
        .assert(StatusCode::FORBIDDEN);
}

async fn keys_are_regenerated_revoked_expired_and_rate_limited(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@cycle.fr", "Cycle").await;
    owner.paris(&org, "Lyon", json!({})).await;
    let locs = format!("/api/v1/orgs/{org}/locations");
    let (id, old) = make_key(&owner, &org, json!({"name": "Site", "scopes": ["bookings_read"]})).await;
    let bot = app.client();
    with_key(&bot, &old, Method::GET, &locs, None).await.assert(StatusCode::OK);
    // Regenerated: the old secret stops at once, the new one works.
    let r = owner.post_json(&format!("/api/v1/orgs/{org}/api-keys/{id}/regenerate"), json!({})).await;
    r.assert(StatusCode::OK);
    let new = r.json()["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    with_key(&bot, &old, Method::GET, &locs, None).await.problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
    with_key(&bot, &new, Method::GET, &locs, None).await.assert(StatusCode::OK);
    // Only its maker regenerates it; an administrator may revoke it.
    let (admin, _) = owner.join(&org, "admin@cycle.fr", json!({"role": "administrator"})).await;
    admin
        .post_json(&format!("/api/v1/orgs/{org}/api-keys/{id}/regenerate"), json!({}))
        .await
        .problem(StatusCode::FORBIDDEN, "not-your-api-key");
    admin.delete(&format!("/api/v1/orgs/{org}/api-keys/{id}")).await.assert(StatusCode::NO_CONTENT);
    with_key(&bot, &new, Method::GET, &locs, None).await.problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
    let k = owner.org_get(&org, &format!("/api-keys/{id}")).await.json();
    assert!(k["revoked_at"].is_string(), "listed as revoked: {k}");
    owner
        .post_json(&format!("/api/v1/orgs/{org}/api-keys/{id}/regenerate"), json!({}))
        .await
        .problem(StatusCode::CONFLICT, "api-key-revoked");
    // Expiring: works through its last day (in the organisation's zone), not the day after.
    let r = owner
        .post_json(
            &format!("/api/v1/orgs/{org}/api-keys"),
            json!({"name": "x", "scopes": ["bookings_read"], "expires_on": "2020-01-01"}),
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let today = app.state.now().to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap()).date();
    let (_, brief) =
        make_key(&owner, &org, json!({"name": "Brief", "scopes": ["bookings_read"], "expires_on": today.to_string()}))
            .await;
    with_key(&bot, &brief, Method::GET, &locs, None).await.assert(StatusCode::OK);
    app.advance(jiff::SignedDuration::from_hours(26));
    with_key(&bot, &brief, Method::GET, &locs, None).await.problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
    // Each key has its pace: past it, a clear 429 with when to come back.
    let (_, busy) = make_key(&owner, &org, json!({"name": "Busy", "scopes": ["bookings_read"]})).await;
    let mut refused = None;
    for _ in 0..605 {
        let r = with_key(&bot, &busy, Method::GET, &locs, None).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("the limit is reached");
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Another key of the same member keeps its own count.
    let (_, calm) = make_key(&owner, &org, json!({"name": "Calm", "scopes": ["bookings_read"]})).await;
    with_key(&bot, &calm, Method::GET, &locs, None).await.assert(StatusCode::OK);
}

async fn the_integrations_page_makes_shows_once_and_revokes_keys(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@integr.fr", "Intégrations").await;
    let lyon = owner.paris(&org, "Lyon", json!({})).await;
    let html = owner.get("/integrations").await.text();
    assert!(html.contains("Aucune clé pour l&#39;instant") && html.contains("href=\"/integrations\""), "{html}");
    // Refused as typed, in French: no name, no scope.
    let r = owner.post_form("/integrations", &[("name", ""), ("location", lyon.as_str())]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Ce champ est obligatoire."), "{}", r.text());
    assert!(r.text().contains(&format!("value=\"{lyon}\" checked")), "the place stays ticked");
    // Made: the secret shown this once, then never again.
    let fields =
        [("name", "Zapier"), ("scope", "bookings_read"), ("scope", "bookings_write"), ("location", lyon.as_str())];
    let r = owner.post_form("/integrations", &fields).await;
    r.assert(StatusCode::OK);
    let html = r.text();
    let secret =
        html.split("<code class=\"secret\" id=\"new-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(secret.starts_with("crn_"), "{html}");
    assert!(html.contains("Voici la clé « Zapier »"));
    let again = owner.get("/integrations").await.text();
    assert!(!again.contains(&secret), "shown once");
    assert!(again.contains(&format!("<code>{}…</code>", &secret[..12])) && again.contains("Lyon"));
    assert!(
        again.contains("Lire les agendas et les rendez-vous, Créer, déplacer et annuler des rendez-vous"),
        "{again}"
    );
    with_key(&app.client(), &secret, Method::GET, &format!("/api/v1/orgs/{org}/locations/{lyon}"), None)
        .await
        .assert(StatusCode::OK);
    let id = owner.org_get(&org, "/api-keys").await.json()["items"][0]["id"].as_str().unwrap().to_string();
    // Regenerated from the page: a new secret, shown once.
    let r = owner.post_form(&format!("/integrations/keys/{id}/regenerate"), &[]).await;
    let fresh = r.text().split("id=\"new-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_ne!(fresh, secret);
    // Revoked from the page, with the confirmation asked first by the form.
    assert!(owner.get("/integrations").await.text().contains("data-confirm=\"Révoquer cette clé"));
    owner.post_form(&format!("/integrations/keys/{id}/revoke"), &[]).await.redirected("/integrations?done=key_revoked");
    let html = owner.get("/integrations?done=key_revoked").await.text();
    assert!(html.contains("Clé révoquée") && html.contains("Révoquée"));
    with_key(&app.client(), &fresh, Method::GET, &format!("/api/v1/orgs/{org}/locations"), None)
        .await
        .problem(StatusCode::UNAUTHORIZED, "invalid-api-key");
    // Staff (no such right) get no section and no page; another organisation's owner no key.
    let (staff, _) = owner.join(&org, "staff@integr.fr", json!({"role": "staff"})).await;
    assert!(!staff.get("/agenda").await.text().contains("href=\"/integrations\""));
    staff.get("/integrations").await.assert(StatusCode::FORBIDDEN);
    staff.post_form("/integrations", &fields).await.assert(StatusCode::FORBIDDEN);
    let (stranger, _) = owner_with_org(&app, "owner@ailleurs-integr.fr", "Ailleurs").await;
    stranger.post_form(&format!("/integrations/keys/{id}/revoke"), &[]).await.assert(StatusCode::NOT_FOUND);
    // In English too.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let html = owner.get("/integrations").await.text();
    assert!(html.contains("API keys") && html.contains("Make a key"), "{html}");
}

/// `Idempotency-Key` (issue 14, item 2): the same POST sent again, or many times at once,
/// makes one booking; each copy gets that booking (or is told the first is still running).
async fn a_retried_booking_post_returns_the_first_answer_never_a_second_booking(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@idem.fr", "Idem").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    let (_, secret) =
        make_key(&owner, &org, json!({"name": "Sync", "scopes": ["bookings_read", "bookings_write"]})).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    let body = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true});
    let post = |key: &'static str, body: Value| {
        Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let bot = app.client();
    let first = bot.send(post("order-1", body.clone())).await;
    first.assert(StatusCode::CREATED);
    assert!(first.header("idempotent-replayed").is_none());
    let again = bot.send(post("order-1", body.clone())).await;
    again.assert(StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"], "the first answer");
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 1);
    // The same key for another request: refused, nothing made.
    let other = json!({"calendar_id": cal, "start": "2026-03-04T12:00:00Z", "override_hours": true});
    bot.send(post("order-1", other.clone())).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // A refused request frees its key: corrected, it goes through.
    let clash = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true});
    bot.send(post("order-2", clash)).await.assert(StatusCode::CONFLICT);
    bot.send(post("order-2", other)).await.assert(StatusCode::CREATED);
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 2);
    // Twelve copies at once: one booking; each copy its answer, or "still running".
    let at_once = json!({"calendar_id": cal, "start": "2026-03-05T10:00:00Z", "override_hours": true});
    let sends = (0..12).map(|_| bot.send(post("order-3", at_once.clone())));
    let answers = futures_util::future::join_all(sends).await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .map(|r| r.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "one booking for every copy: {:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in &answers {
        assert!(r.status == StatusCode::CREATED || r.status == StatusCode::CONFLICT, "{}", r.status);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 3);
    // Keys are the caller's own: another caller's same key is another request.
    let session =
        owner.post_json(&path, json!({"calendar_id": cal, "start": "2026-03-06T10:00:00Z", "override_hours": true}));
    session.await.assert(StatusCode::CREATED);
    // A key that is not one: 400.
    let mut bad = post("order-4", body);
    bad.headers_mut().insert("idempotency-key", axum::http::HeaderValue::from_static(" "));
    bot.send(bad).await.problem(StatusCode::BAD_REQUEST, "invalid-idempotency-key");
}
