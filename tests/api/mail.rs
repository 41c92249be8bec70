//! Outbox delivery against a real SMTP listener (Python's aiosmtpd, as installed by .ci/run).

use crate::helpers::{PASSWORD, TestApp, dual, owner_with_org};
use axum::http::StatusCode;
use creneau::{
    config::{Config, SecretString},
    jobs::{outbox, outbox::Senders},
};
use jiff::SignedDuration;
use serde_json::json;
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

dual!(
    mail_is_retried_until_delivered_exactly_once,
    two_workers_never_send_a_mail_twice,
    a_booking_confirmation_comes_from_the_business_with_its_calendar_file,
);

struct SmtpServer {
    child: Child,
    maildir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Start aiosmtpd writing to a Maildir; `None` (skip) only outside CI when it is missing.
async fn start_smtp(port: u16, dir: &Path) -> Option<SmtpServer> {
    let have = Command::new("python3").args(["-c", "import aiosmtpd"]).status().map(|s| s.success()).unwrap_or(false);
    if !have {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("aiosmtpd is required in CI (pip install aiosmtpd)");
        }
        eprintln!("SKIPPED: python3 -m aiosmtpd not available; `pip install aiosmtpd` to run SMTP tests");
        return None;
    }
    let maildir = dir.join("maildir");
    let mut child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some(SmtpServer { child, maildir });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start on port {port}");
}

fn delivered(maildir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(rd) = std::fs::read_dir(maildir.join(sub)) {
            for e in rd.flatten() {
                out.push(std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    out
}

fn mailer_for(app: &TestApp, port: u16) -> Senders {
    let mut cfg = Config::for_tests("sqlite://unused", app.dir.clone());
    cfg.smtp_url = Some(SecretString::new(format!("smtp://127.0.0.1:{port}")));
    Senders::from_config(&cfg).unwrap()
}

async fn mail_is_retried_until_delivered_exactly_once(app: TestApp) {
    let port = free_port();
    let mailer = mailer_for(&app, port);
    app.client().signup("deliver@example.fr", PASSWORD, "D", "E").await.assert(StatusCode::ACCEPTED);
    let id: String = sqlx::query_scalar("SELECT id FROM outbox").fetch_one(app.state.db.pool()).await.unwrap();

    // No server yet: the attempt fails and is scheduled again, nothing is lost.
    assert_eq!(outbox::run_once(&app.state, &mailer, 10).await.unwrap(), 1);
    let (status, attempts, error): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE id = $1")
            .bind(&id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap().contains("SMTP"));

    let Some(server) = start_smtp(port, &app.dir).await else { return };
    // Back-off: not due yet.
    assert_eq!(outbox::run_once(&app.state, &mailer, 10).await.unwrap(), 0);
    app.advance(SignedDuration::from_secs(31));
    assert_eq!(outbox::run_once(&app.state, &mailer, 10).await.unwrap(), 1);
    assert_eq!(outbox::run_once(&app.state, &mailer, 10).await.unwrap(), 0);
    app.advance(SignedDuration::from_hours(2));
    assert_eq!(outbox::run_once(&app.state, &mailer, 10).await.unwrap(), 0);

    let mails = delivered(&server.maildir);
    assert_eq!(mails.len(), 1, "delivered exactly once");
    let m = &mails[0];
    assert!(m.contains("To: deliver@example.fr"), "{m}");
    assert!(m.contains(&format!("Message-ID: <{id}@creneau.test>")), "{m}");
    assert!(m.contains("verify?token") || m.contains("verify?token=3D"), "{m}");
    // Delivered bodies (holding single-use links) are not kept.
    let (status, payload): (String, Option<String>) =
        sqlx::query_as("SELECT status, payload FROM outbox WHERE id = $1")
            .bind(&id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(status, "sent");
    assert!(payload.is_none());
}

async fn two_workers_never_send_a_mail_twice(app: TestApp) {
    let port = free_port();
    let Some(server) = start_smtp(port, &app.dir).await else { return };
    let mailer = mailer_for(&app, port);
    for i in 0..12 {
        app.client_from(&format!("192.0.2.{i}"))
            .post_json("/api/v1/auth/password/forgot", json!({"email": format!("nobody{i}@example.fr")}))
            .await
            .assert(StatusCode::ACCEPTED);
    }
    // Forgot-password for unknown addresses sends nothing; make real ones.
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..12 {
        let mail = creneau::jobs::mail::compose(&format!("r{i}@example.fr"), "Hello", &[format!("n{i}")], None, "f");
        outbox::enqueue_email(&mut tx, creneau::clock::to_ms(app.clock_now()), None, &mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    let (a, b) = tokio::join!(outbox::run_once(&app.state, &mailer, 12), outbox::run_once(&app.state, &mailer, 12));
    assert_eq!(a.unwrap() + b.unwrap(), 12);
    assert_eq!(delivered(&server.maildir).len(), 12);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await, 12);
}

async fn a_booking_confirmation_comes_from_the_business_with_its_calendar_file(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "camille@salon.fr", "Salon Camille").await;
    let loc =
        owner.paris(&org, "Lyon", json!({"slug": "salon-camille-lyon", "address": "2 rue Mercière, 69002 Lyon"})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    owner.open_weekdays(&org, &cal, "09:00", "18:00").await;
    let svc = owner
        .create(
            &org,
            "/services",
            json!({"name": "Coupe femme", "length_min": 45, "price_cents": 4500, "min_notice_min": 0}),
        )
        .await;
    owner.offer(&org, &svc, &cal).await;
    let booking = json!({"service_id": svc, "calendar_id": cal, "start": "2026-03-03T10:00:00+01:00",
        "first_name": "Zoé", "last_name": "Martin", "email": "zoe@client.fr"});
    let visitor = app.client();
    visitor.post_json("/api/v1/book/salon-camille-lyon/bookings", booking).await.assert(StatusCode::CREATED);
    // One confirmation (not two): in words, with place, price, link and the calendar file.
    let mails = app.mails_to("zoe@client.fr").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert!(m.subject.contains("mardi 3 mars 2026 à 10:00"), "{}", m.subject);
    assert!(m.text.contains("Lyon, 2 rue Mercière, 69002 Lyon") && m.text.contains("45,00\u{a0}€"), "{}", m.text);
    assert!(m.text.contains("/manage/") && m.text.contains("Salon Camille — vous recevez ce message"), "{}", m.text);
    assert_eq!(m.from_name.as_deref(), Some("Salon Camille"));
    assert!(m.attachments[0].body.contains("DTSTART:20260303T090000Z"), "{:?}", m.attachments);
    // Through a real SMTP server: the organisation as the sender's name, the file attached.
    let port = free_port();
    let Some(server) = start_smtp(port, &app.dir).await else { return };
    let mailer = mailer_for(&app, port);
    while outbox::run_once(&app.state, &mailer, 10).await.unwrap() > 0 {}
    let sent = delivered(&server.maildir);
    let m = sent.iter().find(|m| m.contains("To: zoe@client.fr")).unwrap_or_else(|| panic!("{sent:?}"));
    assert!(m.contains("From: \"Salon Camille\" <"), "{m}");
    assert!(m.contains("multipart/mixed") && m.contains("text/calendar"), "{m}");
    assert!(m.contains("filename=\"rendez-vous.ics\""), "{m}");
}
