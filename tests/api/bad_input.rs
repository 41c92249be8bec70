//! Bad input of every kind gets a 4xx problem document (API) or the readable page (pages),
//! never a 5xx, on both databases: NUL bytes in paths, queries and bodies, dates at the ends
//! of the calendar, huge numbers, malformed query strings, wrong methods, oversized URLs,
//! and a body-less API POST from a plain cross-site form.

use crate::helpers::{Client, Resp, TestApp, dual, enc};
use crate::routes::{World, fill, sample_body, world};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use creneau::app::{RouteInfo, routes};
use serde_json::{Value, json};

dual!(
    every_route_answers_bad_input_with_a_4xx_document,
    a_nul_in_the_login_email_is_refused_before_the_database,
    a_nul_after_a_public_slug_is_refused,
    availability_in_year_9999_is_a_422_on_every_surface,
    a_booking_in_year_9999_is_refused,
    deleting_a_calendar_that_has_bookings_is_a_409,
    a_wrong_method_is_a_405_document_that_keeps_allow,
    an_oversized_url_is_a_414,
    a_cross_site_form_cannot_reach_a_body_less_api_post,
);

/// What the server says a request went to: the API under `/api/`, pages elsewhere.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Never a 5xx; a 4xx is a problem document under `/api/` and an HTML page elsewhere.
#[track_caller]
fn documented(res: &Resp, what: &str) {
    assert!(res.status.as_u16() < 500, "{what} answered {}: {}", res.status, res.text());
    if res.status.is_client_error() {
        let ct = res.header("content-type").unwrap_or_default();
        let path = what.split(' ').nth(1).unwrap_or_default();
        if is_api(path) {
            assert_eq!(ct, "application/problem+json", "{what} answered {} in {ct:?}: {}", res.status, res.text());
            let p = res.json();
            assert_eq!(p["status"], res.status.as_u16(), "{what}: {p}");
            assert!(p["code"].as_str().is_some_and(|c| !c.is_empty()), "{what}: {p}");
        } else {
            assert!(ct.starts_with("text/html"), "{what} answered {} in {ct:?}: {}", res.status, res.text());
        }
    }
}

/// …and it is a 4xx.
#[track_caller]
fn refused(res: &Resp, what: &str) {
    assert!(res.status.is_client_error(), "{what} answered {}: {}", res.status, res.text());
    documented(res, what);
}

/// A route's path with this world's ids (and a real slug, a made-up token elsewhere).
fn concrete(path: &str, w: &World, slug: &str) -> String {
    fill(path, w)
        .replace("{slug}", slug)
        .replace("{token}", "no-such-token")
        .replace("{period_id}", "01a20000-0000-7000-8000-000000000000")
}

/// The same path with NUL appended to each of its variable segments in turn.
fn with_nul_segments(template: &str, w: &World, slug: &str) -> Vec<String> {
    with_in_segments(template, w, slug, "%00")
}

/// The same path with `extra` appended to each of its variable segments in turn (or to its
/// last segment when it has none).
fn with_in_segments(template: &str, w: &World, slug: &str, extra: &str) -> Vec<String> {
    let segs: Vec<&str> = template.split('/').collect();
    let vars: Vec<usize> = (0..segs.len()).filter(|&i| segs[i].starts_with('{')).collect();
    let targets = if vars.is_empty() { vec![segs.len() - 1] } else { vars };
    targets
        .into_iter()
        .map(|i| {
            let mut s: Vec<String> = concrete(template, w, slug).split('/').map(str::to_string).collect();
            s[i].push_str(extra);
            s.join("/")
        })
        .collect()
}

/// `v` with every string `f` has a replacement for replaced, and whether any was.
fn replace_strings(v: &Value, f: &impl Fn(&str) -> Option<String>) -> (Value, bool) {
    match v {
        Value::String(s) => match f(s) {
            Some(new) => (Value::String(new), true),
            None => (v.clone(), false),
        },
        Value::Array(a) => {
            let items: Vec<(Value, bool)> = a.iter().map(|x| replace_strings(x, f)).collect();
            let any = items.iter().any(|(_, b)| *b);
            (Value::Array(items.into_iter().map(|(v, _)| v).collect()), any)
        }
        Value::Object(m) => {
            let mut any = false;
            let out = m
                .iter()
                .map(|(k, x)| {
                    let (x, b) = replace_strings(x, f);
                    any |= b;
                    (k.clone(), x)
                })
                .collect();
            (Value::Object(out), any)
        }
        other => (other.clone(), false),
    }
}

/// Every string of a JSON body given a NUL.
fn poison(v: &Value) -> (Value, bool) {
    replace_strings(v, &|s| Some(format!("{s}\u{0}x")))
}

/// The body once per extreme value in place of every string that is a date or an
/// instant (none when it holds no date).
fn with_extremes(v: &Value) -> Vec<Value> {
    fn is_date(s: &str) -> bool {
        s.len() >= 10 && s.as_bytes()[4] == b'-' && s[..4].bytes().all(|b| b.is_ascii_digit())
    }
    let swap = |to: &str| replace_strings(v, &|s| is_date(s).then(|| to.to_string()));
    EXTREMES.iter().filter_map(|e| Some(swap(e)).filter(|(_, any)| *any).map(|(v, _)| v)).collect()
}

const EXTREMES: &[&str] = &[
    "9999-12-31",
    "0000-01-01",
    "-001-01-01",
    "99999999999999999999",
    "9999-12-31T23:59:59Z",
    "-009999-01-01T00:00:00Z",
    "1899-12-31",
    "2201-01-01T00:00:00Z",
];

const MALFORMED: &[&str] = &[
    "%",
    "%zz=%zz",
    "from=%FF%FE&to=%C3",
    "&&&=&==",
    "from[]=1&from[]=2",
    "limit=-99999999999999999999999&before=99999999999999999999999",
    "from=2026-03-02&from=2026-03-03&to=",
    "detail=calendars&detail=x&tz=Mars/Olympus",
];

async fn send_form(c: &Client<'_>, path: &str, fields: &[(&str, &str)]) -> Resp {
    c.post_form(path, fields).await
}

/// One caller's walk over every route of the router's list.
async fn walk(c: &Client<'_>, who: &str, owner: bool, w: &World, slug: &str) -> usize {
    let mut sent = 0;
    let list: Vec<RouteInfo> = routes().list().to_vec();
    for r in &list {
        let base = concrete(r.path, w, slug);
        let what = |p: &str| format!("{} {} ({who})", r.method, p);
        let send = |path: String| {
            let m = r.method.clone();
            async move {
                match m {
                    Method::GET | Method::DELETE => c.request(m, &path, None).await,
                    ref m if is_api(&path) => c.request(m.clone(), &path, Some(json!({}))).await,
                    _ => c.post_form(&path, &[("name", "x")]).await,
                }
            }
        };
        // NUL in the path and in the query: refused before anything reads them.
        for p in with_nul_segments(r.path, w, slug) {
            refused(&send(p.clone()).await, &what(&p));
            sent += 1;
        }
        // Bytes that are not UTF-8 in a path segment: no route or no value, never a crash.
        for p in with_in_segments(r.path, w, slug, "%FF%FE") {
            let res = send(p.clone()).await;
            if owner || r.guard == creneau::app::Guard::Public || is_api(&p) {
                refused(&res, &what(&p));
            } else {
                documented(&res, &what(&p)); // a visitor is sent to log in first
            }
            sent += 1;
        }
        let p = format!("{base}?from=%00&to=x%00y&date=%00&q=%00&next=/%00");
        refused(&send(p.clone()).await, &what(&p));
        sent += 1;
        // NUL in the body.
        match r.method {
            Method::GET | Method::DELETE => {}
            _ if is_api(&base) => {
                let (body, strings) = poison(&sample_body(&r.method, r.path, w));
                if strings {
                    let res = c.request(r.method.clone(), &base, Some(body)).await;
                    refused(&res, &what(&base));
                    sent += 1;
                } else if !owner {
                    // Routes whose sample has no text may take no body at all (cancel,
                    // logout…): only the anonymous caller tries them, never a 5xx.
                    let res = c.request(r.method.clone(), &base, Some(json!({"name": "x\u{0}y"}))).await;
                    documented(&res, &what(&base));
                    sent += 1;
                }
            }
            _ => {
                let res = send_form(c, &base, &[("name", "x\u{0}y"), ("date", "2026-03-02"), ("role", "staff")]).await;
                refused(&res, &what(&base));
                sent += 1;
            }
        }
        // Extreme dates in bodies that carry dates: refused, so nothing happens.
        match r.method {
            Method::GET | Method::DELETE => {}
            _ if is_api(&base) => {
                for body in with_extremes(&sample_body(&r.method, r.path, w)) {
                    let res = c.request(r.method.clone(), &base, Some(body.clone())).await;
                    refused(&res, &format!("{} with {body}", what(&base)));
                    sent += 1;
                }
            }
            // The page forms that take a date: a new booking, a move, the public booking.
            _ if r.path.ends_with("/bookings") || r.path.ends_with("/move") || r.path == "/book/{slug}" => {
                for v in EXTREMES {
                    let fields = [
                        ("date", *v),
                        ("time", "09:00"),
                        ("length_min", "30"),
                        ("start", *v),
                        ("service_id", w.service.as_str()),
                        ("person", w.calendar.as_str()),
                        ("first_name", "Vic"),
                        ("last_name", "Visitor"),
                        ("email", "vic@example.fr"),
                    ];
                    let res = send_form(c, &base, &fields).await;
                    // A visitor is sent to the login page before any form is read.
                    if owner || r.guard == creneau::app::Guard::Public {
                        refused(&res, &format!("{} with {v}", what(&base)));
                    } else {
                        documented(&res, &format!("{} with {v}", what(&base)));
                    }
                    sent += 1;
                }
            }
            _ => {}
        }
        // Extreme dates, huge numbers and malformed query strings: read by GETs only (a
        // POST here could do what it says; GETs change nothing).
        if r.method == Method::GET {
            for v in EXTREMES {
                let v = enc(v);
                let p = format!(
                    "{base}?service_id={}&calendar_id={}&service={}&person={}&from={v}&to={v}&date={v}&before={v}&limit={v}&slot={v}&start={v}",
                    w.service, w.calendar, w.service, w.calendar
                );
                documented(&c.get(&p).await, &what(&p));
                sent += 1;
            }
            for q in MALFORMED {
                let p = format!("{base}?{q}");
                documented(&c.get(&p).await, &what(&p));
                sent += 1;
            }
        }
    }
    sent
}

async fn every_route_answers_bad_input_with_a_4xx_document(app: TestApp) {
    let (owner, w) = world(&app).await;
    // The service offered on the calendar, with hours, so availability reaches its dates.
    owner
        .request(Method::PUT, &format!("/api/v1/orgs/{}/services/{}/calendars/{}", w.org, w.service, w.calendar), None)
        .await
        .assert(StatusCode::OK);
    let weekly: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"})).collect();
    owner
        .put_json(&format!("/api/v1/orgs/{}/calendars/{}/hours", w.org, w.calendar), json!({"weekly": weekly}))
        .await
        .assert(StatusCode::OK);
    let loc = owner.org_get(&w.org, &format!("/locations/{}", w.location)).await.json();
    let slug = loc["slug"].as_str().unwrap().to_string();
    let audit = format!("SELECT COUNT(*) FROM audit_log WHERE org_id = '{}'", w.org);
    let before = app.count(&audit).await;
    let anonymous = app.client_from("198.51.100.77");
    let a = walk(&anonymous, "anonymous", false, &w, &slug).await;
    let o = walk(&owner, "owner", true, &w, &slug).await;
    assert_eq!(app.count(&audit).await, before, "bad input changed something");
    // The owner was still signed in at the end: the walk did not just meet 401s.
    owner.get("/api/v1/me").await.assert(StatusCode::OK);
    println!("bad-input walk: {} routes, {a} anonymous and {o} owner requests", routes().list().len());
}

async fn a_nul_in_the_login_email_is_refused_before_the_database(app: TestApp) {
    app.user("ana@example.test").await;
    let c = app.client();
    let r =
        c.post_json("/api/v1/auth/login", json!({"email": "x\u{0}@example.test", "password": "whatever it is"})).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["field"], "email", "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "nul-character", "{}", r.text());
    // Nested too: the field is named by its path.
    let r = c
        .post_json("/api/v1/auth/signup", json!({"email": "a@b.fr", "password": "x", "first_name": ["ok", "n\u{0}"]}))
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["field"], "first_name[1]", "{}", r.text());
    // Bytes that are not UTF-8 are not JSON.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(&b"{\"email\":\"\xff@example.test\",\"password\":\"x\"}"[..]))
        .unwrap();
    c.send(req).await.problem(StatusCode::BAD_REQUEST, "malformed-json");
    // The login page's form alike, in the visitor's language.
    let r = c.post_form("/login", &[("email", "x\u{0}@example.test"), ("password", "whatever it is")]).await;
    r.assert(StatusCode::BAD_REQUEST);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("caractère nul"), "{}", r.text());
}

async fn a_nul_after_a_public_slug_is_refused(app: TestApp) {
    crate::public::setup(&app).await;
    let v = app.client();
    v.get("/api/v1/book/salon-public").await.assert(StatusCode::OK);
    v.get("/api/v1/book/salon-public%00").await.problem(StatusCode::BAD_REQUEST, "nul-character");
    v.get("/api/v1/book/salon-public/availability?from=2026-03-03%00&to=2026-03-03&service_id=x")
        .await
        .problem(StatusCode::BAD_REQUEST, "nul-character");
    let r = v.get("/book/salon-public%00").await;
    r.assert(StatusCode::BAD_REQUEST);
    assert!(r.text().contains("caractère nul"), "{}", r.text());
}

async fn availability_in_year_9999_is_a_422_on_every_surface(app: TestApp) {
    let (owner, org, _, svc, cal) = crate::public::setup(&app).await;
    let window = "from=9999-12-30&to=9999-12-31";
    let r = owner.org_get(&org, &format!("/availability?service_id={svc}&calendar_id={cal}&{window}")).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["code"], "out-of-range", "{}", r.text());
    let v = app.client_from("198.51.100.51");
    let r = v.get(&format!("/api/v1/book/salon-public/availability?service_id={svc}&{window}")).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["field"], "from", "{}", r.text());
    assert_eq!(r.json()["errors"][1]["field"], "to", "{}", r.text());
    // Booking there through the public API neither.
    let r = v
        .post_json(
            "/api/v1/book/salon-public/bookings",
            json!({"service_id": svc, "calendar_id": cal, "start": "9999-12-30T21:55:00Z", "first_name": "Vic", "last_name": "Visitor", "email": "vic@example.fr"}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["code"], "out-of-range", "{}", r.text());
    // The page shows this week and says why, in French by default and in English when asked.
    let page = format!("/book/salon-public?service={svc}&person={cal}&date=9999-12-30");
    let r = v.get(&page).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("Choisissez une date entre 1900 et 2200."), "{}", r.text());
    let req = Request::builder().uri(&page).header(header::ACCEPT_LANGUAGE, "en").body(Body::empty()).unwrap();
    let r = app.client().send(req).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Use a date between 1900 and 2200."), "{}", r.text());
    // Valid dates still answer.
    owner
        .org_get(&org, &format!("/availability?service_id={svc}&calendar_id={cal}&from=2026-03-03&to=2026-03-03"))
        .await
        .assert(StatusCode::OK);
}

async fn a_booking_in_year_9999_is_refused(app: TestApp) {
    let (owner, w) = world(&app).await;
    let before = app.count("SELECT COUNT(*) FROM bookings").await;
    let r = owner
        .post_json(
            &format!("/api/v1/orgs/{}/bookings", w.org),
            json!({"calendar_id": w.calendar, "start": "9999-12-30T21:55:00Z", "override_hours": true}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["field"], "start", "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "out-of-range", "{}", r.text());
    // Moving one there neither.
    let r = owner
        .patch_json(
            &format!("/api/v1/orgs/{}/bookings/{}", w.org, w.booking),
            json!({"start": "9999-12-30T21:55:00Z", "override_hours": true}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, before);
    let ends: i64 = app.count("SELECT COUNT(*) FROM bookings WHERE end_at <= start_at").await;
    assert_eq!(ends, 0, "a booking ends before it starts");
}

async fn deleting_a_calendar_that_has_bookings_is_a_409(app: TestApp) {
    let (owner, w) = world(&app).await;
    let path = format!("/api/v1/orgs/{}/calendars/{}", w.org, w.calendar);
    let r = owner.delete(&path).await;
    r.problem(StatusCode::CONFLICT, "calendar-has-bookings");
    assert!(r.json()["detail"].as_str().unwrap().contains("archive"), "{}", r.text());
    owner.get(&path).await.assert(StatusCode::OK);
    // Cancelled bookings are history too.
    owner
        .post_json(&format!("/api/v1/orgs/{}/bookings/{}/cancel", w.org, w.booking), json!({}))
        .await
        .assert(StatusCode::OK);
    owner.delete(&path).await.problem(StatusCode::CONFLICT, "calendar-has-bookings");
    // A calendar without bookings still goes.
    let empty = owner.create(&w.org, "/calendars", json!({"location_id": w.location, "name": "Empty"})).await;
    owner.delete(&format!("/api/v1/orgs/{}/calendars/{empty}", w.org)).await.assert(StatusCode::NO_CONTENT);
    // A calendar moved to another location leaves its bookings in the first one, which
    // then has no calendar but still has history (moving is done in SQL here: the API
    // to move calendars is another part of the work).
    let other = owner.create(&w.org, "/locations", json!({"name": "Other"})).await;
    sqlx::query("UPDATE calendars SET location_id = $1 WHERE id = $2")
        .bind(&other)
        .bind(&w.calendar)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let r = owner.delete(&format!("/api/v1/orgs/{}/locations/{}", w.org, w.location)).await;
    r.problem(StatusCode::CONFLICT, "location-has-bookings");
    owner.org_get(&w.org, &format!("/locations/{}", w.location)).await.assert(StatusCode::OK);
}

async fn a_wrong_method_is_a_405_document_that_keeps_allow(app: TestApp) {
    let c = app.client();
    let r = c.request(Method::PUT, "/api/v1/auth/login", Some(json!({}))).await;
    r.problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    assert!(r.header("allow").is_some_and(|a| a.contains("POST")), "{:?}", r.headers);
    // A page: a valid form to a page that only shows.
    let r = c.post_form("/static/app.css", &[]).await;
    r.assert(StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.header("content-type").unwrap().starts_with("text/html"), "{:?}", r.headers);
    assert!(r.header("allow").is_some_and(|a| a.contains("GET")), "{:?}", r.headers);
    assert!(r.text().contains("accepte pas cette méthode"), "{}", r.text());
    // Query-string rejections too (axum's own answer was text/plain).
    let r = c.get("/api/v1/book/anything/availability?from=2026-03-02").await;
    r.problem(StatusCode::BAD_REQUEST, "bad-request");
}

async fn an_oversized_url_is_a_414(app: TestApp) {
    let c = app.client();
    let long = "a".repeat(9000);
    c.get(&format!("/api/v1/book/{long}")).await.problem(StatusCode::URI_TOO_LONG, "uri-too-long");
    c.get(&format!("/api/v1/book/x?q={long}")).await.problem(StatusCode::URI_TOO_LONG, "uri-too-long");
    let r = c.get(&format!("/book/{long}")).await;
    r.assert(StatusCode::URI_TOO_LONG);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("trop longue"), "{}", r.text());
    // A long but sensible one is still served.
    c.get(&format!("/api/v1/book/{}", "a".repeat(4000))).await.problem(StatusCode::NOT_FOUND, "not-found");
}

async fn a_cross_site_form_cannot_reach_a_body_less_api_post(app: TestApp) {
    let (owner, w) = world(&app).await;
    let cancel = format!("/api/v1/orgs/{}/bookings/{}/cancel", w.org, w.booking);
    let status = || async { owner.org_get(&w.org, &format!("/bookings/{}", w.booking)).await.json()["status"].clone() };
    assert_eq!(status().await, "confirmed");
    // What a plain HTML form on another site sends, from a browser that adds no Origin.
    for ct in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"] {
        let req = Request::builder()
            .method(Method::POST)
            .uri(&cancel)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(""))
            .unwrap();
        let r = owner.send(req).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::UNSUPPORTED_MEDIA_TYPE), "{ct}: {}", r.status);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    let bare = Request::builder().method(Method::POST).uri(&cancel).body(Body::empty()).unwrap();
    owner.send(bare).await.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(status().await, "confirmed", "a cross-site form cancelled the booking");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'booking.cancelled'").await, 0);
    // A script of our own pages may send the CSRF cookie's value in a header instead.
    owner.get("/login").await;
    let token = owner.cookie("creneau_csrf").unwrap();
    let wrong = Request::builder()
        .method(Method::POST)
        .uri(&cancel)
        .header("x-csrf-token", "not-the-token-at-all-not-the-token")
        .body(Body::empty())
        .unwrap();
    owner.send(wrong).await.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    let right =
        Request::builder().method(Method::POST).uri(&cancel).header("x-csrf-token", token).body(Body::empty()).unwrap();
    owner.send(right).await.assert(StatusCode::OK);
    assert_eq!(status().await, "cancelled");
}
