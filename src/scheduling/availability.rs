//! The availability engine: a pure function over intervals.
//!
//! Working hours are local wall-clock rules of the calendar's zone; bookings, unavailability
//! and external busy times are instants. Slots are generated on the *local* grid of each
//! working interval (so 09:00 stays 09:00 across daylight-saving changes), a local time that
//! does not exist (spring-forward gap) is skipped, a local time that exists twice (fall-back
//! fold) is offered once (its first occurrence), and every slot's absolute length is checked
//! against the interval's absolute end. Output is instants (epoch milliseconds, UTC); the
//! caller presents them in whatever zone the visitor asks for.
//!
//! Cost: O(days × slots per day + busy intervals), with busy intervals given for the window
//! only — never the whole history.

use jiff::{
    Timestamp,
    civil::{Date, Weekday},
    tz::{AmbiguousOffset, TimeZone},
};
use std::collections::BTreeMap;

const MINUTE_MS: i64 = 60_000;

/// A local interval on one day: minutes after midnight, `start < end <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalInterval {
    pub start_min: u16,
    pub end_min: u16,
}

impl LocalInterval {
    pub fn new(start_min: u16, end_min: u16) -> Option<LocalInterval> {
        (start_min < end_min && end_min <= 1440).then_some(LocalInterval { start_min, end_min })
    }
}

/// Weekly working hours (several intervals a day) and date overrides (an empty list closes
/// the day).
#[derive(Clone, Debug, Default)]
pub struct Hours {
    /// Monday first.
    pub weekly: [Vec<LocalInterval>; 7],
    pub overrides: BTreeMap<Date, Vec<LocalInterval>>,
}

impl Hours {
    pub fn for_date(&self, d: Date) -> &[LocalInterval] {
        match self.overrides.get(&d) {
            Some(v) => v,
            None => &self.weekly[weekday_index(d.weekday())],
        }
    }
}

pub fn weekday_index(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}

/// Something that takes time on the calendar: a booking (with the buffers it was booked
/// with), an unavailability period or an external busy time (no buffers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    pub start_ms: i64,
    pub end_ms: i64,
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
}

impl Busy {
    pub fn plain(start_ms: i64, end_ms: i64) -> Busy {
        Busy { start_ms, end_ms, buffer_before_min: 0, buffer_after_min: 0 }
    }
}

/// What is being booked.
#[derive(Clone, Copy, Debug)]
pub struct ServiceRule {
    pub length_min: i64,
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
    /// Distance between proposed start times, on the local grid of each working interval.
    pub step_min: i64,
    /// No slot starting sooner than this after `now`.
    pub min_notice_min: i64,
    /// No slot starting later than this after `now`.
    pub max_advance_min: i64,
}

/// The window asked for: local dates of the calendar's zone, inclusive, and the instant the
/// question is asked at.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub from: Date,
    pub to: Date,
    pub now: Timestamp,
}

/// Sorted, merged half-open intervals, queried in increasing order with a moving cursor.
struct Blocked {
    spans: Vec<(i64, i64)>,
    cursor: usize,
}

impl Blocked {
    fn new(mut spans: Vec<(i64, i64)>) -> Blocked {
        spans.retain(|(s, e)| s < e);
        spans.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Blocked { spans: merged, cursor: 0 }
    }

    /// Does `[s, e)` meet a blocked span? Queries must come with non-decreasing `s`.
    fn hits(&mut self, s: i64, e: i64) -> bool {
        while self.cursor < self.spans.len() && self.spans[self.cursor].1 <= s {
            self.cursor += 1;
        }
        self.spans.get(self.cursor).is_some_and(|&(bs, _)| bs < e)
    }

    /// Like `hits`, for queries that may go backwards by a bounded amount (buffers).
    fn hits_any(&self, s: i64, e: i64) -> bool {
        let i = self.spans.partition_point(|&(_, be)| be <= s);
        self.spans.get(i).is_some_and(|&(bs, _)| bs < e)
    }
}

/// Instant of a local date and minute in `tz`; `None` when that local time does not exist
/// (a gap). In a fold, the first occurrence.
pub(super) fn local_instant(tz: &TimeZone, d: Date, minute: i64) -> Option<i64> {
    let (day, minute) = if minute >= 1440 { (d.tomorrow().ok()?, minute - 1440) } else { (d, minute) };
    let dt = day.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
    let amb = tz.to_ambiguous_timestamp(dt);
    match amb.offset() {
        AmbiguousOffset::Gap { .. } => None,
        _ => amb.earlier().ok().map(|t| t.as_millisecond()),
    }
}

/// The end of a working interval: the instant its local end time maps to (compatible
/// disambiguation: after a gap, the first occurrence in a fold).
pub(super) fn local_end(tz: &TimeZone, d: Date, minute: i64) -> Option<i64> {
    let (day, minute) = if minute >= 1440 { (d.tomorrow().ok()?, minute - 1440) } else { (d, minute) };
    let dt = day.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
    tz.to_ambiguous_timestamp(dt).compatible().ok().map(|t| t.as_millisecond())
}

/// Bookable start instants (epoch ms, ascending) for one calendar.
pub fn slots(tz: &TimeZone, hours: &Hours, busy: &[Busy], rule: &ServiceRule, window: &Window) -> Vec<i64> {
    let all = slots_unbounded(tz, hours, busy, rule, window.from, window.to);
    within(&all, rule, window.now).to_vec()
}

/// The slots of a sorted list that minimum notice and maximum advance allow at `now`: the
/// only part of the answer that depends on the time of asking, so the rest (`slots_unbounded`)
/// may be kept and reused until the calendar changes.
pub fn within<'a>(sorted: &'a [i64], rule: &ServiceRule, now: Timestamp) -> &'a [i64] {
    &sorted[within_range(sorted, rule, now)]
}

/// The positions `within` keeps.
pub fn within_range(sorted: &[i64], rule: &ServiceRule, now: Timestamp) -> std::ops::Range<usize> {
    let now = now.as_millisecond();
    let earliest = now.saturating_add(rule.min_notice_min.max(0).saturating_mul(MINUTE_MS));
    let latest = now.saturating_add(rule.max_advance_min.max(0).saturating_mul(MINUTE_MS));
    let lo = sorted.partition_point(|&s| s < earliest);
    let hi = sorted.partition_point(|&s| s <= latest).max(lo);
    lo..hi
}

/// Every start instant (epoch ms, ascending, each once) on the calendar's local dates
/// `from..=to` that fits the working hours and meets no busy time, whatever the notice and
/// advance. The answer is a set: it does not depend on the order in which the working
/// intervals produce candidates (intervals of one day may overlap, and a fold maps two grid
/// points onto one instant), so filtering it afterwards (`within`) gives the same result as
/// filtering while generating.
pub fn slots_unbounded(
    tz: &TimeZone,
    hours: &Hours,
    busy: &[Busy],
    rule: &ServiceRule,
    from: Date,
    to: Date,
) -> Vec<i64> {
    let length = rule.length_min.max(1) * MINUTE_MS;
    let step = rule.step_min.max(1);
    let before = rule.buffer_before_min.max(0) * MINUTE_MS;
    let after = rule.buffer_after_min.max(0) * MINUTE_MS;

    // A slot [s, e) must not meet another booking extended by that booking's buffers, and
    // the slot extended by its own buffers must not meet the booking itself.
    let mut extended = Blocked::new(
        busy.iter()
            .map(|b| (b.start_ms - b.buffer_before_min * MINUTE_MS, b.end_ms + b.buffer_after_min * MINUTE_MS))
            .collect(),
    );
    let raw = Blocked::new(busy.iter().map(|b| (b.start_ms, b.end_ms)).collect());

    let mut out: Vec<i64> = Vec::new();
    // The highest instant asked of `extended` with its moving cursor; an earlier candidate
    // (the grid went back) asks without the cursor.
    let mut cursor_at = i64::MIN;
    let mut sorted = true;
    let mut day = from;
    while day <= to {
        // Stored hours come sorted; copy and sort only when they do not.
        let stored = hours.for_date(day);
        let intervals: std::borrow::Cow<'_, [LocalInterval]> = if stored.is_sorted() {
            std::borrow::Cow::Borrowed(stored)
        } else {
            let mut v = stored.to_vec();
            v.sort_unstable();
            std::borrow::Cow::Owned(v)
        };
        for &iv in intervals.iter() {
            let (a, b) = (i64::from(iv.start_min), i64::from(iv.end_min));
            let Some(end_of_interval) = local_end(tz, day, b) else { continue };
            let start_of_interval = local_instant(tz, day, a);
            // Without a transition inside the interval, the grid is plain arithmetic.
            let regular = start_of_interval.is_some_and(|s0| end_of_interval - s0 == (b - a) * MINUTE_MS);
            let mut t = a;
            while t + rule.length_min <= b {
                let start = if regular {
                    start_of_interval.map(|s0| s0 + (t - a) * MINUTE_MS)
                } else {
                    local_instant(tz, day, t)
                };
                t += step;
                let Some(s) = start else { continue };
                let e = s + length;
                if e > end_of_interval {
                    continue;
                }
                let hit = if s >= cursor_at {
                    cursor_at = s;
                    extended.hits(s, e)
                } else {
                    extended.hits_any(s, e)
                };
                if hit || raw.hits_any(s - before, e + after) {
                    continue;
                }
                if out.last().is_some_and(|&prev| prev >= s) {
                    sorted = false;
                }
                out.push(s);
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    if !sorted {
        out.sort_unstable();
        out.dedup();
    }
    out
}

/// One calendar's inputs, for "anyone available".
pub struct CalendarInput<'a> {
    pub tz: &'a TimeZone,
    pub hours: &'a Hours,
    pub busy: &'a [Busy],
}

/// "Anyone available": each start instant (ascending) with the indexes (ascending) of the
/// calendars free then.
pub fn anyone(calendars: &[CalendarInput<'_>], rule: &ServiceRule, window: &Window) -> Vec<(i64, Vec<usize>)> {
    let per: Vec<Vec<i64>> = calendars.iter().map(|c| slots(c.tz, c.hours, c.busy, rule, window)).collect();
    merge(&per.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

/// The union of sorted per-calendar lists: each instant with the indexes of the lists that
/// hold it. One cursor per list: O(instants × calendars), small because calendars of one
/// location mostly share a grid (no map insert or sort per slot).
pub fn merge(per: &[&[i64]]) -> Vec<(i64, Vec<usize>)> {
    let mut out = Vec::with_capacity(per.iter().map(|v| v.len()).max().unwrap_or(0));
    merge_with(per, |t, n, at, per| {
        // Sized once: growing a list per slot would be most of this function's allocations.
        let mut free = Vec::with_capacity(n);
        free.extend((0..per.len()).filter(|&k| per[k].get(at[k].wrapping_sub(1)) == Some(&t)));
        out.push((t, free));
    });
    out
}

/// Like `merge`, with only how many lists hold each instant (the default "anyone" answer).
pub fn merge_counts(per: &[&[i64]]) -> Vec<(i64, usize)> {
    let mut out = Vec::with_capacity(per.iter().map(|v| v.len()).max().unwrap_or(0));
    merge_with(per, |t, n, _, _| out.push((t, n)));
    out
}

/// Calls `f(instant, how many lists hold it, cursors just past it, lists)` in ascending order.
fn merge_with(per: &[&[i64]], mut f: impl FnMut(i64, usize, &[usize], &[&[i64]])) {
    let mut at = vec![0usize; per.len()];
    while let Some(next) = per.iter().zip(&at).filter_map(|(v, &i)| v.get(i)).min().copied() {
        let mut n = 0;
        for (v, i) in per.iter().zip(at.iter_mut()) {
            if v.get(*i) == Some(&next) {
                n += 1;
                *i += 1;
            }
        }
        f(next, n, &at, per);
    }
}

/// Is `[start, start + length)` a slot the engine would offer? Used to refuse hand-made
/// booking requests outside hours, in unavailability, against notice or beyond advance.
pub fn is_offered(
    tz: &TimeZone,
    hours: &Hours,
    busy: &[Busy],
    rule: &ServiceRule,
    now: Timestamp,
    start_ms: i64,
) -> bool {
    let Ok(ts) = Timestamp::from_millisecond(start_ms) else { return false };
    let local = ts.to_zoned(tz.clone()).date();
    let (Ok(prev), Ok(next)) = (local.yesterday(), local.tomorrow()) else { return false };
    slots(tz, hours, busy, rule, &Window { from: prev, to: next, now }).binary_search(&start_ms).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn nine_to_five() -> Hours {
        let mut h = Hours::default();
        for d in 0..5 {
            h.weekly[d] = vec![LocalInterval::new(9 * 60, 17 * 60).unwrap()];
        }
        h
    }

    fn rule(length: i64) -> ServiceRule {
        ServiceRule {
            length_min: length,
            buffer_before_min: 0,
            buffer_after_min: 0,
            step_min: length,
            min_notice_min: 0,
            max_advance_min: 100 * 365 * 24 * 60,
        }
    }

    fn local(tz: &TimeZone, ms: i64) -> String {
        Timestamp::from_millisecond(ms).unwrap().to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M %:z").to_string()
    }

    fn at(tz: &TimeZone, d: Date, h: i8, m: i8) -> i64 {
        d.at(h, m, 0, 0).to_zoned(tz.clone()).unwrap().timestamp().as_millisecond()
    }

    #[test]
    fn plain_day_with_a_booking_and_buffers() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d = date(2026, 6, 1); // a Monday
        let now = Timestamp::from_second(0).unwrap();
        let all = slots(&tz, &nine_to_five(), &[], &rule(60), &Window { from: d, to: d, now });
        assert_eq!(all.len(), 8);
        assert_eq!(local(&tz, all[0]), "2026-06-01 09:00 +02:00");
        // A booking 11:00–12:00 with a 30-minute buffer after.
        let booked =
            Busy { start_ms: at(&tz, d, 11, 0), end_ms: at(&tz, d, 12, 0), buffer_before_min: 0, buffer_after_min: 30 };
        let mut r = rule(60);
        r.step_min = 30;
        r.buffer_before_min = 15;
        let s: Vec<String> = slots(&tz, &nine_to_five(), &[booked], &r, &Window { from: d, to: d, now })
            .iter()
            .map(|&x| local(&tz, x)[11..16].to_string())
            .collect();
        // 10:00 would end at 11:00 (touching is fine); 12:00 hits the booking's buffer; 12:30
        // starts when the buffer ends, and its own 15-minute buffer before is clear.
        assert_eq!(
            s,
            ["09:00", "09:30", "10:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
        );
    }

    /// The hour-long slots of day `d` in `zone`, working the local `(start, end)` minutes
    /// given, as local times with their offsets.
    fn hourly_slots_of_one_day(zone: &str, d: Date, intervals: &[(u16, u16)]) -> Vec<String> {
        let tz = TimeZone::get(zone).unwrap();
        let mut h = Hours::default();
        h.weekly[weekday_index(d.weekday())] =
            intervals.iter().map(|&(start, end)| LocalInterval::new(start, end).unwrap()).collect();
        let now = Timestamp::from_second(0).unwrap();
        slots(&tz, &h, &[], &rule(60), &Window { from: d, to: d, now }).iter().map(|&x| local(&tz, x)).collect()
    }

    #[test]
    fn spring_forward_skips_the_missing_hour_and_keeps_local_times() {
        // Europe/Paris, 2026-03-29: 02:00 jumps to 03:00. A night interval 00:00–06:00.
        let got = hourly_slots_of_one_day("Europe/Paris", date(2026, 3, 29), &[(0, 6 * 60), (9 * 60, 10 * 60)]);
        assert_eq!(
            got,
            [
                "2026-03-29 00:00 +01:00",
                "2026-03-29 01:00 +01:00",
                "2026-03-29 03:00 +02:00",
                "2026-03-29 04:00 +02:00",
                "2026-03-29 05:00 +02:00",
                "2026-03-29 09:00 +02:00"
            ]
        );
    }

    #[test]
    fn fall_back_offers_the_repeated_hour_once() {
        // America/New_York, 2026-11-01: 02:00 goes back to 01:00.
        let got = hourly_slots_of_one_day("America/New_York", date(2026, 11, 1), &[(0, 4 * 60)]);
        assert_eq!(
            got,
            [
                "2026-11-01 00:00 -04:00",
                "2026-11-01 01:00 -04:00",
                "2026-11-01 02:00 -05:00",
                "2026-11-01 03:00 -05:00"
            ]
        );
    }

    #[test]
    fn auckland_calendar_booked_from_paris() {
        // Pacific/Auckland leaves daylight time on 2026-04-05 (03:00 → 02:00). Hours 09–12
        // stay 09–12 local on both sides of the change.
        let tz = TimeZone::get("Pacific/Auckland").unwrap();
        let mut h = Hours::default();
        for w in 0..7 {
            h.weekly[w] = vec![LocalInterval::new(9 * 60, 12 * 60).unwrap()];
        }
        let now = Timestamp::from_second(0).unwrap();
        let got = slots(&tz, &h, &[], &rule(60), &Window { from: date(2026, 4, 4), to: date(2026, 4, 5), now });
        let auckland: Vec<String> = got.iter().map(|&x| local(&tz, x)[11..16].to_string()).collect();
        assert_eq!(auckland, ["09:00", "10:00", "11:00", "09:00", "10:00", "11:00"]);
        let paris = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(local(&paris, got[0]), "2026-04-03 22:00 +02:00");
        assert_eq!(local(&paris, got[3]), "2026-04-04 23:00 +02:00");
    }

    #[test]
    fn notice_advance_and_overrides() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d = date(2026, 6, 1);
        let now = d.at(10, 30, 0, 0).to_zoned(tz.clone()).unwrap().timestamp();
        let mut r = rule(60);
        r.min_notice_min = 120;
        r.max_advance_min = 24 * 60;
        let mut h = nine_to_five();
        h.overrides.insert(date(2026, 6, 2), vec![LocalInterval::new(14 * 60, 16 * 60).unwrap()]);
        let got: Vec<String> = slots(&tz, &h, &[], &r, &Window { from: d, to: date(2026, 6, 3), now })
            .iter()
            .map(|&x| local(&tz, x)[..16].to_string())
            .collect();
        assert_eq!(got, ["2026-06-01 13:00", "2026-06-01 14:00", "2026-06-01 15:00", "2026-06-01 16:00"]);
        // Closed by override.
        h.overrides.insert(date(2026, 6, 1), vec![]);
        r.max_advance_min = 3 * 24 * 60;
        let got = slots(&tz, &h, &[], &r, &Window { from: d, to: date(2026, 6, 2), now });
        assert_eq!(got.len(), 2);
        assert!(is_offered(&tz, &h, &[], &r, now, got[0]));
        assert!(!is_offered(&tz, &h, &[], &r, now, got[0] + 15 * MINUTE_MS));
    }
}
