//! The statistics page: a date range and a location to choose, the totals, then each
//! breakdown as an SVG chart with its numbers beside it and a table of the same numbers, and
//! the CSV of it all. Numbers, percentages and hours are written the reader's way.

use super::{
    api::StatsParams,
    chart::{self, Bar},
    service::{self, Asked, Counts, Line, Report},
};
use crate::features::prelude::*;
use crate::{
    features::accounts::pages::viewer_zone,
    http::pages::{Opt, query_string},
};
use askama::Template;
use axum::extract::Query;
use jiff::tz::TimeZone;

/// `12,5 %` / `12.5%`; a dash when there is nothing to divide by.
pub fn percent(t: Tr, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if t.lang() == "fr" => format!("{}\u{a0}%", t.number(v * 100.0, 1)),
        Some(v) => format!("{}%", t.number(v * 100.0, 1)),
    }
}

/// Hours with one decimal: `12,5 h` / `12.5 h`.
pub fn hours(t: Tr, ms: i64) -> String {
    format!("{}\u{a0}h", t.number(ms as f64 / 3_600_000.0, 1))
}

struct Row {
    label: String,
    bookings: String,
    cancelled: String,
    no_shows: String,
    cancellation: String,
    no_show_rate: String,
    booked: String,
    utilisation: String,
}

fn row(t: Tr, label: &str, c: &Counts) -> Row {
    let n = |v: i64| t.number(v as f64, 0);
    Row {
        label: label.to_string(),
        bookings: n(c.bookings),
        cancelled: n(c.cancelled),
        no_shows: n(c.no_shows),
        cancellation: percent(t, c.cancellation_rate()),
        no_show_rate: percent(t, c.no_show_rate()),
        booked: hours(t, c.booked_ms),
        utilisation: percent(t, c.utilisation()),
    }
}

struct Breakdown {
    id: &'static str,
    title: &'static str,
    svg: String,
    rows: Vec<Row>,
}

fn breakdown(t: Tr, id: &'static str, title_key: &str, lines: &[Line], no_name: &str) -> Breakdown {
    let title = t.get(title_key);
    let label = |l: &Line| if l.label.is_empty() { no_name.to_string() } else { l.label.clone() };
    let bars: Vec<Bar> = lines
        .iter()
        .map(|l| Bar {
            label: label(l),
            value: l.figures.counts.kept(),
            shown: t.number(l.figures.counts.kept() as f64, 0),
        })
        .collect();
    Breakdown {
        id,
        title,
        svg: chart::bars(title, &bars),
        rows: lines.iter().map(|l| row(t, &label(l), &l.figures.counts)).collect(),
    }
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatsPage {
    p: PageCtx,
    from: String,
    to: String,
    location_id: String,
    choices: Vec<Opt>,
    error: Option<String>,
    zone: String,
    period: String,
    summary: Vec<(&'static str, String)>,
    weeks_svg: String,
    breakdowns: Vec<Breakdown>,
    heat_svg: String,
    busiest: Vec<String>,
    csv: String,
    empty: bool,
}

/// "mardi, 10 h – 11 h : 12" / "Tuesday, 10:00–11:00: 12".
fn hour_cell(t: Tr, day: usize, hour: usize, count: i64) -> String {
    t.fmt(
        "stats.hour_cell",
        &[
            ("weekday", t.weekday(day as i8 + 1)),
            ("hour", &format!("{hour:02}")),
            ("next", &format!("{:02}", hour + 1)),
            ("count", &t.number(count as f64, 0)),
        ],
    )
}

/// "2 mars" / "2 March": a week by its Monday.
fn month_day(t: Tr, d: jiff::civil::Date) -> String {
    t.fmt("stats.week", &[("day", &d.day().to_string()), ("month", t.month(d.month()))])
}

/// The few busiest weekday-hours, in words: "mardi 10 h – 11 h : 12".
fn busiest(t: Tr, heat: &[[i64; 24]; 7]) -> Vec<String> {
    let mut cells: Vec<(i64, usize, usize)> = Vec::new();
    for (d, row) in heat.iter().enumerate() {
        for (h, &n) in row.iter().enumerate() {
            if n > 0 {
                cells.push((n, d, h));
            }
        }
    }
    cells.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    cells.into_iter().take(5).map(|(n, d, h)| hour_cell(t, d, h, n)).collect()
}

fn present(t: Tr, r: &Report, p: PageCtx, org_id: &str) -> StatsPage {
    let total = &r.total.counts;
    let summary = vec![
        ("stats.bookings", t.number(total.bookings as f64, 0)),
        ("stats.kept", t.number(total.kept() as f64, 0)),
        ("stats.cancellation_rate", percent(t, total.cancellation_rate())),
        ("stats.no_show_rate", percent(t, total.no_show_rate())),
        ("stats.booked", hours(t, total.booked_ms)),
        ("stats.open", hours(t, total.open_ms)),
        ("stats.utilisation", percent(t, total.utilisation())),
    ];
    let week_bars: Vec<Bar> = r
        .weeks
        .iter()
        .map(|w| Bar { label: month_day(t, w.monday), value: w.kept, shown: t.number(w.kept as f64, 0) })
        .collect();
    let no_service = t.get("stats.no_service");
    let breakdowns = vec![
        breakdown(t, "per-location", "stats.per_location", &r.locations, ""),
        breakdown(t, "per-staff", "stats.per_staff", &r.staff, ""),
        breakdown(t, "per-service", "stats.per_service", &r.services, no_service),
    ];
    let days: [&str; 7] = std::array::from_fn(|d| t.weekday_short(d as i8 + 1));
    let heat_svg = chart::heat_map(t.get("stats.busiest"), &days, &r.heat, |d, h, n| hour_cell(t, d, h, n));
    let (from, to) = (r.from.to_string(), r.to.to_string());
    let query = query_string(&[("from", &from), ("to", &to), ("location_id", r.location_id.as_deref().unwrap_or(""))]);
    StatsPage {
        choices: r.choices.iter().map(|(id, name)| Opt::new(id.clone(), name.clone())).collect(),
        error: None,
        zone: r.zone.clone(),
        period: t.fmt("stats.period", &[("from", &t.long_date(r.from)), ("to", &t.long_date(r.to))]),
        summary,
        weeks_svg: chart::bars(t.get("stats.per_week"), &week_bars),
        breakdowns,
        heat_svg,
        busiest: busiest(t, &r.heat),
        csv: format!("/api/v1/orgs/{org_id}/statistics.csv?{query}"),
        empty: total.bookings == 0,
        from: r.from.to_string(),
        to: r.to.to_string(),
        location_id: r.location_id.clone().unwrap_or_default(),
        p,
    }
}

pub async fn page(OrgPage { state, ctx, who, scope }: OrgPage, Query(q): Query<StatsParams>) -> PageResult {
    let viewer = viewer_zone(&state, &who).await.or_page(&ctx)?;
    let asked_location = q.location();
    let locs = service::locations_in_scope(&state, &scope, asked_location).await.or_page(&ctx)?;
    let zone = service::zone_for(&locs, asked_location, viewer.iana_name().unwrap_or("UTC"));
    let today = state.now().to_zoned(TimeZone::get(&zone).unwrap_or(TimeZone::UTC)).date();
    let p = PageCtx::for_org(&state, &ctx, &who, &scope, "/statistics").await.or_page(&ctx)?;
    let t = p.t;
    let (asked, error) = match Asked::parse(q.from.as_deref(), q.to.as_deref(), asked_location, today) {
        Ok(a) => (a, None),
        // A range that cannot be read: the default one, and the reason beside the form.
        Err(e) => (Asked::parse(None, None, asked_location, today).or_page(&ctx)?, Some(e.text(t))),
    };
    let report = service::report(&state, &scope, &locs, &asked, &zone).await.or_page(&ctx)?;
    let mut page = present(t, &report, p, scope.org_id());
    page.error = error;
    Ok(render(&page))
}
