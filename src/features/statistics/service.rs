//! Statistics (R36, the section seed 000 gates behind a toggle): bookings per week, per
//! location, per staff member (calendar) and per service; cancellation and no-show rates;
//! the busiest hours (weekday × hour); utilisation (booked time over open time).
//!
//! Over what the member may see only: the calendars whose bookings they may view, in the
//! locations where they hold the statistics right. The database aggregates (two grouped
//! queries, `repo`); open time comes from the calendars' hours by the engine's definitions
//! (`scheduling::utilisation`).

use super::repo::{self, HOUR_MS, Tally};
use crate::features::prelude::*;
use crate::{
    features::{
        bookings::repo as bookings,
        calendars::{repo::CalendarRow, service as calendars},
        locations::service as locations,
        members::repo as members,
        services::service as services,
    },
    scheduling::utilisation,
    types::DateWindow,
};
use jiff::{ToSpan, civil::Date, tz::TimeZone};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// At most a year and a day between the first and the last date.
pub const MAX_DAYS: i32 = 366;

/// What is asked: a date range (inclusive, in the report's zone) and perhaps one location.
pub struct Asked {
    pub window: DateWindow,
    pub location_id: Option<String>,
}

impl Asked {
    /// The dates as given, or else the eight weeks up to the end of this one (Monday to
    /// Sunday), `today` in the report's zone.
    pub fn parse(from: Option<&str>, to: Option<&str>, location_id: Option<&str>, today: Date) -> AppResult<Asked> {
        let monday = today - (today.weekday().to_monday_zero_offset() as i64).days();
        let default_to = monday + 6.days();
        let default_from = monday - 49.days();
        let pick =
            |s: Option<&str>, d: Date| s.map(str::trim).filter(|s| !s.is_empty()).map_or(d.to_string(), String::from);
        let window = DateWindow::parse(&pick(from, default_from), &pick(to, default_to), MAX_DAYS)?;
        let location_id = location_id.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        Ok(Asked { window, location_id })
    }
}

/// Counts over some bookings. `bookings` counts every status; `booked_ms` only the time
/// kept (confirmed and no-show), which is what fills a calendar. Times are told in minutes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    /// Every booking starting in the range, whatever its status.
    pub bookings: i64,
    pub cancelled: i64,
    pub no_shows: i64,
    /// Minutes of kept bookings (confirmed and no-show).
    #[serde(rename = "booked_min", serialize_with = "minutes")]
    pub booked_ms: i64,
    /// Minutes of working hours, less unavailability.
    #[serde(rename = "open_min", serialize_with = "minutes")]
    pub open_ms: i64,
}

fn minutes<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(ms / 60_000)
}

impl Counts {
    fn add(&mut self, t: &Tally) {
        self.bookings += t.count;
        match t.status.as_str() {
            "cancelled" => self.cancelled += t.count,
            "no_show" => {
                self.no_shows += t.count;
                self.booked_ms += t.booked_ms;
            }
            _ => self.booked_ms += t.booked_ms,
        }
    }

    fn plus(&mut self, o: &Counts) {
        self.bookings += o.bookings;
        self.cancelled += o.cancelled;
        self.no_shows += o.no_shows;
        self.booked_ms += o.booked_ms;
        self.open_ms += o.open_ms;
    }

    /// Kept bookings: neither cancelled.
    pub fn kept(&self) -> i64 {
        self.bookings - self.cancelled
    }

    fn share(part: i64, whole: i64) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }

    pub fn cancellation_rate(&self) -> Option<f64> {
        Self::share(self.cancelled, self.bookings)
    }

    pub fn no_show_rate(&self) -> Option<f64> {
        Self::share(self.no_shows, self.bookings)
    }

    /// Booked time over open time; above 1 when bookings were placed outside the hours.
    pub fn utilisation(&self) -> Option<f64> {
        Self::share(self.booked_ms, self.open_ms)
    }
}

/// Counts with their rates, as the API tells them.
#[derive(Clone, Copy, Debug, Default, Serialize, ToSchema)]
pub struct Figures {
    #[serde(flatten)]
    pub counts: Counts,
    /// Cancelled over every booking; null without bookings.
    pub cancellation_rate: Option<f64>,
    pub no_show_rate: Option<f64>,
    /// Booked time over open time; null without open time.
    pub utilisation: Option<f64>,
}

impl From<Counts> for Figures {
    fn from(counts: Counts) -> Self {
        Figures {
            counts,
            cancellation_rate: counts.cancellation_rate(),
            no_show_rate: counts.no_show_rate(),
            utilisation: counts.utilisation(),
        }
    }
}

/// One location, calendar or service and its figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Line {
    /// The location's, calendar's or service's id (empty: bookings without a service).
    pub id: String,
    #[serde(rename = "name")]
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
}

impl Line {
    fn new(id: String, label: String, counts: Counts) -> Line {
        Line { id, label, figures: counts.into() }
    }
}

/// Kept bookings (not cancelled) starting in the week of that Monday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Week {
    #[serde(rename = "week")]
    #[schema(value_type = String, format = Date)]
    pub monday: Date,
    #[serde(rename = "bookings")]
    pub kept: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Report {
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// The zone dates, weeks and hours are read in.
    #[serde(rename = "time_zone")]
    pub zone: String,
    pub location_id: Option<String>,
    /// The locations the member may ask about (the filter's choices).
    #[serde(skip)]
    pub choices: Vec<(String, String)>,
    pub total: Figures,
    pub weeks: Vec<Week>,
    pub locations: Vec<Line>,
    /// One line a calendar (a staff member's own, with their name, or a resource).
    #[serde(rename = "calendars")]
    pub staff: Vec<Line>,
    pub services: Vec<Line>,
    /// Kept bookings by local weekday (Monday first) and hour of their start: 7 × 24.
    #[serde(rename = "hours")]
    #[schema(value_type = Vec<Vec<i64>>)]
    pub heat: [[i64; 24]; 7],
}

/// The zone of the report: the asked location's; else the one all the member's locations
/// share; else `fallback` (the reader's).
pub fn zone_for(locs: &[locations::Location], asked: Option<&str>, fallback: &str) -> String {
    if let Some(l) = asked.and_then(|id| locs.iter().find(|l| l.id == id)) {
        return l.time_zone.clone();
    }
    match locs.first() {
        Some(first) if locs.iter().all(|l| l.time_zone == first.time_zone) => first.time_zone.clone(),
        _ => fallback.to_string(),
    }
}

/// The locations where the member holds the statistics right, of those they may see; 403
/// (with the policy's reason) when there is none, 404 for a location they cannot see.
pub async fn locations_in_scope(
    state: &AppState,
    scope: &OrgScope,
    asked: Option<&str>,
) -> AppResult<Vec<locations::Location>> {
    if let Some(id) = asked {
        let l = locations::get(state, scope, id).await?;
        scope.require(Action::ViewStatistics, Object::Location { id: &l.id })?;
    }
    let locs: Vec<_> = locations::list(state, scope)
        .await?
        .into_iter()
        .filter(|l| scope.check(Action::ViewStatistics, Object::Location { id: &l.id }).allowed)
        .collect();
    if locs.is_empty() {
        scope.require(Action::ViewStatistics, Object::Org)?;
    }
    Ok(locs)
}

/// The report over `asked`, with dates read in `zone`.
pub async fn report(
    state: &AppState,
    scope: &OrgScope,
    locs: &[locations::Location],
    asked: &Asked,
    zone: &str,
) -> AppResult<Report> {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let DateWindow { from, to } = asked.window;
    let day_start = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond());
    let bound = |e: jiff::Error| AppError::caused_by("statistics window", e);
    let span = (day_start(from).map_err(bound)?, day_start(to.tomorrow().map_err(bound)?).map_err(bound)?);

    let cals: Vec<CalendarRow> = calendars::list(state, scope, asked.location_id.as_deref())
        .await?
        .into_iter()
        .filter(|c| locs.iter().any(|l| l.id == c.location_id))
        .filter(|c| scope.check(Action::ViewBookings, Object::Calendar(c.as_ref())).allowed)
        .collect();
    let ids: Vec<String> = cals.iter().map(|c| c.id.clone()).collect();
    let pool = state.db.pool();
    let tenant = scope.tenant();
    let (tallies, hourly) = repo::aggregates(pool, tenant, &ids, span).await?;
    let hours = bookings::hours_of(pool, tenant, &ids).await?;
    let away = bookings::unavailable_in(pool, tenant, &ids, span).await?;

    // Per calendar, then summed up by location, staff and service.
    let mut per_cal: HashMap<&str, Counts> = HashMap::new();
    let mut per_service: BTreeMap<String, Counts> = BTreeMap::new();
    for t in &tallies {
        per_cal.entry(t.calendar_id.as_str()).or_default().add(t);
        per_service.entry(t.service_id.clone().unwrap_or_default()).or_default().add(t);
    }
    let mut total = Counts::default();
    let mut per_loc: HashMap<&str, Counts> = HashMap::new();
    let names: HashMap<String, String> = if cals.iter().any(|c| c.member_id.is_some()) {
        members::list(pool, tenant)
            .await?
            .into_iter()
            .map(|m| (m.id, format!("{} {}", m.first_name, m.last_name)))
            .collect()
    } else {
        HashMap::new()
    };
    let mut staff = Vec::with_capacity(cals.len());
    for c in &cals {
        let mut counts = per_cal.get(c.id.as_str()).copied().unwrap_or_default();
        let cal_tz = TimeZone::get(&c.time_zone).unwrap_or_else(|_| tz.clone());
        if let Some(h) = hours.get(&c.id) {
            let away: Vec<(i64, i64)> = away.get(&c.id).into_iter().flatten().map(|a| (a.start_at, a.end_at)).collect();
            counts.open_ms = utilisation::open_ms(&cal_tz, h, &away, from, to);
        }
        total.plus(&counts);
        per_loc.entry(c.location_id.as_str()).or_default().plus(&counts);
        let label = match c.member_id.as_ref().and_then(|m| names.get(m)) {
            Some(person) if person.trim() != c.name => format!("{} · {}", person.trim(), c.name),
            _ => c.name.clone(),
        };
        staff.push(Line::new(c.id.clone(), label, counts));
    }
    let locations: Vec<Line> = locs
        .iter()
        .filter(|l| asked.location_id.as_deref().is_none_or(|id| id == l.id))
        .map(|l| Line::new(l.id.clone(), l.name.clone(), per_loc.get(l.id.as_str()).copied().unwrap_or_default()))
        .collect();
    let service_names: HashMap<String, String> =
        services::list(state, scope).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let mut services: Vec<Line> = per_service
        .into_iter()
        .map(|(id, counts)| Line::new(id.clone(), service_names.get(&id).cloned().unwrap_or_default(), counts))
        .collect();
    services
        .sort_by(|a, b| b.figures.counts.bookings.cmp(&a.figures.counts.bookings).then_with(|| a.label.cmp(&b.label)));

    let (weeks, heat) = by_week_and_hour(&tz, from, to, span.0, &hourly);
    let choices = locs.iter().map(|l| (l.id.clone(), l.name.clone())).collect();
    Ok(Report {
        from,
        to,
        zone: zone.to_string(),
        location_id: asked.location_id.clone(),
        choices,
        total: total.into(),
        weeks,
        locations,
        staff,
        services,
        heat,
    })
}

/// Spread hour counts (hours after `start_ms`, the window's first local midnight) over the
/// weeks of the window and a weekday × hour grid, in `tz`.
pub fn by_week_and_hour(
    tz: &TimeZone,
    from: Date,
    to: Date,
    start_ms: i64,
    hourly: &[(i64, i64)],
) -> (Vec<Week>, [[i64; 24]; 7]) {
    let monday_of = |d: Date| d - (d.weekday().to_monday_zero_offset() as i64).days();
    let mut weeks = Vec::new();
    let mut m = monday_of(from);
    while m <= to {
        weeks.push(Week { monday: m, kept: 0 });
        m += 7.days();
    }
    let mut heat = [[0i64; 24]; 7];
    for &(h, n) in hourly {
        let Ok(at) = jiff::Timestamp::from_millisecond(start_ms + h * HOUR_MS) else { continue };
        let local = at.to_zoned(tz.clone());
        let day = local.date();
        heat[day.weekday().to_monday_zero_offset() as usize][local.hour() as usize] += n;
        let monday = monday_of(day);
        if let Some(w) = weeks.iter_mut().find(|w| w.monday == monday) {
            w.kept += n;
        }
    }
    (weeks, heat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn hours_land_on_their_local_weekday_hour_and_week() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        // Monday 23 March 2026 00:00 in Paris (UTC+1); the clocks go forward on Sunday 29.
        let start = date(2026, 3, 23).to_zoned(tz.clone()).unwrap().timestamp().as_millisecond();
        let hourly = [
            (10, 2),             // Monday 10:00
            (24 * 6 + 10, 1),    // Sunday 29 10:00: the change is at 02:00, so 11:00 local…
            (24 * 6 + 1, 4),     // …and 01:00 before it
            (24 * 7 + 9 - 1, 3), // Monday 30 09:00 (UTC+2 now: one hour fewer after start)
        ];
        let (weeks, heat) = by_week_and_hour(&tz, date(2026, 3, 23), date(2026, 4, 5), start, &hourly);
        assert_eq!(
            weeks,
            vec![Week { monday: date(2026, 3, 23), kept: 7 }, Week { monday: date(2026, 3, 30), kept: 3 }]
        );
        assert_eq!(heat[0][10], 2);
        assert_eq!(heat[6][11], 1);
        assert_eq!(heat[6][1], 4);
        assert_eq!(heat[0][9], 3);
        assert_eq!(heat.iter().flatten().sum::<i64>(), 10);
    }

    #[test]
    fn rates_are_over_every_booking_and_utilisation_over_open_time() {
        let mut c = Counts::default();
        for (status, count, ms) in
            [("confirmed", 6, 6 * 3_600_000), ("cancelled", 3, 3 * 3_600_000), ("no_show", 1, 3_600_000)]
        {
            c.add(&Tally { calendar_id: "c".into(), service_id: None, status: status.into(), count, booked_ms: ms });
        }
        c.open_ms = 14 * 3_600_000;
        assert_eq!((c.bookings, c.kept(), c.cancelled, c.no_shows), (10, 7, 3, 1));
        assert_eq!(c.cancellation_rate(), Some(0.3));
        assert_eq!(c.no_show_rate(), Some(0.1));
        assert_eq!(c.utilisation(), Some(0.5));
        assert_eq!(Counts::default().utilisation(), None);
    }

    #[test]
    fn the_default_range_is_the_eight_weeks_up_to_this_one() {
        let a = Asked::parse(None, Some(" "), Some(""), date(2026, 12, 3)).unwrap();
        assert_eq!((a.window.from, a.window.to), (date(2026, 10, 12), date(2026, 12, 6)));
        assert!(a.location_id.is_none());
        assert!(Asked::parse(Some("2026-01-01"), Some("2027-06-01"), None, date(2026, 12, 3)).is_err());
    }
}
