//! Availability engine figures: `cargo bench --bench availability`.
//! Targets (2-core machine): one calendar, 31 days, 300 bookings, 10 unavailability periods
//! ≤ 100 µs; "anyone" over 50 calendars, 31 days ≤ 5 ms.
// Tests and benchmarks may unwrap: a panic is their way to fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use creneau::scheduling::availability::{
    Busy, CalendarInput, Hours, LocalInterval, ServiceRule, Window, anyone, slots,
};
use jiff::{Timestamp, civil::date, tz::TimeZone};
use std::{hint::black_box, time::Instant};

fn hours() -> Hours {
    let mut h = Hours::default();
    for d in 0..6 {
        h.weekly[d] =
            vec![LocalInterval::new(9 * 60, 12 * 60 + 30).unwrap(), LocalInterval::new(13 * 60 + 30, 19 * 60).unwrap()];
    }
    h
}

/// 300 bookings of 30–60 minutes spread over working hours, and 10 unavailability periods.
fn busy(tz: &TimeZone, seed: u64) -> Vec<Busy> {
    let mut x = seed;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut v = Vec::new();
    for _ in 0..300 {
        let day = (next() % 31) as i16;
        let d = date(2026, 3, 1).checked_add(jiff::Span::new().days(day)).unwrap();
        let minute = 9 * 60 + (next() % (9 * 4)) as i64 * 15;
        let start = d
            .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp()
            .as_millisecond();
        let len = [30, 45, 60][(next() % 3) as usize];
        v.push(Busy { start_ms: start, end_ms: start + len * 60_000, buffer_before_min: 0, buffer_after_min: 10 });
    }
    for i in 0..10 {
        let d = date(2026, 3, 2).checked_add(jiff::Span::new().days(i * 3)).unwrap();
        let s = d.at(14, 0, 0, 0).to_zoned(tz.clone()).unwrap().timestamp().as_millisecond();
        v.push(Busy::plain(s, s + 3 * 3_600_000));
    }
    v.sort_by_key(|b| b.start_ms);
    v
}

fn time<F: FnMut() -> usize>(name: &str, iterations: u32, mut f: F) {
    for _ in 0..iterations / 10 {
        black_box(f());
    }
    let mut samples = Vec::with_capacity(iterations as usize);
    let mut produced = 0;
    for _ in 0..iterations {
        let t = Instant::now();
        produced = black_box(f());
        samples.push(t.elapsed());
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!("{name:<58} median {:>9.1?}  p99 {:>9.1?}  ({produced} slots)", p(0.5), p(0.99));
}

fn main() {
    let tz = TimeZone::get("Europe/Paris").unwrap();
    let h = hours();
    let rule = ServiceRule {
        length_min: 30,
        buffer_before_min: 0,
        buffer_after_min: 10,
        step_min: 15,
        min_notice_min: 60,
        max_advance_min: 90 * 24 * 60,
    };
    let window = Window {
        from: date(2026, 3, 1),
        to: date(2026, 3, 31),
        now: "2026-02-27T08:00:00Z".parse::<Timestamp>().unwrap(),
    };
    let one = busy(&tz, 42);
    time("one calendar, 31 days (DST inside), 300 bookings, 10 periods", 2000, || {
        slots(&tz, &h, &one, &rule, &window).len()
    });

    let many: Vec<Vec<Busy>> = (0..50).map(|i| busy(&tz, 1000 + i)).collect();
    let inputs: Vec<CalendarInput<'_>> = many.iter().map(|b| CalendarInput { tz: &tz, hours: &h, busy: b }).collect();
    time("\"anyone\" over 50 calendars, 31 days", 200, || anyone(&inputs, &rule, &window).len());
}
