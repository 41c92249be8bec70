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

/// Seed 000, the owner's part, from a person's chair: sign up, confirm the address from the
/// mail in the same browser, and open the business from the home page's checklist alone
/// (no API call): organisation, location, calendar, working hours, a service offered on the
/// calendar; then the booking link the home page gives works for a visitor.
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
