//! Creneau: self-hosted, multi-tenant appointment scheduling for teams.

pub mod access;
pub mod app;
pub mod audit;
pub mod cache;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod csv;
pub mod db;
pub mod error;
pub mod features;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod ratelimit;
pub mod scheduling;
pub mod state;
pub mod types;

/// The floors (ARCHITECTURE.md, "Floors"): imports point down, never up. Only `app.rs`
/// (the router assembly) and `main.rs` know the features; nothing below the features names
/// them, nothing but `main.rs` and `lib.rs` names the router, and the configuration does
/// not reach into the jobs. Read as text, so that a path written inline counts as much as
/// an import, and so does a module named inside a `use crate::{…}` group.
#[cfg(test)]
mod floors {
    use std::path::{Path, PathBuf};

    /// Where each module may not be named: (module, the files or folders under `src/` that
    /// must not name it, the files allowed to even so).
    const RULES: &[(&str, &[&str], &[&str])] = &[
        ("features", &["http", "access", "db", "scheduling", "types.rs", "config.rs", "cache.rs", "audit.rs"], &[]),
        ("app", &[""], &["main.rs", "lib.rs"]),
        ("jobs", &["config.rs"], &[]),
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.map(|e| e.path()).unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// Byte ranges of the bodies of every `crate::{…}` group (`use` and `pub use` alike).
    fn groups(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = text[from..].find("crate::{") {
            let start = from + i + "crate::{".len();
            let mut depth = 1;
            let mut end = start;
            for (j, c) in text[start..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = start + j;
                    break;
                }
            }
            out.push((start, end));
            from = end.max(start);
        }
        out
    }

    /// Offsets where `module` is named: `crate::module` anywhere, or `module` as an item of a
    /// `crate::{…}` group (`module::…`, or `module` itself, at any nesting but not after `::`).
    fn namings(text: &str, module: &str) -> Vec<usize> {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let inline = format!("crate::{module}");
        let mut hits: Vec<usize> = text
            .match_indices(&inline)
            .filter(|(i, _)| !text[i + inline.len()..].starts_with(ident))
            .map(|(i, _)| i)
            .collect();
        for (start, end) in groups(text) {
            let body = &text[start..end];
            for (i, _) in body.match_indices(module) {
                let before = body[..i].trim_end();
                let after = &body[i + module.len()..];
                let starts_item = before.is_empty() || before.ends_with('{') || before.ends_with(',');
                if starts_item && !after.starts_with(ident) {
                    hits.push(start + i);
                }
            }
        }
        hits
    }

    #[test]
    fn imports_point_down() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut offences = Vec::new();
        for file in &files {
            let rel = file.strip_prefix(&src).unwrap_or(file).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{rel}: {e}"));
            for (module, below, allowed) in RULES {
                let covered = below.iter().any(|b| b.is_empty() || rel == *b || rel.starts_with(&format!("{b}/")));
                if !covered || allowed.contains(&rel.as_str()) {
                    continue;
                }
                for at in namings(&text, module) {
                    let line = text[..at].matches('\n').count() + 1;
                    let shown = text.lines().nth(line - 1).unwrap_or_default().trim();
                    offences.push(format!("src/{rel}:{line}: names `{module}`: {shown}"));
                }
            }
        }
        assert!(files.len() > 50, "src/ read as {} files", files.len());
        assert!(offences.is_empty(), "imports pointing up (ARCHITECTURE.md, \"Floors\"):\n{}", offences.join("\n"));
    }

    /// The tenant value for background work is built only by the background (ARCHITECTURE.md,
    /// "Tenant data"): a request handler must get its tenant from its scope or the public side.
    #[test]
    fn background_tenants_only_in_the_background() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let offences: Vec<String> = files
            .iter()
            .filter_map(|file| {
                let rel = file.strip_prefix(&src).unwrap_or(file).to_string_lossy().replace('\\', "/");
                let allowed =
                    rel.starts_with("jobs/") || rel == "main.rs" || rel == "access/tenant.rs" || rel == "lib.rs";
                let text = std::fs::read_to_string(file).ok()?;
                (!allowed && text.contains("for_background(")).then_some(format!("src/{rel}"))
            })
            .collect();
        assert!(offences.is_empty(), "Tenant::for_background outside src/jobs and main.rs: {offences:?}");
        // A founding tenant is the organisation created in that very transaction, only there.
        let founders: Vec<String> = files
            .iter()
            .filter_map(|file| {
                let rel = file.strip_prefix(&src).unwrap_or(file).to_string_lossy().replace('\\', "/");
                let allowed = rel == "features/orgs/service.rs" || rel == "access/tenant.rs" || rel == "lib.rs";
                let text = std::fs::read_to_string(file).ok()?;
                (!allowed && text.contains("founding(")).then_some(format!("src/{rel}"))
            })
            .collect();
        assert!(founders.is_empty(), "Tenant::founding outside orgs::create_in_tx: {founders:?}");
    }

    #[test]
    fn the_scan_sees_grouped_and_inline_names() {
        let grouped = "use crate::{\n    error::AppError,\n    features::{orgs, teams},\n};";
        assert_eq!(namings(grouped, "features").len(), 1);
        assert_eq!(namings("use crate::{app, http};", "app").len(), 1);
        assert_eq!(namings("use crate::{db, http::{self, app::AppState}};", "app").len(), 1);
        assert_eq!(namings("let x = crate::jobs::sms::e164(y);", "jobs").len(), 1);
        assert!(namings("use crate::{apps, http::happy, mapp::x};", "app").is_empty());
        assert!(namings("use crate::{http::pages::features};", "features").is_empty());
        assert!(namings("use crate::appliance;", "app").is_empty());
        assert!(namings("let s = crate::jobsite::x;", "jobs").is_empty());
    }
}
