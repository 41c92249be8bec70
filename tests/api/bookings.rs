//! Bookings: never two on one slot (the database decides), hours enforced unless overridden
//! (and audited), rights per calendar, client details only with the client-list right.

use crate::helpers::{Client, TestApp, dual, id_where, in_calendar, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    sixty_four_simultaneous_requests_for_one_slot_make_one_booking,
    hours_are_enforced_unless_staff_override_on_purpose,
    booking_rights_follow_calendar_levels_and_hide_clients,
    moving_into_a_taken_slot_is_refused_and_cancelling_frees_it,
    unavailability_blocks_bookings_and_no_shows_come_after_the_start,
    the_overlap_check_looks_back_a_full_day_and_no_booking_lasts_longer,
    staff_hear_of_bookings_others_make_on_their_calendar_and_clients_get_a_confirmation,
);

/// An owner, a location in Paris, a calendar open Monday–Friday 09:00–17:00.
async fn setup<'a>(app: &'a TestApp) -> (Client<'a>, String, String, String) {
    let (owner, org) = owner_with_org(app, "owner@book.fr", "Book").await;
    let loc = owner.paris(&org, "Paris", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Chair 1", json!({})).await;
    owner.open_weekdays(&org, &cal, "09:00", "17:00").await;
    (owner, org, loc, cal)
}

fn body(cal: &str, start: &str) -> Value {
    json!({"calendar_id": cal, "start": start, "end": null, "client": {"first_name": "Claire", "last_name": "Client", "email": "claire@example.fr"}})
}

fn span(cal: &str, start: &str, end: &str) -> Value {
    let mut b = body(cal, start);
    b["end"] = json!(end);
    b
}

async fn sixty_four_simultaneous_requests_for_one_slot_make_one_booking(app: TestApp) {
    let (owner, org, _, cal) = setup(&app).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    // 2026-03-03 is a Tuesday; 10:00 Paris.
    let requests =
        (0..64).map(|_| owner.post_json(&path, span(&cal, "2026-03-03T10:00:00+01:00", "2026-03-03T10:30:00+01:00")));
    let results = futures_util::future::join_all(requests).await;
    let created = results.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let conflicts: Vec<_> = results.iter().filter(|r| r.status == StatusCode::CONFLICT).collect();
    assert_eq!(created, 1, "{:?}", results.iter().map(|r| (r.status, r.text())).take(3).collect::<Vec<_>>());
    assert_eq!(conflicts.len(), 63);
    let p = conflicts[0].json();
    assert_eq!(p["code"], "slot-taken");
    assert!(p["detail"].as_str().unwrap().contains("2026-03-03 10:00"), "{p}");
    // Overlapping (not identical) times are refused too; touching ones are fine.
    owner.post_json(&path, body(&cal, "2026-03-03T09:50:00+01:00")).await.problem(StatusCode::CONFLICT, "slot-taken");
    owner
        .post_json(&path, span(&cal, "2026-03-03T10:15:00+01:00", "2026-03-03T10:45:00+01:00"))
        .await
        .problem(StatusCode::CONFLICT, "slot-taken");
    owner
        .post_json(&path, span(&cal, "2026-03-03T09:00:00+01:00", "2026-03-03T12:00:00+01:00"))
        .await
        .assert(StatusCode::CONFLICT);
    owner
        .post_json(&path, span(&cal, "2026-03-03T09:30:00+01:00", "2026-03-03T10:00:00+01:00"))
        .await
        .assert(StatusCode::CREATED);
    owner
        .post_json(&path, span(&cal, "2026-03-03T10:30:00+01:00", "2026-03-03T11:00:00+01:00"))
        .await
        .assert(StatusCode::CREATED);
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings WHERE status <> 'cancelled'").await, 3);
}

async fn hours_are_enforced_unless_staff_override_on_purpose(app: TestApp) {
    let (owner, org, _, cal) = setup(&app).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    // Sunday 03:00, and Tuesday 16:50 running past closing.
    for start in ["2026-03-08T03:00:00+01:00", "2026-03-03T16:50:00+01:00"] {
        let r = owner.post_json(&path, body(&cal, start)).await;
        r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.json()["errors"][0]["code"], "outside-hours");
    }
    let mut b = body(&cal, "2026-03-08T03:00:00+01:00");
    b["override_hours"] = json!(true);
    let created = owner.post_json(&path, b).await;
    created.assert(StatusCode::CREATED);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let audit = owner.org_get(&org, &format!("/audit?object_type=booking&object_id={id}")).await.json();
    assert_eq!(audit["items"][0]["after"]["override_hours"], true, "{audit}");
    // Hours: date overrides close a day; malformed hours are refused.
    let hours = format!("/api/v1/orgs/{org}/calendars/{cal}/hours");
    owner
        .put_json(&hours, json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "12:00"}, {"weekday": 2, "start": "11:00", "end": "13:00"}]}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    owner
        .put_json(&hours, json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "17:00"}], "overrides": [{"date": "2026-03-10", "intervals": []}]}))
        .await
        .assert(StatusCode::OK);
    owner
        .post_json(&path, body(&cal, "2026-03-10T10:00:00+01:00"))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    owner.post_json(&path, body(&cal, "2026-03-17T10:00:00+01:00")).await.assert(StatusCode::CREATED);
    let got = owner.get(&hours).await.json();
    assert_eq!(got["overrides"][0]["date"], "2026-03-10");
}

async fn booking_rights_follow_calendar_levels_and_hide_clients(app: TestApp) {
    let (owner, org, loc, cal) = setup(&app).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    let (viewer, _) = owner.join(&org, "viewer@book.fr", role_with("assistant", [in_calendar(&cal, "view")])).await;
    let (booker, _) = owner.join(&org, "booker@book.fr", role_with("assistant", [in_calendar(&cal, "book")])).await;
    let (stranger, _) =
        owner.join(&org, "stranger@book.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    viewer.post_json(&path, body(&cal, "2026-03-04T09:00:00+01:00")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    stranger
        .post_json(&path, body(&cal, "2026-03-04T09:00:00+01:00"))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let b = booker.post_json(&path, body(&cal, "2026-03-04T09:00:00+01:00")).await;
    b.assert(StatusCode::CREATED);
    // The booker has no client-list right: who is coming (name, phone), not the email.
    assert_eq!(b.json()["client"]["last_name"], "Client", "{}", b.text());
    assert!(b.json()["client"]["email"].is_null(), "{}", b.text());
    let id = b.json()["id"].as_str().unwrap().to_string();
    let seen_by_owner = owner.org_get(&org, &format!("/bookings/{id}")).await.json();
    assert_eq!(seen_by_owner["client"]["email"], "claire@example.fr");
    let window = "from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z";
    let list = viewer.org_get(&org, &format!("/bookings?{window}")).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["client"]["first_name"], "Claire");
    assert!(list[0]["client"]["email"].is_null());
    assert_eq!(stranger.org_get(&org, &format!("/bookings?{window}")).await.json(), json!([]));
    stranger.org_get(&org, &format!("/bookings/{id}")).await.problem(StatusCode::NOT_FOUND, "not-found");
    viewer.post_json(&format!("{path}/{id}/cancel"), json!({})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    // Given the client list, the booker sees the client.
    let booker_id = id_where(&owner.org_get(&org, "/members").await.json(), "email", "booker@book.fr");
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/members/{booker_id}"), json!({"toggles": {"client_list": true}}))
        .await
        .assert(StatusCode::OK);
    let again = booker.org_get(&org, &format!("/bookings/{id}")).await.json();
    assert_eq!(again["client"]["last_name"], "Client");
}

async fn moving_into_a_taken_slot_is_refused_and_cancelling_frees_it(app: TestApp) {
    let (owner, org, _, cal) = setup(&app).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    let a = owner.post_json(&path, body(&cal, "2026-03-05T09:00:00+01:00")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = owner.post_json(&path, body(&cal, "2026-03-05T11:00:00+01:00")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    owner
        .patch_json(&format!("{path}/{b}"), json!({"start": "2026-03-05T09:10:00+01:00"}))
        .await
        .problem(StatusCode::CONFLICT, "slot-taken");
    let moved = owner.patch_json(&format!("{path}/{b}"), json!({"start": "2026-03-05T14:00:00+01:00"})).await;
    moved.assert(StatusCode::OK);
    assert_eq!(moved.json()["start"], "2026-03-05T13:00:00Z");
    owner.post_json(&format!("{path}/{a}/cancel"), json!({})).await.assert(StatusCode::OK);
    // The client hears of it.
    let mail = app.last_mail_to("claire@example.fr").await;
    assert!(mail.subject.contains("annulé") || mail.subject.contains("cancelled"), "{}", mail.subject);
    owner
        .patch_json(&format!("{path}/{b}"), json!({"start": "2026-03-05T09:00:00+01:00"}))
        .await
        .assert(StatusCode::OK);
    owner
        .patch_json(&format!("{path}/{a}"), json!({"start": "2026-03-05T15:00:00+01:00"}))
        .await
        .problem(StatusCode::CONFLICT, "booking-cancelled");
    let hist = owner.org_get(&org, &format!("/audit?object_type=booking&object_id={b}")).await.json();
    let actions: Vec<&str> = hist["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["booking.moved", "booking.moved", "booking.created"]);
}

async fn unavailability_blocks_bookings_and_no_shows_come_after_the_start(app: TestApp) {
    let (owner, org, _, cal) = setup(&app).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    let periods = format!("/api/v1/orgs/{org}/calendars/{cal}/unavailability");
    let p = owner
        .post_json(
            &periods,
            json!({"start": "2026-03-09T00:00:00+01:00", "end": "2026-03-14T00:00:00+01:00", "reason": "Congés"}),
        )
        .await;
    p.assert(StatusCode::CREATED);
    owner
        .post_json(&periods, json!({"start": "2026-03-09T10:00:00Z", "end": "2026-03-09T09:00:00Z"}))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let r = owner.post_json(&path, body(&cal, "2026-03-10T10:00:00+01:00")).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(owner.get(&periods).await.json()[0]["reason"], "Congés");
    owner.delete(&format!("{periods}/{}", p.json()["id"].as_str().unwrap())).await.assert(StatusCode::NO_CONTENT);
    let b = owner.post_json(&path, body(&cal, "2026-03-10T10:00:00+01:00")).await;
    b.assert(StatusCode::CREATED);
    let id = b.json()["id"].as_str().unwrap().to_string();
    // The clock stands at 2026-03-02: too early for a no-show.
    owner.post_json(&format!("{path}/{id}/no-show"), json!({})).await.problem(StatusCode::CONFLICT, "not-started");
    app.advance(jiff::SignedDuration::from_hours(24 * 9));
    let r = owner.post_json(&format!("{path}/{id}/no-show"), json!({})).await;
    r.assert(StatusCode::OK);
    assert_eq!(r.json()["status"], "no_show");
}

/// The overlap check (SQLite triggers) looks back only 24 hours from a new start, which is
/// sound because the database, not only the service, refuses bookings longer than that.
async fn the_overlap_check_looks_back_a_full_day_and_no_booking_lasts_longer(app: TestApp) {
    let (owner, org, loc, cal) = setup(&app).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    let long = |start: &str, end: &str| {
        let mut b = span(&cal, start, end);
        b["override_hours"] = json!(true);
        b
    };
    let book = |start: &str, end: &str| owner.post_json(&path, long(start, end));
    // 23 h 50 long: a booking near its end still clashes.
    book("2026-03-04T00:05:00+01:00", "2026-03-04T23:55:00+01:00").await.assert(StatusCode::CREATED);
    book("2026-03-04T23:30:00+01:00", "2026-03-05T00:30:00+01:00").await.problem(StatusCode::CONFLICT, "slot-taken");
    book("2026-03-04T23:55:00+01:00", "2026-03-05T00:30:00+01:00").await.assert(StatusCode::CREATED);
    // Longer than a day: the service refuses, and so does the database behind it.
    book("2026-03-10T00:00:00+01:00", "2026-03-11T00:01:00+01:00").await.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let too_long = sqlx::query(
        "INSERT INTO bookings (id, org_id, location_id, calendar_id, start_at, end_at, status, notes, source, created_at, updated_at) \
         VALUES ('too-long', $1, $2, $3, 0, 86400001, 'confirmed', '', 'staff', 0, 0)",
    )
    .bind(&org)
    .bind(&loc)
    .bind(&cal)
    .execute(app.state.db.pool())
    .await;
    assert!(too_long.is_err(), "a booking longer than 24 hours reached the table");
}

async fn staff_hear_of_bookings_others_make_on_their_calendar_and_clients_get_a_confirmation(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@note.fr", "Note").await;
    let loc = owner.paris(&org, "Paris", json!({})).await;
    let (sam, sam_id) = owner.join(&org, "sam@note.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let cals = owner.org_get(&org, "/calendars").await.json();
    let cal = id_where(&cals, "member_id", &sam_id);
    let (asa, _) = owner.join(&org, "asa@note.fr", role_with("assistant", [in_calendar(&cal, "book")])).await;
    let path = format!("/api/v1/orgs/{org}/bookings");
    let staff_mails = || app.mails_to("sam@note.fr");
    let before = staff_mails().await.len();
    // Sam books on their own calendar: the client is told, Sam is not told of their own act.
    let mut b = span(&cal, "2026-03-03T10:00:00+01:00", "2026-03-03T10:30:00+01:00");
    b["override_hours"] = json!(true);
    sam.post_json(&path, b).await.assert(StatusCode::CREATED);
    assert_eq!(staff_mails().await.len(), before);
    let client = app.last_mail_to("claire@example.fr").await;
    assert!(client.subject.contains("mardi 3 mars 2026 à 10:00") && client.text.contains("/manage/"), "{client:?}");
    // The assistant books on Sam's calendar: Sam hears of it.
    let mut b = span(&cal, "2026-03-03T11:00:00+01:00", "2026-03-03T11:30:00+01:00");
    b["override_hours"] = json!(true);
    b["client"]["email"] = json!("other@example.fr");
    asa.post_json(&path, b).await.assert(StatusCode::CREATED);
    let told = staff_mails().await;
    assert_eq!(told.len(), before + 1);
    assert!(told.last().unwrap().subject.contains("mardi 3 mars 2026 à 11:00"), "{:?}", told.last());
}
