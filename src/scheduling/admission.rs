//! May this time be booked? The one rule every booking passes, whoever makes it (staff page,
//! staff API, public page, manage link), pure like the engine and built on the same
//! definitions: a time the engine offers is exactly one that is on its grid and admitted here
//! (`availability_props.rs` checks it for random calendars).

use super::availability::{Busy, Hours, ServiceRule, local_end, slots_unbounded};
use jiff::{Timestamp, tz::TimeZone};

const MINUTE_MS: i64 = 60_000;

/// Why a time is refused, in the order the rule asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Sooner than the minimum notice.
    TooSoon,
    /// Later than the maximum advance.
    TooFar,
    /// Not inside one working interval of the calendar's local date.
    OutsideHours,
    /// Meets an unavailability period (with this booking's buffers).
    Unavailable,
    /// Meets another booking, extended by that booking's buffers or by this one's.
    Taken,
}

impl Refusal {
    /// The stable code callers and tests name the reason by.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::TooSoon => "too-soon",
            Refusal::TooFar => "too-far",
            Refusal::OutsideHours => "outside-hours",
            Refusal::Unavailable => "unavailable",
            Refusal::Taken => "slot-taken",
        }
    }
}

/// The time asked for: `[start, end)` and the buffers it keeps free around itself.
#[derive(Clone, Copy, Debug)]
pub struct Proposal {
    pub start_ms: i64,
    pub end_ms: i64,
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
}

/// Minimum notice and maximum advance, in minutes (a booking without a service has neither).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub min_notice_min: i64,
    pub max_advance_min: i64,
}

impl Limits {
    pub fn of(rule: &ServiceRule) -> Limits {
        Limits { min_notice_min: rule.min_notice_min, max_advance_min: rule.max_advance_min }
    }
}

/// What the calendar is: its zone, working hours, unavailability and other bookings (with
/// the buffers they were booked with) around the time asked for.
pub struct Calendar<'a> {
    pub tz: &'a TimeZone,
    pub hours: &'a Hours,
    pub unavailable: &'a [Busy],
    pub bookings: &'a [Busy],
}

/// Admit `p` on `cal` at `now`, or say why not. `lift_time_rules` (staff overriding on
/// purpose, audited by the caller) lifts notice, advance, working hours and unavailability;
/// another booking and the buffers are never lifted.
pub fn admit(
    cal: &Calendar<'_>,
    p: &Proposal,
    limits: Option<Limits>,
    now: Timestamp,
    lift_time_rules: bool,
) -> Result<(), Refusal> {
    let before = p.buffer_before_min.max(0) * MINUTE_MS;
    let after = p.buffer_after_min.max(0) * MINUTE_MS;
    if !lift_time_rules {
        if let Some(l) = limits {
            let now = now.as_millisecond();
            if p.start_ms < now.saturating_add(l.min_notice_min.max(0).saturating_mul(MINUTE_MS)) {
                return Err(Refusal::TooSoon);
            }
            if p.start_ms > now.saturating_add(l.max_advance_min.max(0).saturating_mul(MINUTE_MS)) {
                return Err(Refusal::TooFar);
            }
        }
        if !inside_hours(cal.tz, cal.hours, p.start_ms, p.end_ms) {
            return Err(Refusal::OutsideHours);
        }
        // Unavailability has no buffers of its own: it meets the booking or its buffers.
        if cal.unavailable.iter().any(|u| u.start_ms < p.end_ms + after && p.start_ms - before < u.end_ms) {
            return Err(Refusal::Unavailable);
        }
    }
    let taken = cal.bookings.iter().any(|b| {
        let (bs, be) = (b.start_ms - b.buffer_before_min * MINUTE_MS, b.end_ms + b.buffer_after_min * MINUTE_MS);
        (bs < p.end_ms && p.start_ms < be) || (b.start_ms < p.end_ms + after && p.start_ms - before < b.end_ms)
    });
    if taken { Err(Refusal::Taken) } else { Ok(()) }
}

/// Does `[start, end)` lie inside one working interval of the local date it starts on? The
/// start is compared as a wall-clock time (an interval opening inside a spring-forward gap
/// opens when the clocks show a time after it, as the engine's grid does), the end as the
/// instant the interval's end maps to.
pub fn inside_hours(tz: &TimeZone, hours: &Hours, start_ms: i64, end_ms: i64) -> bool {
    let Ok(ts) = Timestamp::from_millisecond(start_ms) else { return false };
    let local = ts.to_zoned(tz.clone());
    let (day, minute) = (local.date(), i64::from(local.hour()) * 60 + i64::from(local.minute()));
    hours.for_date(day).iter().any(|iv| {
        minute >= i64::from(iv.start_min) && local_end(tz, day, i64::from(iv.end_min)).is_some_and(|b| end_ms <= b)
    })
}

/// Is `start_ms` a start time of the engine's grid for `rule` (working hours, step, length),
/// whatever is booked? Visitors choose among offered times; this is the part of "offered"
/// that is not `admit`.
pub fn on_grid(tz: &TimeZone, hours: &Hours, rule: &ServiceRule, start_ms: i64) -> bool {
    let Ok(ts) = Timestamp::from_millisecond(start_ms) else { return false };
    let day = ts.to_zoned(tz.clone()).date();
    let (Ok(prev), Ok(next)) = (day.yesterday(), day.tomorrow()) else { return false };
    slots_unbounded(tz, hours, &[], rule, prev, next).binary_search(&start_ms).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::availability::LocalInterval;
    use jiff::civil::date;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    fn nine_to_five() -> Hours {
        let mut h = Hours::default();
        for d in 0..5 {
            h.weekly[d] = vec![LocalInterval::new(9 * 60, 17 * 60).unwrap()];
        }
        h
    }

    fn at(h: i8, m: i8) -> i64 {
        // Tuesday 3 March 2026, Paris.
        date(2026, 3, 3).at(h, m, 0, 0).to_zoned(paris()).unwrap().timestamp().as_millisecond()
    }

    fn p(start: i64, len_min: i64, before: i64, after: i64) -> Proposal {
        Proposal {
            start_ms: start,
            end_ms: start + len_min * MINUTE_MS,
            buffer_before_min: before,
            buffer_after_min: after,
        }
    }

    #[test]
    fn each_reason_in_its_order() {
        let (tz, hours) = (paris(), nine_to_five());
        let unavailable = [Busy::plain(at(12, 0), at(13, 0))];
        let bookings = [Busy { start_ms: at(15, 0), end_ms: at(15, 30), buffer_before_min: 0, buffer_after_min: 15 }];
        let cal = Calendar { tz: &tz, hours: &hours, unavailable: &unavailable, bookings: &bookings };
        let now = Timestamp::from_millisecond(at(8, 0)).unwrap();
        let limits = Some(Limits { min_notice_min: 120, max_advance_min: 7 * 24 * 60 });
        assert_eq!(admit(&cal, &p(at(9, 30), 30, 0, 0), limits, now, false), Err(Refusal::TooSoon));
        let far = at(10, 0) + 8 * 86_400_000;
        assert_eq!(admit(&cal, &p(far, 30, 0, 0), limits, now, false), Err(Refusal::TooFar));
        assert_eq!(admit(&cal, &p(at(16, 45), 30, 0, 0), limits, now, false), Err(Refusal::OutsideHours));
        assert_eq!(admit(&cal, &p(at(12, 30), 30, 0, 0), limits, now, false), Err(Refusal::Unavailable));
        // Its own buffer after meets the unavailability.
        assert_eq!(admit(&cal, &p(at(11, 30), 30, 0, 10), limits, now, false), Err(Refusal::Unavailable));
        // The booking's buffer after (until 15:45) is taken, and so is our buffer before it.
        assert_eq!(admit(&cal, &p(at(15, 30), 30, 0, 0), limits, now, false), Err(Refusal::Taken));
        assert_eq!(admit(&cal, &p(at(15, 45), 30, 20, 0), limits, now, false), Err(Refusal::Taken));
        assert_eq!(admit(&cal, &p(at(15, 45), 30, 0, 0), limits, now, false), Ok(()));
        assert_eq!(admit(&cal, &p(at(10, 7), 23, 0, 0), limits, now, false), Ok(()));
    }

    #[test]
    fn staff_lift_time_rules_never_the_bookings() {
        let (tz, hours) = (paris(), nine_to_five());
        let bookings = [Busy::plain(at(19, 0), at(19, 30))];
        let cal = Calendar { tz: &tz, hours: &hours, unavailable: &[], bookings: &bookings };
        let now = Timestamp::from_millisecond(at(18, 0)).unwrap();
        let limits = Some(Limits { min_notice_min: 120, max_advance_min: 60 });
        assert_eq!(admit(&cal, &p(at(20, 0), 30, 0, 0), limits, now, true), Ok(()));
        assert_eq!(admit(&cal, &p(at(19, 15), 30, 0, 0), limits, now, true), Err(Refusal::Taken));
        assert_eq!(admit(&cal, &p(at(19, 30), 30, 5, 0), None, now, true), Err(Refusal::Taken));
    }

    /// Found by `offered_is_on_the_grid_and_admitted`: hours opening inside the spring-forward
    /// gap open at the first time the clocks show after it, as the engine's grid does.
    #[test]
    fn hours_opening_in_the_gap_open_after_it() {
        let tz = paris();
        let mut hours = Hours::default();
        hours.weekly[6] = vec![LocalInterval::new(2 * 60 + 15, 3 * 60 + 45).unwrap()];
        let three = date(2026, 3, 29).at(3, 0, 0, 0).to_zoned(tz.clone()).unwrap().timestamp().as_millisecond();
        assert!(inside_hours(&tz, &hours, three, three + 15 * MINUTE_MS));
        assert!(inside_hours(&tz, &hours, three + 30 * MINUTE_MS, three + 45 * MINUTE_MS));
        assert!(!inside_hours(&tz, &hours, three + 30 * MINUTE_MS, three + 60 * MINUTE_MS));
        let rule = ServiceRule {
            length_min: 15,
            buffer_before_min: 0,
            buffer_after_min: 0,
            step_min: 15,
            min_notice_min: 0,
            max_advance_min: 10_000,
        };
        assert!(on_grid(&tz, &hours, &rule, three));
        // A quarter of an hour before the gap, the clocks show 01:45: not open yet.
        assert!(!inside_hours(&tz, &hours, three - 15 * MINUTE_MS, three));
    }

    #[test]
    fn an_interval_ending_at_midnight_admits_its_last_slot() {
        let tz = paris();
        let mut hours = Hours::default();
        hours.weekly[1] = vec![LocalInterval::new(22 * 60, 1440).unwrap()];
        assert!(inside_hours(&tz, &hours, at(23, 30), at(23, 30) + 30 * MINUTE_MS));
        assert!(!inside_hours(&tz, &hours, at(23, 45), at(23, 45) + 30 * MINUTE_MS));
    }
}
