//! GDPR erasure leaves nothing of the client in the database (audit rows included) while
//! the audit chain still verifies; the audit log shows client details only to readers with
//! the client-list right.

use crate::helpers::{Client, TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use creneau::{audit, db::Backend, jobs::outbox};
use serde_json::json;

dual!(erasure_leaves_nothing_of_the_client_anywhere, audit_log_masks_client_details_without_the_client_list_right);

/// Every text of every column of every table (but the migrations' own bookkeeping).
async fn dump(app: &TestApp) -> Vec<(String, String, String)> {
    let pool = app.state.db.pool();
    let columns: Vec<(String, String)> = match app.backend() {
        Backend::Sqlite => {
            let tables: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_sqlx%' AND name NOT LIKE 'sqlite_%'")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let mut out = Vec::new();
            for (t,) in tables {
                let cols: Vec<(String,)> = sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{t}')"))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                out.extend(cols.into_iter().map(|(c,)| (t.clone(), c)));
            }
            out
        }
        Backend::Postgres => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    assert!(columns.len() > 50, "{columns:?}");
    let mut cells = Vec::new();
    for (t, c) in columns {
        let values: Vec<(Option<String>,)> =
            sqlx::query_as(&format!("SELECT CAST({c} AS TEXT) FROM {t}")).fetch_all(pool).await.unwrap();
        cells.extend(values.into_iter().filter_map(|(v,)| v).map(|v| (t.clone(), c.clone(), v)));
    }
    cells
}

async fn erasure_leaves_nothing_of_the_client_anywhere(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@erase.fr", "Erase").await;
    owner.patch_json(&format!("/api/v1/orgs/{org}"), json!({"sms_enabled": true})).await.assert(StatusCode::OK);
    let loc = owner.paris(&org, "Salon", json!({"slug": "salon-erase"})).await;
    let svc = owner.create(&org, "/services", json!({"name": "Coupe", "length_min": 30})).await;
    let cal = owner.calendar(&org, &loc, "Alice", json!({})).await;
    owner.open_weekdays(&org, &cal, "09:00", "17:00").await;
    owner.offer(&org, &svc, &cal).await;
    // The calendar is a staff member's, who hears of bookings (by mail, with the client's name).
    let (_, paul) = owner.join(&org, "paul@erase.fr", json!({"role": "staff"})).await;
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/calendars/{cal}"), json!({"member_id": paul}))
        .await
        .assert(StatusCode::OK);

    // The client: created, changed, booked by staff and online, mailed and texted, merged
    // with a duplicate.
    let zoe = owner
        .create(
            &org,
            "/clients",
            json!({"first_name": "Zéphyrine", "last_name": "Quintavalle", "email": "Zephyrine.Q@example.fr",
                   "phone": "+33 6 12 34 56 78", "notes": "allergique aux noisettes"}),
        )
        .await;
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/clients/{zoe}"), json!({"notes": "préfère le mardi matin"}))
        .await
        .assert(StatusCode::OK);
    let dup = owner.create(&org, "/clients", json!({"first_name": "Zéphyrine", "last_name": "Quintavalle", "phone": "+33 7 98 76 54 32", "notes": "ancienne fiche papier"})).await;
    owner
        .org_post(
            &org,
            "/bookings",
            json!({"calendar_id": cal, "service_id": svc, "client_id": zoe, "start": "2026-03-03T09:00:00Z", "notes": "vient avec sa fille"}),
            StatusCode::CREATED,
        )
        .await;
    // Some messages go out (sent rows keep their recipient), others wait.
    let senders = outbox::Senders::from_config(&app.state.config).unwrap();
    assert!(outbox::run_once(&app.state, &senders, 100).await.unwrap() > 0);
    app.client_from("198.51.100.60")
        .post_json(
            "/api/v1/book/salon-erase/bookings",
            json!({"service_id": svc, "calendar_id": cal, "start": "2026-03-04T09:00:00Z", "first_name": "Zéphyrine",
                   "last_name": "Quintavalle", "email": "zephyrine.q@example.fr", "phone": "+33 6 12 34 56 78",
                   "notes": "code porte 1234B"}),
        )
        .await
        .assert(StatusCode::CREATED);
    owner
        .post_json(&format!("/api/v1/orgs/{org}/clients/{zoe}/merge"), json!({"duplicate_id": dup}))
        .await
        .assert(StatusCode::OK);
    let needles = [
        "zéphyrine",
        "quintavalle",
        "zephyrine.q@example.fr",
        "612345678",
        "798765432",
        "allergique aux noisettes",
        "préfère le mardi",
        "ancienne fiche papier",
        "vient avec sa fille",
        "code porte 1234b",
    ];
    // Before erasure the data is there (the search finds what it looks for); the replaced
    // note and the duplicate's phone live only in audit rows, sealed.
    let before = dump(&app).await;
    for n in needles.iter().filter(|n| !["allergique aux noisettes", "798765432"].contains(n)) {
        assert!(before.iter().any(|(_, _, v)| v.to_lowercase().contains(n)), "{n} not found before erasure");
    }

    owner.post_json(&format!("/api/v1/orgs/{org}/clients/{zoe}/erase"), json!({})).await.assert(StatusCode::NO_CONTENT);

    let after = dump(&app).await;
    let left: Vec<_> = after.iter().filter(|(_, _, v)| needles.iter().any(|n| v.to_lowercase().contains(n))).collect();
    assert!(left.is_empty(), "left after erasure: {left:#?}");
    let (checked, broken) = audit::verify(&app.state.db).await.unwrap();
    assert!(broken.is_empty() && checked > 10, "{broken:?}");
    // The bookings stay, without the client; the audit rows stay, their values erased.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM bookings WHERE client_id = '{zoe}'")).await, 2);
    let log = owner.org_get(&org, &format!("/audit?object_type=client&object_id={zoe}")).await.json();
    let created = log["items"].as_array().unwrap().iter().find(|r| r["action"] == "client.created").unwrap().clone();
    assert_eq!(created["after"]["email"], "[erased]", "{created}");
    assert_eq!(created["after"]["id"], zoe.as_str());
}

/// The audit log as JSON, CSV and page.
async fn read(c: &Client<'_>, org: &str) -> (String, String, String) {
    let json = c.org_get(org, "/audit?limit=200").await;
    json.assert(StatusCode::OK);
    let csv = c.org_get(org, "/audit.csv").await;
    csv.assert(StatusCode::OK);
    let page = c.get("/audit").await;
    page.assert(StatusCode::OK);
    (json.text(), csv.text(), page.text())
}

async fn audit_log_masks_client_details_without_the_client_list_right(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@mask.fr", "Mask").await;
    let client = owner.create(&org, "/clients", json!({"first_name": "Bérénice", "last_name": "Okonkwo", "email": "berenice.ok@example.fr", "notes": "note confidentielle"})).await;
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/clients/{client}"), json!({"notes": "suivi particulier"}))
        .await
        .assert(StatusCode::OK);
    // A staff member who reads the whole audit log, without the client-list right.
    let (reader, _) = owner
        .join(
            &org,
            "reader@mask.fr",
            json!({"role": "staff", "grants": [{"scope": "org", "level": "view"}], "toggles": {"audit_log": true}}),
        )
        .await;
    reader.org_get(&org, "/clients").await.problem(StatusCode::FORBIDDEN, "forbidden");
    let secrets = ["berenice.ok@example.fr", "note confidentielle", "suivi particulier", "Okonkwo"];
    let (json, csv, page) = read(&reader, &org).await;
    for text in [&json, &csv] {
        assert!(text.contains("client.created") && text.contains("client.updated"), "the rows are listed: {text}");
    }
    // The page says it in words.
    let said = |fr: &str, en: &str| page.contains(fr) || page.contains(en);
    assert!(said("a ajouté le client", "added the client"), "the rows are listed: {page}");
    assert!(said("a modifié la fiche du client", "changed the client&#39;s record"), "{page}");
    for text in [&json, &csv, &page] {
        for s in secrets {
            assert!(!text.contains(s), "{s} shown to a reader without the client-list right: {text}");
        }
    }
    assert!(json.contains("[masked]"), "{json}");
    // The page says so in the reader's language.
    reader.patch_json("/api/v1/me", json!({"language": "fr"})).await.assert(StatusCode::OK);
    let page = reader.get("/audit").await.text();
    assert!(page.contains("[masqué]") && !page.contains("[masked]"), "{page}");
    // The owner sees them.
    let (json, csv, page) = read(&owner, &org).await;
    for s in secrets {
        assert!(json.contains(s) && csv.contains(s), "{s} hidden from the owner");
    }
    assert!(page.contains("berenice.ok@example.fr") && page.contains("suivi particulier"), "{page}");
}
