//! Browser tests in Debian's headless Chromium against the real `creneau serve` binary, with a
//! real SMTP listener (Python's aiosmtpd): a client books on the public page and receives the
//! email; a staff member moves that booking in the week view by drag and drop; the emailed
//! manage link cancels it.
//!
//! In CI (`CI=true`) a missing Chromium or aiosmtpd fails the run; elsewhere the test skips
//! with a message.
// Tests and benchmarks may unwrap: a panic is their way to fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/binary.rs"]
mod binary;
mod cdp;

use cdp::Browser;
use serde_json::{Value, json};
use std::{
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const PASSWORD: &str = "correct horse battery";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn start_smtp(port: u16, maildir: &Path) -> Option<Proc> {
    let have = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !have {
        if in_ci() {
            panic!("aiosmtpd is required in CI (pip install aiosmtpd)");
        }
        eprintln!("SKIPPED: python3 -m aiosmtpd not available; `pip install aiosmtpd` to run browser tests");
        return None;
    }
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let p = Proc(child);
    wait_port(port, "aiosmtpd");
    Some(p)
}

/// Decoded messages delivered to `to`.
fn mails_to(maildir: &Path, to: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(rd) = std::fs::read_dir(maildir.join(sub)) {
            for e in rd.flatten() {
                let raw = std::fs::read_to_string(e.path()).unwrap_or_default();
                if raw.lines().any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(to)) {
                    out.push(decode_quoted_printable(&raw));
                }
            }
        }
    }
    out
}

/// The first email to `to` that satisfies `want`, waiting for it to arrive.
fn wait_mail(maildir: &Path, to: &str, what: &str, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let all = mails_to(maildir, to);
        if let Some(m) = all.iter().find(|m| want(m)) {
            return m.clone();
        }
        assert!(Instant::now() < deadline, "{to} did not receive {what}; got {all:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Undo quoted-printable soft line breaks and `=XX` escapes (enough to read links and times).
fn decode_quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn bin(dir: &Path, base: &str, db: &str) -> Command {
    let mut c = binary::command();
    c.env("CRENEAU_DATA_DIR", dir).env("CRENEAU_BASE_URL", base).env("CRENEAU_DATABASE_URL", db);
    c
}

/// A JSON API call made by the page itself (its session cookie, its origin).
fn api(b: &mut Browser, method: &str, path: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() { "undefined".to_string() } else { format!("JSON.stringify({body})") };
    let r = b.eval(&format!(
        "fetch({path:?}, {{method: {method:?}, headers: {{'content-type': 'application/json'}}, body: {body}}})\
           .then(async r => ({{status: r.status, body: await r.text()}}))"
    ));
    let status = r["status"].as_u64().unwrap() as u16;
    let v = serde_json::from_str(r["body"].as_str().unwrap_or("")).unwrap_or(Value::Null);
    (status, v)
}

fn created(r: (u16, Value), what: &str) -> String {
    assert!(r.0 == 201 || r.0 == 200, "{what}: {} {}", r.0, r.1);
    r.1["id"].as_str().unwrap_or_default().to_string()
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("creneau-browser-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Today in Paris by the machine's clock: the served binary runs on the real clock.
#[allow(clippy::disallowed_methods)]
fn today_in_paris() -> jiff::civil::Date {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Paris").unwrap()).date()
}

/// Set a field's value the way typing does (input events fire).
fn fill(b: &mut Browser, selector: &str, value: &str) {
    b.eval(&format!(
        "(() => {{ const e = document.querySelector({selector:?}); if (!e) throw new Error('no ' + {selector:?}); \
           e.value = {value:?}; e.dispatchEvent(new Event('input', {{bubbles: true}})); }})()"
    ));
}

fn click(b: &mut Browser, selector: &str, what: &str) {
    b.act(
        &format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) throw new Error('no ' + {selector:?}); e.click(); }})()"
        ),
        what,
    );
}

/// Log in on the login page as `email` (the journeys' one password).
fn login(b: &mut Browser, base: &str, email: &str) {
    b.goto(&format!("{base}/login"));
    fill(b, "#email", email);
    fill(b, "#password", PASSWORD);
    click(b, "form[action='/login'] button[type=submit]", "logged in");
    assert!(!b.url().contains("/login"), "still on the login page: {}", b.text());
}

/// The invitation mailed to `email`, accepted in `b` as a new account with the journeys'
/// password: signed in on the home page.
fn accept_invitation(b: &mut Browser, maildir: &Path, email: &str) {
    let mail = wait_mail(maildir, email, "the invitation", |m| m.contains("/invitations/accept?token="));
    let link: String = mail
        .split("http")
        .find(|s| s.contains("/invitations/accept?token="))
        .map(|s| format!("http{}", s.split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().unwrap()))
        .unwrap();
    b.goto(&link);
    fill(b, "#password", PASSWORD);
    fill(b, "#password_confirm", PASSWORD);
    click(b, "form[action='/invitations/register'] button[type=submit]", "the invitation accepted");
    assert!(!b.url().contains("/invitations"), "still on the invitation: {}", b.text());
}

/// The team's invite page filled in for this person and role; the caller adds grants, then
/// `send_invitation` sends it.
fn start_invite(b: &mut Browser, base: &str, (first, last, email): (&str, &str, &str), role: &str) {
    b.goto(&format!("{base}/team/invite"));
    fill(b, "#first_name", first);
    fill(b, "#last_name", last);
    fill(b, "#email", email);
    b.eval(&format!("document.querySelector('#role').value = {role:?}"));
}

/// The invite form sent with its mail: the new member's page, where it lands.
fn send_invitation(b: &mut Browser, what: &str) -> String {
    b.eval("document.querySelector('#send_invitation').checked = true");
    b.act("document.querySelector('#email').form.submit()", what);
    assert!(b.url().contains("/team/"), "{what}: {}", b.text());
    b.url()
}

/// The agenda's calendars as (id, label), as its drop-down lists them.
fn agenda_calendars(b: &mut Browser, base: &str) -> Vec<(String, String)> {
    b.goto(&format!("{base}/agenda"));
    let v = b.eval("[...document.querySelectorAll('#agenda-calendar option')].map(o => [o.value, o.textContent])");
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string()))
        .collect()
}

fn calendar_named(cals: &[(String, String)], name: &str) -> String {
    cals.iter().find(|(_, l)| l.contains(name)).unwrap_or_else(|| panic!("no calendar {name} in {cals:?}")).0.clone()
}

/// A booking made on the staff page of calendar `cal` (its new-booking form, as the grid's
/// free cell opens it), for a new client; `force` ticks "outside working hours".
fn book_from_the_page(
    b: &mut Browser,
    base: &str,
    cal: &str,
    at: (&str, &str),
    client: (&str, &str, &str),
    force: bool,
) {
    b.goto(&format!("{base}/calendars/{cal}/bookings/new?date={}&time={}", at.0, at.1));
    fill(b, "#first_name", client.0);
    fill(b, "#last_name", client.1);
    fill(b, "#email", client.2);
    if force {
        b.eval("document.querySelector('input[name=override_hours]').checked = true");
    }
    click(b, &format!("form[action='/calendars/{cal}/bookings'] button[type=submit]"), "the booking made");
    assert!(!b.text().contains("Erreur") && !b.url().ends_with("/bookings"), "refused: {}", b.text());
}

/// The next day after tomorrow whose ISO weekday (Monday = 1) is in `days`.
fn next_day_in(days: std::ops::RangeInclusive<i8>) -> jiff::civil::Date {
    let mut d = today_in_paris().tomorrow().unwrap();
    loop {
        d = d.tomorrow().unwrap();
        if days.contains(&d.weekday().to_monday_one_offset()) {
            return d;
        }
    }
}

/// A running `creneau serve` on a fresh SQLite file with a real SMTP listener: what each
/// journey starts from. `None` (skip) only outside CI when aiosmtpd is missing.
struct App {
    dir: PathBuf,
    maildir: PathBuf,
    base: String,
    db: String,
    _smtp: Proc,
    _server: Option<Proc>,
}

impl App {
    fn start() -> Option<App> {
        let dir = scratch();
        let maildir = dir.join("maildir");
        let smtp_port = free_port();
        let smtp = start_smtp(smtp_port, &maildir)?;
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let db = format!("sqlite://{}?mode=rwc", dir.join("creneau.db").display());
        let mut app = App { dir, maildir, base, db, _smtp: smtp, _server: None };
        app.serve(port, smtp_port);
        Some(app)
    }

    fn serve(&mut self, port: u16, smtp_port: u16) {
        let (server, _) = binary::serve(
            bin(&self.dir, &self.base, &self.db)
                .arg("serve")
                .env("CRENEAU_LISTEN", format!("127.0.0.1:{port}"))
                .env("CRENEAU_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
        );
        self._server = Some(Proc(server));
        wait_port(port, "creneau");
    }

    /// The operator's `create-owner`, the password chosen through its link, then the login
    /// page: the owner is signed in. Returns the organisation's id.
    fn owner_signs_in(&self, b: &mut Browser, email: &str, org: &str) -> String {
        let out = bin(&self.dir, &self.base, &self.db)
            .args(["create-owner", "--email", email, "--org", org])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&out.stdout).to_string();
        let link =
            out.lines().find(|l| l.starts_with(&self.base)).unwrap_or_else(|| panic!("no link in {out}")).to_string();
        let org = out.split("organisation ").nth(1).and_then(|r| r.split(' ').next()).unwrap().to_string();
        b.goto(&link);
        fill(b, "#password", PASSWORD);
        fill(b, "#password_confirm", PASSWORD);
        click(b, "form[action='/reset'] button[type=submit]", "the password is set");
        b.goto(&format!("{}/login", self.base));
        fill(b, "#email", email);
        fill(b, "#password", PASSWORD);
        click(b, "form[action='/login'] button[type=submit]", "logged in");
        assert!(!b.url().contains("/login"), "still on the login page: {}", b.text());
        org
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self._server.take();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_client_books_staff_moves_it_in_the_week_view_and_the_manage_link_cancels_it() {
    let Some(mut b) = Browser::launch("Europe/Paris") else { return };
    let Some(app) = App::start() else { return };
    let (base, maildir) = (app.base.clone(), app.maildir.clone());
    // The operator creates the owner and their organisation from the command line; the owner
    // sets a password through its link, then logs in.
    let org = app.owner_signs_in(&mut b, "owner@salon.test", "Salon Lumière");
    // One organisation: the session starts in it.
    let (_, me) = api(&mut b, "GET", "/api/v1/me", Value::Null);
    assert_eq!(me["active_org"]["id"], json!(org), "{me}");

    // Set-up through the JSON API, called by the page: a location, a calendar open 09–19
    // every day, a 30-minute service offered on it.
    let o = format!("/api/v1/orgs/{org}");
    let loc = created(
        api(
            &mut b,
            "POST",
            &format!("{o}/locations"),
            json!({"name": "Lumière Paris", "slug": "lumiere", "time_zone": "Europe/Paris"}),
        ),
        "location",
    );
    let cal = created(
        api(
            &mut b,
            "POST",
            &format!("{o}/calendars"),
            json!({"location_id": loc, "name": "Léa", "day_start": "08:00", "day_end": "20:00"}),
        ),
        "calendar",
    );
    let weekly: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "09:00", "end": "19:00"})).collect();
    let r = api(&mut b, "PUT", &format!("{o}/calendars/{cal}/hours"), json!({"weekly": weekly}));
    assert_eq!(r.0, 200, "{}", r.1);
    let service = created(
        api(&mut b, "POST", &format!("{o}/services"), json!({"name": "Coupe", "length_min": 30, "min_notice_min": 60})),
        "service",
    );
    let r = api(&mut b, "PUT", &format!("{o}/services/{service}/calendars/{cal}"), Value::Null);
    assert!(r.0 < 300, "offer: {} {}", r.0, r.1);

    // A client books on the public page: service → person → slot (in their zone) → details.
    b.goto(&format!("{base}/book/lumiere"));
    click(&mut b, "a.choice", "the service is chosen");
    b.wait_for(
        "[...document.querySelectorAll('a.choice')].some(a => a.textContent.includes('Léa'))",
        "the person step",
    );
    b.act(
        "[...document.querySelectorAll('a.choice')].find(a => a.textContent.includes('Léa')).click()",
        "the slot step",
    );
    assert_eq!(b.eval("document.querySelector('select[data-detect-tz]').value"), json!("Europe/Paris"));
    // The second day offered, at 10:00 (always in the future, whatever the time now).
    b.act(
        "[...document.querySelectorAll('section.day')[1].querySelectorAll('a.slot')].find(a => a.textContent.trim() === '10:00').click()",
        "the details step",
    );
    let start = b.eval("document.querySelector('input[name=start]').value").as_str().unwrap().to_string();
    let local = start.parse::<jiff::Timestamp>().unwrap().to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap());
    assert_eq!(local.strftime("%H:%M").to_string(), "10:00");
    let day = local.date().to_string();
    fill(&mut b, "#first_name", "Camille");
    fill(&mut b, "#last_name", "Client");
    fill(&mut b, "#email", "camille@client.test");
    click(&mut b, "form[action='/book/lumiere'] button[type=submit]", "the confirmation");
    let confirmation = b.text();
    assert!(confirmation.contains("10:00"), "{confirmation}");

    // The confirmation email arrives over SMTP, with the manage link.
    let manage_prefix = format!("{base}/manage/");
    let confirmation = wait_mail(&maildir, "camille@client.test", "the confirmation", |m| m.contains(&manage_prefix));
    let manage = confirmation
        .split(&manage_prefix)
        .nth(1)
        .and_then(|r| r.split(|c: char| c.is_whitespace() || c == '"' || c == '<').next())
        .map(|tok| format!("{manage_prefix}{tok}"))
        .unwrap();
    assert!(confirmation.contains("10:00") && confirmation.contains("Coupe"), "{confirmation}");

    // The staff member opens the week view and drags the booking to 14:00 the same day.
    b.goto(&format!("{base}/agenda?calendar={cal}&view=week&date={day}"));
    b.wait_for("document.querySelector('[data-booking]')", "the booking in the week view");
    b.screenshot("week-before");
    let booking =
        b.eval("document.querySelector('[data-booking]').getAttribute('data-booking')").as_str().unwrap().to_string();
    assert!(b.text().contains("Camille Client"), "{}", b.text());
    b.act(
        &format!(
            "(() => {{ const src = document.querySelector('[data-booking]'); \
               const dst = document.querySelector('td[data-date=\"{day}\"][data-time=\"14:00\"]'); \
               const dt = new DataTransfer(); \
               src.dispatchEvent(new DragEvent('dragstart', {{bubbles: true, dataTransfer: dt}})); \
               dst.dispatchEvent(new DragEvent('dragenter', {{bubbles: true, cancelable: true, dataTransfer: dt}})); \
               dst.dispatchEvent(new DragEvent('dragover', {{bubbles: true, cancelable: true, dataTransfer: dt}})); \
               dst.dispatchEvent(new DragEvent('drop', {{bubbles: true, cancelable: true, dataTransfer: dt}})); }})()"
        ),
        "the week view after the move",
    );
    assert!(b.url().contains("done=moved"), "{} {}", b.url(), b.text());
    b.screenshot("week-after");
    let (_, moved) = api(&mut b, "GET", &format!("{o}/bookings/{booking}"), Value::Null);
    let moved_local =
        moved["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap().to_zoned(local.time_zone().clone());
    assert_eq!(
        (moved_local.date().to_string(), moved_local.strftime("%H:%M").to_string()),
        (day.clone(), "14:00".into())
    );
    assert!(b.text().contains("14:00–14:30"), "{}", b.text());
    wait_mail(&maildir, "camille@client.test", "the move", |m| m.contains("14:00") && !m.contains("10:00"));

    // The client cancels through the manage link.
    b.goto(&manage);
    assert!(b.text().contains("14:00"), "{}", b.text());
    b.screenshot("manage");
    click(&mut b, "form[action$='/cancel'] button[type=submit]", "the cancellation, asked");
    assert!(b.text().contains("Yes, cancel the booking") || b.text().contains("Oui, annuler"), "{}", b.text());
    b.screenshot("manage-confirm");
    click(&mut b, "form[action$='/cancel'] button.danger", "the cancellation, confirmed");
    let (_, cancelled) = api(&mut b, "GET", &format!("{o}/bookings/{booking}"), Value::Null);
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    wait_mail(&maildir, "camille@client.test", "the cancellation", |m| {
        m.contains("14:00") && (m.contains("cancelled") || m.contains("annulé"))
    });
}

/// Seed 000 from a person's chair: sign up, confirm the address from the mail in the same
/// browser, and open the business from the home page's checklist alone (no API call):
/// organisation, location, calendar, working hours, a service offered on the calendar; the
/// booking link the home page gives works for a visitor. Then the owner gives Manon a login:
/// she sees only her own bookings until the owner turns on "all bookings" and "client list";
/// then she moves a colleague's booking and writes a note on its client.
#[test]
fn an_owner_opens_the_business_from_the_checklist_alone() {
    let Some(mut b) = Browser::launch("Europe/Paris") else { return };
    let Some(app) = App::start() else { return };
    let (base, maildir) = (app.base.clone(), app.maildir.clone());
    let step_done = |b: &mut Browser, n: usize| {
        b.eval(&format!("document.querySelectorAll('.steps-list li')[{n}].classList.contains('done')")) == json!(true)
    };

    // Sign up on the page; the confirmation link arrives by mail.
    b.goto(&format!("{base}/signup"));
    fill(&mut b, "#first_name", "Camille");
    fill(&mut b, "#last_name", "Dupont");
    fill(&mut b, "#email", "camille@salon.test");
    fill(&mut b, "#password", PASSWORD);
    click(&mut b, "form[action='/signup'] button[type=submit]", "the sign-up");
    let verify_prefix = format!("{base}/verify?token=");
    let mail = wait_mail(&maildir, "camille@salon.test", "the confirmation link", |m| m.contains(&verify_prefix));
    let token: String = mail
        .split(&verify_prefix)
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    b.goto(&format!("{verify_prefix}{token}"));
    click(&mut b, "form[action='/verify'] button[type=submit]", "the address confirmed");
    // Signed in at once, on the checklist.
    assert!(b.text().contains("bienvenue") || b.text().contains("welcome"), "{}", b.text());
    assert_eq!(b.eval("document.querySelectorAll('.steps-list li').length"), json!(7));
    b.screenshot("checklist-start");

    // 1. The organisation, from the first step's link.
    click(&mut b, ".steps-list li:nth-child(1) a", "the organisations page");
    fill(&mut b, "#name", "Salon Camille");
    click(&mut b, "form[action='/orgs'] button[type=submit]", "the organisation created");
    b.goto(&format!("{base}/"));
    assert!(step_done(&mut b, 0), "{}", b.text());
    // 2. A location.
    click(&mut b, ".steps-list li:nth-child(2) a", "the locations page");
    fill(&mut b, "#name", "Salon Camille Lyon");
    fill(&mut b, "#address", "2 rue Mercière, 69002 Lyon");
    click(&mut b, "form[action='/locations'] button[type=submit]", "the location created");
    // 3. A calendar, from the location's page the checklist links to.
    b.goto(&format!("{base}/"));
    assert!(step_done(&mut b, 1));
    click(&mut b, ".steps-list li:nth-child(3) a", "the location's page");
    fill(&mut b, "#cal-name", "Camille");
    b.eval("document.querySelector('#cal-kind').value = 'resource'");
    b.act("document.querySelector('#cal-name').form.submit()", "the calendar created");
    // 4. Working hours: Tuesday to Saturday, 09:00–12:00 and 14:00–19:00, by copying Tuesday.
    b.goto(&format!("{base}/"));
    assert!(step_done(&mut b, 2));
    click(&mut b, ".steps-list li:nth-child(4) a", "the hours page");
    fill(&mut b, "#d2-s1", "09:00");
    fill(&mut b, "#d2-e1", "12:00");
    fill(&mut b, "#d2-s2", "14:00");
    fill(&mut b, "#d2-e2", "19:00");
    b.eval("document.querySelector('#copy_from').value = '2'");
    for d in 3..=6 {
        b.eval(&format!("document.querySelector('input[name=copy_to][value=\"{d}\"]').checked = true"));
    }
    b.screenshot("hours-editor");
    click(&mut b, "button[name=action][value=copy]", "the hours saved");
    assert!(b.text().contains("Horaires enregistrés") || b.text().contains("Working hours saved"), "{}", b.text());
    // 5. A service, priced the French way.
    b.goto(&format!("{base}/"));
    assert!(step_done(&mut b, 3));
    click(&mut b, ".steps-list li:nth-child(5) a", "the services page");
    fill(&mut b, "#name", "Coupe femme");
    fill(&mut b, "#length_min", "45");
    fill(&mut b, "#price", "45,50");
    click(&mut b, "form[action='/services'] button[type=submit]", "the service created");
    // 6. Offered on the calendar, from the service's page.
    b.goto(&format!("{base}/"));
    assert!(step_done(&mut b, 4));
    click(&mut b, ".steps-list li:nth-child(6) a", "the service's page");
    b.eval("document.querySelector('input[name=calendar]').checked = true");
    click(&mut b, "form[action$='/calendars'] button[type=submit]", "the service offered");
    // Every step done: the checklist gives way to the link to share.
    b.goto(&format!("{base}/"));
    assert_eq!(b.eval("document.querySelectorAll('.steps-list li').length"), json!(0), "{}", b.text());
    let link = b.eval("document.querySelector('#booking-link').href").as_str().unwrap().to_string();
    assert_eq!(link, format!("{base}/book/salon-camille-lyon"));
    b.screenshot("home-ready");

    // 7. The link works: a visitor sees the service, its price, and times.
    b.call("Network.clearBrowserCookies", json!({}));
    b.goto(&link);
    let page = b.text();
    // The visitor's browser speaks English: the price is written its way.
    assert!(page.contains("Coupe femme") && (page.contains("€45.50") || page.contains("45,50")), "{page}");
    assert!(!page.contains("Se connecter") && !page.contains("Log in"), "the business's page: {page}");
    click(&mut b, "a.choice", "the service is chosen");
    b.wait_for("document.querySelectorAll('a.choice').length > 0", "the person step");
    b.act("document.querySelectorAll('a.choice')[0].click()", "the slot step");
    b.wait_for("document.querySelectorAll('a.slot').length > 0", "times offered");
    b.screenshot("visitor-times");

    // 8. The owner gives Manon a login, with a calendar of her own at the salon.
    login(&mut b, &base, "camille@salon.test");
    start_invite(&mut b, &base, ("Manon", "Petit", "manon@salon.test"), "staff");
    b.eval("document.querySelector('#calendar_location_id').selectedIndex = 1");
    let member_page = send_invitation(&mut b, "Manon invited");
    assert!(b.text().contains("manon@salon.test"), "{}", b.text());
    // Manon works from her phone, in French.
    let Some(mut staff) = Browser::launch("Europe/Paris") else { return };
    staff.speak("fr-FR,fr;q=0.9");
    staff.phone();
    accept_invitation(&mut staff, &maildir, "manon@salon.test");

    // 9. One booking on each calendar, made by the owner from the calendar pages.
    let cals = agenda_calendars(&mut b, &base);
    let (camille, manon) = (calendar_named(&cals, "Camille"), calendar_named(&cals, "Manon"));
    let day = next_day_in(2..=6).to_string();
    book_from_the_page(&mut b, &base, &camille, (&day, "10:00"), ("Zoé", "Martin", "zoe@client.test"), false);
    book_from_the_page(&mut b, &base, &manon, (&day, "11:00"), ("Léon", "Bernard", "leon@client.test"), true);

    // 10. Manon sees her own bookings only.
    staff.goto(&format!("{base}/bookings?from={day}&to={day}"));
    let list = staff.text();
    assert!(list.contains("Léon Bernard") && !list.contains("Zoé Martin"), "{list}");
    assert!(list.contains("Rendez-vous") && staff.fits_width(), "in French, on a phone's width: {list}");
    assert!(
        staff.eval("!!document.querySelector('.orgnav a[href=\"/clients\"]')") == json!(false),
        "no client list without the right"
    );
    staff.screenshot("staff-own-bookings");

    // 11. The owner turns on "all bookings" and "client list" for her.
    b.goto(&member_page);
    b.eval("document.querySelector('#t_all_bookings').value = 'on'");
    b.eval("document.querySelector('#t_client_list').value = 'on'");
    b.act("document.querySelector('#t_all_bookings').form.submit()", "the rights saved");
    b.screenshot("owner-grants-rights");

    // 12. Manon now sees her colleague's booking, moves it half an hour later, and writes a
    // note on the client.
    staff.goto(&format!("{base}/bookings?from={day}&to={day}"));
    assert!(staff.text().contains("Zoé Martin"), "{}", staff.text());
    staff.act(
        "[...document.querySelectorAll('tbody tr')].find(r => r.textContent.includes('Zoé Martin')).querySelector('a').click()",
        "the colleague's booking",
    );
    assert!(staff.text().contains("zoe@client.test"), "the client's contact: {}", staff.text());
    assert!(staff.fits_width(), "the booking page on a phone");
    let booking_page = staff.url();
    fill(&mut staff, "#move-time", "10:30");
    click(&mut staff, "form[action$='/move'] button[type=submit]", "the booking moved");
    assert!(staff.url().contains("done=moved"), "{} {}", staff.url(), staff.text());
    staff.goto(&booking_page);
    staff.act("document.querySelector('#client-h').parentElement.querySelector('a').click()", "the client's page");
    fill(&mut staff, "#notes", "Préfère le matin.");
    click(&mut staff, "form[action^='/clients/'] button[type=submit]", "the note saved");
    assert!(staff.text().contains("Modifications enregistrées"), "{}", staff.text());
    assert!(staff.fits_width(), "the client's page on a phone");
    assert_eq!(staff.eval("document.querySelector('#notes').value"), json!("Préfère le matin."));
    staff.screenshot("staff-client-note");
    // The owner's booking list shows the new time, the history who moved it.
    b.goto(&format!("{base}/bookings?from={day}&to={day}"));
    b.act(
        "[...document.querySelectorAll('tbody tr')].find(r => r.textContent.includes('Zoé Martin')).querySelector('a').click()",
        "the booking, as the owner sees it",
    );
    let page = b.text();
    assert!(page.contains("10:30") && page.contains("Manon Petit"), "{page}");
}

/// Seed 003 from the owner's chair: an advisor created inactive with their own calendar,
/// activated (the invitation mail arrives), given working hours and two services from the
/// pages, then a sick leave that takes that day's times off the public page.
#[test]
fn an_advisor_is_activated_given_hours_services_and_a_sick_leave() {
    let Some(mut b) = Browser::launch("Europe/Paris") else { return };
    let Some(app) = App::start() else { return };
    let (base, maildir) = (app.base.clone(), app.maildir.clone());
    app.owner_signs_in(&mut b, "owner@agence.test", "Agence Conseil");

    // A location, then the advisor: created inactive with a calendar of their own there.
    b.goto(&format!("{base}/locations"));
    fill(&mut b, "#name", "Agence de Nantes");
    click(&mut b, "form[action='/locations'] button[type=submit]", "the location created");
    let public = b.eval("document.querySelector('#public-link').href").as_str().unwrap().to_string();
    b.goto(&format!("{base}/team/invite"));
    fill(&mut b, "#first_name", "Julie");
    fill(&mut b, "#last_name", "Conseil");
    fill(&mut b, "#email", "julie@agence.test");
    b.eval("document.querySelector('#role').value = 'staff'");
    b.eval("document.querySelector('#calendar_location_id').selectedIndex = 1");
    b.eval("document.querySelector('#send_invitation').checked = false");
    b.act("document.querySelector('#email').form.submit()", "the advisor created");
    assert!(mails_to(&maildir, "julie@agence.test").is_empty(), "inactive: no mail yet");
    // Activated from their page: the invitation goes out.
    click(&mut b, "form[action$='/activate'] button", "the advisor activated");
    wait_mail(&maildir, "julie@agence.test", "the invitation", |m| m.contains("/invitations/accept?token="));

    // Their calendar: Monday to Friday 09:00–17:00, copied from Monday.
    b.goto(&format!("{base}/agenda"));
    let cal = b
        .eval("document.querySelector('#view-calendar, select[name=calendar]')?.value || ''")
        .as_str()
        .unwrap_or("")
        .to_string();
    let cal = if cal.is_empty() {
        b.eval("(document.querySelector('a[href^=\"/calendars/\"]').getAttribute('href').split('/')[2])")
            .as_str()
            .unwrap()
            .to_string()
    } else {
        cal
    };
    b.goto(&format!("{base}/calendars/{cal}/hours"));
    fill(&mut b, "#d1-s1", "09:00");
    fill(&mut b, "#d1-e1", "17:00");
    b.eval("document.querySelector('#copy_from').value = '1'");
    for d in 2..=5 {
        b.eval(&format!("document.querySelector('input[name=copy_to][value=\"{d}\"]').checked = true"));
    }
    click(&mut b, "button[name=action][value=copy]", "the hours saved");
    // Two services, switched on from the calendar's page.
    for (name, length) in [("Conseil retraite", "60"), ("Bilan", "30")] {
        b.goto(&format!("{base}/services"));
        fill(&mut b, "#name", name);
        fill(&mut b, "#length_min", length);
        click(&mut b, "form[action='/services'] button[type=submit]", "a service created");
    }
    b.goto(&format!("{base}/calendars/{cal}"));
    b.eval("document.querySelectorAll('input[name=service]').forEach(c => c.checked = true)");
    click(&mut b, "form[action$='/services'] button[type=submit]", "the services offered");
    assert_eq!(b.eval("document.querySelectorAll('input[name=service]:checked').length"), json!(2), "{}", b.text());
    let svc = b.eval("document.querySelector('input[name=service]').value").as_str().unwrap().to_string();

    // Two weekdays ahead: the first gets a sick leave.
    let mut day = today_in_paris();
    let soonest = day.checked_add(jiff::ToSpan::days(2)).unwrap();
    let mut weekdays = Vec::new();
    while weekdays.len() < 2 {
        day = day.tomorrow().unwrap();
        if day > soonest && day.weekday().to_monday_one_offset() <= 5 {
            weekdays.push(day);
        }
    }
    let (sick, well) = (weekdays[0].to_string(), weekdays[1].to_string());
    b.goto(&format!("{base}/calendars/{cal}/absences"));
    fill(&mut b, "#start_date", &sick);
    fill(&mut b, "#end_date", &sick);
    fill(&mut b, "#reason", "Arrêt maladie");
    click(&mut b, "form[action$='/absences'] button[type=submit]", "the sick leave added");
    assert!(b.text().contains("Arrêt maladie"), "{}", b.text());
    b.screenshot("absences");

    // A visitor: no time on the sick day, times the day after.
    b.call("Network.clearBrowserCookies", json!({}));
    let slots_on = |b: &mut Browser, date: &str| -> u64 {
        b.goto(&format!("{public}?service={svc}&person={cal}&date={date}&tz=Europe/Paris"));
        b.eval(&format!(
            "[...document.querySelectorAll('a.slot')].filter(a => decodeURIComponent(a.href).includes('slot={date}')).length"
        ))
        .as_u64()
        .unwrap()
    };
    assert_eq!(slots_on(&mut b, &sick), 0, "the sick day offers nothing");
    assert!(slots_on(&mut b, &well) > 0, "the next day offers times");
    b.screenshot("visitor-after-sick-leave");
}

/// Set-up by the page's own API calls (the journeys below are about who may do what, not
/// about opening a business, which the seed-000 journey walks page by page): a location in
/// Paris with these calendars, each open 09:00–18:00 every day, and one 30-minute service
/// offered on all of them. Returns the location's and the calendars' ids.
fn open_location(b: &mut Browser, org: &str, name: &str, slug: &str, calendars: &[&str]) -> (String, Vec<String>) {
    let o = format!("/api/v1/orgs/{org}");
    let loc = created(
        api(b, "POST", &format!("{o}/locations"), json!({"name": name, "slug": slug, "time_zone": "Europe/Paris"})),
        "location",
    );
    let service = created(
        api(
            b,
            "POST",
            &format!("{o}/services"),
            json!({"name": format!("Rendez-vous {name}"), "length_min": 30, "min_notice_min": 0}),
        ),
        "service",
    );
    let weekly: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "09:00", "end": "18:00"})).collect();
    let mut ids = Vec::new();
    for c in calendars {
        let cal =
            created(api(b, "POST", &format!("{o}/calendars"), json!({"location_id": loc, "name": c})), "calendar");
        let r = api(b, "PUT", &format!("{o}/calendars/{cal}/hours"), json!({"weekly": weekly}));
        assert_eq!(r.0, 200, "{}", r.1);
        let r = api(b, "PUT", &format!("{o}/services/{service}/calendars/{cal}"), Value::Null);
        assert!(r.0 < 300, "offer: {} {}", r.0, r.1);
        ids.push(cal);
    }
    (loc, ids)
}

/// Seed 001 (a network of branches): the administrator adds a manager limited to one
/// branch; the manager sees and moves that branch's booking only, and the booking's history
/// says who; the administrator blocks the manager, whose open session stops at once; the
/// administrator, signed out, gets back in through the forgotten-password mail.
#[test]
fn a_branch_manager_moves_a_booking_then_is_blocked_and_a_password_is_forgotten() {
    let Some(mut b) = Browser::launch("Europe/Paris") else { return };
    let Some(app) = App::start() else { return };
    let (base, maildir) = (app.base.clone(), app.maildir.clone());
    // Both in French.
    b.speak("fr-FR,fr;q=0.9");
    let org = app.owner_signs_in(&mut b, "admin@reseau.test", "Réseau Agences");
    let (_, lyon) = open_location(&mut b, &org, "Agence Lyon", "reseau-lyon", &["Conseiller Lyon"]);
    let (_, nice) = open_location(&mut b, &org, "Agence Nice", "reseau-nice", &["Conseiller Nice"]);
    let day = next_day_in(1..=5).to_string();
    book_from_the_page(&mut b, &base, &lyon[0], (&day, "10:00"), ("Zoé", "Martin", "zoe@client.test"), false);
    book_from_the_page(&mut b, &base, &nice[0], (&day, "10:00"), ("Hugo", "Leroy", "hugo@client.test"), false);

    // The manager of Lyon: the manager role, the Lyon branch managed, nothing else.
    start_invite(&mut b, &base, ("Paul", "Gérant", "paul@reseau.test"), "manager");
    b.eval(
        "(() => { const s = document.querySelector('#grant_location'); \
           s.value = [...s.options].find(o => o.textContent.includes('Lyon')).value; })()",
    );
    b.eval("document.querySelector('#grant_location_level').value = 'manage'");
    let member_page = send_invitation(&mut b, "the manager invited");
    let Some(mut mgr) = Browser::launch("Europe/Paris") else { return };
    mgr.speak("fr-FR,fr;q=0.9");
    accept_invitation(&mut mgr, &maildir, "paul@reseau.test");

    // Lyon's booking only; moved to 15:00 from its page.
    mgr.goto(&format!("{base}/bookings?from={day}&to={day}"));
    let list = mgr.text();
    assert!(list.contains("Zoé Martin") && !list.contains("Hugo Leroy"), "{list}");
    mgr.act("document.querySelector('tbody tr a').click()", "the booking's page");
    fill(&mut mgr, "#move-time", "15:00");
    click(&mut mgr, "form[action$='/move'] button[type=submit]", "the booking moved");
    mgr.screenshot("manager-moved");
    // The administrator reads who moved it in the booking's history.
    b.goto(&format!("{base}/bookings?from={day}&to={day}"));
    b.act(
        "[...document.querySelectorAll('tbody tr')].find(r => r.textContent.includes('Zoé Martin')).querySelector('a').click()",
        "the booking, as the administrator sees it",
    );
    let history = b.eval("document.querySelector('#history-h').parentElement.innerText").as_str().unwrap().to_string();
    assert!(history.contains("Paul Gérant a déplacé le rendez-vous au") && history.contains("à 15:00"), "{history}");
    b.screenshot("booking-history");

    // Blocked: the manager's next click finds the door shut, without signing out first.
    b.goto(&member_page);
    click(&mut b, "form[action$='/block'] button", "the manager blocked");
    mgr.goto(&format!("{base}/bookings?from={day}&to={day}"));
    let after = mgr.text();
    assert!(!after.contains("Zoé Martin"), "a blocked manager still sees bookings: {after}");
    assert!(after.contains("bloqué"), "told why, in French: {after}");
    mgr.screenshot("manager-blocked");

    // The administrator signs out and forgets the password: the mail's link sets a new one.
    click(&mut b, "form[action='/logout'] button", "signed out");
    b.goto(&format!("{base}/forgot"));
    fill(&mut b, "#email", "admin@reseau.test");
    click(&mut b, "form[action='/forgot'] button[type=submit]", "the reset asked");
    let reset_prefix = format!("{base}/reset?token=");
    let mail = wait_mail(&maildir, "admin@reseau.test", "the reset link", |m| m.contains(&reset_prefix));
    let token: String = mail
        .rsplit(&reset_prefix)
        .next()
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    b.goto(&format!("{reset_prefix}{token}"));
    fill(&mut b, "#password", "a brand new passphrase");
    fill(&mut b, "#password_confirm", "a brand new passphrase");
    click(&mut b, "form[action='/reset'] button[type=submit]", "the new password set");
    b.goto(&format!("{base}/login"));
    fill(&mut b, "#email", "admin@reseau.test");
    fill(&mut b, "#password", "a brand new passphrase");
    click(&mut b, "form[action='/login'] button[type=submit]", "logged in with the new password");
    assert!(!b.url().contains("/login"), "{}", b.text());
}

/// Seed 002 (a secretariat): an assistant with no calendar of her own books on two doctors'
/// calendars, switching with the agenda's drop-down, and reads the practice's day view with
/// one column per doctor; two visitors, one reading English and one French, take the same
/// time on the public page at once: one gets it, the other is told in their language that
/// it was just taken.
#[test]
fn an_assistant_books_for_two_colleagues_and_two_visitors_race_for_one_slot() {
    let Some(mut b) = Browser::launch("Europe/Paris") else { return };
    let Some(app) = App::start() else { return };
    let (base, maildir) = (app.base.clone(), app.maildir.clone());
    let org = app.owner_signs_in(&mut b, "owner@cabinet.test", "Cabinet Santé");
    let (loc, _) = open_location(&mut b, &org, "Cabinet Santé", "cabinet-sante", &["Dr Durand", "Dr Moreau"]);
    // The assistant: booking rights on the practice, no calendar of her own.
    start_invite(&mut b, &base, ("Alice", "Secrétaire", "alice@cabinet.test"), "assistant");
    b.eval("document.querySelector('#grant_location').selectedIndex = 1");
    b.eval("document.querySelector('#grant_location_level').value = 'book'");
    send_invitation(&mut b, "the assistant invited");
    let Some(mut alice) = Browser::launch("Europe/Paris") else { return };
    accept_invitation(&mut alice, &maildir, "alice@cabinet.test");

    // From the agenda: Dr Durand, then the drop-down to Dr Moreau; a booking on each from a
    // free cell of the day view.
    let day = next_day_in(1..=5).to_string();
    for (doctor, time, client) in
        [("Dr Durand", "09:30", ("Jean", "Patient")), ("Dr Moreau", "11:00", ("Anne", "Malade"))]
    {
        alice.goto(&format!("{base}/agenda"));
        alice.act(
            &format!(
                "(() => {{ const s = document.querySelector('#agenda-calendar'); \
                   s.value = [...s.options].find(o => o.textContent.includes({doctor:?})).value; \
                   s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"
            ),
            "the agenda switched",
        );
        assert_eq!(alice.eval("document.querySelector('#cal-h').textContent"), json!(doctor));
        alice.act(
            &format!("(() => {{ const a = [...document.querySelectorAll('a.button')].find(a => a.href.includes('/day')); location.href = a.href + '?date={day}'; }})()"),
            "the doctor's day",
        );
        let cal = alice.url().split("/calendars/").nth(1).unwrap().split('/').next().unwrap().to_string();
        alice.act(
            &format!("document.querySelector('a[href*=\"bookings/new?date={day}&time={time}\"]').click()"),
            "the new-booking form from a free cell",
        );
        fill(&mut alice, "#first_name", client.0);
        fill(&mut alice, "#last_name", client.1);
        click(&mut alice, &format!("form[action='/calendars/{cal}/bookings'] button[type=submit]"), "the booking made");
    }
    // The practice's day: one column per doctor, each booking in its column.
    alice.goto(&format!("{base}/locations/{loc}/day?date={day}"));
    alice.screenshot("practice-day");
    let columns = alice.eval("[...document.querySelectorAll('thead th')].map(h => h.textContent.trim())");
    let columns: Vec<String> = columns.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(
        columns.iter().any(|c| c.contains("Dr Durand")) && columns.iter().any(|c| c.contains("Dr Moreau")),
        "{columns:?}"
    );
    let day_text = alice.text();
    assert!(day_text.contains("Jean Patient") && day_text.contains("Anne Malade"), "{day_text}");

    // Two visitors at the details step of the same time with Dr Durand, sending at once.
    let Some(mut other) = Browser::launch("Europe/Paris") else { return };
    b.call("Network.clearBrowserCookies", json!({}));
    let both = [&mut b, &mut other];
    let mut starts = Vec::new();
    for (i, v) in both.into_iter().enumerate() {
        v.goto(&format!("{base}/book/cabinet-sante?date={day}&tz=Europe/Paris"));
        if i == 1 {
            // The second visitor reads French: the header's language switch.
            click(v, "form[action='/language'] button", "the page in French");
            assert_eq!(v.eval("document.documentElement.lang"), json!("fr"));
            assert!(v.text().contains("Choisissez une prestation"), "{}", v.text());
        }
        click(v, "a.choice", "the service chosen");
        v.act(
            "[...document.querySelectorAll('a.choice')].find(a => a.textContent.includes('Durand')).click()",
            "the slot step",
        );
        v.act(
            &format!("[...document.querySelectorAll('a.slot')].find(a => decodeURIComponent(a.href).includes('slot={day}') && a.textContent.trim() === '14:00').click()"),
            "the details step",
        );
        fill(v, "#first_name", "Visiteur");
        fill(v, "#last_name", &format!("Numéro {i}"));
        fill(v, "#email", &format!("visiteur{i}@client.test"));
        starts.push(v.eval("document.querySelector('input[name=start]').value"));
    }
    assert_eq!(starts[0], starts[1], "the same time");
    // Sent without waiting for either answer, then both pages read.
    for v in [&mut b, &mut other] {
        v.eval("setTimeout(() => document.querySelector('form[action^=\"/book/\"] button[type=submit]').click(), 0)");
    }
    let mut said = Vec::new();
    for v in [&mut b, &mut other] {
        v.wait_for(
            "!document.querySelector('input[name=start]') || !!document.querySelector('.error')",
            "an answer to the booking",
        );
        said.push(v.text());
    }
    let taken = |t: &String| t.contains("vient d'être réservé") || t.contains("just booked this time");
    assert_eq!(said.iter().filter(|t| taken(t)).count(), 1, "exactly one visitor is told: {said:#?}");
    let confirmed = |t: &String| t.contains("Rendez-vous confirmé") || t.contains("Booking confirmed");
    assert_eq!(said.iter().filter(|t| confirmed(t)).count(), 1, "exactly one gets the time: {said:#?}");
    other.screenshot("race-loser");
}

/// Seed 004 (an organisation of two locations): a member invited with the staff role,
/// assigned one location's two calendars of three, sees those two only; turned into a
/// manager of the whole organisation, they read the statistics over both locations.
#[test]
fn a_member_sees_two_calendars_then_reads_statistics_over_both_locations() {
    let Some(mut b) = Browser::launch("Europe/Paris") else { return };
    let Some(app) = App::start() else { return };
    let (base, maildir) = (app.base.clone(), app.maildir.clone());
    let org = app.owner_signs_in(&mut b, "owner@groupe.test", "Groupe Bien-être");
    let (_, paris) = open_location(&mut b, &org, "Spa Paris", "groupe-paris", &["Cabine 1", "Cabine 2", "Cabine 3"]);
    let (_, lyon) = open_location(&mut b, &org, "Spa Lyon", "groupe-lyon", &["Cabine Lyon"]);
    let day = next_day_in(1..=5).to_string();
    book_from_the_page(&mut b, &base, &paris[0], (&day, "10:00"), ("Inès", "Paris", "ines@client.test"), false);
    book_from_the_page(&mut b, &base, &paris[2], (&day, "11:00"), ("Omar", "Paris", "omar@client.test"), false);
    book_from_the_page(&mut b, &base, &lyon[0], (&day, "12:00"), ("Lou", "Lyon", "lou@client.test"), false);

    // Invited as staff, with two of Paris's three calendars.
    start_invite(&mut b, &base, ("Nina", "Membre", "nina@groupe.test"), "staff");
    for c in &paris[..2] {
        b.eval(&format!("document.querySelector('#gc_{c}').checked = true"));
        b.eval(&format!("document.querySelector('#gcl_{c}').value = 'book'"));
    }
    let member_page = send_invitation(&mut b, "the member invited");
    let Some(mut nina) = Browser::launch("Europe/Paris") else { return };
    nina.speak("fr-FR,fr;q=0.9");
    accept_invitation(&mut nina, &maildir, "nina@groupe.test");
    let mine = agenda_calendars(&mut nina, &base);
    let names: Vec<&str> = mine.iter().map(|(_, l)| l.as_str()).collect();
    assert!(
        names.iter().any(|l| l.contains("Cabine 1"))
            && names.iter().any(|l| l.contains("Cabine 2"))
            && !names.iter().any(|l| l.contains("Cabine 3") || l.contains("Lyon")),
        "{names:?}"
    );
    assert_eq!(nina.eval("!!document.querySelector('.orgnav a[href=\"/statistics\"]')"), json!(false));

    // The owner makes her a manager of the whole organisation.
    b.goto(&member_page);
    b.eval("document.querySelector('#role').value = 'manager'");
    b.act("document.querySelector('#role').form.submit()", "the role changed");
    b.eval("document.querySelector('#grant_org').value = 'manage'");
    b.act("document.querySelector('#grant_org').form.submit()", "the grants saved");
    b.screenshot("member-made-manager");

    // Statistics over both locations, from the section's own page.
    nina.goto(&format!("{base}/"));
    nina.act("document.querySelector('.orgnav a[href=\"/statistics\"]').click()", "the statistics");
    let to = jiff::civil::Date::strptime("%F", &day).unwrap().checked_add(jiff::ToSpan::days(7)).unwrap();
    nina.goto(&format!("{base}/statistics?from={}&to={to}", today_in_paris()));
    nina.screenshot("statistics-both-locations");
    let stats = nina.text();
    assert!(stats.contains("Spa Paris") && stats.contains("Spa Lyon"), "{stats}");
    assert!(stats.contains("Taux d'annulation") && stats.contains("Par lieu"), "in French: {stats}");
    assert!(nina.eval("document.querySelectorAll('svg').length").as_u64().unwrap() >= 2, "charts drawn");

    // Every section the owner opens, on a phone: nothing wider than the screen (tables scroll
    // in their own frame), every control named for assistive technology.
    b.phone();
    let cal = paris[0].clone();
    let mut pages = vec![
        "/".to_string(),
        "/agenda".into(),
        format!("/agenda?calendar={cal}"),
        format!("/calendars/{cal}"),
        format!("/calendars/{cal}/week?date={day}"),
        format!("/calendars/{cal}/day?date={day}"),
        format!("/calendars/{cal}/hours"),
        format!("/calendars/{cal}/absences"),
        format!("/calendars/{cal}/bookings/new?date={day}&time=15:00"),
        format!("/bookings?from={day}&to={day}"),
        "/clients".into(),
        "/locations".into(),
        "/services".into(),
        "/team".into(),
        "/team/invite".into(),
        member_page.trim_start_matches(&base).to_string(),
        "/teams".into(),
        "/audit".into(),
        "/statistics".into(),
        "/promotion".into(),
        "/notifications".into(),
        "/settings".into(),
        "/account/profile".into(),
        "/account/security".into(),
        "/account/sessions".into(),
    ];
    b.goto(&format!("{base}/bookings?from={day}&to={day}"));
    let firsts = b.eval(
        "[document.querySelector('tbody a[href^=\"/bookings/\"]')?.getAttribute('href'),           document.querySelector('.orgnav a[href=\"/locations\"]') && null]",
    );
    pages.extend(firsts[0].as_str().map(str::to_string));
    b.goto(&format!("{base}/locations"));
    let loc_href = b.eval("document.querySelector('a[href^=\"/locations/\"]').getAttribute('href')");
    let loc_href = loc_href.as_str().unwrap().to_string();
    pages.push(format!("{loc_href}/day?date={day}"));
    pages.push(loc_href);
    b.goto(&format!("{base}/clients"));
    pages.extend(
        b.eval("document.querySelector('a[href^=\"/clients/\"]')?.getAttribute('href')").as_str().map(str::to_string),
    );
    b.goto(&format!("{base}/services"));
    pages.extend(
        b.eval("document.querySelector('a[href^=\"/services/\"]')?.getAttribute('href')").as_str().map(str::to_string),
    );
    assert_eq!(pages.len(), 30);
    for path in &pages {
        b.goto(&format!("{base}{path}"));
        assert!(!b.text().contains("(404)") && !b.text().contains("(403)"), "{path}: {}", b.text());
        assert!(b.fits_width(), "{path} is wider than a phone: {}", b.eval("document.documentElement.scrollWidth"));
        let unnamed = b.eval(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]\
               .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))\
               .map(e => e.outerHTML.slice(0, 120))",
        );
        assert_eq!(unnamed, json!([]), "{path}: controls without a label");
    }
    b.goto(&format!("{base}/calendars/{cal}/week?date={day}"));
    b.screenshot("phone-week");
}
