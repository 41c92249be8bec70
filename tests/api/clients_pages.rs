//! The client pages (issue 13, item 4): the directory and its search, a client's page with
//! contact details, notes, history, visits, frequency and no-shows, duplicates merged from the
//! page, the JSON export and the erasure that asks first; staff bookings that attach to a
//! known client; and who may see or change any of it.

use crate::helpers::{Client, TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    the_directory_finds_shows_merges_exports_and_erases,
    a_staff_booking_attaches_to_the_known_client,
    client_pages_follow_the_client_list_right,
);

/// Client ids the page links to, in order (the directory's rows, a page's duplicates).
fn linked_clients(html: &str) -> Vec<String> {
    html.split("<a href=\"/clients/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

async fn booking(owner: &Client<'_>, org: &str, cal: &str, start: &str, client: Value) -> String {
    let mut body = json!({"calendar_id": cal, "start": start, "override_hours": true});
    match client {
        Value::String(id) => body["client_id"] = json!(id),
        other => body["client"] = other,
    }
    owner.create(org, "/bookings", body).await
}

async fn the_directory_finds_shows_merges_exports_and_erases(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@fiches.fr", "Fiches").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Fauteuil", json!({})).await;
    // A new client from the directory's form; a bad address is said in French.
    let r = owner
        .post_form(
            "/clients",
            &[("first_name", "Ana"), ("last_name", "Martin"), ("email", "ana@"), ("phone", ""), ("notes", "")],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Saisissez une adresse e-mail valide."), "{}", r.text());
    let fields = [
        ("first_name", "Ana"),
        ("last_name", "Martin"),
        ("email", "ana@example.fr"),
        ("phone", "+33 6 12 34 56 78"),
        ("notes", ""),
    ];
    let to = owner.post_form("/clients", &fields).await.redirected("/clients/");
    let ana = to.trim_start_matches("/clients/").split('?').next().unwrap().to_string();
    // A second record for her (made through the API, which does not merge by itself).
    let dup = owner.create(&org, "/clients", json!({"first_name": "Ana", "last_name": "M.", "phone": "+33 6 12 34 56 78", "notes": "Allergique à l'ammoniaque"})).await;
    let other = owner
        .create(&org, "/clients", json!({"first_name": "Bruno", "last_name": "Petit", "email": "bruno@example.fr"}))
        .await;
    // Three visits ten days apart, one no-show, and a booking of the duplicate.
    let past: Vec<String> = {
        let mut v = Vec::new();
        for day in ["2026-02-01", "2026-02-11", "2026-02-21"] {
            v.push(booking(&owner, &org, &cal, &format!("{day}T09:00:00Z"), json!(ana)).await);
        }
        v
    };
    let missed = booking(&owner, &org, &cal, "2026-03-02T08:00:00Z", json!(ana)).await;
    app.advance(jiff::SignedDuration::from_hours(2));
    owner.post_json(&format!("/api/v1/orgs/{org}/bookings/{missed}/no-show"), json!({})).await.assert(StatusCode::OK);
    let dup_booking = booking(&owner, &org, &cal, "2026-03-10T09:00:00Z", json!(dup)).await;
    // Search by name, address and phone.
    assert_eq!(linked_clients(&owner.page("/clients?q=martin").await), std::slice::from_ref(&ana));
    assert_eq!(linked_clients(&owner.page("/clients?q=bruno%40").await), std::slice::from_ref(&other));
    let by_phone = linked_clients(&owner.page("/clients?q=%2B336123").await);
    assert_eq!(by_phone.len(), 2, "both records hold the number");
    // Her page: history, visits, frequency, no-shows, the duplicate suggested.
    let html = owner.page(&format!("/clients/{ana}")).await;
    for id in past.iter().chain([&missed]) {
        assert!(html.contains(&format!("/bookings/{id}")), "history lists {id}");
    }
    assert!(html.contains("tous les 10 jours"), "{html}");
    assert!(html.contains("<dt>Absences du client</dt><dd>1</dd>"), "one no-show");
    assert!(html.contains("<dt>Visites</dt><dd>3</dd>"), "three visits: a no-show is not one");
    assert!(html.contains("Doublons possibles") && html.contains(&format!("value=\"{dup}\"")));
    assert!(!html.contains(&format!("value=\"{other}\"")), "a different client is no duplicate");
    // Notes are written from the page.
    let notes = [
        ("first_name", "Ana"),
        ("last_name", "Martin"),
        ("email", "ana@example.fr"),
        ("phone", "+33612345678"),
        ("notes", "Préfère le matin."),
    ];
    owner.post_form(&format!("/clients/{ana}"), &notes).await.redirected(&format!("/clients/{ana}?done=saved"));
    assert_eq!(owner.org_get(&org, &format!("/clients/{ana}")).await.json()["notes"], "Préfère le matin.");
    // Merge the duplicate from the page: its booking moves, it is gone, its notes kept.
    owner
        .post_form(&format!("/clients/{ana}/merge"), &[("duplicate_id", &dup)])
        .await
        .redirected(&format!("/clients/{ana}?done=merged"));
    owner.org_get(&org, &format!("/clients/{dup}")).await.assert(StatusCode::NOT_FOUND);
    let b = owner.org_get(&org, &format!("/bookings/{dup_booking}")).await.json();
    assert_eq!(b["client"]["id"], ana.as_str());
    assert!(
        owner.org_get(&org, &format!("/clients/{ana}")).await.json()["notes"].as_str().unwrap().contains("ammoniaque")
    );
    assert!(!owner.page(&format!("/clients/{ana}")).await.contains("Doublons possibles"));
    // Export: a JSON file of everything held.
    let r = owner.get(&format!("/clients/{ana}/export")).await;
    r.assert(StatusCode::OK);
    assert!(r.header("content-disposition").unwrap().starts_with("attachment"));
    assert_eq!(r.json()["client"]["email"], "ana@example.fr");
    // Erasure asks first: without the box ticked nothing happens.
    let r = owner.post_form(&format!("/clients/{ana}/erase"), &[]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Cochez la case"));
    assert_eq!(owner.org_get(&org, &format!("/clients/{ana}")).await.json()["last_name"], "Martin");
    owner.post_form(&format!("/clients/{ana}/erase"), &[("confirm", "yes")]).await.redirected("/clients?done=erased");
    assert!(linked_clients(&owner.page("/clients?q=martin").await).is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'client.erased'").await, 1);
}

async fn a_staff_booking_attaches_to_the_known_client(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@known.fr", "Known").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Fauteuil", json!({})).await;
    let zoe = owner
        .create(
            &org,
            "/clients",
            json!({"first_name": "Zoé", "last_name": "Roux", "email": "Zoe@Example.fr", "phone": "+33 6 11 22 33 44"}),
        )
        .await;
    let clients_before = app.count("SELECT COUNT(*) FROM clients").await;
    // The same address (another case) or the same phone: her record, not a second one.
    let by_email = booking(
        &owner,
        &org,
        &cal,
        "2026-03-03T09:00:00Z",
        json!({"first_name": "Zoe", "last_name": "R", "email": "zoe@example.FR"}),
    )
    .await;
    let by_phone = booking(
        &owner,
        &org,
        &cal,
        "2026-03-04T09:00:00Z",
        json!({"first_name": "Z", "last_name": "Roux", "phone": "+33611223344"}),
    )
    .await;
    for b in [&by_email, &by_phone] {
        assert_eq!(owner.org_get(&org, &format!("/bookings/{b}")).await.json()["client"]["id"], zoe.as_str());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM clients").await, clients_before);
    // Someone new is a new client.
    let new = booking(
        &owner,
        &org,
        &cal,
        "2026-03-05T09:00:00Z",
        json!({"first_name": "Léo", "last_name": "Blanc", "email": "leo@example.fr"}),
    )
    .await;
    assert_ne!(owner.org_get(&org, &format!("/bookings/{new}")).await.json()["client"]["id"], zoe.as_str());
    assert_eq!(app.count("SELECT COUNT(*) FROM clients").await, clients_before + 1);
}

async fn client_pages_follow_the_client_list_right(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@droits.fr", "Droits").await;
    let nord = owner.paris(&org, "Nord", json!({})).await;
    let sud = owner.paris(&org, "Sud", json!({})).await;
    let cal_n = owner.calendar(&org, &nord, "N", json!({})).await;
    let cal_s = owner.calendar(&org, &sud, "S", json!({})).await;
    let ana =
        owner.create(&org, "/clients", json!({"first_name": "Ana", "last_name": "Nord", "email": "ana@n.fr"})).await;
    let sam =
        owner.create(&org, "/clients", json!({"first_name": "Sam", "last_name": "Sud", "email": "sam@s.fr"})).await;
    booking(&owner, &org, &cal_n, "2026-03-03T09:00:00Z", json!(ana)).await;
    booking(&owner, &org, &cal_s, "2026-03-03T09:00:00Z", json!(sam)).await;
    // Staff without the client list: no section, no page.
    let (staff, _) = owner.join(&org, "staff@droits.fr", json!({"role": "staff"})).await;
    assert!(!staff.page("/agenda").await.contains("href=\"/clients\""));
    staff.get("/clients").await.assert(StatusCode::FORBIDDEN);
    staff.get(&format!("/clients/{ana}")).await.assert(StatusCode::FORBIDDEN);
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    for path in [format!("/clients/{ana}"), format!("/clients/{ana}/merge"), format!("/clients/{ana}/erase")] {
        let r = staff
            .post_form(&path, &[("first_name", "X"), ("last_name", "Y"), ("duplicate_id", &sam), ("confirm", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    staff.get(&format!("/clients/{ana}/export")).await.assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit, "staff changed nothing");
    // A manager of Nord: Nord's clients only; may edit them, may not erase (organisation-wide).
    let grant = json!({"role": "manager", "grants": [{"scope": "location", "location_id": nord, "level": "manage"}]});
    let (mgr, _) = owner.join(&org, "mgr@droits.fr", grant).await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert!(mgr.page("/agenda").await.contains("href=\"/clients\""));
    assert_eq!(linked_clients(&mgr.page("/clients").await), std::slice::from_ref(&ana));
    mgr.get(&format!("/clients/{sam}")).await.assert(StatusCode::NOT_FOUND);
    let html = mgr.page(&format!("/clients/{ana}")).await;
    assert!(html.contains(&format!("action=\"/clients/{ana}\"")), "the manager edits Nord's client");
    assert!(!html.contains("/erase\""), "erasure is for who holds the list organisation-wide");
    mgr.post_form(&format!("/clients/{ana}/erase"), &[("confirm", "yes")]).await.assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit, "the manager erased nothing");
    // Another organisation: not found, nothing changed.
    let (stranger, _) = owner_with_org(&app, "owner@ailleurs.fr", "Ailleurs").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    for path in [format!("/clients/{ana}"), format!("/clients/{ana}/export")] {
        stranger.get(&path).await.assert(StatusCode::NOT_FOUND);
    }
    for path in [format!("/clients/{ana}"), format!("/clients/{ana}/merge"), format!("/clients/{ana}/erase")] {
        let r = stranger
            .post_form(&path, &[("first_name", "X"), ("last_name", "Y"), ("duplicate_id", &sam), ("confirm", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(linked_clients(&stranger.page("/clients").await).is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);
}
