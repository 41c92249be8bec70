//! The bookings export (R35): the bookings of chosen locations over a date range, as CSV,
//! streamed from the database a page at a time (constant memory, whatever the size). Gated by
//! the "download" part of "all bookings" in each location (`Action::ExportBookings`), the
//! client's email and phone only where the exporter holds the client-list right, audited as
//! an export. Cells are formula-safe (`crate::csv`), UTF-8 with a BOM so that Excel reads
//! French text as it is; the page's download speaks the exporter's language (in French, `;`
//! between cells and a decimal comma, as French spreadsheets expect), the API's is English
//! with commas.

use super::export_repo::{self as repo, ExportRow};
use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    features::locations::service as locations,
    types::BoundedDate,
};
use axum::body::Bytes;
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// Most days one export spans.
pub const MAX_DAYS: i64 = 3 * 366;
/// Rows read per query.
const PAGE: i64 = 1000;

/// What was asked: the days (inclusive, each in its location's zone) and the locations.
#[derive(Clone, Debug)]
pub struct Asked {
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    /// Empty: every location the exporter may export.
    pub locations: Vec<String>,
}

impl Asked {
    pub fn parse(from: &str, to: &str, locations: Vec<String>) -> AppResult<Asked> {
        let f = BoundedDate::parse("from", from).map_err(|e| AppError::Validation(vec![e]))?.get();
        let t = BoundedDate::parse("to", to).map_err(|e| AppError::Validation(vec![e]))?.get();
        if t < f {
            return Err(AppError::field("to", "before-start", "The end must come after the start."));
        }
        if (t - f).get_days() as i64 > MAX_DAYS {
            return Err(AppError::field("to", "range-too-long", format!("At most {MAX_DAYS} days.")));
        }
        Ok(Asked { from: f, to: t, locations })
    }
}

/// How the file is written: the API's (English, commas) or a person's (their language).
#[derive(Clone, Copy, Debug)]
pub enum Dialect {
    Api,
    Page(Tr),
}

impl Dialect {
    fn sep(self) -> char {
        match self {
            Dialect::Page(t) if t.decimal_point() == ',' => ';',
            _ => ',',
        }
    }
}

/// An export ready to stream: the locations it covers, where the contact details may be
/// shown, and the window as instants.
pub struct Export {
    state: AppState,
    scope: OrgScope,
    locations: Vec<String>,
    contacts: HashMap<String, bool>,
    window: (i64, i64),
    days: (jiff::civil::Date, jiff::civil::Date),
    dialect: Dialect,
}

/// The locations whose bookings the member may export; 403 when there is none.
pub async fn exportable(state: &AppState, scope: &OrgScope) -> AppResult<Vec<locations::Location>> {
    let all = locations::list(state, scope).await?;
    let mine: Vec<_> = all
        .into_iter()
        .filter(|l| scope.check(Action::ExportBookings, Object::Location { id: &l.id }).allowed)
        .collect();
    if mine.is_empty() {
        return Err(AppError::forbidden("forbidden", "Not allowed to export bookings (no location)."));
    }
    Ok(mine)
}

/// Refuses (403) whoever may export no location's bookings, before the ask is even read.
pub async fn require_some(state: &AppState, scope: &OrgScope) -> AppResult<()> {
    exportable(state, scope).await.map(|_| ())
}

/// Checks the ask against the exporter's rights (a location they cannot see is "not found",
/// one they see without the download right is refused) and audits it.
pub async fn prepare(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    asked: Asked,
    dialect: Dialect,
) -> AppResult<Export> {
    let all = locations::list(state, scope).await?;
    let may = |id: &str| scope.check(Action::ExportBookings, Object::Location { id }).allowed;
    let chosen: Vec<&locations::Location> = if asked.locations.is_empty() {
        all.iter().filter(|l| may(&l.id)).collect()
    } else {
        let mut v = Vec::new();
        for id in &asked.locations {
            let l = all.iter().find(|l| &l.id == id).ok_or(AppError::NotFound)?;
            scope.require(Action::ExportBookings, Object::Location { id: &l.id })?;
            if !v.iter().any(|x: &&locations::Location| x.id == l.id) {
                v.push(l);
            }
        }
        v
    };
    if chosen.is_empty() {
        return Err(AppError::forbidden("forbidden", "Not allowed to export bookings (no location)."));
    }
    // The window in instants: from the start of `from` in the earliest zone to the end of
    // `to` in the latest (each row is then in its own location's zone).
    let bounds = chosen.iter().filter_map(|l| {
        let tz = TimeZone::get(&l.time_zone).ok()?;
        let start = asked.from.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond();
        let end = asked.to.tomorrow().ok()?.to_zoned(tz).ok()?.timestamp().as_millisecond();
        Some((start, end))
    });
    let window = bounds.fold((i64::MAX, i64::MIN), |(a, b), (s, e)| (a.min(s), b.max(e)));
    let contacts = chosen
        .iter()
        .map(|l| {
            let here = [l.id.clone()];
            (
                l.id.clone(),
                scope.check(Action::ViewClient, Object::Client { location_ids: &here, calendar_ids: &[] }).allowed,
            )
        })
        .collect();
    let ids: Vec<String> = chosen.iter().map(|l| l.id.clone()).collect();
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let event = Event::new("bookings.exported", "org", scope.org_id())
        .after(serde_json::json!({"from": asked.from.to_string(), "to": asked.to.to_string(), "locations": ids}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    let days = (asked.from, asked.to);
    Ok(Export { state: state.clone(), scope: scope.clone(), locations: ids, contacts, window, days, dialect })
}

const API_HEADER: [&str; 18] = [
    "date",
    "start",
    "end",
    "time_zone",
    "location",
    "calendar",
    "staff_member",
    "service",
    "duration_min",
    "price",
    "currency",
    "client",
    "client_email",
    "client_phone",
    "status",
    "created_by",
    "created_at",
    "notes",
];

fn header(d: Dialect) -> Vec<String> {
    match d {
        Dialect::Api => API_HEADER.iter().map(|s| s.to_string()).collect(),
        Dialect::Page(t) => API_HEADER.iter().map(|c| t.export_column(c).to_string()).collect(),
    }
}

fn cells(e: &Export, r: &ExportRow) -> Vec<String> {
    let tz = TimeZone::get(&r.time_zone).unwrap_or(TimeZone::UTC);
    let at = |ms: i64| crate::clock::from_ms(ms).to_zoned(tz.clone());
    let (s, end, made) = (at(r.start_at), at(r.end_at), at(r.created_at));
    let price = r.price_cents.map(|c| match e.dialect {
        Dialect::Page(t) => format!("{}{}{:02}", c / 100, t.decimal_point(), (c % 100).abs()),
        Dialect::Api => format!("{}.{:02}", c / 100, (c % 100).abs()),
    });
    let erased = r.client_erased_at.is_some();
    let words = |key: &str, raw: &str| match e.dialect {
        Dialect::Page(t) => t.get(key).to_string(),
        Dialect::Api => raw.to_string(),
    };
    let client = if erased {
        words("audit.erased", "[erased]")
    } else {
        format!("{} {}", r.client_first_name.as_deref().unwrap_or(""), r.client_last_name.as_deref().unwrap_or(""))
            .trim()
            .to_string()
    };
    let contact = !erased && e.contacts.get(&r.location_id).copied().unwrap_or(false);
    let created_by = match r.created_by_name.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None if r.source == "public" => words("export.online", "online"),
        None => String::new(),
    };
    let status = match e.dialect {
        Dialect::Page(t) => t.booking_status(&r.status).to_string(),
        Dialect::Api => r.status.clone(),
    };
    vec![
        s.date().to_string(),
        s.strftime("%H:%M").to_string(),
        end.strftime("%H:%M").to_string(),
        r.time_zone.clone(),
        r.location_name.clone(),
        r.calendar_name.clone(),
        r.staff_name.clone().unwrap_or_default(),
        r.service_name.clone().unwrap_or_default(),
        ((r.end_at - r.start_at) / 60_000).to_string(),
        price.unwrap_or_default(),
        if r.price_cents.is_some() { r.currency.clone().unwrap_or_default() } else { String::new() },
        client,
        if contact { r.client_email.clone().unwrap_or_default() } else { String::new() },
        if contact { r.client_phone.clone().unwrap_or_default() } else { String::new() },
        status,
        created_by,
        made.strftime("%Y-%m-%d %H:%M").to_string(),
        r.notes.clone(),
    ]
}

/// The CSV, a page of rows at a time: the BOM and the header first, then each page as it is
/// read; an error mid-way ends the stream (the log says why).
pub fn stream(e: Export) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let first = format!("{}{}", crate::csv::BOM, crate::csv::line(&header(e.dialect), e.dialect.sep()));
    futures_util::stream::unfold((Some(first), Some((i64::MIN, String::new())), e), |(head, cursor, e)| async move {
        if let Some(h) = head {
            return Some((Ok(Bytes::from(h)), (None, cursor, e)));
        }
        let (after_start, after_id) = cursor?;
        let page = repo::export_page(
            e.state.db.pool(),
            e.scope.tenant(),
            &e.locations,
            e.window,
            (after_start, &after_id),
            PAGE,
        )
        .await;
        match page {
            Err(err) => {
                tracing::error!(error = %err, "bookings export failed");
                Some((Err(std::io::Error::other("export failed")), (None, None, e)))
            }
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let next =
                    (rows.len() as i64 == PAGE).then(|| rows.last().map(|r| (r.start_at, r.id.clone()))).flatten();
                let sep = e.dialect.sep();
                let mut out = String::with_capacity(rows.len() * 160);
                for r in &rows {
                    // The window spans every chosen zone; each row keeps to its own days.
                    let c = cells(&e, r);
                    let day = BoundedDate::parse("date", &c[0]).map(|d| d.get()).ok();
                    if day.is_some_and(|d| d >= e.days.0 && d <= e.days.1) {
                        out.push_str(&crate::csv::line(&c, sep));
                    }
                }
                Some((Ok(Bytes::from(out)), (None, next, e)))
            }
        }
    })
}

/// The streamed file as an HTTP answer, to download under `name`.
pub fn download(e: Export, name: &str) -> axum::response::Response {
    use axum::{http::header, response::IntoResponse};
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        axum::body::Body::from_stream(stream(e)),
    )
        .into_response()
}
