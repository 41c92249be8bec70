//! Teams as grant targets, and reading the audit trail (filters, pagination, scope, CSV).

use crate::helpers::{TestApp, dual, in_location, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::json;

dual!(team_grants_apply_to_members_and_follow_the_ceiling, audit_log_is_filtered_paginated_scoped_and_exported);

async fn team_grants_apply_to_members_and_follow_the_ceiling(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@team.fr", "Team").await;
    let loc = owner.create(&org, "/locations", json!({"name": "L"})).await;
    let cal = owner.create(&org, "/calendars", json!({"location_id": loc, "name": "Room"})).await;
    let (a, a_id) = owner.join(&org, "a@team.fr", json!({"role": "assistant"})).await;
    assert_eq!(a.org_get(&org, "/calendars").await.json(), json!([]));
    let team = owner
        .org_post(
            &org,
            "/teams",
            json!({"name": "Accueil", "member_ids": [a_id], "grants": [{"scope": "calendar", "calendar_id": cal, "level": "book"}]}),
            StatusCode::CREATED,
        )
        .await;
    let seen = a.org_get(&org, "/calendars").await.json();
    assert_eq!(seen[0]["id"], cal.as_str());
    assert_eq!(seen[0]["access"], "book");
    let e = owner
        .org_get(&org, &format!("/members/{a_id}/explain?action=create_booking&object_type=calendar&object_id={cal}"))
        .await
        .json();
    assert_eq!(e["decision"]["reason"]["via_team"], "Accueil", "{e}");
    // Members of another organisation cannot be put in a team.
    let (b, org_b) = owner_with_org(&app, "b@other.fr", "Other").await;
    let b_me = b.org_get(&org_b, "/me").await.json()["id"].as_str().unwrap().to_string();
    let tid = team["id"].as_str().unwrap();
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/teams/{tid}"), json!({"member_ids": [a_id, b_me]}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    b.org_get(&org, &format!("/teams/{tid}")).await.assert(StatusCode::NOT_FOUND);
    a.org_get(&org, "/teams").await.problem(StatusCode::FORBIDDEN, "forbidden");
    // Removing the member from the team removes the access.
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/teams/{tid}"), json!({"member_ids": []}))
        .await
        .assert(StatusCode::OK);
    assert_eq!(a.org_get(&org, "/calendars").await.json(), json!([]));
    owner.delete(&format!("/api/v1/orgs/{org}/teams/{tid}")).await.assert(StatusCode::NO_CONTENT);
}

async fn audit_log_is_filtered_paginated_scoped_and_exported(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@audit.fr", "Audit").await;
    let paris = owner.create(&org, "/locations", json!({"name": "Paris"})).await;
    let lyon = owner.create(&org, "/locations", json!({"name": "=cmd|' /C calc'!A0"})).await;
    for i in 0..5 {
        owner
            .org_post(&org, "/calendars", json!({"location_id": paris, "name": format!("P{i}")}), StatusCode::CREATED)
            .await;
    }
    owner.org_post(&org, "/calendars", json!({"location_id": lyon, "name": "L0"}), StatusCode::CREATED).await;
    // Organisation-wide, newest first, paginated.
    let page1 = owner.org_get(&org, "/audit?limit=4").await.json();
    let items = page1["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["action"], "calendar.created");
    assert_eq!(items[0]["actor_label"], "owner@audit.fr");
    let before = page1["next_before"].as_i64().unwrap();
    let page2 = owner.org_get(&org, &format!("/audit?limit=100&before={before}")).await.json();
    let total = 4 + page2["items"].as_array().unwrap().len();
    assert!(page2["next_before"].is_null());
    // org.created, member.added, 2 locations, 6 calendars
    assert_eq!(total, 10);
    // Filters: per object ("history"), by action.
    let hist = owner.org_get(&org, &format!("/audit?object_type=location&object_id={paris}")).await.json();
    assert_eq!(hist["items"].as_array().unwrap().len(), 1);
    assert_eq!(hist["items"][0]["after"]["name"], "Paris");
    let created = owner.org_get(&org, "/audit?action=calendar.created").await.json();
    assert_eq!(created["items"].as_array().unwrap().len(), 6);
    owner.org_get(&org, "/audit?from=yesterday").await.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let none = owner.org_get(&org, "/audit?from=2030-01-01T00:00:00Z").await.json();
    assert_eq!(none["items"], json!([]));
    // A manager of Paris sees Paris's rows only; a plain staff member sees nothing.
    let (mgr, _) = owner.join(&org, "mgr@audit.fr", role_with("manager", [in_location(&paris, "manage")])).await;
    let seen = mgr.org_get(&org, "/audit?limit=200").await.json();
    let seen = seen["items"].as_array().unwrap();
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(seen.iter().all(|r| r["location_id"] == paris.as_str()));
    let (staff, _) = owner.join(&org, "staff@audit.fr", json!({"role": "staff"})).await;
    staff.org_get(&org, "/audit").await.problem(StatusCode::FORBIDDEN, "forbidden");
    staff.org_get(&org, "/audit.csv").await.assert(StatusCode::FORBIDDEN);
    // CSV: streamed, formulas neutralised.
    let csv = owner.org_get(&org, "/audit.csv").await;
    csv.assert(StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    assert!(text.starts_with("seq,at,actor_type"));
    assert!(!text.contains(",\"=cmd"), "a formula reached the CSV unescaped");
    assert!(text.lines().count() > 10);
}
