//! The bookings export (issue 14, item 4): chosen locations over days, as CSV with a BOM,
//! each row in its location's zone, formula-safe cells, the client's email and phone only
//! with the client-list right; from the API (English, commas) and the page (the reader's
//! language: in French `;` and a decimal comma); gated by the download part of "all
//! bookings", audited; another organisation's location is "not found".

use crate::helpers::{TestApp, dual, in_location, owner_with_org};
use axum::http::StatusCode;
use serde_json::json;

dual!(bookings_export_as_csv_within_the_exporters_rights, the_export_page_downloads_in_the_readers_language);

struct Shop {
    org: String,
    paris: String,
    lyon: String,
}

async fn shop<'a>(app: &'a TestApp) -> (crate::helpers::Client<'a>, Shop) {
    let (owner, org) = owner_with_org(app, "owner@export.fr", "Export").await;
    let paris = owner.paris(&org, "Salon Paris", json!({"slug": "export-paris"})).await;
    let lyon = owner.paris(&org, "Salon Lyon", json!({})).await;
    let cal_p = owner.calendar(&org, &paris, "Camille", json!({})).await;
    let cal_l = owner.calendar(&org, &lyon, "Léa", json!({})).await;
    let svc = owner
        .create(&org, "/services", json!({"name": "Coupe", "length_min": 45, "min_notice_min": 0, "price_cents": 4550}))
        .await;
    owner.offer(&org, &svc, &cal_p).await;
    owner.open_weekdays(&org, &cal_p, "09:00", "18:00").await;
    let client = json!({"first_name": "Zoé", "last_name": "Martin", "email": "zoe@client.fr", "phone": "+33612345678"});
    let b = json!({"calendar_id": cal_p, "service_id": svc, "start": "2026-03-03T09:00:00Z", "client": client,
        "notes": "=HYPERLINK(\"http://evil\")"});
    owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    let b = json!({"calendar_id": cal_l, "start": "2026-03-04T15:00:00Z", "end": "2026-03-04T15:30:00Z", "override_hours": true});
    let cancelled = owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    owner
        .post_json(&format!("/api/v1/orgs/{org}/bookings/{}/cancel", cancelled["id"].as_str().unwrap()), json!({}))
        .await
        .assert(StatusCode::OK);
    // Online, through the public page; and one outside the days asked.
    let online = json!({"service_id": svc, "calendar_id": cal_p, "start": "2026-03-05T10:00:00+01:00",
        "first_name": "Hugo", "last_name": "Web", "email": "hugo@client.fr"});
    app.client().post_json("/api/v1/book/export-paris/bookings", online).await.assert(StatusCode::CREATED);
    let later = json!({"calendar_id": cal_p, "start": "2026-04-20T09:00:00Z", "override_hours": true});
    owner.org_post(&org, "/bookings", later, StatusCode::CREATED).await;
    (owner, Shop { org, paris, lyon })
}

/// The file's rows as cells (RFC 4180 with `sep`), the BOM checked and dropped.
fn rows(body: &str, sep: char) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a BOM first");
    body.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut cells = Vec::new();
            let (mut cur, mut quoted, mut chars) = (String::new(), false, l.chars().peekable());
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        cur.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    c if c == sep && !quoted => cells.push(std::mem::take(&mut cur)),
                    c => cur.push(c),
                }
            }
            cells.push(cur);
            cells
        })
        .collect()
}

async fn bookings_export_as_csv_within_the_exporters_rights(app: TestApp) {
    let (owner, s) = shop(&app).await;
    let url = |q: &str| format!("/api/v1/orgs/{}/bookings/export.csv?from=2026-03-01&to=2026-03-31{q}", s.org);
    let r = owner.get(&url("")).await;
    r.assert(StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.header("content-disposition").unwrap().contains("bookings.csv"));
    let table = rows(&r.text(), ',');
    assert_eq!(table[0][..6], ["date", "start", "end", "time_zone", "location", "calendar"]);
    assert_eq!(table.len(), 4, "three bookings in March, April's left out: {table:?}");
    let zoe = table.iter().find(|r| r[11] == "Zoé Martin").unwrap();
    // In the location's zone, priced, the contact shown to the owner, formulas neutralised.
    assert_eq!(zoe[..5], ["2026-03-03", "10:00", "10:45", "Europe/Paris", "Salon Paris"]);
    assert_eq!((zoe[7].as_str(), zoe[8].as_str(), zoe[9].as_str(), zoe[10].as_str()), ("Coupe", "45", "45.50", "EUR"));
    assert_eq!((zoe[12].as_str(), zoe[13].as_str()), ("zoe@client.fr", "'+33612345678"));
    assert_eq!(zoe[14], "confirmed");
    assert_eq!(zoe[17], "'=HYPERLINK(\"http://evil\")", "a spreadsheet shows it, never runs it");
    let web = table.iter().find(|r| r[11] == "Hugo Web").unwrap();
    assert_eq!(web[15], "online");
    let lyon = table.iter().find(|r| r[4] == "Salon Lyon").unwrap();
    assert_eq!((lyon[1].as_str(), lyon[14].as_str()), ("16:00", "cancelled"));
    // One location only.
    let only = rows(&owner.get(&url(&format!("&locations={}", s.lyon))).await.text(), ',');
    assert_eq!(only.len(), 2);
    // Audited as an export.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'bookings.exported'").await, 2);
    // Staff of Lyon with "all bookings" but not the client list: Lyon's rows, no contact.
    let body = json!({"role": "staff", "grants": [in_location(&s.lyon, "view")], "toggles": {"all_bookings": true}});
    let (staff, _) = owner.join(&s.org, "staff@export.fr", body).await;
    let mine = rows(&staff.get(&url("")).await.text(), ',');
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(mine.iter().all(|r| r[4] != "Salon Paris"));
    staff.get(&url(&format!("&locations={}", s.paris))).await.assert(StatusCode::NOT_FOUND);
    // A manager of Paris (client list by default): the contact details are there.
    let body = json!({"role": "manager", "grants": [in_location(&s.paris, "manage")]});
    let (mgr, _) = owner.join(&s.org, "mgr@export.fr", body).await;
    let theirs = rows(&mgr.get(&url("")).await.text(), ',');
    assert!(theirs.iter().any(|r| r[12] == "zoe@client.fr"));
    // Without the download right: refused; bad days: said.
    let (plain, _) = owner.join(&s.org, "plain@export.fr", json!({"role": "staff"})).await;
    plain.get(&url("")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    owner
        .get(&format!("/api/v1/orgs/{}/bookings/export.csv?from=2026-03-31&to=2026-03-01", s.org))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    owner
        .get(&format!("/api/v1/orgs/{}/bookings/export.csv?from=2020-01-01&to=2026-03-01", s.org))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    // Another organisation: its owner's export never names ours; our location is not found.
    let (stranger, other) = owner_with_org(&app, "owner@ailleurs-export.fr", "Ailleurs").await;
    stranger.paris(&other, "Ailleurs", json!({})).await;
    let q = format!("/api/v1/orgs/{other}/bookings/export.csv?from=2026-03-01&to=2026-03-31&locations={}", s.paris);
    stranger.get(&q).await.assert(StatusCode::NOT_FOUND);
    let theirs = stranger.get(&format!("/api/v1/orgs/{other}/bookings/export.csv?from=2026-03-01&to=2026-03-31")).await;
    assert_eq!(rows(&theirs.text(), ',').len(), 1, "the header alone");
}

async fn the_export_page_downloads_in_the_readers_language(app: TestApp) {
    let (owner, s) = shop(&app).await;
    let html = owner.get("/bookings").await.text();
    assert!(html.contains("href=\"/bookings/export\""), "the list leads to it");
    let page = owner.get("/bookings/export").await.text();
    assert!(page.contains("Exporter les rendez-vous") && page.contains("Salon Lyon"), "{page}");
    let r = owner.get(&format!("/bookings/export.csv?from=2026-03-01&to=2026-03-31&location={}", s.paris)).await;
    r.assert(StatusCode::OK);
    assert!(r.header("content-disposition").unwrap().contains("rendez-vous-2026-03-01-2026-03-31.csv"));
    let table = rows(&r.text(), ';');
    assert_eq!(table[0][..3], ["Date", "Début", "Fin"]);
    let zoe = table.iter().find(|r| r[11] == "Zoé Martin").unwrap();
    assert_eq!((zoe[9].as_str(), zoe[14].as_str()), ("45,50", "Confirmé"));
    assert_eq!(table.iter().find(|r| r[11] == "Hugo Web").unwrap()[15], "En ligne");
    assert_eq!(table.len(), 3, "Paris only");
    // In English: commas, a decimal point.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let en = rows(&owner.get("/bookings/export.csv?from=2026-03-01&to=2026-03-31").await.text(), ',');
    assert_eq!(en[0][..3], ["Date", "Start", "End"]);
    assert!(en.iter().any(|r| r[9] == "45.50"));
    // Staff without the right: no button, no page, no file.
    let (staff, _) = owner.join(&s.org, "staff@export-page.fr", json!({"role": "staff"})).await;
    assert!(!staff.get("/bookings").await.text().contains("href=\"/bookings/export\""));
    staff.get("/bookings/export").await.assert(StatusCode::FORBIDDEN);
    staff.get("/bookings/export.csv?from=2026-03-01&to=2026-03-31").await.assert(StatusCode::FORBIDDEN);
}
