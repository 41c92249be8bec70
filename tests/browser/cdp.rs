//! A small Chrome DevTools Protocol client over a WebSocket: launch Debian's headless
//! Chromium with a fresh profile, open one page, navigate, evaluate JavaScript, wait.

use serde_json::{Value, json};
use std::{
    net::TcpStream,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use tungstenite::{Message, WebSocket};

pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The Chromium binary: `CRENEAU_CHROMIUM`, else Debian's.
fn chromium() -> Option<PathBuf> {
    let candidates = [std::env::var("CRENEAU_CHROMIUM").unwrap_or_default(), "/usr/bin/chromium".into()];
    candidates.into_iter().filter(|c| !c.is_empty()).map(PathBuf::from).find(|p| p.exists())
}

impl Browser {
    /// Start headless Chromium in `zone`; `None` (the test skips) only outside CI when no
    /// browser is installed.
    pub fn launch(zone: &str) -> Option<Browser> {
        let Some(bin) = chromium() else {
            if in_ci() {
                panic!("Chromium is required in CI (apt-get install chromium)");
            }
            eprintln!("SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CRENEAU_CHROMIUM)");
            return None;
        };
        let profile = std::env::temp_dir().join(format!("creneau-chromium-{}-{}", std::process::id(), uuid()));
        std::fs::create_dir_all(&profile).unwrap();
        let child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=fr-FR",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .env("TZ", zone)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        // Chromium writes the port it chose (and the browser endpoint) into the profile.
        let port_file = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let (port, path) = loop {
            if let Ok(s) = std::fs::read_to_string(&port_file) {
                let mut lines = s.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.to_string(), path.to_string());
                }
            }
            assert!(Instant::now() < deadline, "Chromium did not open its DevTools port");
            std::thread::sleep(Duration::from_millis(100));
        };
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}").as_str(), stream).unwrap();
        let mut b = Browser { child, ws, session: String::new(), next_id: 0, profile };
        let target = b.send(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.send(None, "Target.attachToTarget", json!({"targetId": target_id, "flatten": true}));
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.call("Page.enable", json!({}));
        b.call("Runtime.enable", json!({}));
        Some(b)
    }

    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let m = self.ws.read().unwrap();
            let Message::Text(text) = m else { continue };
            let v: Value = serde_json::from_str(text.as_str()).unwrap();
            if v["id"] == json!(id) {
                if let Some(e) = v.get("error") {
                    panic!("{method} failed: {e}");
                }
                return v["result"].clone();
            }
            // Events (console, page lifecycle) are not needed: the tests poll the page.
        }
    }

    /// A command to the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let s = self.session.clone();
        self.send(Some(&s), method, params)
    }

    /// Evaluate `js` in the page (promises awaited) and return its value.
    pub fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "awaitPromise": true, "returnByValue": true, "userGesture": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("script failed: {e}\n{js}");
        }
        r["result"]["value"].clone()
    }

    /// Wait until `js` is true (polled), or fail with what the page shows.
    pub fn wait_for(&mut self, js: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.eval(&format!("!!({js})")) == json!(true) {
                return;
            }
            if Instant::now() > deadline {
                let body = self.eval("document.location.href + '\\n' + (document.body ? document.body.innerText : '')");
                panic!("timed out waiting for {what}; page: {body}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Open `url` and wait for the new document to finish loading.
    pub fn goto(&mut self, url: &str) {
        self.eval("window.__old = true");
        self.call("Page.navigate", json!({"url": url}));
        self.wait_loaded(url);
    }

    /// Run `js` (which submits a form or follows a link) and wait for the next document.
    pub fn act(&mut self, js: &str, what: &str) {
        self.eval("window.__old = true");
        self.eval(js);
        self.wait_loaded(what);
    }

    fn wait_loaded(&mut self, what: &str) {
        self.wait_for("window.__old === undefined && document.readyState === 'complete'", what);
    }

    /// Save a PNG of the page when `CRENEAU_SCREENSHOTS` names a folder (for looking at the UI).
    pub fn screenshot(&mut self, name: &str) {
        let Ok(dir) = std::env::var("CRENEAU_SCREENSHOTS") else { return };
        let r = self.call("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": true}));
        let png = base64_decode(r["data"].as_str().unwrap_or_default());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).unwrap();
    }

    /// Ask for pages in `lang` from now on (the `Accept-Language` a browser set to it sends).
    pub fn speak(&mut self, lang: &str) {
        self.call("Network.enable", json!({}));
        self.call("Network.setExtraHTTPHeaders", json!({"headers": {"Accept-Language": lang}}));
    }

    /// A phone's screen from now on: 390 CSS pixels wide.
    pub fn phone(&mut self) {
        let m = json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true});
        self.call("Emulation.setDeviceMetricsOverride", m);
    }

    /// Whether the page fits the screen's width (nothing to scroll sideways but inside the
    /// tables' own scrolling frames).
    pub fn fits_width(&mut self) -> bool {
        self.eval("document.documentElement.scrollWidth <= window.innerWidth") == json!(true)
    }

    pub fn text(&mut self) -> String {
        self.eval("document.body.innerText").as_str().unwrap_or_default().to_string()
    }

    pub fn url(&mut self) -> String {
        self.eval("location.href").as_str().unwrap_or_default().to_string()
    }
}

/// A name no other profile of this machine uses now: a port the kernel just handed out.
fn uuid() -> String {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string()
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
