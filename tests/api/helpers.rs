//! Test harness: `TestApp` (router + state + fixed clock on a fresh database) and `Client`
//! (a browser-like cookie jar speaking to the router in-process).

#![allow(dead_code)]

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use creneau::{
    app::{AppState, build_router},
    clock::FixedClock,
    config::Config,
    db::{Backend, Db},
    jobs::mail::OutgoingMail,
};
use http_body_util::BodyExt;
use serde_json::Value;
use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
};
use tower::ServiceExt;

/// Run each listed `async fn(TestApp)` on SQLite and on PostgreSQL.
macro_rules! dual {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::TestApp::sqlite().await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::postgres().await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use dual;

pub const PASSWORD: &str = "correct horse battery";

pub fn start_time() -> jiff::Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub dir: PathBuf,
    pg_database: Option<String>,
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("creneau-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn pg_admin_url() -> String {
    std::env::var("CRENEAU_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn pg_url_for(db: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{db}")
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_configured(|_| {}).await
    }

    /// SQLite with a configuration adjusted by `tweak` (for settings that do not depend on
    /// the database, such as the public base URL).
    pub async fn sqlite_configured(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = scratch_dir();
        let url = format!("sqlite://{}", dir.join("test.db").display());
        Self::build(&url, dir, None, tweak).await
    }

    /// A fresh PostgreSQL database; `None` (test skipped, with a message) only when
    /// PostgreSQL is unreachable and we are not in CI. In CI it must be there.
    pub async fn postgres() -> Option<TestApp> {
        sqlx::any::install_default_drivers();
        let admin_url = pg_admin_url();
        let admin = match sqlx::AnyPool::connect(&admin_url).await {
            Ok(p) => p,
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                    panic!("PostgreSQL is required in CI but unreachable at {admin_url}: {e}");
                }
                eprintln!(
                    "SKIPPED: PostgreSQL unreachable at {admin_url} ({e}); set CRENEAU_TEST_PG_URL to run these tests"
                );
                return None;
            }
        };
        let name = format!("creneau_t_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
        admin.close().await;
        Some(Self::build(&pg_url_for(&name), scratch_dir(), Some(name), |_| {}).await)
    }

    async fn build(url: &str, dir: PathBuf, pg_database: Option<String>, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = Db::connect(url).await.unwrap();
        db.migrate().await.unwrap();
        let clock = Arc::new(FixedClock::new(start_time()));
        let mut config = Config::for_tests(url, dir.clone());
        tweak(&mut config);
        let state = AppState::new(db, clock.clone(), config);
        let router = build_router(state.clone());
        TestApp { router, state, clock, dir, pg_database }
    }

    /// Another server on the same database and clock, configured differently by `tweak`
    /// (another secret key…). Dropping it leaves the database to this one.
    pub fn sibling(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = scratch_dir();
        let mut config = (*self.state.config).clone();
        config.data_dir = dir.clone();
        tweak(&mut config);
        let state = AppState::new(self.state.db.clone(), self.clock.clone(), config);
        let router = build_router(state.clone());
        TestApp { router, state, clock: self.clock.clone(), dir, pg_database: None }
    }

    pub fn backend(&self) -> Backend {
        self.state.db.backend()
    }

    pub fn client(&self) -> Client<'_> {
        self.client_from("203.0.113.10")
    }

    pub fn client_from(&self, ip: &str) -> Client<'_> {
        Client { app: self, cookies: Mutex::new(HashMap::new()), ip: format!("{ip}:40000").parse().unwrap() }
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        self.clock.advance(by);
    }

    /// Emails waiting in the outbox, oldest first.
    pub async fn outbox(&self) -> Vec<OutgoingMail> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT payload FROM outbox WHERE kind = 'email' AND payload IS NOT NULL ORDER BY created_at, id",
        )
        .fetch_all(self.state.db.pool())
        .await
        .unwrap();
        rows.into_iter().map(|(p,)| serde_json::from_str(&p).unwrap()).collect()
    }

    pub async fn mails_to(&self, to: &str) -> Vec<OutgoingMail> {
        self.outbox().await.into_iter().filter(|m| m.to.eq_ignore_ascii_case(to)).collect()
    }

    pub async fn last_mail_to(&self, to: &str) -> OutgoingMail {
        self.mails_to(to).await.pop().unwrap_or_else(|| panic!("no mail to {to}"))
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(self.state.db.pool()).await.unwrap()
    }

    /// Sign up, follow the emailed link and log in: a ready client.
    pub async fn user(&self, email: &str) -> Client<'_> {
        self.user_named(email, "Test", "User").await
    }

    pub async fn user_named(&self, email: &str, first: &str, last: &str) -> Client<'_> {
        let c = self.client();
        let r = c.signup(email, PASSWORD, first, last).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        let token = link_token(&self.last_mail_to(email).await, "/verify?token=");
        let r = c.post_json("/api/v1/auth/verify", serde_json::json!({"token": token})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        c.login(email, PASSWORD).await.assert(StatusCode::OK);
        c
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.pg_database.take() {
            let pool = self.state.db.pool().clone();
            // Drop runs inside the test's runtime; do the async clean-up on a thread of its own.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    pool.close().await;
                    if let Ok(admin) = sqlx::AnyPool::connect(&pg_admin_url()).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&admin).await;
                        admin.close().await;
                    }
                });
            })
            .join()
            .ok();
        }
    }
}

/// The token after `marker` in a mail's text.
pub fn link_token(mail: &OutgoingMail, marker: &str) -> String {
    let start = mail.text.find(marker).unwrap_or_else(|| panic!("no {marker} in mail:\n{}", mail.text)) + marker.len();
    mail.text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

pub struct Client<'a> {
    pub app: &'a TestApp,
    cookies: Mutex<HashMap<String, String>>,
    ip: SocketAddr,
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Assert the status; show the body when it differs.
    #[track_caller]
    pub fn assert(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.text());
        self
    }

    /// After a successful form: 303 to `prefix…`; returns the target.
    #[track_caller]
    pub fn redirected(&self, prefix: &str) -> String {
        self.assert(StatusCode::SEE_OTHER);
        let to = self.header("location").unwrap().to_string();
        assert!(to.starts_with(prefix), "redirected to {to}, wanted {prefix}…");
        to
    }

    /// Assert a problem document with this status and code.
    #[track_caller]
    pub fn problem(&self, status: StatusCode, code: &str) -> &Self {
        self.assert(status);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "not a problem document");
        assert_eq!(self.json()["code"], code, "body: {}", self.text());
        self
    }
}

impl Client<'_> {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().unwrap().insert(name.into(), value.into());
    }

    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    pub async fn send(&self, mut req: Request<Body>) -> Resp {
        let jar = {
            let c = self.cookies.lock().unwrap();
            c.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
        };
        if !jar.is_empty() && !req.headers().contains_key(header::COOKIE) {
            req.headers_mut().insert(header::COOKIE, jar.parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(self.ip));
        let res = self.app.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for sc in headers.get_all(header::SET_COOKIE) {
            let sc = sc.to_str().unwrap();
            let (pair, attrs) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = pair.split_once('=').unwrap();
            let mut c = self.cookies.lock().unwrap();
            if attrs.contains("Max-Age=0") {
                c.remove(k);
            } else {
                c.insert(k.to_string(), v.to_string());
            }
        }
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, body }
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut b = Request::builder().method(method.clone()).uri(path);
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            // A POST without a body still says JSON, as the API asks of every POST (a plain
            // cross-site form cannot say it).
            None if method == Method::POST => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::empty()
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, None).await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn patch_json(&self, path: &str, body: Value) -> Resp {
        self.request(Method::PATCH, path, Some(body)).await
    }

    pub async fn put_json(&self, path: &str, body: Value) -> Resp {
        self.request(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.request(Method::DELETE, path, None).await
    }

    /// A page that must render: 200 and HTML; its text.
    pub async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        r.assert(StatusCode::OK);
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{path} is not a page");
        r.text()
    }

    /// Submit a form as a browser would: the CSRF token from the cookie (fetched with a GET
    /// first when the jar has none) goes into `_csrf`.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.cookie("creneau_csrf").is_none() {
            self.get("/login").await;
        }
        let token = self.cookie("creneau_csrf").unwrap();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A page's file form (`multipart/form-data`): its CSRF token (unless `csrf` says
    /// otherwise), then the file `bytes` as field `name`.
    pub async fn post_file(&self, path: &str, csrf: Option<&str>, name: &str, bytes: &[u8]) -> Resp {
        if self.cookie("creneau_csrf").is_none() {
            self.get("/login").await;
        }
        let token = csrf.map(str::to_string).unwrap_or_else(|| self.cookie("creneau_csrf").unwrap());
        let b = "----creneau-test-boundary";
        let mut body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n--{b}\r\n\
             Content-Disposition: form-data; name=\"{name}\"; filename=\"logo\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Ask for an account: the sign-up form's four fields, as JSON.
    pub async fn signup(&self, email: &str, password: &str, first: &str, last: &str) -> Resp {
        let body = serde_json::json!({"email": email, "password": password, "first_name": first, "last_name": last});
        self.post_json("/api/v1/auth/signup", body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.post_json("/api/v1/auth/login", serde_json::json!({"email": email, "password": password})).await
    }
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An owner with a fresh organisation: (owner's client, org id).
pub async fn owner_with_org<'a>(app: &'a TestApp, email: &str, org: &str) -> (Client<'a>, String) {
    let c = app.user_named(email, "Olivia", "Owner").await;
    let r = c.post_json("/api/v1/orgs", serde_json::json!({"name": org})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    (c, id)
}

impl Client<'_> {
    /// POST under `/api/v1/orgs/{org}`; asserts the status and returns the JSON body.
    pub async fn org_post(&self, org: &str, path: &str, body: Value, want: StatusCode) -> Value {
        let r = self.post_json(&format!("/api/v1/orgs/{org}{path}"), body).await;
        assert_eq!(r.status, want, "POST {path}: {}", r.text());
        if r.body.is_empty() { Value::Null } else { r.json() }
    }

    /// Invite into `org` with `body` (email, names, role…), which must answer 201; the token
    /// of the link mailed to the address.
    pub async fn invite(&self, org: &str, body: Value) -> String {
        let email = body["email"].as_str().unwrap_or_else(|| panic!("no email in {body}")).to_string();
        self.org_post(org, "/members", body, StatusCode::CREATED).await;
        link_token(&self.app.last_mail_to(&email).await, "/invitations/accept?token=")
    }

    pub async fn org_get(&self, org: &str, path: &str) -> Resp {
        self.get(&format!("/api/v1/orgs/{org}{path}")).await
    }

    // The usual set-up (organisation → location → calendar → hours → service), one line a
    // step, through the API as this client.

    /// POST under the organisation, which must answer 201; the new object's id.
    pub async fn create(&self, org: &str, path: &str, body: Value) -> String {
        id(&self.org_post(org, path, body, StatusCode::CREATED).await)
    }

    /// A location in Paris's zone (`extra` adds fields such as the slug).
    pub async fn paris(&self, org: &str, name: &str, extra: Value) -> String {
        let mut body = serde_json::json!({"name": name, "time_zone": "Europe/Paris"});
        merge(&mut body, extra);
        self.create(org, "/locations", body).await
    }

    /// A calendar in `loc` (`extra` adds fields such as the member or the visible hours).
    pub async fn calendar(&self, org: &str, loc: &str, name: &str, extra: Value) -> String {
        let mut body = serde_json::json!({"location_id": loc, "name": name});
        merge(&mut body, extra);
        self.create(org, "/calendars", body).await
    }

    /// Open `cal` Monday to Friday, `start` to `end`.
    pub async fn open_weekdays(&self, org: &str, cal: &str, start: &str, end: &str) {
        let weekly: Vec<Value> =
            (1..=5).map(|d| serde_json::json!({"weekday": d, "start": start, "end": end})).collect();
        self.put_json(&format!("/api/v1/orgs/{org}/calendars/{cal}/hours"), serde_json::json!({"weekly": weekly}))
            .await
            .assert(StatusCode::OK);
    }

    /// `cal` offers the service `svc`.
    pub async fn offer(&self, org: &str, svc: &str, cal: &str) {
        self.request(Method::PUT, &format!("/api/v1/orgs/{org}/services/{svc}/calendars/{cal}"), None)
            .await
            .assert(StatusCode::OK);
    }
}

/// The `id` of a JSON object.
pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// The `id` of the first item of the JSON list `list` whose `field` is `value`.
pub fn id_where(list: &Value, field: &str, value: &str) -> String {
    let items = list.as_array().unwrap_or_else(|| panic!("not a list: {list}"));
    id(items.iter().find(|x| x[field] == value).unwrap_or_else(|| panic!("no {field} = {value} in {list}")))
}

fn merge(into: &mut Value, extra: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), extra) {
        a.extend(b);
    }
}

/// An invitation body: `role` with these grants (`in_location`, `in_calendar`).
pub fn role_with<const N: usize>(role: &str, grants: [Value; N]) -> Value {
    serde_json::json!({"role": role, "grants": grants.to_vec()})
}

/// A grant on the location `loc` at `level`.
pub fn in_location(loc: &str, level: &str) -> Value {
    serde_json::json!({"scope": "location", "location_id": loc, "level": level})
}

/// A grant on the calendar `cal` at `level`.
pub fn in_calendar(cal: &str, level: &str) -> Value {
    serde_json::json!({"scope": "calendar", "calendar_id": cal, "level": level})
}

impl<'a> Client<'a> {
    /// `join_by_invitation` with this client as the inviter: (the new member's client, their
    /// membership id).
    pub async fn join(&self, org: &str, email: &str, body: Value) -> (Client<'a>, String) {
        join_by_invitation(self.app, self, org, email, body).await
    }
}

/// Invite `email` into `org` with `body` (role, grants…), then have them register through
/// the emailed link. Returns their logged-in client and membership id.
pub async fn join_by_invitation<'a>(
    app: &'a TestApp,
    inviter: &Client<'_>,
    org: &str,
    email: &str,
    mut body: Value,
) -> (Client<'a>, String) {
    body["email"] = Value::String(email.into());
    if body.get("first_name").is_none() {
        body["first_name"] = Value::String("Member".into());
    }
    if body.get("last_name").is_none() {
        body["last_name"] = Value::String(email.split('@').next().unwrap().into());
    }
    let m = inviter.org_post(org, "/members", body, StatusCode::CREATED).await;
    let token = link_token(&app.last_mail_to(email).await, "/invitations/accept?token=");
    let c = app.client_from("203.0.113.150");
    let r =
        c.post_json("/api/v1/invitations/register", serde_json::json!({"token": token, "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (c, m["id"].as_str().unwrap().to_string())
}
