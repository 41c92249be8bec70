//! Statistics: the figures over a range (per week, location, calendar, service; rates;
//! busiest hours; utilisation), exactly over what the member may see, gated by the
//! statistics toggle by location; the page in both languages and the CSV of the same numbers.

use crate::helpers::{Client, TestApp, dual, id_where, in_location, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    the_figures_count_every_booking_by_week_place_service_and_hour,
    statistics_follow_the_toggle_and_the_scope,
    the_page_and_the_csv_say_the_same_numbers_in_each_language,
);

struct Salon<'a> {
    owner: Client<'a>,
    org: String,
    paris: String,
    lyon: String,
    chair: String,
    sam_cal: String,
    sam: Client<'a>,
    sam_id: String,
}

/// Paris (a chair, and Sam's own calendar) and Lyon (one chair), all open Monday–Friday
/// 09:00–17:00, a 30-minute "Coupe" everywhere, and six bookings over 2–15 March 2026: on the
/// chair Tuesday 3 at 10:00, 11:00 (cancelled), Wednesday 4 at 14:00 (no-show), Tuesday 10
/// at 10:00 for an hour without a service; in Lyon Thursday 5 at 10:00; Sam's Friday 6 at
/// 15:00. The clock ends on 12 March.
async fn salon(app: &TestApp) -> Salon<'_> {
    let (owner, org) = owner_with_org(app, "owner@stats.fr", "Stats").await;
    let paris = owner.paris(&org, "Paris", json!({})).await;
    let lyon = owner.paris(&org, "Lyon", json!({})).await;
    let chair = owner.calendar(&org, &paris, "Fauteuil 1", json!({})).await;
    let lyon_chair = owner.calendar(&org, &lyon, "Fauteuil Lyon", json!({})).await;
    let (sam, sam_id) = owner.join(&org, "sam@stats.fr", json!({"role": "staff", "calendar_location_id": paris})).await;
    let cals = owner.org_get(&org, "/calendars").await.json();
    let sam_cal = id_where(&cals, "member_id", &sam_id);
    let svc = owner.create(&org, "/services", json!({"name": "Coupe", "length_min": 30, "price_cents": 2500})).await;
    for cal in [&chair, &lyon_chair, &sam_cal] {
        owner.open_weekdays(&org, cal, "09:00", "17:00").await;
        owner.offer(&org, &svc, cal).await;
    }
    let book = |cal: &str, start: &str, with_service: bool| {
        let mut body = json!({"calendar_id": cal, "start": start,
                              "client": {"first_name": "Claire", "last_name": "Cliente", "email": "claire@example.fr"}});
        if with_service {
            body["service_id"] = json!(svc);
        } else {
            body["end"] = json!(start.replace("T10:00", "T11:00"));
        }
        body
    };
    let mut ids = Vec::new();
    for (cal, start, with_service) in [
        (&chair, "2026-03-03T10:00:00+01:00", true),
        (&chair, "2026-03-03T11:00:00+01:00", true),
        (&chair, "2026-03-04T14:00:00+01:00", true),
        (&chair, "2026-03-10T10:00:00+01:00", false),
        (&lyon_chair, "2026-03-05T10:00:00+01:00", true),
        (&sam_cal, "2026-03-06T15:00:00+01:00", true),
    ] {
        ids.push(owner.create(&org, "/bookings", book(cal, start, with_service)).await);
    }
    let path = format!("/api/v1/orgs/{org}/bookings");
    owner.post_json(&format!("{path}/{}/cancel", ids[1]), json!({})).await.assert(StatusCode::OK);
    app.advance(jiff::SignedDuration::from_hours(24 * 10));
    owner.post_json(&format!("{path}/{}/no-show", ids[2]), json!({})).await.assert(StatusCode::OK);
    Salon { owner, org, paris, lyon, chair, sam_cal, sam, sam_id }
}

const RANGE: &str = "from=2026-03-02&to=2026-03-15";

async fn stats(c: &Client<'_>, org: &str, extra: &str) -> Value {
    let r = c.org_get(org, &format!("/statistics?{RANGE}{extra}")).await;
    r.assert(StatusCode::OK);
    r.json()
}

fn named<'v>(list: &'v Value, name: &str) -> &'v Value {
    list.as_array().unwrap().iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("no {name} in {list}"))
}

async fn the_figures_count_every_booking_by_week_place_service_and_hour(app: TestApp) {
    let s = salon(&app).await;
    let v = stats(&s.owner, &s.org, "").await;
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str(), v["time_zone"].as_str()),
        (Some("2026-03-02"), Some("2026-03-15"), Some("Europe/Paris"))
    );
    let t = &v["total"];
    assert_eq!((t["bookings"].as_i64(), t["cancelled"].as_i64(), t["no_shows"].as_i64()), (Some(6), Some(1), Some(1)));
    // Kept: three half-hours and an hour on the chair… the cancelled one does not count.
    assert_eq!(t["booked_min"], 30 + 30 + 60 + 30 + 30);
    // Three calendars, ten working days of eight hours each.
    assert_eq!(t["open_min"], 3 * 10 * 8 * 60);
    assert_eq!(t["utilisation"].as_f64(), Some(180.0 / 14_400.0));
    assert_eq!(t["cancellation_rate"].as_f64(), Some(1.0 / 6.0));
    assert_eq!(t["no_show_rate"].as_f64(), Some(1.0 / 6.0));
    // Weeks of 2 and 9 March: kept bookings (the no-show was kept, not cancelled).
    assert_eq!(v["weeks"], json!([{"week": "2026-03-02", "bookings": 4}, {"week": "2026-03-09", "bookings": 1}]));
    let paris = named(&v["locations"], "Paris");
    assert_eq!((paris["id"].as_str(), paris["bookings"].as_i64()), (Some(s.paris.as_str()), Some(5)));
    assert_eq!(paris["booked_min"], 150);
    assert_eq!(named(&v["locations"], "Lyon")["bookings"], 1);
    // A line a calendar; Sam's own calendar carries Sam's name.
    assert_eq!(v["calendars"].as_array().unwrap().len(), 3);
    assert_eq!(named(&v["calendars"], "Fauteuil 1")["id"], s.chair);
    let sams = v["calendars"].as_array().unwrap().iter().find(|c| c["id"] == s.sam_cal).unwrap();
    assert!(sams["name"].as_str().unwrap().to_lowercase().contains("sam"), "{sams}");
    assert_eq!(named(&v["services"], "Coupe")["bookings"], 5);
    assert_eq!(named(&v["services"], "")["bookings"], 1);
    // Weekday × hour in Paris time: Tuesday 10:00 twice, Wednesday 14:00, Thursday 10:00,
    // Friday 15:00.
    let hours = &v["hours"];
    assert_eq!(hours.as_array().unwrap().len(), 7);
    assert_eq!(
        (hours[1][10].as_i64(), hours[2][14].as_i64(), hours[3][10].as_i64(), hours[4][15].as_i64()),
        (Some(2), Some(1), Some(1), Some(1))
    );
    assert_eq!(
        hours.as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap()).filter_map(Value::as_i64).sum::<i64>(),
        5
    );
    // One location asked: its calendars only.
    let lyon = stats(&s.owner, &s.org, &format!("&location_id={}", s.lyon)).await;
    assert_eq!((lyon["total"]["bookings"].as_i64(), lyon["calendars"].as_array().unwrap().len()), (Some(1), 1));
    // A range that ends before it starts, more than a year, or no date at all: 422.
    let bad = s.owner.org_get(&s.org, "/statistics?from=2026-03-10&to=2026-03-01").await;
    bad.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.json()["errors"][0]["field"], "to");
    s.owner
        .org_get(&s.org, "/statistics?from=2025-01-01&to=2026-03-01")
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    s.owner
        .org_get(&s.org, "/statistics?from=le%20lundi")
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Without dates: the eight weeks up to the end of this one (the clock stands on 12 March).
    let default = stats(&s.owner, &s.org, "").await;
    assert_eq!(default["to"], "2026-03-15");
    let plain = s.owner.org_get(&s.org, "/statistics").await.json();
    assert_eq!((plain["from"].as_str(), plain["to"].as_str()), (Some("2026-01-19"), Some("2026-03-15")));
}

async fn statistics_follow_the_toggle_and_the_scope(app: TestApp) {
    let s = salon(&app).await;
    // Staff hold no statistics by default: refused, and no link to the page.
    s.sam.org_get(&s.org, &format!("/statistics?{RANGE}")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    s.sam.org_get(&s.org, &format!("/statistics.csv?{RANGE}")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(s.sam.get("/statistics").await.status, StatusCode::FORBIDDEN);
    assert!(!s.sam.get("/agenda").await.text().contains("href=\"/statistics\""));
    // With the toggle: only what Sam may see, Sam's own calendar.
    s.owner
        .patch_json(&format!("/api/v1/orgs/{}/members/{}", s.org, s.sam_id), json!({"toggles": {"statistics": true}}))
        .await
        .assert(StatusCode::OK);
    assert!(s.sam.get("/agenda").await.text().contains("href=\"/statistics\""));
    let mine = stats(&s.sam, &s.org, "").await;
    assert_eq!(mine["total"]["bookings"], 1, "{mine}");
    assert_eq!(
        mine["calendars"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(),
        vec![json!(s.sam_cal)]
    );
    // A manager of Lyon: Lyon only; Paris is not theirs to ask about.
    let (manager, _) =
        s.owner.join(&s.org, "manager@stats.fr", role_with("manager", [in_location(&s.lyon, "manage")])).await;
    let theirs = stats(&manager, &s.org, "").await;
    assert_eq!(theirs["total"]["bookings"], 1);
    assert_eq!(theirs["locations"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["locations"][0]["id"], s.lyon);
    assert_eq!(
        manager.org_get(&s.org, &format!("/statistics?location_id={}", s.paris)).await.status,
        StatusCode::NOT_FOUND
    );
    // Another organisation: its owner gets 404 on these figures, and a location of ours is
    // not one of theirs.
    let (stranger, other_org) = owner_with_org(&app, "other@stats.fr", "Other").await;
    stranger.org_get(&s.org, &format!("/statistics?{RANGE}")).await.assert(StatusCode::NOT_FOUND);
    stranger.org_get(&s.org, &format!("/statistics.csv?{RANGE}")).await.assert(StatusCode::NOT_FOUND);
    stranger.org_get(&other_org, &format!("/statistics?location_id={}", s.paris)).await.assert(StatusCode::NOT_FOUND);
    let empty = stats(&stranger, &other_org, "").await;
    assert_eq!(empty["total"]["bookings"], 0);
}

async fn the_page_and_the_csv_say_the_same_numbers_in_each_language(app: TestApp) {
    let s = salon(&app).await;
    let page = s.owner.get(&format!("/statistics?{RANGE}")).await;
    page.assert(StatusCode::OK);
    let html = page.text();
    for words in [
        "<h1>Statistiques</h1>",
        "Taux d&#39;annulation",
        "Rendez-vous par semaine",
        "Heures les plus chargées",
        "Du lundi 2 mars 2026 au dimanche 15 mars 2026",
        "Europe/Paris",
        // 1 in 6 cancelled, 180 of 14,400 minutes booked: the French way.
        "16,7\u{a0}%",
        "1,3\u{a0}%",
        "240,0\u{a0}h",
        "mardi, 10 h – 11 h : 2",
        "<svg class=\"chart\"",
        "<svg class=\"chart heat\"",
        "Fauteuil Lyon",
        "Sans prestation",
    ] {
        assert!(html.contains(words), "{words} missing from {html}");
    }
    assert!(html.contains("href=\"/statistics\" aria-current=\"page\""), "the section is in the menu");
    // A date that cannot be read: the default range, and the reason in French.
    let bad = s.owner.get("/statistics?from=2026-03-10&to=2026-03-01").await;
    bad.assert(StatusCode::OK);
    assert!(bad.text().contains("class=\"field-error\" role=\"alert\""), "{}", bad.text());
    assert!(!bad.text().contains("The window must"), "{}", bad.text());

    // The CSV: UTF-8 with a BOM, the raw numbers.
    let csv = s.owner.org_get(&s.org, &format!("/statistics.csv?{RANGE}")).await;
    csv.assert(StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("\n\"total\",\"\",\"\",6,1,1,180,14400,0.1667,0.1667,0.0125\n"), "{text}");
    assert!(text.contains(&format!("\n\"location\",\"{}\",\"Paris\",5,1,1,150,9600,", s.paris)), "{text}");
    assert!(text.contains("\n\"week\",\"2026-03-02\",\"\",4,"), "{text}");
    assert!(text.contains("\n\"hour\",\"2-10\",\"\",2,"), "{text}");

    // In English.
    s.owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let html = s.owner.get(&format!("/statistics?{RANGE}")).await.text();
    for words in [
        "<h1>Statistics</h1>",
        "Cancellation rate",
        "From Monday 2 March 2026 to Sunday 15 March 2026",
        "16.7%",
        "240.0\u{a0}h",
        "Tuesday, 10:00–11:00: 2",
        "No service",
    ] {
        assert!(html.contains(words), "{words} missing from {html}");
    }
    assert!(!html.contains("Taux d&#39;annulation"));
}
