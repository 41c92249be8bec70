//! Every route is behind the access layer: walk the router's route list and check that
//! each non-public route refuses an anonymous caller; the API list matches the OpenAPI
//! document.

use crate::helpers::{TestApp, dual};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use creneau::{
    app::{Guard, routes},
    http::Surface,
};
use std::collections::BTreeSet;

dual!(every_guarded_route_refuses_anonymous_callers);

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "01a20000-0000-7000-8000-000000000000" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

async fn every_guarded_route_refuses_anonymous_callers(app: TestApp) {
    let all = routes();
    let list = all.list();
    assert!(list.len() > 30, "route list looks incomplete: {}", list.len());
    let mut checked = 0;
    for r in list {
        let mut b = Request::builder().method(r.method.clone()).uri(concrete(r.path));
        let body = if matches!(r.method, Method::POST | Method::PUT | Method::PATCH) {
            match r.surface {
                Surface::Api => {
                    b = b.header(header::CONTENT_TYPE, "application/json");
                    Body::from("{}")
                }
                Surface::Page => {
                    b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                    Body::from("")
                }
            }
        } else {
            Body::empty()
        };
        let c = app.client();
        // Pages need a valid CSRF pair so that the guard, not the CSRF check, answers.
        let res = if r.surface == Surface::Page && r.method != Method::GET {
            c.get("/login").await;
            let token = c.cookie("creneau_csrf").unwrap();
            let req = Request::builder()
                .method(r.method.clone())
                .uri(concrete(r.path))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("_csrf={token}")))
                .unwrap();
            c.send(req).await
        } else {
            c.send(b.body(body).unwrap()).await
        };
        assert!(res.status.as_u16() < 500, "{} {} crashed: {}", r.method, r.path, res.text());
        if r.guard != Guard::Public {
            match r.surface {
                Surface::Api => assert_eq!(
                    res.status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} let an anonymous caller in",
                    r.method,
                    r.path
                ),
                Surface::Page => {
                    assert_eq!(res.status, StatusCode::SEE_OTHER, "{} {}", r.method, r.path);
                    assert!(res.header("location").unwrap().starts_with("/login"), "{} {}", r.method, r.path);
                }
            }
        }
        checked += 1;
    }
    println!("checked {checked} routes");
}

#[test]
fn the_openapi_document_lists_exactly_the_api_routes() {
    let json: serde_json::Value = serde_json::from_str(creneau::features::openapi::json()).unwrap();
    assert_eq!(json["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in json["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<_> = routes()
        .list()
        .iter()
        .filter(|r| r.surface == Surface::Api && r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(documented, routed, "OpenAPI document and router disagree");
}

dual!(
    every_org_route_answers_404_to_another_tenant,
    every_org_route_refuses_a_member_without_rights,
    every_org_page_with_an_id_answers_404_to_another_tenant,
    every_org_page_refuses_a_member_without_rights
);

/// Organisation A with one of everything, and the ids to put in paths and bodies.
pub(crate) struct World {
    pub org: String,
    pub location: String,
    pub calendar: String,
    pub member: String,
    pub team: String,
    pub booking: String,
    pub service: String,
    pub client: String,
}

pub(crate) async fn world<'a>(app: &'a TestApp) -> (crate::helpers::Client<'a>, World) {
    use crate::helpers::owner_with_org;
    let (owner, org) = owner_with_org(app, "owner@a.fr", "A").await;
    let location = owner.create(&org, "/locations", serde_json::json!({"name": "A1"})).await;
    let calendar = owner.create(&org, "/calendars", serde_json::json!({"location_id": location, "name": "Room"})).await;
    let (_, member) = owner.join(&org, "staff@a.fr", serde_json::json!({"role": "staff"})).await;
    let team = owner.create(&org, "/teams", serde_json::json!({"name": "T"})).await;
    let booking = owner
        .create(
            &org,
            "/bookings",
            serde_json::json!({"calendar_id": calendar, "start": "2026-03-03T10:00:00Z", "override_hours": true}),
        )
        .await;
    let service = owner.create(&org, "/services", serde_json::json!({"name": "Cut"})).await;
    let client = owner.create(&org, "/clients", serde_json::json!({"first_name": "C", "last_name": "L"})).await;
    (owner, World { org, location, calendar, member, team, booking, service, client })
}

pub(crate) fn fill(path: &str, w: &World) -> String {
    let id = if path.contains("/locations/") {
        &w.location
    } else if path.contains("/calendars/") {
        &w.calendar
    } else if path.contains("/teams/") {
        &w.team
    } else if path.contains("/bookings/") {
        &w.booking
    } else if path.contains("/services/") {
        &w.service
    } else if path.contains("/clients/") {
        &w.client
    } else {
        &w.member
    };
    path.replace("{org_id}", &w.org).replace("{id}", id).replace("{calendar_id}", &w.calendar)
}

/// A body that would succeed for someone with the right, so that only access decides.
pub(crate) fn sample_body(method: &Method, path: &str, w: &World) -> serde_json::Value {
    use serde_json::json;
    let tail = path.trim_start_matches("/api/v1/orgs/{org_id}");
    match (method.as_str(), tail) {
        ("POST", "/locations") => json!({"name": "New place"}),
        ("PATCH", "/locations/{id}") => json!({"name": "Renamed"}),
        ("POST", "/calendars") => json!({"location_id": w.location, "name": "New room"}),
        ("PATCH", "/calendars/{id}") => json!({"name": "Renamed"}),
        ("POST", "/members") => json!({"email": "new@a.fr", "first_name": "N", "last_name": "M", "role": "staff"}),
        ("PATCH", "/members/{id}") => json!({"role": "assistant"}),
        ("PUT", "/members/{id}/grants") => json!({"grants": [{"scope": "org", "level": "view"}]}),
        ("POST", "/teams") => json!({"name": "New team"}),
        ("PATCH", "/teams/{id}") => json!({"name": "Renamed"}),
        ("POST", "/ownership") => json!({"member_id": w.member}),
        ("POST", "/bookings") => {
            json!({"calendar_id": w.calendar, "start": "2026-03-04T10:00:00Z", "override_hours": true})
        }
        ("PATCH", "/bookings/{id}") => json!({"start": "2026-03-05T10:00:00Z", "override_hours": true}),
        ("PUT", "/calendars/{id}/hours") => json!({"weekly": [{"weekday": 1, "start": "09:00", "end": "10:00"}]}),
        ("PATCH", "") => json!({"name": "Renamed"}),
        ("POST", "/services") => json!({"name": "New service"}),
        ("POST", "/clients") => json!({"first_name": "N", "last_name": "C"}),
        ("PATCH", "/clients/{id}") => json!({"notes": "x"}),
        ("POST", "/clients/{id}/merge") => json!({"duplicate_id": w.client}),
        ("POST", "/calendars/{id}/unavailability") | ("PUT", "/calendars/{id}/unavailability/{period_id}") => {
            json!({"start": "2026-03-09T00:00:00Z", "end": "2026-03-10T00:00:00Z"})
        }
        ("PATCH", "/services/{id}") => json!({"name": "Renamed"}),
        ("POST", "/api-keys") => json!({"name": "Key", "scopes": ["bookings_read"]}),
        ("POST", "/webhooks") => json!({"url": "https://hooks.example.fr/x", "events": ["booking.created"]}),
        ("PATCH", "/webhooks/{id}") => json!({"status": "disabled"}),
        ("PUT", "/me/notifications") => {
            json!({"preferences": [{"event": "booking_created", "channel": "sms", "enabled": true}]})
        }
        _ => json!({}),
    }
}

/// Audit rows of `org`, but for members changing their own notification preferences (which
/// every member may do, so the walks below expect it).
async fn audit_rows(app: &TestApp, org: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE org_id = '{org}' AND action <> 'member.notifications_updated'"
    ))
    .await
}

async fn call(c: &crate::helpers::Client<'_>, r: &creneau::app::RouteInfo, w: &World) -> crate::helpers::Resp {
    let path = fill(r.path, w);
    let path = if path.ends_with("/explain") {
        format!("{path}?action=view_calendar&object_type=calendar&object_id={}", w.calendar)
    } else if path.ends_with("/bookings") && r.method == Method::GET {
        format!("{path}?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z")
    } else if path.ends_with("/availability") {
        format!("{path}?service_id={}&calendar_id={}&from=2026-03-02&to=2026-03-08", w.service, w.calendar)
    } else {
        path
    };
    match r.method {
        Method::GET => c.get(&path).await,
        Method::DELETE => c.delete(&path).await,
        ref m => c.request(m.clone(), &path, Some(sample_body(m, r.path, w))).await,
    }
}

async fn every_org_route_answers_404_to_another_tenant(app: TestApp) {
    let (_owner, w) = world(&app).await;
    let (stranger, _) = crate::helpers::owner_with_org(&app, "owner@b.fr", "B").await;
    let before = audit_rows(&app, &w.org).await;
    let mut checked = 0;
    for r in routes().list().iter().filter(|r| r.guard == Guard::Org && r.surface == Surface::Api) {
        let res = call(&stranger, r, &w).await;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{} {} answered {} to another tenant: {}",
            r.method,
            r.path,
            res.status,
            res.text()
        );
        assert_eq!(res.json()["code"], "not-found");
        checked += 1;
    }
    assert_eq!(audit_rows(&app, &w.org).await, before, "another tenant changed something");
    assert!(checked >= 25, "only {checked} organisation routes");
    println!("wrong-tenant walk: {checked} routes");
}

async fn every_org_route_refuses_a_member_without_rights(app: TestApp) {
    let (owner, w) = world(&app).await;
    let (nobody, nobody_id) = owner.join(&w.org, "nobody@a.fr", serde_json::json!({"role": "assistant"})).await;
    // What any member may read: themselves, the organisation's name, and lists filtered to
    // what they may see (empty here); and their own notification preferences, which they
    // may change.
    let open = [
        "GET /api/v1/orgs/{org_id}/me",
        "GET /api/v1/orgs/{org_id}/me/notifications",
        "PUT /api/v1/orgs/{org_id}/me/notifications",
        "GET /api/v1/orgs/{org_id}",
        "GET /api/v1/orgs/{org_id}/locations",
        "GET /api/v1/orgs/{org_id}/calendars",
        "GET /api/v1/orgs/{org_id}/bookings",
        "GET /api/v1/orgs/{org_id}/bookings/search",
        "GET /api/v1/orgs/{org_id}/services",
        "GET /api/v1/orgs/{org_id}/services/{id}",
    ];
    let before = audit_rows(&app, &w.org).await;
    let mut checked = 0;
    for r in routes().list().iter().filter(|r| r.guard == Guard::Org && r.surface == Surface::Api) {
        let key = format!("{} {}", r.method, r.path);
        if key.ends_with("/leave") {
            continue; // leaving is always one's own right; tested elsewhere
        }
        let res = call(&nobody, r, &w).await;
        if open.contains(&key.as_str()) {
            assert_eq!(res.status, StatusCode::OK, "{key}");
            if r.path.ends_with("/locations") || r.path.ends_with("/calendars") || r.path.ends_with("/bookings") {
                assert_eq!(res.json(), serde_json::json!([]), "{key} showed something out of scope");
            }
            if r.path.ends_with("/bookings/search") {
                assert_eq!(res.json()["items"], serde_json::json!([]), "{key} showed something out of scope");
            }
        } else {
            // 403, or 404 / "unknown" for objects outside what the member may see.
            let invisible_in_body = res.status == StatusCode::UNPROCESSABLE_ENTITY
                && res.json()["errors"]
                    .as_array()
                    .is_some_and(|e| e.iter().all(|e| e["code"].as_str().is_some_and(|c| c.starts_with("unknown-"))));
            assert!(
                matches!(res.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) || invisible_in_body,
                "{key} answered {} to a member without rights: {}",
                res.status,
                res.text()
            );
        }
        checked += 1;
    }
    assert_eq!(audit_rows(&app, &w.org).await, before, "a member without rights changed something");
    // What they changed was theirs alone.
    let own: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification_preferences WHERE membership_id <> $1")
        .bind(&nobody_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(own, 0, "preferences of someone else were written");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_preferences").await,
        1,
        "the member's own preference was saved"
    );
    println!("too-low-role walk: {checked} routes");
}

async fn call_page(c: &crate::helpers::Client<'_>, r: &creneau::app::RouteInfo, w: &World) -> crate::helpers::Resp {
    let path = fill(r.path, w);
    match r.method {
        Method::GET => c.get(&path).await,
        _ => c.post_form(&path, &[("name", "Renamed"), ("role", "assistant")]).await,
    }
}

/// Page routes name objects by id under the session's organisation: another tenant's
/// owner gets the same 404 page as for a missing id, and nothing changes.
async fn every_org_page_with_an_id_answers_404_to_another_tenant(app: TestApp) {
    let (_owner, w) = world(&app).await;
    let (stranger, _) = crate::helpers::owner_with_org(&app, "owner@b.fr", "B").await;
    let before = audit_rows(&app, &w.org).await;
    let mut checked = 0;
    for r in routes()
        .list()
        .iter()
        .filter(|r| r.guard == Guard::Org && r.surface == Surface::Page && r.path.contains("{id}"))
    {
        let res = call_page(&stranger, r, &w).await;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{} {} answered {} to another tenant",
            r.method,
            r.path,
            res.status
        );
        assert!(res.header("content-type").unwrap().starts_with("text/html"), "{} {}", r.method, r.path);
        if r.method == Method::GET {
            // Signed in, the 404 keeps the person's own header, not the sign-in links.
            let html = res.text();
            assert!(html.contains("action=\"/logout\"") && !html.contains("href=\"/login\""), "{}: {html}", r.path);
        }
        checked += 1;
    }
    // So does a path no route knows.
    let html = stranger.get("/no-such-page").await.text();
    assert!(html.contains("action=\"/logout\"") && !html.contains("href=\"/signup\""), "{html}");
    assert!(app.client().get("/no-such-page").await.text().contains("href=\"/login\""));
    assert_eq!(audit_rows(&app, &w.org).await, before, "another tenant changed something");
    assert!(checked >= 15, "only {checked} page routes with ids");
    println!("wrong-tenant page walk: {checked} routes");
}

/// A member without rights (an assistant with no grants) is refused every organisation page
/// but the ones that only list what they may see (empty for them).
async fn every_org_page_refuses_a_member_without_rights(app: TestApp) {
    let (owner, w) = world(&app).await;
    let (nobody, _) = owner.join(&w.org, "nobody@a.fr", serde_json::json!({"role": "assistant"})).await;
    // Their own notification preferences too: saving answers with a redirect.
    // Services are what the public booking page shows: every member may read them.
    let open = [
        "GET /agenda",
        "GET /bookings",
        "GET /locations",
        "GET /services",
        "GET /services/{id}",
        "GET /notifications",
        "POST /notifications",
    ];
    let before = audit_rows(&app, &w.org).await;
    let mut checked = 0;
    for r in routes().list().iter().filter(|r| r.guard == Guard::Org && r.surface == Surface::Page) {
        let key = format!("{} {}", r.method, r.path);
        let res = call_page(&nobody, r, &w).await;
        if open.contains(&key.as_str()) {
            let ok = if r.method == Method::POST { StatusCode::SEE_OTHER } else { StatusCode::OK };
            assert_eq!(res.status, ok, "{key}");
            for secret in [&w.location, &w.calendar] {
                assert!(!res.text().contains(secret.as_str()), "{key} showed something out of scope");
            }
        } else {
            assert!(
                matches!(res.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{key} answered {} to a member without rights",
                res.status
            );
        }
        checked += 1;
    }
    assert_eq!(audit_rows(&app, &w.org).await, before, "a member without rights changed something");
    println!("too-low-role page walk: {checked} routes");
}

dual!(lists_page_by_cursor_with_a_link_to_the_next);

/// Cursor pagination on the lists answered whole (issue 14, item 2): `?limit=` and the
/// `Link: <…>; rel="next"` header walk every item once, in name order, then stop.
async fn lists_page_by_cursor_with_a_link_to_the_next(app: TestApp) {
    let (owner, org) = crate::helpers::owner_with_org(&app, "owner@pages.fr", "Pages").await;
    let loc = owner.paris(&org, "Lyon", serde_json::json!({})).await;
    for name in ["Émile", "Chloé", "Bruno", "Alice", "Damien"] {
        owner.calendar(&org, &loc, name, serde_json::json!({})).await;
    }
    let mut url = format!("/api/v1/orgs/{org}/calendars?location_id={loc}&limit=2");
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let r = owner.get(&url).await;
        r.assert(StatusCode::OK);
        names.extend(r.json().as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()));
        pages += 1;
        let Some(link) = r.header("link").map(str::to_string) else { break };
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        url = link.trim_start_matches('<').split('>').next().unwrap().to_string();
        assert!(url.contains(&format!("location_id={loc}")), "the filters stay: {url}");
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["Alice", "Bruno", "Chloé", "Damien", "Émile"]);
    // Without paging, the whole list as before; a cursor that is none is refused.
    assert_eq!(owner.org_get(&org, "/calendars").await.json().as_array().unwrap().len(), 5);
    assert!(owner.org_get(&org, "/calendars").await.header("link").is_none());
    owner.org_get(&org, "/locations?after=***").await.assert(StatusCode::UNPROCESSABLE_ENTITY);
    // The bookings of a window too, by start.
    let cal = owner.org_get(&org, "/calendars").await.json()[0]["id"].as_str().unwrap().to_string();
    for day in ["2026-03-05", "2026-03-03", "2026-03-04"] {
        let b = serde_json::json!({"calendar_id": cal, "start": format!("{day}T10:00:00Z"), "override_hours": true});
        owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    }
    let mut url = format!("/api/v1/orgs/{org}/bookings?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z&limit=2");
    let mut starts = Vec::new();
    loop {
        let r = owner.get(&url).await;
        r.assert(StatusCode::OK);
        starts.extend(r.json().as_array().unwrap().iter().map(|b| b["start"].as_str().unwrap()[..10].to_string()));
        let Some(link) = r.header("link").map(str::to_string) else { break };
        url = link.trim_start_matches('<').split('>').next().unwrap().to_string();
    }
    assert_eq!(starts, ["2026-03-03", "2026-03-04", "2026-03-05"]);
    for list in ["/locations", "/services", "/members", "/teams"] {
        let r = owner.org_get(&org, &format!("{list}?limit=1")).await;
        r.assert(StatusCode::OK);
        assert!(r.json().as_array().unwrap().len() <= 1, "{list}");
    }
}
