//! The SQLite and PostgreSQL migrations are twins: the same statements, but for the few
//! that say one guarantee in each dialect's words (the overlap exclusion constraint on
//! PostgreSQL, triggers on SQLite). This test fails when the shared parts drift apart, or
//! when a dialect-only statement appears that is not listed here with its reason.
//! Migrations are forward-only and checksummed, so the files themselves stay as written.

use std::{collections::BTreeMap, path::Path};

/// Statements that exist in one dialect only, by their first words.
const SQLITE_ONLY: &[&str] = &[
    // No exclusion constraints in SQLite: triggers refuse overlapping active bookings.
    "CREATE TRIGGER bookings_no_overlap_insert",
    "CREATE TRIGGER bookings_no_overlap_update",
    "DROP TRIGGER bookings_no_overlap_insert",
    "DROP TRIGGER bookings_no_overlap_update",
    // No ALTER TABLE … ADD CONSTRAINT in SQLite: the 24-hour bound as triggers.
    "CREATE TRIGGER bookings_max_length_insert",
    "CREATE TRIGGER bookings_max_length_update",
];
const POSTGRES_ONLY: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap",
    "ALTER TABLE bookings ADD CONSTRAINT bookings_max_length",
];

/// The statements of a migration, comments dropped and white space folded; a trigger's
/// `BEGIN … END;` body stays inside its statement.
fn statements(sql: &str) -> Vec<String> {
    let text: String = sql
        .lines()
        .map(|l| match l.find("--") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut in_body = false;
    for w in words {
        current.push(w);
        if w.eq_ignore_ascii_case("BEGIN") && current.first().is_some_and(|f| f.eq_ignore_ascii_case("CREATE")) {
            in_body = true;
        }
        if w.ends_with(';') && (!in_body || w.eq_ignore_ascii_case("END;")) {
            out.push(current.join(" ").trim_end_matches(';').to_string());
            current.clear();
            in_body = false;
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

fn folder(name: &str) -> BTreeMap<String, Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(name);
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "sql") {
            let file = path.file_name().expect("file name").to_string_lossy().to_string();
            out.insert(file, statements(&std::fs::read_to_string(&path).expect("migration text")));
        }
    }
    out
}

#[test]
fn the_two_dialects_migrations_say_the_same() {
    let (sqlite, postgres) = (folder("sqlite"), folder("postgres"));
    assert_eq!(sqlite.keys().collect::<Vec<_>>(), postgres.keys().collect::<Vec<_>>(), "the same migration files");
    let listed = |s: &str, list: &[&str]| list.iter().any(|p| s.starts_with(p));
    let mut shared = 0;
    for (file, lite) in &sqlite {
        let pg = &postgres[file];
        let lite_shared: Vec<&String> = lite.iter().filter(|s| !listed(s, SQLITE_ONLY)).collect();
        let pg_shared: Vec<&String> = pg.iter().filter(|s| !listed(s, POSTGRES_ONLY)).collect();
        for (a, b) in lite_shared.iter().zip(&pg_shared) {
            assert_eq!(a, b, "{file}: the twins differ");
        }
        assert_eq!(
            lite_shared.len(),
            pg_shared.len(),
            "{file}: a statement in one dialect only: {lite_shared:?} / {pg_shared:?}"
        );
        shared += lite_shared.len();
    }
    println!("migration twins: {} files, {shared} shared statements", sqlite.len());
    assert!(shared > 50, "the statements were read: {shared}");
}

#[test]
fn statements_keep_trigger_bodies_whole() {
    let s = statements(
        "-- a comment; with a semicolon\nCREATE TABLE t (a INT);\nCREATE TRIGGER x BEFORE INSERT ON t\nBEGIN\n  SELECT RAISE(ABORT, 'no');\nEND;\nDROP TRIGGER x;",
    );
    assert_eq!(
        s,
        [
            "CREATE TABLE t (a INT)",
            "CREATE TRIGGER x BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, 'no'); END",
            "DROP TRIGGER x",
        ]
    );
}
