//! Property tests of the availability engine.

use super::availability::*;
use jiff::{Timestamp, civil::date, tz::TimeZone};
use proptest::prelude::*;

const ZONES: [&str; 5] = ["Europe/Paris", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "UTC"];

fn hours_strategy() -> impl Strategy<Value = Hours> {
    // Per weekday, up to two non-overlapping intervals on a 15-minute grid.
    proptest::collection::vec(proptest::collection::vec((0u16..96, 1u16..40), 0..3), 7).prop_map(|days| {
        let mut h = Hours::default();
        for (i, day) in days.into_iter().enumerate() {
            let mut ivs: Vec<LocalInterval> = Vec::new();
            let mut cursor = 0u16;
            for (start_q, len_q) in day {
                let start = (cursor.max(start_q * 15)).min(1439);
                let end = (start + len_q * 15).min(1440);
                if let Some(iv) = LocalInterval::new(start, end) {
                    ivs.push(iv);
                    cursor = end;
                }
            }
            h.weekly[i] = ivs;
        }
        h
    })
}

fn busy_strategy(base_ms: i64) -> impl Strategy<Value = Vec<Busy>> {
    proptest::collection::vec((0i64..(14 * 24 * 60), 5i64..240, 0i64..45, 0i64..45), 0..40).prop_map(move |v| {
        v.into_iter()
            .map(|(start_min, len, b, a)| Busy {
                start_ms: base_ms + start_min * 60_000,
                end_ms: base_ms + (start_min + len) * 60_000,
                buffer_before_min: b,
                buffer_after_min: a,
            })
            .collect()
    })
}

/// Any intervals, overlapping and unsorted as well: the engine must not depend on how the
/// hours were entered.
fn loose_hours_strategy() -> impl Strategy<Value = Hours> {
    proptest::collection::vec(proptest::collection::vec((0u16..96, 1u16..40), 0..4), 7).prop_map(|days| {
        let mut h = Hours::default();
        for (i, day) in days.into_iter().enumerate() {
            h.weekly[i] = day
                .into_iter()
                .filter_map(|(s, l)| LocalInterval::new((s * 15).min(1439), (s * 15 + l * 15).min(1440)))
                .collect();
        }
        h
    })
}

/// The engine's rules written the slow, obvious way: every grid point of every interval,
/// checked against every busy time, gathered in a set.
fn reference(tz: &TimeZone, hours: &Hours, busy: &[Busy], rule: &ServiceRule, window: &Window) -> Vec<i64> {
    let at = |d: jiff::civil::Date, m: i64, first: bool| {
        let (d, m) = if m >= 1440 { (d.tomorrow().unwrap(), m - 1440) } else { (d, m) };
        let amb = tz.to_ambiguous_timestamp(d.at((m / 60) as i8, (m % 60) as i8, 0, 0));
        if first {
            if matches!(amb.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
                None
            } else {
                Some(amb.earlier().unwrap().as_millisecond())
            }
        } else {
            Some(amb.compatible().unwrap().as_millisecond())
        }
    };
    let now = window.now.as_millisecond();
    let (earliest, latest) = (now + rule.min_notice_min * 60_000, now + rule.max_advance_min * 60_000);
    let mut out = std::collections::BTreeSet::new();
    let mut day = window.from;
    while day <= window.to {
        for iv in hours.for_date(day) {
            let (a, b) = (i64::from(iv.start_min), i64::from(iv.end_min));
            let end = at(day, b, false).unwrap();
            let mut t = a;
            while t + rule.length_min <= b {
                if let Some(s) = at(day, t, true) {
                    let e = s + rule.length_min * 60_000;
                    let meets = |a: (i64, i64), b: (i64, i64)| a.0 < b.1 && b.0 < a.1;
                    let clear = busy.iter().all(|x| {
                        let theirs =
                            (x.start_ms - x.buffer_before_min * 60_000, x.end_ms + x.buffer_after_min * 60_000);
                        let ours = (s - rule.buffer_before_min * 60_000, e + rule.buffer_after_min * 60_000);
                        !meets((s, e), theirs) && !meets(ours, (x.start_ms, x.end_ms))
                    });
                    if e <= end && clear && s >= earliest && s <= latest {
                        out.insert(s);
                    }
                }
                t += rule.step_min;
            }
        }
        day = day.tomorrow().unwrap();
    }
    out.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn slots_are_free_inside_hours_and_zone_independent(
        zone in 0usize..ZONES.len(),
        ask_zone in 0usize..ZONES.len(),
        hours in hours_strategy(),
        busy in busy_strategy(1_774_000_000_000),
        length in prop_oneof![Just(15i64), Just(30), Just(45), Just(60), Just(90)],
        step in prop_oneof![Just(15i64), Just(30), Just(60)],
        before in 0i64..30,
        after in 0i64..30,
        start_day in 0i16..20,
    ) {
        let tz = TimeZone::get(ZONES[zone]).unwrap();
        // Windows that cross the March daylight-saving changes of both hemispheres.
        let from = date(2026, 3, 20).checked_add(jiff::Span::new().days(start_day)).unwrap();
        let to = from.checked_add(jiff::Span::new().days(13)).unwrap();
        let rule = ServiceRule { length_min: length, buffer_before_min: before, buffer_after_min: after, step_min: step, min_notice_min: 0, max_advance_min: 10 * 365 * 24 * 60 };
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let got = slots(&tz, &hours, &busy, &rule, &Window { from, to, now });

        // Sorted and unique.
        prop_assert!(got.windows(2).all(|w| w[0] < w[1]));
        for &s in &got {
            let e = s + length * 60_000;
            // No overlap with any busy time, buffers on both sides respected.
            for b in &busy {
                let b_start = b.start_ms - b.buffer_before_min * 60_000;
                let b_end = b.end_ms + b.buffer_after_min * 60_000;
                prop_assert!(!(s < b_end && b_start < e), "slot meets a booking's buffered time");
                prop_assert!(!(s - before * 60_000 < b.end_ms && b.start_ms < e + after * 60_000), "slot's buffers meet a booking");
            }
            // Inside one working interval of its local date, start and end, compared as
            // instants: on a spring-forward night an interval ending at 02:00 really ends at
            // the gap (03:00 local), and a slot may end there.
            let zs = Timestamp::from_millisecond(s).unwrap().to_zoned(tz.clone());
            let instant = |m: u16, earlier: bool| {
                let (day, m) = if m >= 1440 { (zs.date().tomorrow().unwrap(), m - 1440) } else { (zs.date(), m) };
                let amb = tz.to_ambiguous_timestamp(day.at((m / 60) as i8, (m % 60) as i8, 0, 0));
                let t = if earlier { amb.earlier() } else { amb.compatible() };
                t.unwrap().as_millisecond()
            };
            let inside = hours.for_date(zs.date()).iter().any(|iv| instant(iv.start_min, true) <= s && e <= instant(iv.end_min, false));
            prop_assert!(inside, "slot {} outside working hours", zs);
            prop_assert!(zs.date() >= from && zs.date() <= to);
        }
        // Asked in any zone, the same instants: presenting in another zone and reading back
        // gives the slots unchanged.
        let other = TimeZone::get(ZONES[ask_zone]).unwrap();
        let round: Vec<i64> = got.iter().map(|&s| {
            let shown = Timestamp::from_millisecond(s).unwrap().to_zoned(other.clone()).to_string();
            shown.parse::<jiff::Zoned>().unwrap().timestamp().as_millisecond()
        }).collect();
        prop_assert_eq!(&round, &got);
        // The engine agrees with itself on each offered slot.
        for &s in got.iter().take(5) {
            prop_assert!(is_offered(&tz, &hours, &busy, &rule, now, s));
        }
    }

    #[test]
    fn anyone_lists_exactly_the_calendars_free_at_each_instant(
        zones in proptest::collection::vec(0usize..ZONES.len(), 1..5),
        hours in proptest::collection::vec(hours_strategy(), 5),
        busy in proptest::collection::vec(busy_strategy(1_774_000_000_000), 5),
    ) {
        let tzs: Vec<TimeZone> = zones.iter().map(|&z| TimeZone::get(ZONES[z]).unwrap()).collect();
        let from = date(2026, 3, 25);
        let window = Window { from, to: from.checked_add(jiff::Span::new().days(6)).unwrap(), now: Timestamp::from_second(1_700_000_000).unwrap() };
        let rule = ServiceRule { length_min: 30, buffer_before_min: 5, buffer_after_min: 10, step_min: 15, min_notice_min: 0, max_advance_min: 10 * 365 * 24 * 60 };
        let inputs: Vec<CalendarInput<'_>> = tzs.iter().enumerate().map(|(i, tz)| CalendarInput { tz, hours: &hours[i], busy: &busy[i] }).collect();
        let got = anyone(&inputs, &rule, &window);
        prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "instants ascending and unique");
        // The same as asking each calendar alone.
        let mut want: std::collections::BTreeMap<i64, Vec<usize>> = std::collections::BTreeMap::new();
        for (i, c) in inputs.iter().enumerate() {
            for s in slots(c.tz, c.hours, c.busy, &rule, &window) {
                want.entry(s).or_default().push(i);
            }
        }
        prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    }

    /// The engine (sorted cursors, plain arithmetic between transitions, notice and advance
    /// applied last so the rest can be kept) gives exactly the obvious answer, for any
    /// moment of asking inside the window, on daylight-saving weeks, with overlapping hours.
    #[test]
    fn the_engine_matches_the_obvious_rules_at_any_moment_of_asking(
        zone in 0usize..ZONES.len(),
        hours in loose_hours_strategy(),
        busy in busy_strategy(1_774_000_000_000),
        length in prop_oneof![Just(15i64), Just(30), Just(45), Just(60), Just(90)],
        step in prop_oneof![Just(10i64), Just(15), Just(30), Just(45), Just(60)],
        before in 0i64..30,
        after in 0i64..30,
        start_day in 0i16..20,
        notice in 0i64..(3 * 24 * 60),
        advance in 0i64..(10 * 24 * 60),
        asked_at in 0i64..(14 * 24 * 60),
    ) {
        let tz = TimeZone::get(ZONES[zone]).unwrap();
        let from = date(2026, 3, 20).checked_add(jiff::Span::new().days(start_day)).unwrap();
        let to = from.checked_add(jiff::Span::new().days(13)).unwrap();
        let rule = ServiceRule { length_min: length, buffer_before_min: before, buffer_after_min: after, step_min: step, min_notice_min: notice, max_advance_min: advance };
        let now = Timestamp::from_millisecond(from.to_zoned(tz.clone()).unwrap().timestamp().as_millisecond() + asked_at * 60_000).unwrap();
        let window = Window { from, to, now };
        let want = reference(&tz, &hours, &busy, &rule, &window);
        prop_assert_eq!(&slots(&tz, &hours, &busy, &rule, &window), &want);
        // What is kept (before notice and advance) and bounded later is the same answer.
        let kept = slots_unbounded(&tz, &hours, &busy, &rule, from, to);
        prop_assert_eq!(within(&kept, &rule, now), &want[..]);
        // Counting and listing agree.
        let other = slots_unbounded(&tz, &hours, &[], &rule, from, to);
        let per = [within(&kept, &rule, now), within(&other, &rule, now)];
        let counts: Vec<(i64, usize)> = merge(&per).into_iter().map(|(t, v)| (t, v.len())).collect();
        prop_assert_eq!(merge_counts(&per), counts);
    }

    /// One rule: a time the engine offers is exactly one on its grid that `admission::admit`
    /// lets anybody book, so staff and visitors are refused for the same reasons.
    #[test]
    fn offered_is_on_the_grid_and_admitted(
        zone in 0usize..ZONES.len(),
        hours in loose_hours_strategy(),
        bookings in busy_strategy(1_774_000_000_000),
        unavailable in busy_strategy(1_774_000_000_000),
        length in prop_oneof![Just(15i64), Just(30), Just(45), Just(60)],
        step in prop_oneof![Just(15i64), Just(30), Just(45)],
        before in 0i64..30,
        after in 0i64..30,
        notice in 0i64..(2 * 24 * 60),
        advance in 0i64..(8 * 24 * 60),
        asked in proptest::collection::vec(0i64..(10 * 24 * 4), 40),
    ) {
        use crate::scheduling::admission::{self, Calendar, Limits, Proposal};
        let tz = TimeZone::get(ZONES[zone]).unwrap();
        let unavailable: Vec<Busy> = unavailable.into_iter().take(4).map(|u| Busy::plain(u.start_ms, u.end_ms)).collect();
        let rule = ServiceRule { length_min: length, buffer_before_min: before, buffer_after_min: after, step_min: step, min_notice_min: notice, max_advance_min: advance };
        let base = date(2026, 3, 24).to_zoned(tz.clone()).unwrap().timestamp().as_millisecond();
        let now = Timestamp::from_millisecond(base).unwrap();
        let busy: Vec<Busy> = bookings.iter().chain(unavailable.iter()).copied().collect();
        let cal = Calendar { tz: &tz, hours: &hours, unavailable: &unavailable, bookings: &bookings };
        for q in asked {
            let s = base + q * 15 * 60_000;
            let p = Proposal { start_ms: s, end_ms: s + length * 60_000, buffer_before_min: before, buffer_after_min: after };
            let admitted = admission::admit(&cal, &p, Some(Limits::of(&rule)), now, false).is_ok();
            prop_assert_eq!(
                is_offered(&tz, &hours, &busy, &rule, now, s),
                admission::on_grid(&tz, &hours, &rule, s) && admitted,
                "at {}", Timestamp::from_millisecond(s).unwrap().to_zoned(tz.clone())
            );
        }
    }
}
