//! The server binary as the tests start it (shared by `tests/api` and `tests/browser`): none
//! of the caller's `CRENEAU_*` settings, warnings only in the log, and `serve` read up to
//! its first line, where it says the address it listens on.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

/// The binary with a clean environment.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_creneau"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CRENEAU_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_LOG", "warn");
    c
}

/// Start `serve` (already in `c`'s arguments) with stdout piped; the child and its first
/// line.
pub fn serve(c: &mut Command) -> (Child, String) {
    let mut child = c.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (child, line)
}

/// The port of `http://127.0.0.1:PORT` in a line the server printed.
#[allow(dead_code)]
pub fn port_in(line: &str) -> Option<u16> {
    line.split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
}
