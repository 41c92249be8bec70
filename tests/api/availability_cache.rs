//! Availability is served from per-organisation caches valid for one change sequence
//! (`src/cache.rs`). Every kind of change that availability reads must show on the very next
//! request, staff side and public side, and a rights change must apply at once.

use crate::helpers::{Client, TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    every_change_availability_reads_shows_on_the_next_request,
    a_rights_change_applies_to_the_next_availability_request,
    the_moment_of_asking_moves_a_kept_answer
);

struct Setup<'a> {
    owner: Client<'a>,
    org: String,
    loc: String,
    cal: String,
    svc: String,
}

/// Clock Monday 2026-03-02 09:00 UTC. One calendar open Tuesday 09:00–11:00 (Paris), a
/// 30-minute service on a 30-minute grid, public location "cache-salon".
async fn setup(app: &TestApp) -> Setup<'_> {
    let (owner, org) = owner_with_org(app, "owner@cache.fr", "Cache").await;
    let loc = owner.paris(&org, "Salon", json!({"slug": "cache-salon"})).await;
    let cal = owner.calendar(&org, &loc, "A", json!({})).await;
    let svc = owner
        .create(&org, "/services", json!({"name": "Coupe", "length_min": 30, "step_min": 30, "min_notice_min": 0}))
        .await;
    let s = Setup { owner, org, loc, cal, svc };
    set_hours(&s, json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "11:00"}]})).await;
    s.owner.offer(&s.org, &s.svc, &s.cal).await;
    s
}

async fn set_hours(s: &Setup<'_>, body: Value) {
    s.owner.put_json(&format!("/api/v1/orgs/{}/calendars/{}/hours", s.org, s.cal), body).await.assert(StatusCode::OK);
}

fn local_starts(v: &Value) -> Vec<String> {
    v.as_array().unwrap_or(&Vec::new()).iter().map(|s| s["start"].as_str().unwrap()[11..16].to_string()).collect()
}

/// Tuesday's slots on the calendar (staff API), "anyone" in the location, and the public page.
async fn all_views(app: &TestApp, s: &Setup<'_>) -> [Vec<String>; 3] {
    let q = format!("/availability?service_id={}&from=2026-03-03&to=2026-03-03", s.svc);
    let one = s.owner.org_get(&s.org, &format!("{q}&calendar_id={}", s.cal)).await;
    let one = if one.status == StatusCode::OK { local_starts(&one.json()) } else { vec![format!("{}", one.status)] };
    let anyone = local_starts(&s.owner.org_get(&s.org, &format!("{q}&location_id={}", s.loc)).await.json());
    let public = app
        .client()
        .get(&format!("/api/v1/book/cache-salon/availability?service_id={}&from=2026-03-03&to=2026-03-03", s.svc))
        .await;
    let public = if public.status == StatusCode::OK { local_starts(&public.json()) } else { vec![] };
    [one, anyone, public]
}

async fn expect(app: &TestApp, s: &Setup<'_>, want: &[&str], after: &str) {
    let want: Vec<String> = want.iter().map(|w| w.to_string()).collect();
    let [one, anyone, public] = all_views(app, s).await;
    assert_eq!(one, want, "one calendar, after {after}");
    assert_eq!(anyone, want, "anyone, after {after}");
    assert_eq!(public, want, "public page, after {after}");
}

async fn every_change_availability_reads_shows_on_the_next_request(app: TestApp) {
    let s = setup(&app).await;
    let all = ["09:00", "09:30", "10:00", "10:30"];
    // Each view asked twice: the second answer comes from the caches.
    expect(&app, &s, &all, "setup").await;
    expect(&app, &s, &all, "nothing").await;

    set_hours(&s, json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "10:00"}]})).await;
    expect(&app, &s, &["09:00", "09:30"], "shorter weekly hours").await;
    set_hours(
        &s,
        json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "11:00"}],
               "overrides": [{"date": "2026-03-03", "intervals": [{"start": "10:00", "end": "11:00"}]}]}),
    )
    .await;
    expect(&app, &s, &["10:00", "10:30"], "a date override").await;
    set_hours(&s, json!({"weekly": [{"weekday": 2, "start": "09:00", "end": "11:00"}]})).await;
    expect(&app, &s, &all, "the override removed").await;

    let period = s
        .owner
        .create(
            &s.org,
            &format!("/calendars/{}/unavailability", s.cal),
            json!({"start": "2026-03-03T09:00:00+01:00", "end": "2026-03-03T09:30:00+01:00", "reason": "Dentist"}),
        )
        .await;
    expect(&app, &s, &["09:30", "10:00", "10:30"], "an unavailability period").await;
    s.owner
        .delete(&format!("/api/v1/orgs/{}/calendars/{}/unavailability/{period}", s.org, s.cal))
        .await
        .assert(StatusCode::NO_CONTENT);
    expect(&app, &s, &all, "the period removed").await;

    let booking = s
        .owner
        .create(
            &s.org,
            "/bookings",
            json!({"calendar_id": s.cal, "service_id": s.svc, "start": "2026-03-03T09:30:00+01:00"}),
        )
        .await;
    expect(&app, &s, &["09:00", "10:00", "10:30"], "a staff booking").await;
    s.owner
        .patch_json(
            &format!("/api/v1/orgs/{}/bookings/{booking}", s.org),
            json!({"start": "2026-03-03T10:30:00+01:00"}),
        )
        .await
        .assert(StatusCode::OK);
    expect(&app, &s, &["09:00", "09:30", "10:00"], "the booking moved").await;
    s.owner
        .post_json(&format!("/api/v1/orgs/{}/bookings/{booking}/cancel", s.org), json!({}))
        .await
        .assert(StatusCode::OK);
    expect(&app, &s, &all, "the booking cancelled").await;

    app.client_from("198.51.100.7")
        .post_json(
            "/api/v1/book/cache-salon/bookings",
            json!({"service_id": s.svc, "start": "2026-03-03T10:00:00+01:00", "first_name": "Vic",
                   "last_name": "Visitor", "email": "vic@example.fr"}),
        )
        .await
        .assert(StatusCode::CREATED);
    expect(&app, &s, &["09:00", "09:30", "10:30"], "a public booking").await;

    s.owner
        .patch_json(&format!("/api/v1/orgs/{}/services/{}", s.org, s.svc), json!({"length_min": 60}))
        .await
        .assert(StatusCode::OK);
    expect(&app, &s, &["09:00"], "a longer service").await;

    s.owner
        .delete(&format!("/api/v1/orgs/{}/services/{}/calendars/{}", s.org, s.svc, s.cal))
        .await
        .assert(StatusCode::OK);
    let [one, anyone, public] = all_views(&app, &s).await;
    assert_eq!(one, ["422 Unprocessable Entity"], "the calendar no longer offers the service");
    assert!(anyone.is_empty() && public.is_empty(), "{anyone:?} {public:?}");
}

async fn a_rights_change_applies_to_the_next_availability_request(app: TestApp) {
    let s = setup(&app).await;
    let (assistant, member_id) = s
        .owner
        .join(
            &s.org,
            "assist@cache.fr",
            json!({"role": "assistant",
               "grants": [{"scope": "calendar", "location_id": s.loc, "calendar_id": s.cal, "level": "book"}]}),
        )
        .await;
    let q = format!("/availability?service_id={}&from=2026-03-03&to=2026-03-03&calendar_id={}", s.svc, s.cal);
    for _ in 0..2 {
        assert_eq!(local_starts(&assistant.org_get(&s.org, &q).await.json()).len(), 4);
    }
    s.owner
        .put_json(&format!("/api/v1/orgs/{}/members/{member_id}/grants", s.org), json!({"grants": []}))
        .await
        .assert(StatusCode::OK);
    assistant.org_get(&s.org, &q).await.problem(StatusCode::NOT_FOUND, "not-found");
    // Through a team: granted again, then the team loses the grant.
    let team = s
        .owner
        .create(
            &s.org,
            "/teams",
            json!({"name": "Desk", "member_ids": [member_id],
                   "grants": [{"scope": "calendar", "location_id": s.loc, "calendar_id": s.cal, "level": "view"}]}),
        )
        .await;
    assert_eq!(local_starts(&assistant.org_get(&s.org, &q).await.json()).len(), 4);
    s.owner
        .patch_json(&format!("/api/v1/orgs/{}/teams/{team}", s.org), json!({"member_ids": []}))
        .await
        .assert(StatusCode::OK);
    assistant.org_get(&s.org, &q).await.problem(StatusCode::NOT_FOUND, "not-found");
}

/// What is kept does not depend on the time of asking: with no change at all, an answer
/// asked later loses the slots that have started (notice and advance are applied to each
/// request), on every view, and they do not come back.
async fn the_moment_of_asking_moves_a_kept_answer(app: TestApp) {
    let s = setup(&app).await;
    expect(&app, &s, &["09:00", "09:30", "10:00", "10:30"], "setup").await;
    expect(&app, &s, &["09:00", "09:30", "10:00", "10:30"], "nothing").await;
    // Tuesday 09:10 in Paris.
    app.advance(jiff::SignedDuration::from_mins(23 * 60 + 10));
    expect(&app, &s, &["09:30", "10:00", "10:30"], "09:00 has started").await;
    expect(&app, &s, &["09:30", "10:00", "10:30"], "asked again").await;
    app.advance(jiff::SignedDuration::from_mins(60));
    expect(&app, &s, &["10:30"], "10:00 has started").await;
    app.advance(jiff::SignedDuration::from_mins(60));
    expect(&app, &s, &[], "the day is over").await;
}
