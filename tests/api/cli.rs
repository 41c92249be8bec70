//! The binary itself: serve (start, answer, stop on SIGTERM), migrate, create-owner,
//! account block/unblock, audit verify, send-test-email.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use crate::binary::command as bin;

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("creneau-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn http_get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_log_has_no_colour_codes_when_it_is_not_a_terminal() {
    let dir = scratch();
    // The first start writes the server key and says so in the log, before the address.
    let (mut child, line) = crate::binary::serve(
        bin().arg("serve").current_dir(&dir).env("CRENEAU_LISTEN", "127.0.0.1:0").env("RUST_LOG", "info"),
    );
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let _ = child.wait();
    assert!(line.contains("INFO"), "{line:?}");
    assert!(!line.contains('\u{1b}'), "colour codes in a piped log: {line:?}");
}

#[test]
fn serve_starts_on_a_fresh_folder_and_stops_on_sigterm() {
    let dir = scratch();
    let (mut child, line) =
        crate::binary::serve(bin().arg("serve").current_dir(&dir).env("CRENEAU_LISTEN", "127.0.0.1:0"));
    let port = crate::binary::port_in(&line).unwrap_or_else(|| panic!("no address in {line:?}"));
    assert!(http_get(port, "/healthz").ends_with("ok"));
    assert!(http_get(port, "/readyz").ends_with("ready"));
    let doc = http_get(port, "/api/v1/openapi.json");
    assert!(doc.contains("\"openapi\":\"3.1.0\""));
    // The embedded SQLite file was created with no set-up.
    assert!(dir.join("creneau-data/creneau.db").exists());
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn create_owner_block_and_audit_verify() {
    let dir = scratch();
    let run = |args: &[&str]| {
        let out = bin()
            .args(args)
            .env("CRENEAU_DATA_DIR", &dir)
            .env("CRENEAU_BASE_URL", "https://rdv.example.fr")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(&["migrate"]);
    assert!(ok, "{out}");
    // The first start generates the server key into the data directory, owner-only, and
    // later starts reuse it.
    let key = std::fs::read_to_string(dir.join("secret.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.join("secret.key")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (ok, out) = run(&["migrate"]);
    assert!(ok && !out.contains(key.trim()), "{out}");
    assert_eq!(std::fs::read_to_string(dir.join("secret.key")).unwrap(), key);
    let (ok, out) = run(&["create-owner", "--email", "Boss@Example.fr", "--org", "Salon Étoile"]);
    assert!(ok, "{out}");
    assert!(out.contains("https://rdv.example.fr/reset?token="), "{out}");
    let (ok, out) = run(&["create-owner", "--email", "bad", "--org", "X"]);
    assert!(!ok && out.contains("email"), "{out}");
    let (ok, out) = run(&["account", "block", "--email", "boss@example.fr"]);
    assert!(ok, "{out}");
    let (ok, out) = run(&["account", "unblock", "--email", "boss@example.fr"]);
    assert!(ok, "{out}");
    let (ok, out) = run(&["account", "block", "--email", "nobody@example.fr"]);
    assert!(!ok && out.contains("no such account"), "{out}");
    let (ok, out) = run(&["audit", "verify"]);
    assert!(ok && out.contains("intact"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let out = bin().args(["migrate"]).env("CRENEAU_LISTEN", "not-an-address").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("listen address"));
    let out = bin().args(["migrate"]).env("CRENEAU_DATABASE_URL", "mysql://x").output().unwrap();
    assert!(!out.status.success());
    let out = bin().args(["migrate"]).env("CRENEAU_SECRET_KEY", "too short").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("secret_key"));
}

#[test]
fn send_test_email_without_smtp_writes_an_eml_file() {
    let dir = scratch();
    let out = bin().args(["send-test-email", "--to", "ops@example.fr"]).env("CRENEAU_DATA_DIR", &dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files: Vec<_> = std::fs::read_dir(dir.join("mail")).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(text.contains("To: ops@example.fr"));
    let _ = std::fs::remove_dir_all(&dir);
}
