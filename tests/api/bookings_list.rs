//! The bookings list (issue 13, item 5): every booking the member may see, filtered by dates,
//! location, calendar, service, status and client, keyset-paginated, on the page and through
//! `GET …/bookings/search`; nothing outside the member's calendars or organisation.

use crate::helpers::{Client, TestApp, dual, in_calendar, owner_with_org, role_with};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

dual!(
    the_list_filters_and_pages_through_every_booking,
    the_list_shows_only_what_the_member_may_see,
    a_booking_page_shows_its_client_and_its_history,
    a_location_day_has_a_column_per_calendar,
);

struct Shop<'a> {
    owner: Client<'a>,
    org: String,
    lyon: String,
    paris: String,
    a: String,
    b: String,
    c: String,
    coupe: String,
    couleur: String,
}

/// Two locations, three calendars (A, B in Lyon; C in Paris), two services.
async fn shop(app: &TestApp) -> Shop<'_> {
    let (owner, org) = owner_with_org(app, "owner@list.fr", "List").await;
    let lyon = owner.paris(&org, "Lyon", json!({})).await;
    let paris = owner.paris(&org, "Paris", json!({})).await;
    let a = owner.calendar(&org, &lyon, "A", json!({})).await;
    let b = owner.calendar(&org, &lyon, "B", json!({})).await;
    let c = owner.calendar(&org, &paris, "C", json!({})).await;
    let coupe = owner.create(&org, "/services", json!({"name": "Coupe", "length_min": 30})).await;
    let couleur = owner.create(&org, "/services", json!({"name": "Couleur", "length_min": 30})).await;
    for cal in [&a, &b, &c] {
        owner.offer(&org, &coupe, cal).await;
        owner.offer(&org, &couleur, cal).await;
    }
    Shop { owner, org, lyon, paris, a, b, c, coupe, couleur }
}

/// A booking on `cal` at `start` (UTC), any hour (staff override), returning its id.
async fn book(s: &Shop<'_>, cal: &str, svc: &str, start: &str, client: Value) -> String {
    let mut body = json!({"calendar_id": cal, "service_id": svc, "start": start, "override_hours": true});
    if client.is_object() {
        body["client"] = client;
    } else if let Some(id) = client.as_str() {
        body["client_id"] = json!(id);
    }
    s.owner.create(&s.org, "/bookings", body).await
}

/// Every id through the API's pages of `limit`, following `next_after`.
async fn all_pages(c: &Client<'_>, org: &str, query: &str, limit: usize) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut after) = (Vec::new(), 0, String::new());
    loop {
        let mut q = format!("/bookings/search?limit={limit}{query}");
        if !after.is_empty() {
            q.push_str(&format!("&after={after}"));
        }
        let v = c.org_get(org, &q).await.json();
        pages += 1;
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        ids.extend(items.iter().map(|b| b["id"].as_str().unwrap().to_string()));
        match v["next_after"].as_str() {
            Some(n) => after = n.to_string(),
            None => return (ids, pages),
        }
    }
}

/// The booking ids a page of the list links to, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<a href=\"/bookings/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

async fn the_list_filters_and_pages_through_every_booking(app: TestApp) {
    let s = shop(&app).await;
    // 61 bookings on A over three days (2026-03-03…05), every half hour from 06:00 UTC.
    let mut on_a = Vec::new();
    for i in 0..61 {
        let (day, slot) = (3 + i / 24, i % 24);
        let start = format!("2026-03-0{day}T{:02}:{:02}:00Z", 6 + slot / 2, (slot % 2) * 30);
        let svc = if i % 3 == 0 { &s.couleur } else { &s.coupe };
        on_a.push(book(&s, &s.a, svc, &start, Value::Null).await);
    }
    let zoe = s
        .owner
        .create(&s.org, "/clients", json!({"first_name": "Zoé", "last_name": "Martin", "email": "zoe@client.fr"}))
        .await;
    let b1 = book(&s, &s.b, &s.coupe, "2026-03-04T09:00:00Z", json!(zoe)).await;
    let c1 = book(&s, &s.c, &s.coupe, "2026-03-10T09:00:00Z", json!(zoe)).await;
    let gone = book(&s, &s.c, &s.couleur, "2026-03-11T09:00:00Z", Value::Null).await;
    s.owner
        .post_json(&format!("/api/v1/orgs/{}/bookings/{gone}/cancel", s.org), json!({}))
        .await
        .assert(StatusCode::OK);
    let total = on_a.len() + 3;

    // The API: every booking once, in order of start, by pages of 20.
    let (ids, pages) = all_pages(&s.owner, &s.org, "", 20).await;
    assert_eq!(ids.len(), total);
    assert_eq!(pages, 4);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), total, "no booking twice across pages");
    assert_eq!(ids.last(), Some(&gone), "by start time");
    // Filters, alone and together.
    let count = |q: &'static str| {
        let (owner, org) = (&s.owner, &s.org);
        async move { all_pages(owner, org, q, 200).await.0.len() }
    };
    assert_eq!(
        all_pages(&s.owner, &s.org, &format!("&location_id={}", s.paris), 200).await.0,
        [c1.clone(), gone.clone()]
    );
    assert_eq!(all_pages(&s.owner, &s.org, &format!("&calendar_id={}", s.b), 200).await.0, std::slice::from_ref(&b1));
    assert_eq!(all_pages(&s.owner, &s.org, &format!("&service_id={}", s.couleur), 200).await.0.len(), 21 + 1);
    assert_eq!(all_pages(&s.owner, &s.org, "&status=cancelled", 200).await.0, std::slice::from_ref(&gone));
    assert_eq!(all_pages(&s.owner, &s.org, &format!("&client_id={zoe}"), 200).await.0, [b1.clone(), c1.clone()]);
    assert_eq!(count("&from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z").await, 13);
    let q = format!("&location_id={}&status=confirmed&from=2026-03-04T00:00:00Z", s.lyon);
    assert_eq!(all_pages(&s.owner, &s.org, &q, 200).await.0.len(), 61 - 24 + 1);
    // Bad input is a field error, not a failure.
    let search = |q: &str| format!("/bookings/search?{q}");
    s.owner.org_get(&s.org, &search("status=lost")).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    s.owner.org_get(&s.org, &search("after=nonsense")).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    s.owner.org_get(&s.org, &search("from=yesterday")).await.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    s.owner.org_get(&s.org, &search("limit=100000")).await.assert(StatusCode::OK);

    // The page: from a chosen date, 50 a page, in the viewer's words.
    let first = s.owner.get("/bookings?from=2026-03-01").await;
    first.assert(StatusCode::OK);
    let html = first.text();
    assert_eq!(listed(&html).len(), 50);
    assert!(html.contains("mardi 3 mars 2026"), "dates in words, in French");
    let next = html.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().split('"').next().unwrap();
    // As a browser reads the attribute.
    let next = next.replace("&#38;", "&").replace("&amp;", "&");
    assert!(next.contains("after="), "{next}");
    let second = s.owner.get(&next).await.text();
    let mut both = listed(&html);
    both.extend(listed(&second));
    assert_eq!(both, ids, "the two pages list every booking in order");
    assert!(!second.contains("rel=\"next\""), "the last page has no next");
    // Filtered to a client from their link; cancelled ones show as cancelled.
    let mine = s.owner.get(&format!("/bookings?from=2026-03-01&client={zoe}")).await.text();
    assert_eq!(listed(&mine), [b1.clone(), c1.clone()]);
    assert!(mine.contains("Zoé Martin"));
    let cancelled = s.owner.get("/bookings?from=2026-03-01&status=cancelled").await.text();
    assert_eq!(listed(&cancelled), std::slice::from_ref(&gone));
    assert!(cancelled.contains("Annulé"));
    // By default the list starts today (2026-03-02 on the test clock), so all are upcoming.
    assert_eq!(listed(&s.owner.get("/bookings").await.text()).len(), 50);
    // A date that is not one is said, not failed.
    let bad = s.owner.get("/bookings?from=03/03/2026").await;
    bad.assert(StatusCode::OK);
    assert!(bad.text().contains("Date invalide"));
    let _ = (&s.a, &s.c, Method::GET);
}

async fn the_list_shows_only_what_the_member_may_see(app: TestApp) {
    let s = shop(&app).await;
    let on_a = book(&s, &s.a, &s.coupe, "2026-03-03T09:00:00Z", Value::Null).await;
    let on_b = book(&s, &s.b, &s.coupe, "2026-03-03T09:00:00Z", Value::Null).await;
    let on_c = book(&s, &s.c, &s.coupe, "2026-03-03T09:00:00Z", Value::Null).await;
    // Staff who may view A only.
    let (staff, _) = s.owner.join(&s.org, "staff@list.fr", role_with("staff", [in_calendar(&s.a, "view")])).await;
    assert_eq!(all_pages(&staff, &s.org, "", 50).await.0, std::slice::from_ref(&on_a));
    // Asking for another calendar or location does not widen it.
    assert!(all_pages(&staff, &s.org, &format!("&calendar_id={}", s.c), 50).await.0.is_empty());
    assert!(all_pages(&staff, &s.org, &format!("&location_id={}", s.paris), 50).await.0.is_empty());
    let html = staff.get(&format!("/bookings?from=2026-03-01&calendar={}", s.c)).await.text();
    assert_eq!(listed(&html), std::slice::from_ref(&on_a), "an unseen calendar is not a filter");
    assert!(!html.contains(&on_b) && !html.contains(&on_c) && !html.contains(&s.c));
    // Another organisation sees none of it, whatever ids it passes.
    let (stranger, other) = owner_with_org(&app, "owner@elsewhere.fr", "Elsewhere").await;
    let q = format!("&calendar_id={}&location_id={}", s.a, s.lyon);
    assert!(all_pages(&stranger, &other, &q, 50).await.0.is_empty());
    stranger.org_get(&s.org, "/bookings/search").await.assert(StatusCode::NOT_FOUND);
    let html = stranger.get(&format!("/bookings?from=2026-03-01&calendar={}", s.a)).await.text();
    assert!(listed(&html).is_empty() && !html.contains(&on_a));
}

async fn a_booking_page_shows_its_client_and_its_history(app: TestApp) {
    let s = shop(&app).await;
    let zoe = s
        .owner
        .create(&s.org, "/clients", json!({"first_name": "Zoé", "last_name": "Martin", "email": "zoe@client.fr", "notes": "Allergique au latex"}))
        .await;
    let id = book(&s, &s.a, &s.coupe, "2026-03-03T09:00:00Z", json!(zoe)).await;
    // A staff member who books on A, without the client list, moves it (named as in the team).
    let (staff, _) = s.owner.join(&s.org, "sacha@list.fr", role_with("staff", [in_calendar(&s.a, "book")])).await;
    staff
        .post_form(
            &format!("/bookings/{id}/move"),
            &[("date", "2026-03-03"), ("time", "11:00"), ("override_hours", "1")],
        )
        .await
        .redirected(&format!("/bookings/{id}"));
    s.owner.post_json(&format!("/api/v1/orgs/{}/bookings/{id}/cancel", s.org), json!({})).await.assert(StatusCode::OK);
    // The owner sees the client's contact and notes, and who did what.
    let html = s.owner.get(&format!("/bookings/{id}")).await.text();
    assert!(html.contains(&format!("href=\"/clients/{zoe}\"")) && html.contains("Allergique au latex"), "{html}");
    assert!(html.contains("zoe@client.fr"));
    let history = html.split("Historique du rendez-vous").nth(1).unwrap();
    let order = ["a annulé le rendez-vous", "Member sacha</strong> a déplacé le rendez-vous", "a créé le rendez-vous"];
    let at: Vec<usize> = order.iter().map(|w| history.find(w).unwrap_or_else(|| panic!("{w}: {history}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "newest first: {at:?}");
    assert!(history.contains("Olivia Owner</strong> a créé"), "names, not addresses");
    assert!(history.contains("a déplacé le rendez-vous au mardi 3 mars 2026 à 11:00"), "where to: {history}");
    // The staff member sees the history but not the client's details or notes.
    let html = staff.get(&format!("/bookings/{id}")).await.text();
    assert!(html.contains("Historique du rendez-vous"));
    assert!(
        !html.contains("Allergique au latex") && !html.contains("zoe@client.fr"),
        "no client details without the right"
    );
    // Another organisation: not found.
    let (stranger, _) = owner_with_org(&app, "owner@other-list.fr", "Other").await;
    stranger.get(&format!("/bookings/{id}")).await.assert(StatusCode::NOT_FOUND);
}

/// The column headings of a grid, in order.
fn columns(html: &str) -> Vec<String> {
    // The time column's header is `<th scope="col" class="cal-time">`; each calendar's, plain.
    let head = html.split("<thead>").nth(1).unwrap().split("</thead>").next().unwrap();
    head.split("<th scope=\"col\">").skip(1).map(|c| c.split('<').next().unwrap().to_string()).collect()
}

async fn a_location_day_has_a_column_per_calendar(app: TestApp) {
    let s = shop(&app).await;
    for cal in [&s.a, &s.b] {
        s.owner.open_weekdays(&s.org, cal, "09:00", "18:00").await;
    }
    let on_a = book(&s, &s.a, &s.coupe, "2026-03-03T09:00:00Z", json!({"first_name": "Anne", "last_name": "A"})).await;
    let on_b = book(&s, &s.b, &s.coupe, "2026-03-03T09:00:00Z", json!({"first_name": "Bea", "last_name": "B"})).await;
    let in_paris = book(&s, &s.c, &s.coupe, "2026-03-03T09:00:00Z", Value::Null).await;
    s.owner
        .post_json(
            &format!("/api/v1/orgs/{}/calendars/{}/unavailability", s.org, s.b),
            json!({"start": "2026-03-03T14:00:00+01:00", "end": "2026-03-03T16:00:00+01:00", "reason": "Formation"}),
        )
        .await
        .assert(StatusCode::CREATED);
    let day = format!("/locations/{}/day?date=2026-03-03", s.lyon);
    let html = s.owner.get(&day).await.text();
    assert_eq!(columns(&html), ["A", "B"], "one column per calendar of Lyon");
    assert!(html.contains(&format!("/bookings/{on_a}")) && html.contains(&format!("/bookings/{on_b}")));
    assert!(!html.contains(&in_paris), "Paris's bookings are not Lyon's day");
    assert!(html.contains("<span class=\"cal-away-reason\">Formation</span>"), "B's absence in its column");
    // Both bookings start at 10:00 Paris: each in its own column, on the same row.
    let row = html.split("<tr>").find(|r| r.contains(&on_a)).unwrap();
    assert!(row.contains(&on_b), "side by side");
    // A free cell books on that column's calendar.
    assert!(html.contains(&format!("/calendars/{}/bookings/new?date=2026-03-03", s.b)));
    // Staff who see A only: one column, their own.
    let (staff, _) = s.owner.join(&s.org, "col@list.fr", role_with("staff", [in_calendar(&s.a, "view")])).await;
    let html = staff.get(&day).await.text();
    assert_eq!(columns(&html), ["A"]);
    assert!(!html.contains(&on_b) && !html.contains("Bea"));
    assert!(!html.contains("/bookings/new"), "viewing is not booking");
    // Another organisation: not found.
    let (stranger, _) = owner_with_org(&app, "owner@day-other.fr", "Other").await;
    stranger.get(&day).await.assert(StatusCode::NOT_FOUND);
}
