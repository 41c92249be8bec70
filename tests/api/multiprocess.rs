//! Two server processes sharing one PostgreSQL database: 64 simultaneous requests for one
//! slot, spread over both, make exactly one booking; a change through one server shows on
//! the other's very next request, whatever either has cached.

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Child, Command},
    time::Duration,
};

/// Simultaneous requests, split evenly over the two servers.
const N: usize = 64;

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bin(db_url: &str, dir: &std::path::Path) -> Command {
    let mut c = crate::binary::command();
    c.env("CRENEAU_DATABASE_URL", db_url).env("CRENEAU_DATA_DIR", dir).env("CRENEAU_BASE_URL", "http://creneau.test");
    c
}

fn start(db_url: &str, dir: &std::path::Path) -> Server {
    let (child, line) =
        crate::binary::serve(bin(db_url, dir).args(["serve", "--no-worker"]).env("CRENEAU_LISTEN", "127.0.0.1:0"));
    Server(child, crate::binary::port_in(&line).unwrap())
}

/// One HTTP/1.1 request; returns (status, headers+body text).
fn http(port: u16, method: &str, path: &str, cookie: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, out)
}

fn json_body(resp: &str) -> serde_json::Value {
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
}

/// Two servers on a fresh PostgreSQL database with an owner signed in (session cookie) and
/// an organisation; `run` gets (server A, server B, cookie, org id) on a plain thread and its
/// result comes back with the database. `None` (skipped) without PostgreSQL
/// outside CI.
async fn with_two_servers<R: Send + 'static>(
    run: impl FnOnce(&Server, &Server, &str, &str) -> R + Send + 'static,
) -> Option<(R, TestDb)> {
    sqlx::any::install_default_drivers();
    let admin_url = crate::helpers::pg_admin_url();
    let Ok(admin) = sqlx::AnyPool::connect(&admin_url).await else {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("PostgreSQL is required in CI");
        }
        eprintln!("SKIPPED: PostgreSQL unreachable; two-process test not run");
        return None;
    };
    let name = format!("creneau_mp_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
    let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let db_url = format!("{base}/{name}");
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).unwrap();

    let result = std::thread::spawn({
        let db_url = db_url.clone();
        let dir = dir.clone();
        move || {
            let out =
                bin(&db_url, &dir).args(["create-owner", "--email", "boss@mp.fr", "--org", "Multi"]).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let token = text.split("reset?token=").nth(1).unwrap().trim().to_string();
            let (a, b) = (start(&db_url, &dir), start(&db_url, &dir));
            let (st, _) = http(
                a.1,
                "POST",
                "/api/v1/auth/password/reset",
                "",
                &format!(r#"{{"token":"{token}","password":"a long password"}}"#),
            );
            assert_eq!(st, 200);
            let (st, resp) =
                http(b.1, "POST", "/api/v1/auth/login", "", r#"{"email":"boss@mp.fr","password":"a long password"}"#);
            assert_eq!(st, 200, "{resp}");
            let cookie = resp
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: creneau_session="))
                .and_then(|l| l.split_once(": ").map(|x| x.1))
                .and_then(|c| c.split(';').next())
                .unwrap()
                .to_string();
            let (_, resp) = http(a.1, "GET", "/api/v1/orgs", &cookie, "");
            let org = json_body(&resp)[0]["id"].as_str().unwrap().to_string();
            run(&a, &b, &cookie, &org)
        }
    })
    .join();
    let db = TestDb { pool: sqlx::AnyPool::connect(&db_url).await.unwrap(), admin, name };
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(r) => Some((r, db)),
        Err(panic) => {
            db.drop_database().await;
            std::panic::resume_unwind(panic);
        }
    }
}

/// The test's database, dropped once the test has read what it needs.
struct TestDb {
    pool: sqlx::AnyPool,
    admin: sqlx::AnyPool,
    name: String,
}

impl TestDb {
    async fn drop_database(self) {
        self.pool.close().await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&self.admin).await;
    }
}

fn id_of(resp: &str) -> String {
    json_body(resp)["id"].as_str().unwrap_or_else(|| panic!("no id in {resp}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_requests_over_two_servers_make_one_booking() {
    let Some((result, db)) = with_two_servers(|a, b, cookie, org| {
        let (_, resp) = http(a.1, "POST", &format!("/api/v1/orgs/{org}/locations"), cookie, r#"{"name":"Here"}"#);
        let loc = id_of(&resp);
        let (_, resp) = http(b.1, "POST", &format!("/api/v1/orgs/{org}/calendars"), cookie, &format!(r#"{{"location_id":"{loc}","name":"Chair"}}"#));
        let cal = id_of(&resp);
        let body = format!(r#"{{"calendar_id":"{cal}","start":"2030-01-07T10:00:00Z","end":"2030-01-07T10:30:00Z","override_hours":true}}"#);
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(N));
        let handles: Vec<_> = (0..N)
            .map(|i| {
                let (port, cookie, path, body, barrier) =
                    (if i % 2 == 0 { a.1 } else { b.1 }, cookie.to_string(), format!("/api/v1/orgs/{org}/bookings"), body.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    http(port, "POST", &path, &cookie, &body).0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect::<Vec<u16>>()
    })
    .await
    else {
        return;
    };
    let created = result.iter().filter(|s| **s == 201).count();
    let conflicts = result.iter().filter(|s| **s == 409).count();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings").fetch_one(&db.pool).await.unwrap();
    db.drop_database().await;
    assert_eq!((created, conflicts, rows), (1, N - 1, 1), "statuses: {result:?}");
}

/// Each server keeps its own caches (`src/cache.rs`); a change made through one server must
/// show on the other's very next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_server_shows_on_the_other_at_once() {
    let Some((seen, db)) = with_two_servers(|a, b, cookie, org| {
        let post = |port: u16, path: &str, body: String| {
            http(port, "POST", &format!("/api/v1/orgs/{org}{path}"), cookie, &body)
        };
        let (_, resp) = post(a.1, "/locations", r#"{"name":"Here","time_zone":"Europe/Paris"}"#.into());
        let loc = id_of(&resp);
        let (_, resp) = post(a.1, "/calendars", format!(r#"{{"location_id":"{loc}","name":"Chair"}}"#));
        let cal = id_of(&resp);
        let (_, resp) =
            post(a.1, "/services", r#"{"name":"Cut","length_min":30,"step_min":30,"min_notice_min":0}"#.into());
        let svc = id_of(&resp);
        let put =
            |port: u16, path: String, body: &str| http(port, "PUT", &format!("/api/v1/orgs/{org}{path}"), cookie, body);
        put(a.1, format!("/services/{svc}/calendars/{cal}"), "");
        put(a.1, format!("/calendars/{cal}/hours"), r#"{"weekly":[{"weekday":1,"start":"09:00","end":"11:00"}]}"#);
        // A Monday a week or more ahead (the servers run on the real clock), asked on server A
        // (twice: the second answer is cached there).
        use creneau::clock::Clock;
        let mut day =
            creneau::clock::SystemClock.now().to_zoned(jiff::tz::TimeZone::UTC).date() + jiff::Span::new().days(7);
        while day.weekday() != jiff::civil::Weekday::Monday {
            day = day.tomorrow().unwrap();
        }
        let slots_on_a = || {
            let q = format!(
                "/api/v1/orgs/{org}/availability?service_id={svc}&calendar_id={cal}&from={day}&to={day}&tz=Europe/Paris"
            );
            let (st, resp) = http(a.1, "GET", &q, cookie, "");
            assert_eq!(st, 200, "{resp}");
            json_body(&resp)
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["start"].as_str().unwrap()[11..16].to_string())
                .collect::<Vec<_>>()
        };
        let mut seen = vec![slots_on_a(), slots_on_a()];
        let (st, resp) = post(
            b.1,
            "/bookings",
            format!(r#"{{"calendar_id":"{cal}","service_id":"{svc}","start":"{day}T09:30:00+01:00"}}"#),
        );
        assert_eq!(st, 201, "{resp}");
        seen.push(slots_on_a());
        put(b.1, format!("/calendars/{cal}/hours"), r#"{"weekly":[{"weekday":1,"start":"09:00","end":"10:00"}]}"#);
        seen.push(slots_on_a());
        let (st, resp) = post(
            b.1,
            &format!("/calendars/{cal}/unavailability"),
            format!(r#"{{"start":"{day}T09:00:00+01:00","end":"{day}T09:30:00+01:00"}}"#),
        );
        assert_eq!(st, 201, "{resp}");
        seen.push(slots_on_a());
        seen
    })
    .await
    else {
        return;
    };
    db.drop_database().await;
    let want: Vec<Vec<&str>> = vec![
        vec!["09:00", "09:30", "10:00", "10:30"],
        vec!["09:00", "09:30", "10:00", "10:30"],
        vec!["09:00", "10:00", "10:30"],
        vec!["09:00"],
        vec![],
    ];
    assert_eq!(seen, want);
}
