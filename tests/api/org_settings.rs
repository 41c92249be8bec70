//! The organisation's settings page (issue 13, item 9): name, zone, two-factor for everyone,
//! SMS; the ownership handed over; the organisation deleted with its personal data, by its
//! owner only, who types its name.

use crate::helpers::{TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use serde_json::json;

dual!(settings_are_changed_from_the_page, the_owner_hands_over_or_deletes_and_no_one_else_may);

async fn settings_are_changed_from_the_page(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@reglages.fr", "Réglages").await;
    let html = owner.get("/settings").await.text();
    assert!(html.contains("value=\"Réglages\"") && html.contains("value=\"Europe/Paris\""), "{html}");
    // Requiring two-factor before having it oneself is refused, in French.
    let fields =
        [("name", "Salon Réglé"), ("time_zone", "Europe/Brussels"), ("require_totp", "1"), ("sms_enabled", "1")];
    let r = owner.post_form("/settings", &fields).await;
    r.assert(StatusCode::CONFLICT);
    assert!(r.text().contains("Activez la double authentification sur votre propre compte"), "{}", r.text());
    let fields = [("name", "Salon Réglé"), ("time_zone", "Europe/Brussels"), ("sms_enabled", "1")];
    owner.post_form("/settings", &fields).await.redirected("/settings?done=saved");
    let s = owner.org_get(&org, "").await.json();
    assert_eq!(
        (s["name"].as_str(), s["time_zone"].as_str(), s["sms_enabled"].as_bool()),
        (Some("Salon Réglé"), Some("Europe/Brussels"), Some(true))
    );
    // A zone that is none is a field error; a new location starts in the organisation's zone.
    let r = owner.post_form("/settings", &[("name", "Salon Réglé"), ("time_zone", "Mars/Olympus")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(owner.get("/locations").await.text().contains("value=\"Europe/Brussels\""));
    // The API takes the zone too.
    owner.patch_json(&format!("/api/v1/orgs/{org}"), json!({"time_zone": "Europe/Paris"})).await.assert(StatusCode::OK);
    assert_eq!(owner.org_get(&org, "").await.json()["time_zone"], "Europe/Paris");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.settings_updated'").await, 2);
}

async fn the_owner_hands_over_or_deletes_and_no_one_else_may(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@fin.fr", "Fin de partie").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Fauteuil", json!({})).await;
    let client = owner
        .create(&org, "/clients", json!({"first_name": "Zoé", "last_name": "Martin", "email": "zoe@fin.fr"}))
        .await;
    owner
        .create(
            &org,
            "/bookings",
            json!({"calendar_id": cal, "client_id": client, "start": "2026-03-03T09:00:00Z", "override_hours": true}),
        )
        .await;
    let (admin, admin_id) = owner.join(&org, "admin@fin.fr", json!({"role": "administrator"})).await;
    let (staff, _) = owner.join(&org, "staff@fin.fr", json!({"role": "staff"})).await;
    let (_, other) = owner_with_org(&app, "owner@autre.fr", "Autre").await;
    // Staff: no settings at all. The administrator: settings, but no hand-over or deletion.
    staff.get("/settings").await.assert(StatusCode::FORBIDDEN);
    assert!(!staff.get("/agenda").await.text().contains("href=\"/settings\""));
    let html = admin.get("/settings").await.text();
    assert!(
        html.contains("action=\"/settings\"")
            && !html.contains("/settings/delete")
            && !html.contains("/settings/ownership")
    );
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    admin.post_form("/settings/delete", &[("confirm_name", "Fin de partie")]).await.assert(StatusCode::FORBIDDEN);
    admin.post_form("/settings/ownership", &[("member_id", &admin_id)]).await.assert(StatusCode::FORBIDDEN);
    staff.post_form("/settings", &[("name", "Pris")]).await.assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit, "nothing changed");
    // The owner: a wrong name is refused in French and deletes nothing.
    let r = owner.post_form("/settings/delete", &[("confirm_name", "Fin de parti")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Saisissez exactement le nom de l&#39;organisation."), "{}", r.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 1);
    // Hand-over to the administrator, who becomes owner; the giver an administrator.
    owner.post_form("/settings/ownership", &[("member_id", &admin_id)]).await.redirected("/team?done=ownership");
    assert_eq!(admin.org_get(&org, "/me").await.json()["role"], "owner");
    assert_eq!(owner.org_get(&org, "/me").await.json()["role"], "administrator");
    owner.post_form("/settings/delete", &[("confirm_name", "Fin de partie")]).await.assert(StatusCode::FORBIDDEN);
    // The new owner deletes it: everything of it goes, the other organisation stays.
    admin
        .post_form("/settings/delete", &[("confirm_name", "Fin de partie")])
        .await
        .redirected("/orgs?done=org_deleted");
    for table in ["bookings", "clients", "calendars", "locations", "memberships", "client_keys"] {
        let n = app.count(&format!("SELECT COUNT(*) FROM {table} WHERE org_id = '{org}'")).await;
        assert_eq!(n, 0, "{table} kept rows of the deleted organisation");
    }
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE chain = '{org}'")).await, 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM outbox WHERE org_id = '{org}'")).await, 0);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM orgs WHERE id = '{other}'")).await,
        1,
        "another organisation stays"
    );
    // The platform's chain keeps that it happened, and by whom.
    let (actor, action): (Option<String>, String) = sqlx::query_as(&format!(
        "SELECT actor_label, action FROM audit_log WHERE object_id = '{org}' AND action = 'org.deleted'"
    ))
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!((actor.as_deref(), action.as_str()), (Some("admin@fin.fr"), "org.deleted"));
    admin.org_get(&org, "").await.assert(StatusCode::NOT_FOUND);
    let page = admin.get("/orgs?done=org_deleted").await.text();
    assert!(page.contains("Organisation supprimée"), "{page}");
}
