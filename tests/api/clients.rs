//! Clients: search with pages, history and visit frequency, merge, export, erasure, and who
//! may see them.

use crate::helpers::{TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use serde_json::json;

dual!(clients_history_merge_export_erase_and_visibility);

async fn clients_history_merge_export_erase_and_visibility(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@cli.fr", "Cli").await;
    let mut cals = Vec::new();
    let mut locs = Vec::new();
    for name in ["Nord", "Sud"] {
        let loc = owner.create(&org, "/locations", json!({"name": name})).await;
        let cal = owner.create(&org, "/calendars", json!({"location_id": loc, "name": name})).await;
        locs.push(loc);
        cals.push(cal);
    }
    let client = |f: &str, l: &str, e: &str| json!({"first_name": f, "last_name": l, "email": e});
    let ana = owner.create(&org, "/clients", client("Ana", "Martin", "ana@example.fr")).await;
    let dup = owner
        .create(
            &org,
            "/clients",
            json!({"first_name": "Ana", "last_name": "Martin", "phone": "+33 6 00 00 00 01", "notes": "allergic"}),
        )
        .await;
    for i in 0..30 {
        owner
            .org_post(
                &org,
                "/clients",
                client("P", &format!("Person{i:02}"), &format!("p{i}@example.fr")),
                StatusCode::CREATED,
            )
            .await;
    }
    // Three visits at Nord, ten days apart, and one booking of the duplicate at Sud.
    for day in ["02", "12", "22"] {
        owner
            .org_post(&org, "/bookings", json!({"calendar_id": cals[0], "client_id": ana, "start": format!("2026-01-{day}T10:00:00Z"), "override_hours": true}), StatusCode::CREATED)
            .await;
    }
    owner
        .org_post(
            &org,
            "/bookings",
            json!({"calendar_id": cals[1], "client_id": dup, "start": "2026-02-01T10:00:00Z", "override_hours": true}),
            StatusCode::CREATED,
        )
        .await;
    // Search, paged by name.
    let p1 = owner.org_get(&org, "/clients?q=person&limit=20").await.json();
    assert_eq!(p1["items"].as_array().unwrap().len(), 20);
    let next = p1["next"].as_str().unwrap();
    let p2 = owner.org_get(&org, &format!("/clients?q=person&limit=20&after={next}")).await.json();
    assert_eq!(p2["items"].as_array().unwrap().len(), 10);
    assert_eq!(p2["items"][0]["last_name"], "Person20");
    assert!(p2["next"].is_null());
    assert_eq!(owner.org_get(&org, "/clients?q=ana@").await.json()["items"].as_array().unwrap().len(), 1);
    // History and frequency.
    let d = owner.org_get(&org, &format!("/clients/{ana}")).await.json();
    assert_eq!(d["visit_count"], 3);
    assert_eq!(d["days_between_visits"], 10.0);
    // A manager of Nord sees Ana (history there) but not the duplicate (history at Sud only).
    let (mgr, _) = owner
        .join(
            &org,
            "m@cli.fr",
            json!({"role": "manager",
        "grants": [{"scope": "location", "location_id": locs[0], "level": "manage"}]}),
        )
        .await;
    let seen = mgr.org_get(&org, "/clients?q=martin").await.json();
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    assert_eq!(seen["items"][0]["id"], ana.as_str());
    mgr.org_get(&org, &format!("/clients/{dup}")).await.problem(StatusCode::NOT_FOUND, "not-found");
    // A staff member without the client-list right sees no client anywhere.
    let (staff, _) = owner.join(&org, "s@cli.fr", json!({"role": "staff"})).await;
    staff.org_get(&org, "/clients").await.problem(StatusCode::FORBIDDEN, "forbidden");
    staff.org_get(&org, &format!("/clients/{ana}")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    // Merge the duplicate: its booking moves, its phone and notes fill the gaps.
    let merged =
        owner.post_json(&format!("/api/v1/orgs/{org}/clients/{ana}/merge"), json!({"duplicate_id": dup})).await;
    merged.assert(StatusCode::OK);
    let m = merged.json();
    assert_eq!(m["phone"], "+33600000001");
    assert_eq!(m["notes"], "allergic");
    assert_eq!(m["history"].as_array().unwrap().len(), 4);
    owner.org_get(&org, &format!("/clients/{dup}")).await.assert(StatusCode::NOT_FOUND);
    // Export, then erase: bookings stay, personal data goes.
    let export = owner.org_get(&org, &format!("/clients/{ana}/export")).await;
    export.assert(StatusCode::OK);
    assert_eq!(export.json()["client"]["email"], "ana@example.fr");
    assert_eq!(export.json()["bookings"].as_array().unwrap().len(), 4);
    mgr.post_json(&format!("/api/v1/orgs/{org}/clients/{ana}/erase"), json!({}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    owner.post_json(&format!("/api/v1/orgs/{org}/clients/{ana}/erase"), json!({})).await.assert(StatusCode::NO_CONTENT);
    let after = owner.org_get(&org, &format!("/clients/{ana}")).await.json();
    assert!(after["email"].is_null() && after["first_name"] == "" && after["phone"].is_null());
    assert_eq!(after["history"].as_array().unwrap().len(), 4);
    assert_eq!(owner.org_get(&org, "/clients?q=martin").await.json()["items"], json!([]));
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/clients/{ana}"), json!({"first_name": "Back"}))
        .await
        .problem(StatusCode::CONFLICT, "client-erased");
}
