//! Text messages through the outbox, against a local server speaking Twilio's Messages API
//! (Basic auth, form fields, 201 with an `SM…` sid, 400/21211 for an invalid number, 503 on
//! demand); the log provider; the organisation's switch; members' notification preferences.

use crate::helpers::{Client, TestApp, dual, link_token, owner_with_org};
use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use base64::Engine;
use creneau::{
    config::{Config, SecretString, SmsProvider, TwilioConfig},
    jobs::outbox::{self, Senders},
};
use jiff::SignedDuration;
use serde_json::{Value, json};
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};

dual!(
    a_public_booking_texts_the_client_once_in_their_language,
    a_provider_outage_is_retried_and_delivered_once,
    an_invalid_number_fails_for_good,
    no_sms_unless_the_organisation_turns_them_on,
    staff_get_what_their_preferences_choose,
    the_log_provider_writes_a_line,
    preferences_are_ones_own_and_checked_whole,
    the_notifications_page_saves_the_table,
);

// ---------------------------------------------------------------- a Twilio double

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-test-token";
const FROM: &str = "+33700000000";
/// Twilio's "invalid number" magic number.
const INVALID: &str = "+15005550001";

#[derive(Clone, Debug)]
struct Received {
    sid: String,
    to: String,
    from: String,
    body: String,
}

#[derive(Default)]
struct Seen {
    attempts: usize,
    delivered: Vec<Received>,
    /// Requests that did not look like Twilio's client should send them.
    malformed: Vec<String>,
}

#[derive(Clone)]
struct FakeTwilio {
    base: String,
    down: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
}

impl FakeTwilio {
    async fn start() -> FakeTwilio {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeTwilio { base, down: Arc::new(AtomicBool::new(false)), seen: Arc::default() };
        let router =
            Router::new().route("/2010-04-01/Accounts/{sid}/Messages.json", post(messages)).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        fake
    }

    fn delivered(&self) -> Vec<Received> {
        let seen = self.seen.lock().unwrap();
        assert!(seen.malformed.is_empty(), "malformed requests: {:?}", seen.malformed);
        seen.delivered.clone()
    }

    fn attempts(&self) -> usize {
        self.seen.lock().unwrap().attempts
    }

    /// Senders whose SMS go to this server.
    fn senders(&self, app: &TestApp) -> Senders {
        let mut cfg = Config::for_tests("sqlite://unused", app.dir.clone());
        cfg.sms_provider = SmsProvider::Twilio;
        cfg.twilio = Some(TwilioConfig {
            account_sid: SID.into(),
            auth_token: SecretString::new(TOKEN),
            from: FROM.into(),
            base_url: self.base.clone(),
        });
        Senders::from_config(&cfg).unwrap()
    }
}

fn twilio_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status.as_u16()});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn messages(
    State(fake): State<FakeTwilio>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    fake.seen.lock().unwrap().attempts += 1;
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}")));
    if sid != SID || headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        fake.seen.lock().unwrap().malformed.push("bad credentials".into());
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    if headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) != Some("application/x-www-form-urlencoded") {
        fake.seen.lock().unwrap().malformed.push("not a form".into());
        return twilio_error(StatusCode::BAD_REQUEST, 20001, "Not a form");
    }
    if fake.down.load(Ordering::SeqCst) {
        return twilio_error(StatusCode::SERVICE_UNAVAILABLE, 20503, "Service unavailable");
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(to), Some(from), Some(text)) = (field("To"), field("From"), field("Body")) else {
        fake.seen.lock().unwrap().malformed.push(format!("missing fields: {body}"));
        return twilio_error(StatusCode::BAD_REQUEST, 21604, "A 'To' phone number is required.");
    };
    if to == INVALID {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21211,
            &format!("The 'To' number {to} is not a valid phone number."),
        );
    }
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    fake.seen.lock().unwrap().delivered.push(Received {
        sid: sid.clone(),
        to: to.clone(),
        from: from.clone(),
        body: text.clone(),
    });
    let answer = json!({"sid": sid, "account_sid": SID, "to": to, "from": from, "body": text, "status": "queued", "num_segments": "1"});
    (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], answer.to_string()).into_response()
}

// ---------------------------------------------------------------- a business

struct Shop<'a> {
    owner: Client<'a>,
    org: String,
    svc: String,
    cal: String,
}

/// Organisation "Salon Lumière", location "salon-sms" in Paris, calendar "Alice" open
/// Monday–Friday 09:00–17:00 (Alice's own when `staff_member` is given), service "Coupe".
async fn shop<'a>(app: &'a TestApp, sms: bool, staff_member: Option<&str>) -> Shop<'a> {
    let (owner, org) = owner_with_org(app, "owner@sms.fr", "Salon Lumière").await;
    if sms {
        owner.patch_json(&format!("/api/v1/orgs/{org}"), json!({"sms_enabled": true})).await.assert(StatusCode::OK);
    }
    shop_in(owner, org, staff_member).await
}

/// The location, service and calendar of `shop`, in `org`.
async fn shop_in<'a>(owner: Client<'a>, org: String, staff_member: Option<&str>) -> Shop<'a> {
    let loc = owner.paris(&org, "Rivoli", json!({"slug": "salon-sms"})).await;
    let svc = owner
        .create(
            &org,
            "/services",
            json!({"name": "Coupe", "length_min": 30, "step_min": 30, "min_notice_min": 60, "max_advance_days": 14}),
        )
        .await;
    let cal = owner.calendar(&org, &loc, "Alice", json!({"member_id": staff_member})).await;
    owner.open_weekdays(&org, &cal, "09:00", "17:00").await;
    owner.offer(&org, &svc, &cal).await;
    Shop { owner, org, svc, cal }
}

/// A visitor books `start` in language `lang`, from an address of their own.
async fn book(app: &TestApp, shop: &Shop<'_>, ip: &str, lang: &str, email: &str, phone: &str, start: &str) {
    let body = json!({"service_id": shop.svc, "calendar_id": shop.cal, "start": start, "first_name": "Vic", "last_name": "Visitor", "email": email, "phone": phone});
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/book/salon-sms/bookings")
        .header("content-type", "application/json")
        .header("accept-language", lang)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.client_from(ip).send(req).await.assert(StatusCode::CREATED);
}

#[derive(Debug, sqlx::FromRow)]
struct SmsRow {
    id: String,
    recipient: String,
    status: String,
    attempts: i64,
    payload: Option<String>,
    last_error: Option<String>,
    provider_ref: Option<String>,
}

async fn sms_rows(app: &TestApp) -> Vec<SmsRow> {
    sqlx::query_as(
        "SELECT id, recipient, status, attempts, payload, last_error, provider_ref FROM outbox WHERE kind = 'sms' ORDER BY created_at, id",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

// ---------------------------------------------------------------- tests

async fn a_public_booking_texts_the_client_once_in_their_language(app: TestApp) {
    let fake = FakeTwilio::start().await;
    let senders = fake.senders(&app);
    let s = shop(&app, true, None).await;
    // 04:00 in New York is 10:00 in Paris: the text says the location's time.
    book(&app, &s, "198.51.100.70", "en-GB", "vic@example.fr", "+33 6 12 34 56 78", "2026-03-03T04:00:00-05:00").await;
    let rows = sms_rows(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].recipient.as_str(), rows[0].status.as_str()), ("+33612345678", "pending"));
    let token = link_token(&app.last_mail_to("vic@example.fr").await, "/manage/");
    // The worker's one pass delivers it (and the emails).
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let got = fake.delivered();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!((m.to.as_str(), m.from.as_str()), ("+33612345678", FROM));
    assert_eq!(
        m.body,
        format!(
            "Salon Lumière: booking confirmed for Tuesday 3 March 2026 at 10:00 with Alice (Rivoli). Reschedule or cancel: http://creneau.test/manage/{token}"
        )
    );
    let row = &sms_rows(&app).await[0];
    assert_eq!(row.status, "sent");
    assert!(row.payload.is_none(), "the delivered text (with its link) is not kept");
    assert_eq!(row.provider_ref.as_deref(), Some(m.sid.as_str()), "Twilio's sid is kept for support");
    assert!(m.sid.starts_with("SM") && m.sid.len() == 34);
    app.advance(SignedDuration::from_hours(2));
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    assert_eq!(fake.delivered().len(), 1, "never twice");

    // A French visitor gets French.
    book(&app, &s, "198.51.100.71", "fr-FR", "lea@example.fr", "+33 6 22 33 44 55", "2026-03-03T11:00:00+01:00").await;
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let got = fake.delivered();
    assert_eq!(got.len(), 2);
    assert!(
        got[1].body.starts_with("Salon Lumière : rendez-vous confirmé le mardi 3 mars 2026 à 11:00 avec Alice (Rivoli). Déplacer ou annuler : http://creneau.test/manage/"),
        "{}",
        got[1].body
    );
}

async fn a_provider_outage_is_retried_and_delivered_once(app: TestApp) {
    let fake = FakeTwilio::start().await;
    let senders = fake.senders(&app);
    let s = shop(&app, true, None).await;
    book(&app, &s, "198.51.100.72", "en", "vic@example.fr", "+33612345678", "2026-03-03T10:00:00+01:00").await;
    fake.down.store(true, Ordering::SeqCst);
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let row = &sms_rows(&app).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.last_error.as_deref().unwrap().contains("503"), "{row:?}");
    assert!(row.payload.is_some(), "kept for the next attempt");
    assert_eq!(fake.attempts(), 1);
    // Back-off: not due yet, even with the provider back.
    fake.down.store(false, Ordering::SeqCst);
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    assert_eq!(fake.attempts(), 1);
    app.advance(SignedDuration::from_secs(31));
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    app.advance(SignedDuration::from_hours(3));
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    assert_eq!(fake.delivered().len(), 1, "delivered exactly once");
    assert_eq!(fake.attempts(), 2);
    let row = &sms_rows(&app).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
    assert!(row.last_error.is_none());
}

async fn an_invalid_number_fails_for_good(app: TestApp) {
    let fake = FakeTwilio::start().await;
    let senders = fake.senders(&app);
    let s = shop(&app, true, None).await;
    book(&app, &s, "198.51.100.73", "en", "vic@example.fr", INVALID, "2026-03-03T10:00:00+01:00").await;
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let row = &sms_rows(&app).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
    assert!(row.last_error.as_deref().unwrap().contains("21211"), "{row:?}");
    assert!(row.payload.is_none());
    app.advance(SignedDuration::from_hours(24));
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    assert_eq!(fake.attempts(), 1, "a permanent refusal is not retried");
    assert!(fake.delivered().is_empty());
    // The client's email went all the same.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status = 'sent' AND recipient = 'vic@example.fr'"
        )
        .await,
        1
    );
}

async fn no_sms_unless_the_organisation_turns_them_on(app: TestApp) {
    let s = shop(&app, false, None).await;
    // Only those who may change business settings may turn SMS on.
    let (staff, _) = s.owner.join(&s.org, "staff@sms.fr", json!({"role": "staff"})).await;
    staff
        .patch_json(&format!("/api/v1/orgs/{}", s.org), json!({"sms_enabled": true}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    book(&app, &s, "198.51.100.74", "en", "vic@example.fr", "+33612345678", "2026-03-03T10:00:00+01:00").await;
    assert!(sms_rows(&app).await.is_empty());
    assert_eq!(app.mails_to("vic@example.fr").await.len(), 1, "email as ever");
    let settings = s.owner.get(&format!("/api/v1/orgs/{}", s.org)).await.json();
    assert_eq!(settings["sms_enabled"], false);
    // Turned on, the next booking texts.
    s.owner.patch_json(&format!("/api/v1/orgs/{}", s.org), json!({"sms_enabled": true})).await.assert(StatusCode::OK);
    book(&app, &s, "198.51.100.75", "en", "ann@example.fr", "+33611111111", "2026-03-03T11:00:00+01:00").await;
    assert_eq!(sms_rows(&app).await.len(), 1);
    let audit = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.settings_updated'").await;
    assert_eq!(audit, 1, "turning SMS on is audited");
}

async fn staff_get_what_their_preferences_choose(app: TestApp) {
    let fake = FakeTwilio::start().await;
    let senders = fake.senders(&app);
    let (owner, org) = owner_with_org(&app, "boss@sms.fr", "Boss").await;
    let (sam, sam_id) = owner.join(&org, "sam@sms.fr", json!({"role": "staff"})).await;
    sam.patch_json("/api/v1/me", json!({"mobile_phone": "+33 6 99 88 77 66", "language": "fr"}))
        .await
        .assert(StatusCode::OK);
    // SMS on and email off for new bookings; the rest stays as it was (email only).
    let r = sam
        .put_json(
            &format!("/api/v1/orgs/{org}/me/notifications"),
            json!({"preferences": [
                {"event": "booking_created", "channel": "sms", "enabled": true},
                {"event": "booking_created", "channel": "email", "enabled": false}
            ]}),
        )
        .await;
    r.assert(StatusCode::OK);
    // Sam's own calendar.
    let s = shop_on(owner, org.clone(), &sam_id).await;
    book(&app, &s, "198.51.100.76", "en", "vic@example.fr", "+33612345678", "2026-03-03T10:00:00+01:00").await;
    let token = link_token(&app.last_mail_to("vic@example.fr").await, "/manage/");
    assert!(
        app.mails_to("sam@sms.fr").await.iter().all(|m| !m.subject.starts_with("Nouveau rendez-vous")),
        "no booking email for Sam"
    );
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let got = fake.delivered();
    let to_sam: Vec<_> = got.iter().filter(|m| m.to == "+33699887766").collect();
    assert_eq!(to_sam.len(), 1, "{got:?}");
    assert_eq!(to_sam[0].body, "Boss : nouveau rendez-vous de Vic le mardi 3 mars 2026 à 10:00 (Alice).");
    assert_eq!(got.iter().filter(|m| m.to == "+33612345678").count(), 1, "and the client's");
    // Cancelling: Sam's defaults for that event (email yes, SMS no).
    app.client().post_json(&format!("/api/v1/manage/{token}/cancel"), json!({})).await.assert(StatusCode::OK);
    let last = app.last_mail_to("sam@sms.fr").await;
    assert!(last.subject.starts_with("Rendez-vous du mardi 3 mars 2026 à 10:00 annulé"), "{}", last.subject);
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let got = fake.delivered();
    assert_eq!(got.iter().filter(|m| m.to == "+33699887766").count(), 1, "no SMS for the cancellation");
    let client_texts: Vec<_> = got.iter().filter(|m| m.to == "+33612345678").collect();
    assert_eq!(client_texts.len(), 2);
    assert_eq!(client_texts[1].body, "Boss: your booking on Tuesday 3 March 2026 at 10:00 with Alice is cancelled.");
}

/// `shop`, SMS on, inside an existing organisation, the calendar being `member`'s own.
async fn shop_on<'a>(owner: Client<'a>, org: String, member: &str) -> Shop<'a> {
    owner.patch_json(&format!("/api/v1/orgs/{org}"), json!({"sms_enabled": true})).await.assert(StatusCode::OK);
    shop_in(owner, org, Some(member)).await
}

async fn the_log_provider_writes_a_line(app: TestApp) {
    // The default configuration: no provider named, so the log.
    let senders = Senders::from_config(&Config::for_tests("sqlite://unused", app.dir.clone())).unwrap();
    let s = shop(&app, true, None).await;
    book(&app, &s, "198.51.100.77", "en", "vic@example.fr", "+33 6 12 34 56 78", "2026-03-03T10:00:00+01:00").await;
    let id = sms_rows(&app).await[0].id.clone();
    outbox::run_once(&app.state, &senders, 20).await.unwrap();
    let text = std::fs::read_to_string(app.dir.join("sms.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let line: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(line["to"], "+33612345678");
    assert_eq!(line["id"], id.as_str());
    assert_eq!(line["time"], "2026-03-02T09:00:00Z");
    assert!(
        line["body"]
            .as_str()
            .unwrap()
            .starts_with("Salon Lumière: booking confirmed for Tuesday 3 March 2026 at 10:00")
    );
    assert_eq!(sms_rows(&app).await[0].status, "sent");
}

async fn preferences_are_ones_own_and_checked_whole(app: TestApp) {
    let s = shop(&app, false, None).await;
    let org = &s.org;
    let path = format!("/api/v1/orgs/{org}/me/notifications");
    let (ann, _) = s.owner.join(org, "ann@sms.fr", json!({"role": "assistant"})).await;
    let defaults = ann.get(&path).await.json();
    assert_eq!(defaults["sms_available"], false);
    let cells = defaults["preferences"].as_array().unwrap();
    assert_eq!(cells.len(), 6);
    for c in cells {
        assert_eq!(c["enabled"], c["channel"] == "email", "defaults: email on, SMS off: {c}");
    }
    // Ann changes hers; the owner's stay as they were.
    let r = ann
        .put_json(&path, json!({"preferences": [{"event": "booking_moved", "channel": "sms", "enabled": true}]}))
        .await
        .json();
    let on = |v: &Value, e: &str, c: &str| {
        v["preferences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["event"] == e && p["channel"] == c && p["enabled"] == true)
    };
    assert!(on(&r, "booking_moved", "sms") && on(&r, "booking_moved", "email"));
    assert!(!on(&s.owner.get(&path).await.json(), "booking_moved", "sms"), "only the caller's own");
    let audit = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.notifications_updated'").await;
    assert_eq!(audit, 1);
    // Nobody names another member: not in the body, not in the path.
    let owner_member = s.owner.get(&format!("/api/v1/orgs/{org}/me")).await.json()["id"].clone();
    ann.put_json(
        &path,
        json!({"membership_id": owner_member, "preferences": [{"event": "booking_created", "channel": "sms", "enabled": true}]}),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "invalid-body");
    let other = format!("/api/v1/orgs/{org}/members/{}/notifications", owner_member.as_str().unwrap());
    assert_eq!(ann.put_json(&other, json!({"preferences": []})).await.status, StatusCode::NOT_FOUND);
    // Invalid event or channel: 422 and nothing written, not even the valid cells beside it.
    let rows = app.count("SELECT COUNT(*) FROM notification_preferences").await;
    for bad in [
        json!([{"event": "booking_created", "channel": "email", "enabled": false}, {"event": "booking_teleported", "channel": "sms", "enabled": true}]),
        json!([{"event": "booking_created", "channel": "email", "enabled": false}, {"event": "booking_created", "channel": "pigeon", "enabled": true}]),
        json!([{"event": "booking_created", "channel": "email", "enabled": false}, {"event": "booking_created", "channel": "email", "enabled": true}]),
    ] {
        let r = ann.put_json(&path, json!({"preferences": bad})).await;
        r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let r = ann.put_json(&path, json!({"preferences": [{"event": "nope", "channel": "fax", "enabled": true}]})).await;
    let codes: Vec<String> =
        r.json()["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(codes, ["unknown-event", "unknown-channel"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM notification_preferences").await, rows);
    assert!(on(&ann.get(&path).await.json(), "booking_created", "email"), "unchanged");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.notifications_updated'").await, 1);
    // Another tenant: 404, exactly like a missing organisation.
    let (stranger, _) = owner_with_org(&app, "owner@elsewhere.fr", "Elsewhere").await;
    stranger.get(&path).await.problem(StatusCode::NOT_FOUND, "not-found");
    stranger
        .put_json(&path, json!({"preferences": [{"event": "booking_created", "channel": "sms", "enabled": true}]}))
        .await
        .problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.count("SELECT COUNT(*) FROM notification_preferences").await, rows);
}

async fn the_notifications_page_saves_the_table(app: TestApp) {
    let s = shop(&app, false, None).await;
    let html = s.owner.get("/notifications").await;
    html.assert(StatusCode::OK);
    let text = html.text();
    assert!(text.contains("name=\"booking_created.email\"") && text.contains("name=\"booking_cancelled.sms\""));
    assert!(text.contains("href=\"/notifications\""), "in the organisation's navigation");
    // Without the CSRF token nothing changes.
    s.owner.post_form_raw("/notifications", &[("booking_created.sms", "on")]).await.assert(StatusCode::FORBIDDEN);
    let r = s.owner.post_form("/notifications", &[("booking_created.sms", "on"), ("booking_moved.email", "on")]).await;
    r.assert(StatusCode::SEE_OTHER);
    let prefs = s.owner.get(&format!("/api/v1/orgs/{}/me/notifications", s.org)).await.json();
    let enabled: Vec<String> = prefs["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["enabled"] == true)
        .map(|p| format!("{}.{}", p["event"].as_str().unwrap(), p["channel"].as_str().unwrap()))
        .collect();
    assert_eq!(enabled, ["booking_created.sms", "booking_moved.email"], "unticked boxes turn off");
    let page = s.owner.get("/notifications?done=saved").await.text();
    let input = |name: &str| {
        let i = page.find(&format!("name=\"{name}\"")).unwrap();
        page[i..i + page[i..].find('>').unwrap()].to_string()
    };
    assert!(input("booking_created.sms").contains("checked") && !input("booking_created.email").contains("checked"));
    assert!(page.contains("role=\"status\""), "saved: says so");
}
