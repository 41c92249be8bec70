//! The audit log page: newest first, in the reader's time zone, filtered, paginated by
//! sequence number, with a link to the CSV export of the same rows. What the reader may see
//! is decided by `service::visibility`.

use super::{
    service::{self, AuditRow, Filter},
    words,
};
use crate::features::prelude::*;
use crate::{
    features::{accounts::pages::viewer_zone, clients::personal},
    http::pages::query_string,
};
use askama::Template;
use axum::extract::Query;
use jiff::{civil::Date, tz::TimeZone};
use serde::Deserialize;
use serde_json::Value;

const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    actor_id: String,
    action: String,
    object_type: String,
    object_id: String,
    /// A date (YYYY-MM-DD) in the reader's zone, inclusive.
    from: String,
    /// A date (YYYY-MM-DD) in the reader's zone, inclusive.
    to: String,
    before: Option<i64>,
}

struct Line {
    at: String,
    actor: String,
    /// The rows of the same actor / the same object (empty when there is none).
    actor_href: String,
    /// What was done, in words ("a invité"), the role given when there is one.
    action: String,
    detail: String,
    /// The object by name (its kind's code when it has none left), its page when it has one.
    object: String,
    object_page: String,
    object_href: String,
    /// The changed fields, "field: before → after".
    changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    p: PageCtx,
    q: AuditQuery,
    lines: Vec<Line>,
    from_error: bool,
    to_error: bool,
    older: Option<String>,
    newest: Option<String>,
    csv: String,
    zone: String,
    /// The person filter: members with an account, by name.
    people: Vec<crate::http::pages::Opt>,
}

/// Midnight at the start of `date` in `zone`, as epoch milliseconds.
fn day_start(date: Date, zone: &TimeZone) -> Option<i64> {
    date.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_millisecond())
}

fn parse_date(s: &str) -> Option<Date> {
    crate::types::BoundedDate::parse("date", s).ok().map(|d| d.get())
}

/// Whether a field holds an instant (epoch milliseconds): a booking's or a period's span,
/// a stamp.
fn is_instant(field: &str) -> bool {
    matches!(field, "start" | "end") || field.ends_with("_at")
}

/// A short "before → after": the fields that changed, or the snapshot when one side is empty;
/// instants written by `when` (the viewer's zone and language).
fn compact_change(before: Option<&str>, after: Option<&str>, when: &dyn Fn(i64) -> String) -> String {
    const MAX: usize = 160;
    let parse = |s: Option<&str>| s.and_then(|t| serde_json::from_str::<Value>(t).ok());
    let field = |k: &str, v: &Value| match v.as_i64() {
        Some(ms) if is_instant(k) => when(ms),
        _ => short(v),
    };
    fn short(v: &Value) -> String {
        let s = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
    }
    let text = match (parse(before), parse(after)) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut parts = Vec::new();
            for (k, new) in &a {
                let old = b.get(k).unwrap_or(&Value::Null);
                if old != new {
                    parts.push(format!("{k}: {} → {}", field(k, old), field(k, new)));
                }
            }
            for (k, old) in &b {
                if !a.contains_key(k) {
                    parts.push(format!("{k}: {} → ∅", field(k, old)));
                }
            }
            parts.join("; ")
        }
        // A creation: its plain fields, one by one (nested values shortened).
        (None, Some(Value::Object(a))) => {
            a.iter().map(|(k, v)| format!("{k}: {}", field(k, v))).collect::<Vec<_>>().join("; ")
        }
        (None, Some(a)) => format!("→ {a}"),
        (Some(b), None) => format!("{b} →"),
        (Some(b), Some(a)) => format!("{} → {}", short(&b), short(&a)),
        (None, None) => String::new(),
    };
    if text.chars().count() > MAX { format!("{}…", text.chars().take(MAX).collect::<String>()) } else { text }
}

fn actor_text(t: Tr, r: &AuditRow) -> String {
    match (&r.actor_label, r.actor_type.as_str()) {
        (Some(label), _) if label == personal::MASKED => t.get("audit.masked").to_string(),
        (Some(label), _) if !label.is_empty() => label.clone(),
        (_, "system") => t.get("audit.system").to_string(),
        (_, kind) => kind.to_string(),
    }
}

pub async fn page(OrgPage { state, ctx, who, scope }: OrgPage, Query(q): Query<AuditQuery>) -> PageResult {
    let visible = service::visibility(&state, &scope).await.or_page(&ctx)?;
    let zone = viewer_zone(&state, &who).await.or_page(&ctx)?;
    let from = parse_date(&q.from);
    let to = parse_date(&q.to);
    let from_ms = from.and_then(|d| day_start(d, &zone));
    // "To" is inclusive: rows before the start of the next day.
    let to_ms = to.and_then(|d| d.tomorrow().ok()).and_then(|d| day_start(d, &zone));
    let clean = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = Filter {
        actor_id: clean(&q.actor_id),
        action: clean(&q.action),
        object_type: clean(&q.object_type),
        object_id: clean(&q.object_id),
        from_ms,
        to_ms,
    };
    let mut rows = service::page(&state, &scope, &visible, &filter, q.before, PAGE + 1).await.or_page(&ctx)?;
    let next_before = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.seq)
    } else {
        None
    };
    let p = PageCtx::for_org(&state, &ctx, &who, &scope, "/audit").await.or_page(&ctx)?;
    let t = p.t;
    let filters = [
        ("actor_id", q.actor_id.trim()),
        ("action", q.action.trim()),
        ("object_type", q.object_type.trim()),
        ("object_id", q.object_id.trim()),
        ("from", if from.is_some() { q.from.trim() } else { "" }),
        ("to", if to.is_some() { q.to.trim() } else { "" }),
    ];
    let older = next_before.map(|seq| {
        let seq = seq.to_string();
        let mut pairs = filters.to_vec();
        pairs.push(("before", &seq));
        format!("/audit?{}", query_string(&pairs))
    });
    let newest = q.before.map(|_| format!("/audit?{}", query_string(&filters)));
    // The export takes instants: the same day bounds, in RFC 3339.
    let from_rfc = from_ms.map(crate::http::ts).unwrap_or_default();
    let to_rfc = to_ms.map(crate::http::ts).unwrap_or_default();
    let csv_query = query_string(&[
        ("actor_id", q.actor_id.trim()),
        ("action", q.action.trim()),
        ("object_type", q.object_type.trim()),
        ("object_id", q.object_id.trim()),
        ("from", &from_rfc),
        ("to", &to_rfc),
    ]);
    let csv = match csv_query.as_str() {
        "" => format!("/api/v1/orgs/{}/audit.csv", scope.org_id()),
        q => format!("/api/v1/orgs/{}/audit.csv?{q}", scope.org_id()),
    };
    let names = words::Names::load(&state, &scope).await.or_page(&ctx)?;
    let when = |ms: i64| t.date_time(&crate::clock::from_ms(ms).to_zoned(zone.clone()));
    Ok(render(&AuditPage {
        people: names.people().into_iter().map(|(v, l)| crate::http::pages::Opt::new(v, l)).collect(),
        lines: rows
            .iter()
            .map(|r| Line {
                at: when(r.at),
                actor: names.actor(t, r).unwrap_or_else(|| actor_text(t, r)),
                actor_href: r
                    .actor_id
                    .as_deref()
                    .map(|a| format!("/audit?{}", query_string(&[("actor_id", a)])))
                    .unwrap_or_default(),
                action: words::action(t, r),
                detail: words::detail(t, r).unwrap_or_default(),
                object: names.object(r).unwrap_or_else(|| r.object_type.clone()),
                object_page: words::object_href(r).unwrap_or_default(),
                object_href: r
                    .object_id
                    .as_deref()
                    .map(|o| format!("/audit?{}", query_string(&[("object_type", &r.object_type), ("object_id", o)])))
                    .unwrap_or_default(),
                // The reader's language for values they may not see or that were erased.
                changes: compact_change(r.before_json.as_deref(), r.after_json.as_deref(), &when)
                    .replace(personal::MASKED, t.get("audit.masked"))
                    .replace(personal::ERASED, t.get("audit.erased"))
                    .split("; ")
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
            .collect(),
        from_error: !q.from.trim().is_empty() && from.is_none(),
        to_error: !q.to.trim().is_empty() && to.is_none(),
        older,
        newest,
        csv,
        zone: zone.iana_name().unwrap_or("UTC").to_string(),
        q,
        p,
    }))
}

#[cfg(test)]
mod tests {
    use super::compact_change;

    #[test]
    fn changes_are_compact() {
        fn c(b: Option<&str>, a: Option<&str>) -> String {
            compact_change(b, a, &|ms: i64| format!("<{ms}>"))
        }
        assert_eq!(c(Some(r#"{"name":"A","x":1}"#), Some(r#"{"name":"B","x":1}"#)), "name: A → B");
        assert_eq!(c(None, Some(r#"{"a":1,"b":"x"}"#)), "a: 1; b: x");
        assert_eq!(c(None, Some("3")), "→ 3");
        assert_eq!(c(Some(r#"{"a":1}"#), Some(r#"{}"#)), "a: 1 → ∅");
        assert_eq!(c(None, None), "");
        assert!(c(None, Some(&format!("\"{}\"", "x".repeat(500)))).chars().count() <= 161);
        // Instants in words; other numbers as they are.
        assert_eq!(c(Some(r#"{"start":1,"end":2}"#), Some(r#"{"start":3,"end":2}"#)), "start: <1> → <3>");
        assert_eq!(c(None, Some(r#"{"paid_at":5,"price":5}"#)), "paid_at: <5>; price: 5");
    }
}
