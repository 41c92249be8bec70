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
