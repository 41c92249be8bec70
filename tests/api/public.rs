//! The public booking API: what a visitor sees, booking only offered times (the server
//! re-checks hours, notice, advance), and manage links that reach one booking's minimum.

use crate::helpers::{TestApp, dual, id_where, link_token, owner_with_org};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    a_visitor_books_an_offered_slot_and_manages_it,
    hand_made_requests_cannot_book_what_is_not_offered,
    simultaneous_visitors_cannot_take_times_whose_buffers_collide,
    staff_and_visitors_are_refused_for_the_same_reasons,
);

/// Clock: Monday 2026-03-02 09:00 UTC. Location "salon-public" in Paris, calendars A and B
/// open Mon–Fri 09:00–17:00, service "Coupe" 30 min (2 h notice, 14 days ahead) on both.
pub(crate) async fn setup(app: &TestApp) -> (crate::helpers::Client<'_>, String, String, String, String) {
    let (owner, org) = owner_with_org(app, "owner@pub.fr", "Pub").await;
    let loc = owner.paris(&org, "Salon", json!({"slug": "salon-public"})).await;
    let svc = owner
        .create(&org, "/services", json!({"name": "Coupe", "length_min": 30, "step_min": 30, "min_notice_min": 120, "max_advance_days": 14, "price_cents": 3000}))
        .await;
    owner.org_post(&org, "/services", json!({"name": "Secret"}), StatusCode::CREATED).await;
    let mut cal_a = String::new();
    for name in ["Alice", "Bruno"] {
        let cal = owner.calendar(&org, &loc, name, json!({})).await;
        owner.open_weekdays(&org, &cal, "09:00", "17:00").await;
        owner.offer(&org, &svc, &cal).await;
        if cal_a.is_empty() {
            cal_a = cal;
        }
    }
    (owner, org, loc, svc, cal_a)
}

fn visitor(svc: &str, cal: Option<&str>, start: &str) -> Value {
    json!({"service_id": svc, "calendar_id": cal, "start": start, "first_name": "Vic", "last_name": "Visitor", "email": "vic@example.fr", "phone": "+33 6 12 34 56 78"})
}

async fn a_visitor_books_an_offered_slot_and_manages_it(app: TestApp) {
    let (owner, org, _, svc, cal_a) = setup(&app).await;
    let v = app.client_from("198.51.100.50");
    let page = v.get("/api/v1/book/salon-public").await.json();
    assert_eq!(page["services"].as_array().unwrap().len(), 1, "only offered public services: {page}");
    assert_eq!(page["services"][0]["name"], "Coupe");
    assert_eq!(page["services"][0]["calendars"].as_array().unwrap().len(), 2);
    v.get("/api/v1/book/nowhere").await.problem(StatusCode::NOT_FOUND, "not-found");
    // Slots for Tuesday in the visitor's zone (New York): 09:00 Paris is 03:00 there.
    let slots = v
        .get(&format!(
            "/api/v1/book/salon-public/availability?service_id={svc}&from=2026-03-03&to=2026-03-03&tz=America/New_York"
        ))
        .await
        .json();
    let first = slots[0]["start"].as_str().unwrap().to_string();
    assert!(first.starts_with("2026-03-03T03:00:00-05:00"), "{first}");
    assert_eq!(slots[0]["free"], 2, "anyone: both free");
    assert!(slots[0].get("calendar_ids").is_none(), "only with detail=calendars: {}", slots[0]);
    let detailed = v
        .get(&format!(
            "/api/v1/book/salon-public/availability?service_id={svc}&from=2026-03-03&to=2026-03-03&tz=America/New_York&detail=calendars"
        ))
        .await
        .json();
    assert_eq!(detailed[0]["calendar_ids"].as_array().unwrap().len(), 2, "anyone: both free");
    // Book with "anyone": the first free person gets it.
    let r = v.post_json("/api/v1/book/salon-public/bookings", visitor(&svc, None, &first)).await;
    r.assert(StatusCode::CREATED);
    assert_eq!(r.json()["calendar_name"], "Alice");
    // The same person again at the same time: Bruno is still free…
    v.post_json("/api/v1/book/salon-public/bookings", visitor(&svc, None, &first)).await.assert(StatusCode::CREATED);
    // …then nobody.
    v.post_json("/api/v1/book/salon-public/bookings", visitor(&svc, None, &first))
        .await
        .problem(StatusCode::CONFLICT, "slot-unavailable");
    // A returning client is recognised, not duplicated.
    assert_eq!(app.count("SELECT COUNT(*) FROM clients WHERE email_norm = 'vic@example.fr'").await, 1);
    // The confirmation mail carries the manage link; the link shows the minimum.
    let mail = app.last_mail_to("vic@example.fr").await;
    let token = link_token(&mail, "/manage/");
    let m = app.client().get(&format!("/api/v1/manage/{token}")).await;
    m.assert(StatusCode::OK);
    let body = m.text();
    assert!(!body.contains("vic@example.fr") && !body.contains("+336") && !body.contains("Visitor"), "{body}");
    assert_eq!(m.json()["service"], "Coupe");
    // Reschedule to another offered time, same calendar; cancel; the time is free again.
    let moved = app
        .client()
        .post_json(&format!("/api/v1/manage/{token}/reschedule"), json!({"start": "2026-03-04T10:00:00+01:00"}))
        .await;
    moved.assert(StatusCode::OK);
    assert!(moved.json()["start"].as_str().unwrap().starts_with("2026-03-04T10:00:00+01:00"));
    app.client()
        .post_json(&format!("/api/v1/manage/{token}/reschedule"), json!({"start": "2026-03-08T10:00:00+01:00"}))
        .await
        .problem(StatusCode::CONFLICT, "slot-unavailable");
    app.client().post_json(&format!("/api/v1/manage/{token}/cancel"), json!({})).await.assert(StatusCode::OK);
    app.client()
        .post_json(&format!("/api/v1/manage/{token}/cancel"), json!({}))
        .await
        .problem(StatusCode::CONFLICT, "not-cancellable");
    app.client().get("/api/v1/manage/not-a-real-token").await.problem(StatusCode::NOT_FOUND, "not-found");
    // Staff see the public bookings, attributed to the client in the audit trail.
    let list = owner
        .org_get(&org, &format!("/bookings?calendar_id={cal_a}&from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z"))
        .await
        .json();
    assert!(list.as_array().unwrap().iter().all(|b| b["source"] == "public"));
    let audit = owner.org_get(&org, "/audit?action=booking.created").await.json();
    assert_eq!(audit["items"][0]["actor_type"], "client");
}

async fn hand_made_requests_cannot_book_what_is_not_offered(app: TestApp) {
    let (_owner, _, _, svc, cal_a) = setup(&app).await;
    let v = app.client_from("198.51.100.51");
    let post = |body: Value| v.post_json("/api/v1/book/salon-public/bookings", body);
    // Sunday 03:00, within the 2-hour notice, beyond 14 days, off the 30-minute grid.
    for start in [
        "2026-03-08T03:00:00+01:00",
        "2026-03-02T10:30:00+01:00",
        "2026-03-20T10:00:00+01:00",
        "2026-03-03T10:10:00+01:00",
    ] {
        post(visitor(&svc, Some(&cal_a), start)).await.problem(StatusCode::CONFLICT, "slot-unavailable");
    }
    // Fields that would choose a price, a status, a client or a member are refused.
    for (k, val) in [
        ("price_cents", json!(0)),
        ("status", json!("confirmed")),
        ("client_id", json!("x")),
        ("created_by", json!("x")),
    ] {
        let mut b = visitor(&svc, Some(&cal_a), "2026-03-03T10:00:00+01:00");
        b[k] = val;
        post(b).await.problem(StatusCode::BAD_REQUEST, "invalid-body");
    }
    // A service or calendar not offered here is unknown.
    post(visitor("01a20000-0000-7000-8000-000000000000", None, "2026-03-03T10:00:00+01:00"))
        .await
        .assert(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 0);
    post(visitor(&svc, Some(&cal_a), "2026-03-03T10:00:00+01:00")).await.assert(StatusCode::CREATED);
}

dual!(reminders_go_out_once_a_day_before);

async fn reminders_go_out_once_a_day_before(app: TestApp) {
    let (_owner, _, _, svc, cal_a) = setup(&app).await;
    let v = app.client_from("198.51.100.52");
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/book/salon-public/bookings")
        .header("content-type", "application/json")
        .header("accept-language", "en-GB")
        .body(axum::body::Body::from(visitor(&svc, Some(&cal_a), "2026-03-04T10:00:00+01:00").to_string()))
        .unwrap();
    v.send(req).await.assert(StatusCode::CREATED);
    let before = app.mails_to("vic@example.fr").await.len();
    // Monday 09:00 UTC: the Wednesday booking is two days away.
    assert_eq!(creneau::jobs::reminders::run_once(&app.state).await.unwrap(), 0);
    app.advance(jiff::SignedDuration::from_hours(25));
    assert_eq!(creneau::jobs::reminders::run_once(&app.state).await.unwrap(), 1);
    assert_eq!(creneau::jobs::reminders::run_once(&app.state).await.unwrap(), 0, "never twice");
    let mails = app.mails_to("vic@example.fr").await;
    assert_eq!(mails.len(), before + 1);
    let r = mails.last().unwrap();
    assert!(r.subject.starts_with("Reminder: appointment on Wednesday 4 March 2026 at 10:00"), "{}", r.subject);
}

dual!(the_booking_page_walks_a_visitor_through_to_the_manage_page);

fn href_containing(html: &str, needle: &str) -> String {
    let i = html.find(needle).unwrap_or_else(|| panic!("no {needle} in page"));
    let start = html[..i].rfind("href=\"").unwrap() + 6;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

async fn the_booking_page_walks_a_visitor_through_to_the_manage_page(app: TestApp) {
    let (_owner, _, _, _, _) = setup(&app).await;
    let v = app.client_from("198.51.100.60");
    let step1 = v.get("/book/salon-public").await;
    step1.assert(StatusCode::OK);
    let html = step1.text();
    assert!(html.contains("Coupe") && !html.contains("Secret"), "hidden services stay hidden");
    assert!(!html.contains("href=\"/login\"") && !html.contains("href=\"/signup\""), "no sign-in links for visitors");
    let step2 = v.get(&href_containing(&html, "<strong>Coupe")).await.text();
    assert!(step2.contains("Alice") && step2.contains("Bruno"));
    let anyone = href_containing(&step2, "person=any");
    let step3 = v.get(&format!("{anyone}&date=2026-03-03")).await.text();
    assert!(step3.contains("mardi 3 mars 2026") || step3.contains("Tuesday 3 March 2026"), "{step3}");
    let slot = href_containing(&step3, "slot=");
    let step4 = v.get(&slot).await.text();
    assert!(step4.contains("name=\"first_name\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 0, "browsing changes nothing");
    // Fill in the form as the page gives it.
    let field = |name: &str| {
        let i = step4.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        step4[i..i + step4[i..].find('"').unwrap()].to_string()
    };
    let (service_id, person, start) = (field("service_id"), field("person"), field("start"));
    let done = v
        .post_form(
            "/book/salon-public",
            &[
                ("service_id", &service_id),
                ("person", &person),
                ("start", &start),
                ("tz", "Europe/Paris"),
                ("first_name", "Léa"),
                ("last_name", "Page"),
                ("email", "lea.page@example.fr"),
                // The national form of the location's country (Paris: France).
                ("phone", "06 12 34 56 78"),
                ("notes", "<b>hello</b>"),
            ],
        )
        .await;
    done.assert(StatusCode::OK);
    assert!(done.text().contains("lea.page@example.fr"));
    let phone: String = sqlx::query_scalar("SELECT phone FROM clients WHERE email_norm = 'lea.page@example.fr'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(phone, "+33612345678", "kept in E.164");
    // A number that is none is said in the page's language, not in English.
    let bad = v
        .post_form(
            "/book/salon-public",
            &[
                ("service_id", &service_id),
                ("person", &person),
                ("start", &start),
                ("first_name", "A"),
                ("last_name", "B"),
                ("email", "bad.phone@example.fr"),
                ("phone", "06 12"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
    assert!(bad.text().contains("Indiquez un numéro national (FR) ou au format international"), "{}", bad.text());
    assert!(!bad.text().contains("Use a national number"));
    // The same slot again (Bruno takes it), then nobody: the page says so and goes back to times.
    v.post_form(
        "/book/salon-public",
        &[
            ("service_id", &service_id),
            ("person", "any"),
            ("start", &start),
            ("first_name", "A"),
            ("last_name", "B"),
            ("email", "b@example.fr"),
        ],
    )
    .await
    .assert(StatusCode::OK);
    let gone = v
        .post_form(
            "/book/salon-public",
            &[
                ("service_id", &service_id),
                ("person", "any"),
                ("start", &start),
                ("first_name", "A"),
                ("last_name", "C"),
                ("email", "c@example.fr"),
            ],
        )
        .await;
    gone.assert(StatusCode::CONFLICT);
    assert!(gone.text().contains("class=\"slot\""));
    // The manage page from the email.
    let token = link_token(&app.last_mail_to("lea.page@example.fr").await, "/manage/");
    let manage = v.get(&format!("/manage/{token}")).await;
    manage.assert(StatusCode::OK);
    assert!(!manage.text().contains("lea.page@example.fr"));
    assert!(
        !manage.text().contains("href=\"/login\"") && !manage.text().contains("href=\"/signup\""),
        "the business's page"
    );
    // Cancelling asks first; the confirmation cancels.
    let ask = v.post_form(&format!("/manage/{token}/cancel"), &[]).await;
    ask.assert(StatusCode::OK);
    assert!(ask.text().contains("name=\"confirm\" value=\"yes\""), "{}", ask.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings WHERE status = 'cancelled'").await, 0, "not yet");
    v.post_form(&format!("/manage/{token}/cancel"), &[("confirm", "yes")]).await.assert(StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings WHERE status = 'cancelled'").await, 1);
    v.get("/manage/unknown-token").await.assert(StatusCode::NOT_FOUND);
}

dual!(clients_and_staff_hear_about_bookings);

async fn clients_and_staff_hear_about_bookings(app: TestApp) {
    let (owner, org, loc, svc, _) = setup(&app).await;
    let (_staff, staff_id) =
        owner.join(&org, "stylist@pub.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let cal = id_where(&owner.org_get(&org, "/calendars").await.json(), "member_id", &staff_id);
    let weekly: Vec<Value> = (1..=5).map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00"})).collect();
    owner
        .put_json(&format!("/api/v1/orgs/{org}/calendars/{cal}/hours"), json!({"weekly": weekly}))
        .await
        .assert(StatusCode::OK);
    owner
        .request(axum::http::Method::PUT, &format!("/api/v1/orgs/{org}/services/{svc}/calendars/{cal}"), None)
        .await
        .assert(StatusCode::OK);
    let v = app.client_from("198.51.100.70");
    v.post_json("/api/v1/book/salon-public/bookings", visitor(&svc, Some(&cal), "2026-03-05T11:00:00+01:00"))
        .await
        .assert(StatusCode::CREATED);
    let staff_mail = app.last_mail_to("stylist@pub.fr").await;
    assert!(staff_mail.subject.contains("jeudi 5 mars 2026 à 11:00"), "{}", staff_mail.subject);
    assert!(staff_mail.text.contains("Vic"));
    let token = link_token(&app.last_mail_to("vic@example.fr").await, "/manage/");
    app.client()
        .post_json(&format!("/api/v1/manage/{token}/reschedule"), json!({"start": "2026-03-05T14:00:00+01:00"}))
        .await
        .assert(StatusCode::OK);
    let moved = app.last_mail_to("vic@example.fr").await;
    assert!(
        moved.subject.contains("jeudi 5 mars 2026 à 14:00") && moved.text.contains("/manage/"),
        "{}",
        moved.subject
    );
    assert!(app.last_mail_to("stylist@pub.fr").await.subject.contains("14:00"));
    app.client().post_json(&format!("/api/v1/manage/{token}/cancel"), json!({})).await.assert(StatusCode::OK);
    let cancelled = app.last_mail_to("vic@example.fr").await;
    assert!(cancelled.subject.contains("annulé") || cancelled.subject.contains("cancelled"), "{}", cancelled.subject);
}

/// Thirty-two visitors at once, half for 10:00 and half for 10:30, on a service with a
/// 30-minute buffer after: the times do not overlap but the buffers do, so exactly one
/// booking is made (the database's constraint covers raw times; buffers are re-checked
/// under a per-calendar lock).
async fn simultaneous_visitors_cannot_take_times_whose_buffers_collide(app: TestApp) {
    let (owner, org, _, _, cal_a) = setup(&app).await;
    let svc = owner
        .create(
            &org,
            "/services",
            json!({"name": "Couleur", "length_min": 30, "step_min": 30, "buffer_after_min": 30, "min_notice_min": 60}),
        )
        .await;
    owner
        .request(axum::http::Method::PUT, &format!("/api/v1/orgs/{org}/services/{svc}/calendars/{cal_a}"), None)
        .await
        .assert(StatusCode::OK);
    let visitors: Vec<_> = (0..32).map(|i| app.client_from(&format!("198.51.100.{}", 100 + i))).collect();
    let requests = visitors.iter().enumerate().map(|(i, v)| {
        let start = if i % 2 == 0 { "2026-03-03T10:00:00+01:00" } else { "2026-03-03T10:30:00+01:00" };
        let mut body = visitor(&svc, Some(&cal_a), start);
        body["email"] = json!(format!("v{i}@example.fr"));
        v.post_json("/api/v1/book/salon-public/bookings", body)
    });
    let results = futures_util::future::join_all(requests).await;
    let created = results.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = results.iter().filter(|r| r.status == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (1, 31), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings WHERE status <> 'cancelled'").await, 1);
}

/// One booking path: a time is refused by the same rule, for the same reason, whether staff
/// book it (422 on `start`, or 409 `slot-taken`) or a visitor does (409 `slot-unavailable`
/// with the reason on `start`); staff overriding on purpose lift the time rules, never
/// another booking or its buffers.
async fn staff_and_visitors_are_refused_for_the_same_reasons(app: TestApp) {
    let (owner, org, _, svc, cal_a) = setup(&app).await;
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/services/{svc}"), json!({"buffer_after_min": 15}))
        .await
        .assert(StatusCode::OK);
    owner
        .org_post(
            &org,
            &format!("/calendars/{cal_a}/unavailability"),
            json!({"start": "2026-03-04T12:00:00+01:00", "end": "2026-03-04T13:00:00+01:00", "reason": "Formation"}),
            StatusCode::CREATED,
        )
        .await;
    let staff = format!("/api/v1/orgs/{org}/bookings");
    owner
        .post_json(&staff, json!({"calendar_id": cal_a, "service_id": svc, "start": "2026-03-03T14:00:00+01:00"}))
        .await
        .assert(StatusCode::CREATED);
    let v = app.client_from("198.51.100.60");
    let reason = |r: &crate::helpers::Resp| {
        let p = r.json();
        p["errors"][0]["code"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| p["code"].as_str().unwrap_or_default().to_string())
    };
    // Clock: Monday 10:00 in Paris; 2 h notice, 14 days ahead, 09:00–17:00, 15 min after each.
    let cases = [
        ("2026-03-02T10:30:00+01:00", "too-soon"),
        ("2026-03-20T10:00:00+01:00", "too-far"),
        ("2026-03-03T08:00:00+01:00", "outside-hours"),
        ("2026-03-04T12:00:00+01:00", "unavailable"),
        ("2026-03-03T14:30:00+01:00", "slot-taken"),
    ];
    for (start, why) in cases {
        let by_staff = owner.post_json(&staff, json!({"calendar_id": cal_a, "service_id": svc, "start": start})).await;
        let status = if why == "slot-taken" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
        by_staff.assert(status);
        assert_eq!(reason(&by_staff), why, "staff at {start}: {}", by_staff.json());
        let by_visitor = v.post_json("/api/v1/book/salon-public/bookings", visitor(&svc, Some(&cal_a), start)).await;
        by_visitor.problem(StatusCode::CONFLICT, "slot-unavailable");
        assert_eq!(reason(&by_visitor), why, "visitor at {start}: {}", by_visitor.json());
        // Staff may override the time rules on purpose, never another booking's time.
        let forced = owner
            .post_json(&staff, json!({"calendar_id": cal_a, "service_id": svc, "start": start, "override_hours": true}))
            .await;
        if why == "slot-taken" {
            forced.problem(StatusCode::CONFLICT, "slot-taken");
        } else {
            forced.assert(StatusCode::CREATED);
        }
    }
    // Moving a booking is judged by the same rule: into the buffer of another is refused.
    let moved = owner
        .post_json(&staff, json!({"calendar_id": cal_a, "service_id": svc, "start": "2026-03-05T10:00:00+01:00"}))
        .await;
    moved.assert(StatusCode::CREATED);
    let id = moved.json()["id"].as_str().unwrap().to_string();
    let r = owner.patch_json(&format!("{staff}/{id}"), json!({"start": "2026-03-03T14:30:00+01:00"})).await;
    r.problem(StatusCode::CONFLICT, "slot-taken");
    let r = owner.patch_json(&format!("{staff}/{id}"), json!({"start": "2026-03-03T08:00:00+01:00"})).await;
    assert_eq!(reason(&r), "outside-hours", "{}", r.json());
}
