//! Day and week views: bookings on a grid in the calendar's zone, the visible hours and the
//! split hour honoured, and creating, moving, cancelling from the views, under the same
//! rules as the API (hours, overrides audited, overlaps refused, rights per calendar).

use crate::helpers::{Client, TestApp, dual, in_calendar, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::json;

dual!(
    week_and_day_views_show_bookings_in_the_calendars_hours,
    bookings_are_created_moved_and_cancelled_from_the_views,
    views_follow_calendar_rights_and_hide_clients,
);

/// An owner, a calendar in Paris open Monday–Friday 09:00–17:00, visible 08:00–18:00, split
/// at 12:30, and one booking on Tuesday 2026-03-03 at 10:00.
async fn setup<'a>(app: &'a TestApp) -> (Client<'a>, String, String, String, String) {
    let (owner, org) = owner_with_org(app, "owner@view.fr", "View").await;
    let loc = owner.paris(&org, "Paris", json!({})).await;
    let cal = owner
        .calendar(&org, &loc, "Chair 1", json!({"day_start": "08:00", "day_end": "18:00", "split": "12:30"}))
        .await;
    owner.open_weekdays(&org, &cal, "09:00", "17:00").await;
    let booking = owner
        .create(
            &org,
            "/bookings",
            json!({"calendar_id": cal, "start": "2026-03-03T10:00:00+01:00", "end": "2026-03-03T10:45:00+01:00",
                   "client": {"first_name": "Claire", "last_name": "Cliente", "email": "claire@example.fr"}}),
        )
        .await;
    (owner, org, loc, cal, booking)
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

async fn week_and_day_views_show_bookings_in_the_calendars_hours(app: TestApp) {
    let (owner, org, _, cal, booking) = setup(&app).await;
    // A booking at 07:00, before the visible hours, placed by override.
    owner
        .org_post(
            &org,
            "/bookings",
            json!({"calendar_id": cal, "start": "2026-03-05T07:00:00+01:00", "override_hours": true}),
            StatusCode::CREATED,
        )
        .await;
    let week = owner.get(&format!("/calendars/{cal}/week?date=2026-03-04")).await;
    week.assert(StatusCode::OK);
    let html = week.text();
    // Monday 2 to Sunday 8 March, seven columns, 08:00–18:00 in quarters: 40 rows.
    assert!(html.contains("2 mars 2026") && html.contains("8 mars 2026"), "{html}");
    assert_eq!(count(&html, "<th scope=\"col\""), 8, "a time column and seven day columns");
    assert_eq!(count(&html, "<th scope=\"row\" class=\"cal-time\">"), 40, "08:00–18:00 in 15-minute rows");
    // The booking spans 10:00–10:45: three rows, with the client's name.
    assert!(html.contains(&format!("data-booking=\"{booking}\"")));
    assert!(html.contains("rowspan=\"3\""), "{html}");
    assert!(html.contains("10:00–10:45") && html.contains("Claire Cliente"));
    // Saturday is closed all day; Tuesday 09:00 is open; nothing before 08:00 is a cell.
    assert!(html.contains("class=\"cal-free cal-closed\" data-date=\"2026-03-07\" data-time=\"12:00\""));
    assert!(html.contains("class=\"cal-free\" data-date=\"2026-03-03\" data-time=\"09:00\""));
    assert!(!html.contains("data-time=\"07:45\""));
    // The 07:00 booking is outside the visible hours: listed, not hidden.
    assert!(html.contains("En dehors des heures affichées") && html.contains("07:00–07:15"), "{html}");
    // Free cells lead to the booking form at their time.
    assert!(html.contains(&format!("/calendars/{cal}/bookings/new?date=2026-03-03&#38;time=09:15")));

    // The day view: morning 08:00–12:30 and afternoon 12:30–18:00 side by side.
    let day = owner.get(&format!("/calendars/{cal}/day?date=2026-03-03")).await;
    day.assert(StatusCode::OK);
    let html = day.text();
    assert!(html.contains("<th scope=\"col\">Matin</th>") && html.contains("<th scope=\"col\">Après-midi</th>"));
    assert!(html.contains("mardi 3 mars 2026"));
    // The afternoon column is 22 rows (12:30–18:00), the morning 18 (08:00–12:30): 22 rows.
    assert_eq!(count(&html, "<tr>") - 1, 22, "{html}");
    assert!(html.contains("data-date=\"2026-03-03\" data-time=\"12:30\""));
    assert!(html.contains("data-date=\"2026-03-03\" data-time=\"12:15\""));
    assert_eq!(count(&html, "class=\"cal-blank\""), 4, "the morning ends four rows early");
    assert!(html.contains("Claire Cliente"));

    // The agenda drop-down opens the chosen view.
    let r = owner.get(&format!("/agenda?calendar={cal}&view=day&date=2026-03-03")).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").unwrap(), format!("/calendars/{cal}/day?date=2026-03-03"));
    // English pages say the same in English.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let html = owner.get(&format!("/calendars/{cal}/day?date=2026-03-03")).await.text();
    assert!(html.contains("Tuesday 3 March 2026") && html.contains(">Morning<"), "{html}");
}

async fn bookings_are_created_moved_and_cancelled_from_the_views(app: TestApp) {
    let (owner, org, _, cal, booking) = setup(&app).await;
    let bookings = || app.count("SELECT COUNT(*) FROM bookings WHERE status <> 'cancelled'");
    assert_eq!(bookings().await, 1);
    let form = owner.get(&format!("/calendars/{cal}/bookings/new?date=2026-03-03&time=14:00")).await;
    form.assert(StatusCode::OK);
    assert!(form.text().contains("value=\"14:00\"") && form.text().contains("value=\"2026-03-03\""));
    let r = owner
        .post_form(
            &format!("/calendars/{cal}/bookings"),
            &[
                ("date", "2026-03-03"),
                ("time", "14:00"),
                ("length_min", "30"),
                ("first_name", "Paul"),
                ("last_name", "Patient"),
                ("email", "paul@example.fr"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").unwrap(), format!("/calendars/{cal}/week?date=2026-03-03&done=booked"));
    assert_eq!(bookings().await, 2);
    let list = owner.org_get(&org, "/bookings?from=2026-03-03T13:00:00Z&to=2026-03-03T14:00:00Z").await.json();
    assert_eq!(list[0]["start"], "2026-03-03T13:00:00Z", "14:00 Paris");
    assert_eq!(list[0]["end"], "2026-03-03T13:30:00Z");
    let paul = list[0]["id"].as_str().unwrap().to_string();

    // Outside working hours without the override: refused on the form, nothing written.
    let r = owner
        .post_form(
            &format!("/calendars/{cal}/bookings"),
            &[("date", "2026-03-08"), ("time", "10:00"), ("length_min", "30")],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("role=\"alert\""));
    assert_eq!(bookings().await, 2);
    // Over another booking: 409, said on the page.
    let r = owner
        .post_form(
            &format!("/calendars/{cal}/bookings"),
            &[("date", "2026-03-03"), ("time", "10:30"), ("length_min", "30")],
        )
        .await;
    r.assert(StatusCode::CONFLICT);
    assert!(r.text().contains("2026-03-03 10:00"), "names the clashing booking: {}", r.text());
    // With the override on a Sunday: placed, and the audit log says so.
    owner
        .post_form(
            &format!("/calendars/{cal}/bookings"),
            &[("date", "2026-03-08"), ("time", "10:00"), ("length_min", "30"), ("override_hours", "1")],
        )
        .await
        .assert(StatusCode::SEE_OTHER);
    assert_eq!(bookings().await, 3);
    let audit = owner.org_get(&org, "/audit?action=booking.created").await.json();
    assert!(audit.to_string().contains("\"override_hours\":true"), "{audit}");

    // Move (what the week view's drag and drop posts): keeps the length, comes back to the view.
    let back = format!("/calendars/{cal}/week?date=2026-03-03");
    let r = owner
        .post_form(&format!("/bookings/{booking}/move"), &[("date", "2026-03-04"), ("time", "11:00"), ("back", &back)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").unwrap(), format!("{back}&done=moved"));
    let moved = owner.org_get(&org, &format!("/bookings/{booking}")).await.json();
    assert_eq!(moved["start"], "2026-03-04T10:00:00Z");
    assert_eq!(moved["end"], "2026-03-04T10:45:00Z");
    // Onto Paul's booking: 409 on the booking page, the booking stays where it was.
    let r = owner.post_form(&format!("/bookings/{booking}/move"), &[("date", "2026-03-03"), ("time", "13:45")]).await;
    r.assert(StatusCode::CONFLICT);
    assert!(r.text().contains("role=\"alert\""));
    assert_eq!(owner.org_get(&org, &format!("/bookings/{booking}")).await.json()["start"], "2026-03-04T10:00:00Z");
    // An open redirect through `back` is not possible.
    let r = owner
        .post_form(
            &format!("/bookings/{paul}/move"),
            &[("date", "2026-03-05"), ("time", "15:00"), ("back", "//evil.example")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.header("location").unwrap().starts_with('/') && !r.header("location").unwrap().starts_with("//"));

    // The booking page, then cancel from it.
    let page = owner.get(&format!("/bookings/{booking}")).await;
    page.assert(StatusCode::OK);
    assert!(page.text().contains("Claire Cliente") && page.text().contains("mercredi 4 mars 2026, 11:00–11:45"));
    owner.post_form(&format!("/bookings/{booking}/cancel"), &[]).await.assert(StatusCode::SEE_OTHER);
    assert_eq!(owner.org_get(&org, &format!("/bookings/{booking}")).await.json()["status"], "cancelled");
    let week = owner.get(&format!("/calendars/{cal}/week?date=2026-03-04")).await.text();
    assert!(!week.contains(&format!("data-booking=\"{booking}\"")), "a cancelled booking leaves the grid");
    // The client was told of the booking staff made (with a manage link), of the move and of
    // the cancellation.
    let mails = app.mails_to("claire@example.fr").await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects[0].contains("mardi 3 mars 2026 à 10:00") && mails[0].text.contains("/manage/"), "{:?}", mails[0]);
    assert!(subjects[1].contains("mercredi 4 mars 2026 à 11:00"), "{subjects:?}");
    assert!(subjects[2].contains("mercredi 4 mars 2026 à 11:00"), "{subjects:?}");
    // Paul's manage link works like an online booking's.
    let paul_mail = app.mails_to("paul@example.fr").await.remove(0);
    let token = crate::helpers::link_token(&paul_mail, "/manage/");
    let manage = app.client().get(&format!("/manage/{token}")).await;
    manage.assert(StatusCode::OK);
    assert!(manage.text().contains("Chair 1"), "{}", manage.text());
}

async fn views_follow_calendar_rights_and_hide_clients(app: TestApp) {
    let (owner, org, loc, cal, booking) = setup(&app).await;
    let (viewer, _) = owner.join(&org, "viewer@view.fr", role_with("assistant", [in_calendar(&cal, "view")])).await;
    let (staff, _) = owner.join(&org, "staff@view.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    // A viewer sees the booking and who is coming (not the client's email), and gets no
    // booking links or drag.
    let html = viewer.get(&format!("/calendars/{cal}/week?date=2026-03-03")).await.text();
    assert!(html.contains(&format!("data-booking=\"{booking}\"")));
    assert!(html.contains("Claire") && !html.contains("claire@example.fr"));
    assert!(!html.contains("/bookings/new") && !html.contains("draggable") && !html.contains("move-form"));
    viewer.get(&format!("/calendars/{cal}/bookings/new")).await.assert(StatusCode::FORBIDDEN);
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    viewer
        .post_form(&format!("/calendars/{cal}/bookings"), &[("date", "2026-03-03"), ("time", "14:00")])
        .await
        .assert(StatusCode::FORBIDDEN);
    viewer
        .post_form(&format!("/bookings/{booking}/move"), &[("date", "2026-03-04"), ("time", "11:00")])
        .await
        .assert(StatusCode::FORBIDDEN);
    viewer.post_form(&format!("/bookings/{booking}/cancel"), &[]).await.assert(StatusCode::FORBIDDEN);
    let page = viewer.get(&format!("/bookings/{booking}")).await.text();
    assert!(!page.contains("claire@example.fr") && !page.contains("/cancel") && !page.contains("/move"));
    // A staff member limited to their own calendar does not see this one at all.
    staff.get(&format!("/calendars/{cal}/week")).await.assert(StatusCode::NOT_FOUND);
    staff.get(&format!("/bookings/{booking}")).await.assert(StatusCode::NOT_FOUND);
    staff
        .post_form(&format!("/bookings/{booking}/move"), &[("date", "2026-03-04"), ("time", "11:00")])
        .await
        .assert(StatusCode::NOT_FOUND);
    // Their own calendar opens, and the drop-down lists only what they may see.
    let own = staff.get("/agenda").await.text();
    assert!(!own.contains(&cal));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before, "refusals change nothing");
    assert_eq!(owner.org_get(&org, &format!("/bookings/{booking}")).await.json()["start"], "2026-03-03T09:00:00Z");
}
