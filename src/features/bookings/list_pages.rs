//! The bookings list (issue 13, item 5): every booking the member may see, filtered by dates,
//! location, calendar, service, status (cancelled and no-shows included) and client, by start
//! time, a page at a time (keyset: the next page starts after the last row shown). Dates are
//! the chosen location's, else the viewer's; the query is `service::search`'s.

use super::{
    repo::Search,
    service::{self, BookingRow, ClientSummary},
};
use crate::features::prelude::*;
use crate::{
    features::{
        accounts::pages::viewer_zone,
        calendars::service::CalendarRow,
        locations::service as locations,
        services::service::{self as services, Service},
    },
    http::pages::{Opt, query_string},
};
use askama::Template;
use axum::extract::Query;
use jiff::{ToSpan, civil::Date, tz::TimeZone};
use serde::Deserialize;
use std::collections::HashMap;

/// Rows a page shows.
const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    from: String,
    to: String,
    location: String,
    calendar: String,
    service: String,
    status: String,
    client: String,
    after: String,
}

/// A booking as a line of a list: when, where, what, who, in the reader's words.
pub(crate) struct Line {
    pub(crate) id: String,
    pub(crate) day: String,
    pub(crate) time: String,
    pub(crate) calendar: String,
    pub(crate) service: String,
    pub(crate) client: String,
    pub(crate) status: &'static str,
    pub(crate) inactive: bool,
}

/// Calendar and service names by id, for lines.
struct Names<'a> {
    calendars: HashMap<&'a str, &'a str>,
    services: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    fn of(cals: &'a [CalendarRow], svcs: &'a [Service]) -> Names<'a> {
        Names {
            calendars: cals.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect(),
            services: svcs.iter().map(|s| (s.id.as_str(), s.name.as_str())).collect(),
        }
    }

    fn line(&self, t: Tr, tz: &TimeZone, clients: &HashMap<String, ClientSummary>, b: &BookingRow) -> Line {
        let at = |ms: i64| crate::clock::from_ms(ms).to_zoned(tz.clone());
        let (s, e) = (at(b.start_at), at(b.end_at));
        let name = |map: &HashMap<&str, &str>, id: Option<&str>| {
            id.and_then(|id| map.get(id)).map(|s| s.to_string()).unwrap_or_default()
        };
        Line {
            id: b.id.clone(),
            day: t.long_date(s.date()),
            time: format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M")),
            calendar: name(&self.calendars, Some(&b.calendar_id)),
            service: name(&self.services, b.service_id.as_deref()),
            client: b
                .client_id
                .as_deref()
                .and_then(|c| clients.get(c))
                .map(|c| format!("{} {}", c.first_name, c.last_name).trim().to_string())
                .unwrap_or_default(),
            status: t.booking_status(&b.status),
            inactive: b.status != "confirmed",
        }
    }
}

/// The confirmed bookings the member may see starting in `[from, to)`, as lines (the home
/// page's day and week): at most `limit`, and whether there were more.
pub(crate) async fn upcoming(
    state: &AppState,
    scope: &OrgScope,
    t: Tr,
    tz: &TimeZone,
    (from, to): (i64, i64),
    limit: i64,
) -> AppResult<(Vec<Line>, bool)> {
    let search = Search { from: Some(from), to: Some(to), status: "confirmed".into(), ..Default::default() };
    let rows = service::search(state, scope, None, None, &search, limit + 1).await?;
    let (rows, more) = crate::http::next_page(rows, limit, |_| ());
    let cals = service::viewable_calendars(state, scope, None, None).await?;
    let svcs = services::list(state, scope).await?;
    let clients = service::clients_for(state, scope, &rows).await?;
    let names = Names::of(&cals, &svcs);
    Ok((rows.iter().map(|b| names.line(t, tz, &clients, b)).collect(), more.is_some()))
}

#[derive(Template)]
#[template(path = "bookings.html")]
struct ListPage {
    p: PageCtx,
    q: ListQuery,
    locations: Vec<Opt>,
    calendars: Vec<Opt>,
    services: Vec<Opt>,
    client_name: Option<String>,
    clear_client: String,
    lines: Vec<Line>,
    next: Option<String>,
    first: Option<String>,
    zone: String,
    /// Why a filter was ignored, when one was.
    notice: Option<&'static str>,
    /// The member may download some location's bookings.
    may_export: bool,
}

fn date(raw: &str) -> Option<Date> {
    crate::types::BoundedDate::parse("date", raw).ok().map(|d| d.get())
}

pub async fn list(at: OrgPage, Query(mut q): Query<ListQuery>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = &at;
    let p = PageCtx::for_org(state, ctx, who, scope, "/bookings").await.or_page(ctx)?;
    let t = p.t;
    let locs = locations::list(state, scope).await.or_page(ctx)?;
    let cals = service::viewable_calendars(state, scope, None, None).await.or_page(ctx)?;
    let svcs = services::list(state, scope).await.or_page(ctx)?;
    // A location or calendar outside what the member sees is not a filter they can ask for.
    if !locs.iter().any(|l| l.id == q.location) {
        q.location.clear();
    }
    if !cals.iter().any(|c| c.id == q.calendar && (q.location.is_empty() || c.location_id == q.location)) {
        q.calendar.clear();
    }
    let tz = match locs.iter().find(|l| l.id == q.location) {
        Some(l) => TimeZone::get(&l.time_zone).unwrap_or(TimeZone::UTC),
        None => viewer_zone(state, who).await.or_page(ctx)?,
    };
    let today = state.now().to_zoned(tz.clone()).date();
    let mut notice = None;
    let from = if q.from.is_empty() {
        q.from = today.to_string();
        Some(today)
    } else {
        date(&q.from).or_else(|| {
            notice = Some(t.get("bookings.bad_date"));
            None
        })
    };
    let to = if q.to.is_empty() {
        None
    } else {
        date(&q.to).or_else(|| {
            notice = Some(t.get("bookings.bad_date"));
            None
        })
    };
    let midnight = |d: Date| d.to_zoned(tz.clone()).ok().map(|z| z.timestamp().as_millisecond());
    let status = service::parse_status(&q.status).unwrap_or_default();
    let after = if q.after.is_empty() { None } else { service::parse_cursor(&q.after).ok() };
    let search = Search {
        from: from.and_then(midnight),
        // The "to" date is included: up to the next midnight.
        to: to.and_then(|d| d.checked_add(1.day()).ok()).and_then(midnight),
        service_id: q.service.clone(),
        status,
        client_id: q.client.clone(),
        after,
    };
    let loc = Some(q.location.as_str()).filter(|s| !s.is_empty());
    let cal = Some(q.calendar.as_str()).filter(|s| !s.is_empty());
    let rows = service::search(state, scope, loc, cal, &search, PAGE + 1).await.or_page(ctx)?;
    let (rows, next_cursor) = crate::http::next_page(rows, PAGE, service::cursor_of);
    let clients = service::clients_for(state, scope, &rows).await.or_page(ctx)?;
    let names = Names::of(&cals, &svcs);
    let lines: Vec<Line> = rows.iter().map(|b| names.line(t, &tz, &clients, b)).collect();
    let client_name = if q.client.is_empty() {
        None
    } else {
        // The filter's client by name, when the member may see it on a listed booking.
        Some(
            rows.iter()
                .find_map(|b| b.client_id.as_deref().filter(|c| *c == q.client).and_then(|c| clients.get(c)))
                .map(|c| format!("{} {}", c.first_name, c.last_name).trim().to_string())
                .unwrap_or_else(|| t.get("bookings.this_client").to_string()),
        )
    };
    let filters = |after: &str, client: &str| {
        let pairs = [
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
            ("location", q.location.as_str()),
            ("calendar", q.calendar.as_str()),
            ("service", q.service.as_str()),
            ("status", q.status.as_str()),
            ("client", client),
            ("after", after),
        ];
        format!("/bookings?{}", query_string(&pairs))
    };
    let page = ListPage {
        next: next_cursor.map(|c| filters(&c, &q.client)),
        first: (!q.after.is_empty()).then(|| filters("", &q.client)),
        clear_client: filters("", ""),
        locations: locs.iter().map(|l| Opt::new(&l.id, &l.name)).collect(),
        calendars: cals
            .iter()
            .filter(|c| q.location.is_empty() || c.location_id == q.location)
            .map(|c| Opt::new(&c.id, &c.name))
            .collect(),
        services: svcs.iter().map(|s| Opt::new(&s.id, &s.name)).collect(),
        may_export: locs.iter().any(|l| scope.check(Action::ExportBookings, Object::Location { id: &l.id }).allowed),
        client_name,
        lines,
        zone: tz.iana_name().unwrap_or("UTC").to_string(),
        notice,
        q,
        p,
    };
    Ok(render(&page))
}
