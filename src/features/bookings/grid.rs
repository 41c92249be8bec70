//! The grid of the calendar views, a pure function: 15-minute rows in the calendar's own
//! time zone, a booking one cell spanning its rows, a free row a link to the booking form, a
//! local time that does not exist (the skipped hour of a spring-forward day) no cell at all;
//! and the dates in words the views print.

use super::{repo::Away, service::BookingRow};
use crate::{
    clock::to_ms,
    error::{AppError, AppResult},
    features::calendars::service::CalendarRow,
    i18n::Tr,
    scheduling::availability::Hours,
    state::AppState,
};
use jiff::{
    Zoned,
    civil::{Date, DateTime, Time},
    tz::{AmbiguousOffset, TimeZone},
};

/// Minutes per grid row.
pub(super) const STEP: i64 = 15;

// ---------------------------------------------------------------- dates in words

/// "lun. 2" / "Mon 2": a column heading.
pub(super) fn short_date(t: Tr, d: Date) -> String {
    t.fmt(
        "date.short",
        &[("weekday", t.weekday_short(d.weekday().to_monday_one_offset())), ("day", &d.day().to_string())],
    )
}

pub(super) use crate::types::format_hhmm as hhmm;

pub(super) fn zone_of(cal: &CalendarRow) -> TimeZone {
    TimeZone::get(&cal.time_zone).unwrap_or(TimeZone::UTC)
}

pub(super) fn civil(d: Date, min: i64) -> DateTime {
    let min = min.clamp(0, 1439);
    d.to_datetime(Time::constant((min / 60) as i8, (min % 60) as i8, 0, 0))
}

/// The instant of local `min` minutes after midnight on `d` (1440 = next midnight); `None` for
/// a local time the zone skips.
pub(super) fn instant(tz: &TimeZone, d: Date, min: i64) -> Option<i64> {
    let (d, min) = if min >= 1440 { (d.tomorrow().ok()?, min - 1440) } else { (d, min) };
    let az = tz.to_ambiguous_zoned(civil(d, min));
    if matches!(az.offset(), AmbiguousOffset::Gap { .. }) {
        return None;
    }
    az.compatible().ok().map(|z| z.timestamp().as_millisecond())
}

pub(super) fn zoned(ms: i64, tz: &TimeZone) -> Option<Zoned> {
    jiff::Timestamp::from_millisecond(ms).ok().map(|t| t.to_zoned(tz.clone()))
}

/// Minutes after local midnight of `d` at which `ms` falls, clamped to the day.
pub(super) fn minute_on(ms: i64, d: Date, tz: &TimeZone) -> i64 {
    let Some(z) = zoned(ms, tz) else { return 0 };
    match z.date().cmp(&d) {
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Greater => 1440,
        std::cmp::Ordering::Equal => i64::from(z.hour()) * 60 + i64::from(z.minute()),
    }
}

pub(super) fn today(state: &AppState, tz: &TimeZone) -> Date {
    jiff::Timestamp::from_millisecond(to_ms(state.now())).map(|t| t.to_zoned(tz.clone()).date()).unwrap_or_default()
}

/// A date asked in the address; anything else (out of the years we compute with included)
/// shows today.
pub(super) fn parse_date(v: Option<&str>) -> Option<Date> {
    v.and_then(|s| crate::types::BoundedDate::parse("date", s).ok()).map(|d| d.get())
}

/// A local date and "HH:MM" in the calendar's zone as an RFC 3339 instant for the service;
/// a time the zone skips is refused rather than silently moved.
pub(super) fn local_instant(tz: &TimeZone, date: &str, time: &str) -> AppResult<String> {
    let d = crate::types::BoundedDate::parse("date", date).map_err(|e| AppError::Validation(vec![e]))?.get();
    let min = crate::types::parse_hhmm("time", time.trim())
        .ok()
        .filter(|m| *m < 1440)
        .ok_or_else(|| AppError::field("time", "invalid-time", "Use a time such as 09:30."))?;
    let ms = instant(tz, d, min)
        .ok_or_else(|| AppError::field("time", "skipped-time", "This local time does not exist on that day."))?;
    Ok(jiff::Timestamp::from_millisecond(ms).map_err(AppError::internal)?.to_string())
}

// ---------------------------------------------------------------- the grid

/// A booking as shown in a view.
#[derive(Clone)]
pub(super) struct Item {
    pub(super) id: String,
    pub(super) time: String,
    pub(super) title: String,
    pub(super) detail: String,
    pub(super) no_show: bool,
}

pub(super) enum Cell {
    /// A free quarter: `time` is shown on full hours; `closed` outside working hours or
    /// inside an unavailability period (still bookable by staff with an override); `away`
    /// the period's reason inside one, `away_start` on the first quarter of it in a column
    /// (where the reason is written).
    Free {
        date: String,
        time: String,
        label: String,
        show_time: bool,
        closed: bool,
        away: Option<String>,
        away_start: bool,
        /// The column (cells skip the rows a booking above covers, so their index is not it).
        col: usize,
        /// Where a new booking here is made, when the reader may book (set by the page).
        href: Option<String>,
    },
    /// One or more bookings spanning `rows` rows.
    Bookings { rows: usize, items: Vec<Item> },
    /// A row past this column's end, or a local time the zone skips.
    Blank,
}

pub(super) struct GridRow {
    /// Row heading (the time) for views whose columns share their times.
    pub(super) head: Option<String>,
    pub(super) cells: Vec<Cell>,
}

pub(super) struct Column {
    pub(super) heading: String,
    pub(super) date: Date,
    pub(super) from: i64,
    pub(super) to: i64,
    /// Which of `build_grid`'s sources (hours and absences) the column shows.
    pub(super) source: usize,
    /// Only this calendar's bookings (a location's day: a column per calendar); None: all.
    pub(super) calendar: Option<String>,
}

impl Column {
    /// A column of one calendar's view (every booking, the first source).
    pub(super) fn new(heading: String, date: Date, from: i64, to: i64) -> Column {
        Column { heading, date, from, to, source: 0, calendar: None }
    }
}

/// What decides open, closed and away for a column: a calendar's hours and absences.
pub(super) struct Source<'a> {
    pub(super) hours: &'a Hours,
    pub(super) away: &'a [Away],
}

pub(super) struct Grid {
    pub(super) columns: Vec<String>,
    pub(super) shared_times: bool,
    pub(super) rows: Vec<GridRow>,
    /// Bookings of the period that fall outside the visible hours (listed, never hidden).
    pub(super) outside: Vec<Item>,
}

impl Grid {
    /// Give each free cell the address of a new booking there: `href(column, date, time)`.
    pub(super) fn link_free(&mut self, href: impl Fn(usize, &str, &str) -> Option<String>) {
        for row in &mut self.rows {
            for cell in &mut row.cells {
                if let Cell::Free { date, time, col, href: h, .. } = cell {
                    *h = href(*col, date, time);
                }
            }
        }
    }
}

pub(super) struct Placed {
    pub(super) col: usize,
    pub(super) r0: usize,
    pub(super) r1: usize,
    pub(super) item: Item,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build_grid(
    t: Tr,
    tz: &TimeZone,
    cols: &[Column],
    shared_times: bool,
    sources: &[Source<'_>],
    bookings: &[(BookingRow, Item)],
) -> Grid {
    let rows_of = |c: &Column| ((c.to - c.from).max(0) + STEP - 1) / STEP;
    let n_rows = cols.iter().map(rows_of).max().unwrap_or(0) as usize;
    // Place bookings: per column, sorted by start; a booking starting inside an earlier
    // cell joins it (the cell grows), so cells never collide.
    let mut placed: Vec<Placed> = Vec::new();
    let mut outside = Vec::new();
    for (b, item) in bookings {
        let mut shown = false;
        for (ci, c) in cols.iter().enumerate() {
            if c.calendar.as_ref().is_some_and(|cal| *cal != b.calendar_id) {
                continue;
            }
            let s = minute_on(b.start_at, c.date, tz).max(c.from);
            let e = minute_on(b.end_at, c.date, tz).min(c.to);
            if e <= s || minute_on(b.end_at, c.date, tz) == 0 {
                continue;
            }
            let r0 = ((s - c.from) / STEP) as usize;
            let r1 = (((e - c.from) + STEP - 1) / STEP).max(r0 as i64 + 1) as usize;
            placed.push(Placed { col: ci, r0, r1, item: item.clone() });
            shown = true;
        }
        if !shown {
            outside.push(item.clone());
        }
    }
    placed.sort_by_key(|p| (p.col, p.r0));
    let mut blocks: Vec<Vec<(usize, usize, Vec<Item>)>> = vec![Vec::new(); cols.len()];
    for p in placed {
        let col = &mut blocks[p.col];
        match col.last_mut() {
            Some((_, r1, items)) if p.r0 < *r1 => {
                *r1 = (*r1).max(p.r1);
                items.push(p.item);
            }
            _ => col.push((p.r0, p.r1, vec![p.item])),
        }
    }
    let mut rows = Vec::with_capacity(n_rows);
    // Per column: whether the quarter above was inside an absence.
    let mut away_above = vec![false; cols.len()];
    for r in 0..n_rows {
        let mut cells = Vec::with_capacity(cols.len());
        for (ci, c) in cols.iter().enumerate() {
            let min = c.from + r as i64 * STEP;
            if let Some((r0, r1, items)) = blocks[ci].iter().find(|(r0, r1, _)| *r0 <= r && r < *r1) {
                if *r0 == r {
                    cells.push(Cell::Bookings { rows: r1.min(&(rows_of(c) as usize)) - r0, items: items.clone() });
                }
                continue; // covered by the cell above
            }
            if min >= c.to {
                cells.push(Cell::Blank);
                continue;
            }
            let Some(at) = instant(tz, c.date, min) else {
                cells.push(Cell::Blank);
                continue;
            };
            let end = at + STEP * 60_000;
            let Some(src) = sources.get(c.source) else {
                cells.push(Cell::Blank);
                continue;
            };
            let working = src
                .hours
                .for_date(c.date)
                .iter()
                .any(|iv| i64::from(iv.start_min) <= min && min + STEP <= i64::from(iv.end_min));
            let away = src
                .away
                .iter()
                .find(|u| u.start_at < end && at < u.end_at)
                .map(|u| if u.reason.is_empty() { t.get("view.away").to_string() } else { u.reason.clone() });
            let away_start = away.is_some() && !away_above[ci];
            away_above[ci] = away.is_some();
            let time = hhmm(min);
            cells.push(Cell::Free {
                date: c.date.to_string(),
                label: t.fmt("view.new_at", &[("day", &t.long_date(c.date)), ("time", &time)]),
                show_time: min % 60 == 0 && !shared_times,
                time,
                closed: !working || away.is_some(),
                away,
                away_start,
                col: ci,
                href: None,
            });
        }
        let head = shared_times.then(|| cols.first().map(|c| hhmm(c.from + r as i64 * STEP))).flatten();
        rows.push(GridRow { head, cells });
    }
    Grid { columns: cols.iter().map(|c| c.heading.clone()).collect(), shared_times, rows, outside }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::availability::LocalInterval;

    fn row(id: &str, start: &str, end: &str) -> (BookingRow, Item) {
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let b = BookingRow {
            id: id.into(),
            location_id: "l".into(),
            calendar_id: "c".into(),
            service_id: None,
            client_id: None,
            start_at: ms(start),
            end_at: ms(end),
            buffer_before_min: 0,
            buffer_after_min: 0,
            status: "confirmed".into(),
            notes: String::new(),
            source: "staff".into(),
            created_at: 0,
        };
        let item = Item { id: id.into(), time: String::new(), title: id.into(), detail: String::new(), no_show: false };
        (b, item)
    }

    fn spans(g: &Grid) -> Vec<(usize, usize, Vec<String>)> {
        let mut out = Vec::new();
        for (r, row) in g.rows.iter().enumerate() {
            for c in &row.cells {
                if let Cell::Bookings { rows, items } = c {
                    out.push((r, *rows, items.iter().map(|i| i.id.clone()).collect()));
                }
            }
        }
        out
    }

    #[test]
    fn bookings_span_their_quarters_and_close_neighbours_share_a_cell() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d: Date = "2026-03-03".parse().unwrap();
        let cols = [Column::new("x".into(), d, 8 * 60, 12 * 60)];
        let mut hours = Hours::default();
        hours.weekly[1].push(LocalInterval::new(9 * 60, 12 * 60).unwrap());
        let bookings = [
            row("a", "2026-03-03T08:00:00Z", "2026-03-03T08:30:00Z"), // 09:00–09:30 Paris
            row("b", "2026-03-03T09:00:00Z", "2026-03-03T09:10:00Z"), // 10:00–10:10
            row("c", "2026-03-03T09:10:00Z", "2026-03-03T09:40:00Z"), // 10:10–10:40, same first quarter
            row("d", "2026-03-03T13:00:00Z", "2026-03-03T14:00:00Z"), // 14:00, outside 08–12
        ];
        let g =
            build_grid(Tr(crate::types::Lang::En), &tz, &cols, true, &[Source { hours: &hours, away: &[] }], &bookings);
        assert_eq!(g.rows.len(), 16);
        assert_eq!(spans(&g), vec![(4, 2, vec!["a".into()]), (8, 3, vec!["b".into(), "c".into()])]);
        assert_eq!(g.outside.len(), 1);
        // Every row has exactly one cell or a covering cell: 16 rows, 2 + 3 covered rows.
        let cells: usize = g.rows.iter().map(|r| r.cells.len()).sum();
        assert_eq!(cells, 16 - (2 - 1) - (3 - 1));
        // 08:00 is outside working hours, 09:45 inside.
        assert!(matches!(&g.rows[0].cells[0], Cell::Free { closed: true, .. }));
        assert!(matches!(&g.rows[7].cells[0], Cell::Free { closed: false, .. }));
    }

    #[test]
    fn absences_show_their_reason_once_per_block_apart_from_closed_hours() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d: Date = "2026-03-03".parse().unwrap();
        let cols = [Column::new("x".into(), d, 9 * 60, 12 * 60)];
        let mut hours = Hours::default();
        hours.weekly[1].push(LocalInterval::new(9 * 60, 11 * 60).unwrap());
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        // 10:00–10:30 Paris, sick leave.
        let away = [Away {
            start_at: ms("2026-03-03T09:00:00Z"),
            end_at: ms("2026-03-03T09:30:00Z"),
            reason: "Arrêt maladie".into(),
        }];
        let g = build_grid(Tr(crate::types::Lang::Fr), &tz, &cols, true, &[Source { hours: &hours, away: &away }], &[]);
        let seen: Vec<(bool, Option<String>, bool)> = g
            .rows
            .iter()
            .map(|r| match &r.cells[0] {
                Cell::Free { closed, away, away_start, .. } => (*closed, away.clone(), *away_start),
                _ => panic!("only free cells"),
            })
            .collect();
        let sick = Some("Arrêt maladie".to_string());
        assert_eq!(seen[3], (false, None, false), "09:45 is open");
        assert_eq!(seen[4], (true, sick.clone(), true), "10:00 starts the absence, with its reason");
        assert_eq!(seen[5], (true, sick, false), "10:15 continues it without repeating");
        assert_eq!(seen[6], (false, None, false), "10:30 is open again");
        assert_eq!(seen[8], (true, None, false), "11:00 is closed hours, not an absence");
    }

    #[test]
    fn the_skipped_hour_has_no_cell_and_times_stay_local() {
        // 2026-03-29: Paris skips 02:00–03:00.
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d: Date = "2026-03-29".parse().unwrap();
        let cols = [Column::new("x".into(), d, 60, 4 * 60)];
        let g = build_grid(
            Tr(crate::types::Lang::En),
            &tz,
            &cols,
            true,
            &[Source { hours: &Hours::default(), away: &[] }],
            &[],
        );
        let blanks = g.rows.iter().filter(|r| matches!(r.cells[0], Cell::Blank)).count();
        assert_eq!(blanks, 4, "02:00, 02:15, 02:30, 02:45 do not exist");
        assert_eq!(local_instant(&tz, "2026-03-29", "03:00").unwrap(), "2026-03-29T01:00:00Z");
        assert!(local_instant(&tz, "2026-03-29", "02:30").is_err());
        assert_eq!(local_instant(&tz, "2026-07-01", "09:00").unwrap(), "2026-07-01T07:00:00Z");
    }
}
