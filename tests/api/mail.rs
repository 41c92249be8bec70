//! Outbox delivery against a real SMTP listener (Python's aiosmtpd, as installed by .ci/run).

use crate::helpers::{PASSWORD, TestApp, dual};
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

dual!(mail_is_retried_until_delivered_exactly_once, two_workers_never_send_a_mail_twice);

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
