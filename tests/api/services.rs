//! Services, the per-calendar toggle, and availability through the API (the engine over
//! hours, bookings with buffers, unavailability, notice), presented in any zone.

use crate::helpers::{TestApp, dual, in_location, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(services_are_offered_per_calendar_and_availability_follows_bookings);

async fn services_are_offered_per_calendar_and_availability_follows_bookings(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@svc.fr", "Svc").await;
    let loc = owner.paris(&org, "Paris", json!({})).await;
    let mk = |name: &str| json!({"location_id": loc, "name": name});
    let a = owner.create(&org, "/calendars", mk("A")).await;
    let b = owner.create(&org, "/calendars", mk("B")).await;
    for cal in [&a, &b] {
        // Tuesday 09:00–11:00 only.
        owner
            .put_json(
                &format!("/api/v1/orgs/{org}/calendars/{cal}/hours"),
                json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "11:00"}]}),
            )
            .await
            .assert(StatusCode::OK);
    }
    let svc = owner
        .org_post(
            &org,
            "/services",
            json!({"name": "Coupe", "length_min": 30, "buffer_after_min": 15, "step_min": 30, "min_notice_min": 0, "price_cents": 2500}),
            StatusCode::CREATED,
        )
        .await;
    let sid = svc["id"].as_str().unwrap().to_string();
    owner
        .post_json(&format!("/api/v1/orgs/{org}/services"), json!({"name": "X", "length_min": 2}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Not offered anywhere yet.
    let q = |extra: &str| format!("/availability?service_id={sid}&from=2026-03-03&to=2026-03-03{extra}");
    owner.org_get(&org, &q(&format!("&calendar_id={a}"))).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    for cal in [&a, &b] {
        owner
            .request(axum::http::Method::PUT, &format!("/api/v1/orgs/{org}/services/{sid}/calendars/{cal}"), None)
            .await
            .assert(StatusCode::OK);
    }
    let slots = owner.org_get(&org, &q(&format!("&calendar_id={a}"))).await.json();
    let starts = |v: &Value| {
        v.as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()[11..16].to_string()).collect::<Vec<_>>()
    };
    assert_eq!(starts(&slots), ["09:00", "09:30", "10:00", "10:30"]);
    // Book 09:30 on A with the service: its 15-minute buffer after also blocks 10:00.
    owner
        .org_post(
            &org,
            "/bookings",
            json!({"calendar_id": a, "service_id": sid, "start": "2026-03-03T09:30:00+01:00"}),
            StatusCode::CREATED,
        )
        .await;
    let slots = owner.org_get(&org, &q(&format!("&calendar_id={a}"))).await.json();
    assert_eq!(starts(&slots), ["10:30"]);
    // "Anyone" in the location: B is still free at 09:30 and 10:00. By default a slot says
    // how many are free; `detail=calendars` says which.
    let at_0930 = |v: &Value| {
        v.as_array().unwrap().iter().find(|s| s["start"].as_str().unwrap().contains("T09:30")).unwrap().clone()
    };
    let anyone = owner.org_get(&org, &q(&format!("&location_id={loc}"))).await.json();
    assert_eq!(at_0930(&anyone)["free"], 1);
    assert!(at_0930(&anyone).get("calendar_ids").is_none(), "{anyone}");
    let at_1030 = anyone.as_array().unwrap().iter().find(|s| s["start"].as_str().unwrap().contains("T10:30")).unwrap();
    assert_eq!(at_1030["free"], 2, "both free at 10:30");
    let detailed = owner.org_get(&org, &q(&format!("&location_id={loc}&detail=calendars"))).await.json();
    assert_eq!(at_0930(&detailed)["calendar_ids"], json!([b]));
    assert_eq!(at_0930(&detailed)["free"], 1);
    owner
        .org_get(&org, &q(&format!("&location_id={loc}&detail=everything")))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Asked from New York, the same instants.
    let ny = owner.org_get(&org, &q(&format!("&calendar_id={a}&tz=America/New_York"))).await.json();
    assert!(ny[0]["start"].as_str().unwrap().starts_with("2026-03-03T04:30:00-05:00"), "{ny}");
    // A staff member of another calendar cannot see A's availability; a manager of the
    // location can switch the service off for A.
    let (staff, _) = owner.join(&org, "s@svc.fr", json!({"role": "staff"})).await;
    staff.org_get(&org, &q(&format!("&calendar_id={a}"))).await.problem(StatusCode::NOT_FOUND, "not-found");
    staff.org_post(&org, "/services", json!({"name": "Mine"}), StatusCode::FORBIDDEN).await;
    let (mgr, _) = owner.join(&org, "m@svc.fr", role_with("manager", [in_location(&loc, "manage")])).await;
    mgr.delete(&format!("/api/v1/orgs/{org}/services/{sid}/calendars/{a}")).await.assert(StatusCode::OK);
    let s = owner.org_get(&org, &format!("/services/{sid}")).await.json();
    assert_eq!(s["calendar_ids"], json!([b]));
    mgr.delete(&format!("/api/v1/orgs/{org}/services/{sid}")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    owner.delete(&format!("/api/v1/orgs/{org}/services/{sid}")).await.problem(StatusCode::CONFLICT, "service-in-use");
}
