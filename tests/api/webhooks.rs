//! Webhooks (issue 14, item 3; SECURITY.md "Outbound"): endpoints made by whoever holds "API
//! and integrations", messages signed as Standard Webhooks says and verified here by its
//! reference library (Python's `standardwebhooks`), delivered from the audit chain with
//! back-off (a receiver that answers 500 twice then 200 gets the message once, after three
//! attempts, all logged), payloads within what the maker may see now, private addresses
//! refused unless the operator allows them, other organisations' endpoints not found.

use crate::helpers::{TestApp, dual, in_location, owner_with_org};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

dual!(
    messages_are_signed_retried_with_back_off_and_logged,
    payloads_carry_only_what_the_maker_may_see_now,
    webhooks_refuse_private_addresses_other_tenants_and_low_roles,
    the_webhook_pages_add_show_the_log_and_resend,
    an_endpoint_that_keeps_failing_is_disabled_and_its_maker_told,
);

struct Receiver {
    child: Child,
    log: std::path::PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    /// The requests received so far, as the receiver logged them.
    fn seen(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The receiver on `port` with `secret`, answering `script`; `None` (skip) only outside CI
/// when the library is missing.
async fn receiver(app: &TestApp, port: u16, secret: &str, script: &str) -> Option<Receiver> {
    let have = Command::new("python3").args(["-c", "import standardwebhooks"]).status().is_ok_and(|s| s.success());
    if !have {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("standardwebhooks is required in CI (pip install standardwebhooks)");
        }
        eprintln!(
            "SKIPPED: python3 standardwebhooks not available; `pip install standardwebhooks` to run webhook tests"
        );
        return None;
    }
    let log = app.state.config.data_dir.join(format!("hooks-{port}.jsonl"));
    let script_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/webhook_receiver.py");
    // Kept in the guard at once: dropping it kills and waits for the process.
    let rx = Receiver {
        child: Command::new("python3")
            .args([script_path, &port.to_string(), secret])
            .arg(&log)
            .arg(script)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the receiver"),
        log,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some(rx);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the receiver did not listen");
}

/// An app whose operator allows webhooks to loopback (the receivers run here).
fn local(app: &TestApp) -> TestApp {
    app.sibling(|c| c.allow_private_outbound = true)
}

async fn pass(app: &TestApp) -> usize {
    creneau::jobs::webhooks::run_once(&app.state).await.unwrap()
}

async fn messages_are_signed_retried_with_back_off_and_logged(base: TestApp) {
    let app = local(&base);
    let (owner, org) = owner_with_org(&app, "owner@hooks.fr", "Crochets").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    let port = free_port();
    let made = owner
        .org_post(
            &org,
            "/webhooks",
            json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["booking.created", "booking.cancelled"]}),
            StatusCode::CREATED,
        )
        .await;
    let (id, secret) =
        (made["webhook"]["id"].as_str().unwrap().to_string(), made["secret"].as_str().unwrap().to_string());
    assert!(secret.starts_with("whsec_"));
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM webhook_endpoints WHERE secret_sealed LIKE '%{}%'", &secret[6..]))
            .await,
        0
    );
    let Some(rx) = receiver(&app, port, &secret, "500,500,200").await else { return };
    // A booking made: one message, refused twice, then delivered.
    let b = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true});
    let booking = owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    assert_eq!(pass(&app).await, 1, "sent at once");
    assert_eq!(pass(&app).await, 0, "the retry waits");
    app.advance(jiff::SignedDuration::from_secs(6));
    assert_eq!(pass(&app).await, 1);
    app.advance(jiff::SignedDuration::from_secs(301));
    assert_eq!(pass(&app).await, 1);
    app.advance(jiff::SignedDuration::from_secs(3600));
    assert_eq!(pass(&app).await, 0, "delivered: nothing more");
    let seen = rx.seen();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(seen.iter().all(|s| s["verified"] == true), "every signature verifies: {seen:#?}");
    assert!(seen.iter().all(|s| s["id"] == seen[0]["id"]), "one message id across retries");
    let p = &seen[2]["payload"];
    assert_eq!(p["type"], "booking.created");
    assert_eq!(p["data"]["id"], booking["id"]);
    assert_eq!(p["data"]["start"], "2026-03-04T10:00:00Z");
    // The log: three attempts, their statuses and the start of each answer.
    let log = owner.org_get(&org, &format!("/webhooks/{id}/messages")).await.json();
    let m = &log[0];
    assert_eq!(m["state"], "delivered");
    let statuses: Vec<i64> = m["attempts"].as_array().unwrap().iter().map(|a| a["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert_eq!(m["attempts"][0]["excerpt"], "receiver says no");
    // Events it did not ask for are not sent; those it asked for are.
    owner.org_get(&org, "/locations").await.assert(StatusCode::OK);
    let bid = booking["id"].as_str().unwrap();
    owner.post_json(&format!("/api/v1/orgs/{org}/bookings/{bid}/cancel"), json!({})).await.assert(StatusCode::OK);
    assert_eq!(pass(&app).await, 1);
    assert_eq!(rx.seen().last().unwrap()["payload"]["type"], "booking.cancelled");
    // Re-sent by hand: the same id again.
    let first = m["id"].as_str().unwrap();
    owner
        .post_json(&format!("/api/v1/orgs/{org}/webhooks/{id}/messages/{first}/resend"), json!({}))
        .await
        .assert(StatusCode::ACCEPTED);
    assert_eq!(pass(&app).await, 1);
    assert_eq!(rx.seen().last().unwrap()["id"], json!(first));
    // A test ping.
    owner.post_json(&format!("/api/v1/orgs/{org}/webhooks/{id}/ping"), json!({})).await.assert(StatusCode::ACCEPTED);
    assert_eq!(pass(&app).await, 1);
    assert_eq!(rx.seen().last().unwrap()["payload"]["type"], "webhook.ping");
    // Deleted, then events while the organisation has no webhook, then a new one: it hears of
    // what comes after it, never of that backlog.
    owner.delete(&format!("/api/v1/orgs/{org}/webhooks/{id}")).await.assert(StatusCode::NO_CONTENT);
    let b = json!({"calendar_id": cal, "start": "2026-03-06T10:00:00Z", "override_hours": true});
    owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    let port2 = free_port();
    let again = owner
        .org_post(
            &org,
            "/webhooks",
            json!({"url": format!("http://127.0.0.1:{port2}/hook"), "events": ["booking.created"]}),
            StatusCode::CREATED,
        )
        .await;
    let Some(rx2) = receiver(&app, port2, again["secret"].as_str().unwrap(), "200").await else { return };
    assert_eq!(pass(&app).await, 0, "no backlog for a new endpoint");
    let b = json!({"calendar_id": cal, "start": "2026-03-09T10:00:00Z", "override_hours": true});
    owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    assert_eq!(pass(&app).await, 1);
    let seen = rx2.seen();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_eq!(seen[0]["verified"], true);
    assert_eq!(seen[0]["payload"]["data"]["start"], "2026-03-09T10:00:00Z");
}

async fn payloads_carry_only_what_the_maker_may_see_now(base: TestApp) {
    let app = local(&base);
    let (owner, org) = owner_with_org(&app, "owner@voit.fr", "Voit").await;
    let lyon = owner.paris(&org, "Lyon", json!({})).await;
    let nice = owner.paris(&org, "Nice", json!({})).await;
    let cal_lyon = owner.calendar(&org, &lyon, "Lyon 1", json!({})).await;
    let cal_nice = owner.calendar(&org, &nice, "Nice 1", json!({})).await;
    // A manager of Lyon with "API and integrations" but without the client list.
    let body = json!({"role": "manager", "grants": [in_location(&lyon, "manage")],
        "toggles": {"api_integrations": true, "client_list": false}});
    let (mgr, mgr_id) = owner.join(&org, "mgr@voit.fr", body).await;
    let port = free_port();
    let made = mgr
        .org_post(
            &org,
            "/webhooks",
            json!({"url": format!("http://127.0.0.1:{port}/"), "events": ["booking.created", "client.created"]}),
            StatusCode::CREATED,
        )
        .await;
    let Some(rx) = receiver(&app, port, made["secret"].as_str().unwrap(), "200").await else { return };
    let client = json!({"first_name": "Zoé", "last_name": "Martin", "email": "zoe@client.fr", "phone": "+33612345678"});
    for cal in [&cal_lyon, &cal_nice] {
        let b = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true, "client": client});
        owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    }
    while pass(&app).await > 0 {}
    let seen = rx.seen();
    let bookings: Vec<&Value> = seen.iter().filter(|s| s["payload"]["type"] == "booking.created").collect();
    assert_eq!(bookings.len(), 1, "Nice's booking is not theirs to see: {seen:#?}");
    assert_eq!(bookings[0]["payload"]["data"]["calendar_id"], json!(cal_lyon));
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains("zoe@client.fr") && !text.contains("+33612345678"),
        "no contact without the client list: {text}"
    );
    assert!(!seen.iter().any(|s| s["payload"]["type"] == "client.created"), "clients are not theirs to see");
    // The skipped ones say so in the log.
    let log =
        mgr.org_get(&org, &format!("/webhooks/{}/messages", made["webhook"]["id"].as_str().unwrap())).await.json();
    assert!(log.as_array().unwrap().iter().any(|m| m["state"] == "skipped"));
    // Blocked, the maker's endpoint sends nothing more.
    owner.post_json(&format!("/api/v1/orgs/{org}/members/{mgr_id}/block"), json!({})).await.assert(StatusCode::OK);
    let b = json!({"calendar_id": cal_lyon, "start": "2026-03-05T10:00:00Z", "override_hours": true});
    owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    while pass(&app).await > 0 {}
    assert_eq!(rx.seen().len(), seen.len(), "nothing after the block");
}

async fn webhooks_refuse_private_addresses_other_tenants_and_low_roles(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@prive.fr", "Privé").await;
    // The operator allows no private address here: loopback, private, link-local refused.
    for url in [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.0.0.8/",
        "http://169.254.169.254/latest",
        "http://[::1]/",
    ] {
        let r = owner
            .post_json(&format!("/api/v1/orgs/{org}/webhooks"), json!({"url": url, "events": ["booking.created"]}))
            .await;
        r.assert(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("private-address"), "{url}: {}", r.text());
    }
    for url in ["ftp://example.fr/", "https://user:pw@example.fr/", "not a url"] {
        let r = owner
            .post_json(&format!("/api/v1/orgs/{org}/webhooks"), json!({"url": url, "events": ["booking.created"]}))
            .await;
        r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = owner
        .post_json(&format!("/api/v1/orgs/{org}/webhooks"), json!({"url": "http://10.0.0.8/", "events": ["nope"]}))
        .await;
    assert!(r.text().contains("unknown-event"));
    // An endpoint made where private addresses were allowed stops at delivery where they are not.
    let allowed = local(&app);
    let made = owner
        .org_post(
            &org,
            "/webhooks",
            json!({"url": "http://127.0.0.1:9/x", "events": ["booking.created"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let _ = made;
    let (o2, org2) = owner_with_org(&allowed, "owner@permis.fr", "Permis").await;
    let hook = o2
        .org_post(
            &org2,
            "/webhooks",
            json!({"url": "http://127.0.0.1:9/x", "events": ["booking.created"]}),
            StatusCode::CREATED,
        )
        .await;
    let hook_id = hook["webhook"]["id"].as_str().unwrap().to_string();
    let loc = o2.paris(&org2, "Lyon", json!({})).await;
    let cal = o2.calendar(&org2, &loc, "Camille", json!({})).await;
    let b = json!({"calendar_id": cal, "start": "2026-03-04T10:00:00Z", "override_hours": true});
    o2.org_post(&org2, "/bookings", b, StatusCode::CREATED).await;
    creneau::jobs::webhooks::run_once(&app.state).await.unwrap();
    let log = o2.org_get(&org2, &format!("/webhooks/{hook_id}/messages")).await.json();
    let excerpt = log[0]["attempts"][0]["excerpt"].as_str().unwrap();
    assert!(log[0]["attempts"][0]["status"].is_null() && excerpt.contains("private-address"), "{log}");
    // Another organisation's owner: not found, nothing changed.
    let api = format!("/api/v1/orgs/{org}/webhooks/{hook_id}");
    owner.get(&api).await.assert(StatusCode::NOT_FOUND);
    owner.delete(&api).await.assert(StatusCode::NOT_FOUND);
    owner.post_json(&format!("{api}/ping"), json!({})).await.assert(StatusCode::NOT_FOUND);
    o2.get(&format!("/api/v1/orgs/{org2}/webhooks/{hook_id}")).await.assert(StatusCode::OK);
    // Staff (no "API and integrations"): refused, on the API and the pages.
    let (staff, _) = o2.join(&org2, "staff@permis.fr", json!({"role": "staff"})).await;
    staff.get(&format!("/api/v1/orgs/{org2}/webhooks")).await.assert(StatusCode::FORBIDDEN);
    staff.get("/integrations/webhooks").await.assert(StatusCode::FORBIDDEN);
    staff.get(&format!("/integrations/webhooks/{hook_id}")).await.assert(StatusCode::FORBIDDEN);
}

async fn the_webhook_pages_add_show_the_log_and_resend(base: TestApp) {
    let app = local(&base);
    let (owner, org) = owner_with_org(&app, "owner@pages-hooks.fr", "Pages").await;
    let html = owner.get("/integrations").await.text();
    assert!(html.contains("href=\"/integrations/webhooks\""));
    let html = owner.get("/integrations/webhooks").await.text();
    assert!(html.contains("Aucun webhook pour l&#39;instant.") && html.contains("Rendez-vous pris"), "{html}");
    // Refused in French, as typed.
    let r = owner.post_form("/integrations/webhooks", &[("url", "ftp://hooks.example.fr/x")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("Indiquez une adresse web comme") && text.contains("Ce champ est obligatoire."), "{text}");
    assert!(text.contains("value=\"ftp://hooks.example.fr/x\""), "as typed");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let r = owner.post_form("/integrations/webhooks", &[("url", url.as_str()), ("event", "booking.created")]).await;
    r.assert(StatusCode::OK);
    let html = r.text();
    let secret = html.split("id=\"new-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let id = owner.org_get(&org, "/webhooks").await.json()["items"][0]["id"].as_str().unwrap().to_string();
    let Some(rx) = receiver(&app, port, &secret, "503,200").await else { return };
    owner
        .post_form(&format!("/integrations/webhooks/{id}/ping"), &[])
        .await
        .redirected(&format!("/integrations/webhooks/{id}?done=ping"));
    pass(&app).await;
    let page = owner.get(&format!("/integrations/webhooks/{id}")).await.text();
    assert!(
        page.contains("Message de test") && page.contains("<strong>503</strong>") && page.contains("receiver says no"),
        "{page}"
    );
    let msg =
        owner.org_get(&org, &format!("/webhooks/{id}/messages")).await.json()[0]["id"].as_str().unwrap().to_string();
    owner
        .post_form(&format!("/integrations/webhooks/{id}/messages/{msg}/resend"), &[])
        .await
        .redirected(&format!("/integrations/webhooks/{id}?done=resent_message"));
    pass(&app).await;
    assert_eq!(rx.seen().len(), 2);
    let page = owner.get(&format!("/integrations/webhooks/{id}")).await.text();
    assert!(page.contains("Livré") && page.contains("<strong>200</strong>"), "{page}");
    // Paused from its page, then deleted (asked first).
    let fields = [("url", url.as_str()), ("event", "booking.created"), ("event", "booking.cancelled")];
    owner
        .post_form(&format!("/integrations/webhooks/{id}"), &fields)
        .await
        .redirected(&format!("/integrations/webhooks/{id}?done=saved"));
    let w = owner.org_get(&org, &format!("/webhooks/{id}")).await.json();
    assert_eq!((w["status"].as_str(), w["events"].as_array().unwrap().len()), (Some("disabled"), 2));
    assert!(
        owner.get(&format!("/integrations/webhooks/{id}")).await.text().contains("data-confirm=\"Supprimer ce webhook")
    );
    owner
        .post_form(&format!("/integrations/webhooks/{id}/delete"), &[])
        .await
        .redirected("/integrations/webhooks?done=webhook_deleted");
    owner.org_get(&org, &format!("/webhooks/{id}")).await.assert(StatusCode::NOT_FOUND);
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'webhook.%'").await >= 4);
    // In English too, errors included.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let html = owner.get("/integrations/webhooks").await.text();
    assert!(html.contains("Add the webhook") && html.contains("Booking made"), "{html}");
    let r = owner.post_form("/integrations/webhooks", &[("url", "ftp://hooks.example.fr/x")]).await;
    assert!(r.text().contains("Use a web address such as") && r.text().contains("This field is required."));
}

async fn an_endpoint_that_keeps_failing_is_disabled_and_its_maker_told(base: TestApp) {
    let app = local(&base);
    let (owner, org) = owner_with_org(&app, "owner@panne.fr", "Panne").await;
    // The maker reads English; the mail says it in English.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    let port = free_port();
    let made = owner
        .org_post(
            &org,
            "/webhooks",
            json!({"url": format!("http://127.0.0.1:{port}/"), "events": ["booking.created"]}),
            StatusCode::CREATED,
        )
        .await;
    let id = made["webhook"]["id"].as_str().unwrap().to_string();
    let Some(rx) = receiver(&app, port, made["secret"].as_str().unwrap(), "500").await else { return };
    for day in 3..=6 {
        let b = json!({"calendar_id": cal, "start": format!("2026-03-0{day}T10:00:00Z"), "override_hours": true});
        owner.org_post(&org, "/bookings", b, StatusCode::CREATED).await;
    }
    // Every message tried at its back-off, until twenty failures in a row stop the endpoint.
    for _ in 0..12 {
        pass(&app).await;
        app.advance(jiff::SignedDuration::from_hours(11));
    }
    let w = owner.org_get(&org, &format!("/webhooks/{id}")).await.json();
    assert_eq!(w["status"], "disabled", "{w}");
    assert_eq!(rx.seen().len(), 20, "nothing sent once disabled");
    let mail = app.last_mail_to("owner@panne.fr").await;
    assert!(mail.subject.contains("a webhook was disabled"), "{}", mail.subject);
    assert!(mail.text.contains(&format!("/integrations/webhooks/{id}")), "{}", mail.text);
    // Enabled again: the messages still waiting go out.
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/webhooks/{id}"), json!({"status": "active"}))
        .await
        .assert(StatusCode::OK);
    assert_eq!(owner.org_get(&org, &format!("/webhooks/{id}")).await.json()["failures"], 0);
}
