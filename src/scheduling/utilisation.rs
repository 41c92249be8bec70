//! Open time: how long a calendar's working hours keep it open over some days, less its
//! unavailability — the denominator of utilisation (booked time over open time). Pure, on
//! the engine's definitions (hours in the calendar's zone, date overrides, half-open
//! intervals in epoch milliseconds).

use super::availability::{Hours, local_end};
use jiff::{civil::Date, tz::TimeZone};

/// The open intervals of `hours` on the days `from..=to` in `tz`, ascending and disjoint.
pub fn open_intervals(tz: &TimeZone, hours: &Hours, from: Date, to: Date) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    let mut day = from;
    while day <= to {
        let mut today: Vec<(i64, i64)> = hours
            .for_date(day)
            .iter()
            .filter_map(|iv| {
                let s = local_end(tz, day, i64::from(iv.start_min))?;
                let e = local_end(tz, day, i64::from(iv.end_min))?;
                (s < e).then_some((s, e))
            })
            .collect();
        today.sort_unstable();
        for (s, e) in today {
            match out.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// Milliseconds the calendar is open on `from..=to`, outside every `unavailable` interval.
pub fn open_ms(tz: &TimeZone, hours: &Hours, unavailable: &[(i64, i64)], from: Date, to: Date) -> i64 {
    let mut away: Vec<(i64, i64)> = unavailable.iter().copied().filter(|(s, e)| s < e).collect();
    away.sort_unstable();
    let mut total = 0;
    let mut first = 0;
    for (s, e) in open_intervals(tz, hours, from, to) {
        // Intervals ending before this one can never meet a later one either.
        while first < away.len() && away[first].1 <= s {
            first += 1;
        }
        let mut covered = 0;
        let mut reach = s;
        for &(a, b) in &away[first..] {
            if a >= e {
                break;
            }
            let (a, b) = (a.max(reach), b.min(e));
            if b > a {
                covered += b - a;
                reach = b;
            }
        }
        total += (e - s) - covered;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::availability::LocalInterval;
    use jiff::civil::date;

    const HOUR: i64 = 3_600_000;

    fn weekdays(start_min: u16, end_min: u16) -> Hours {
        let mut h = Hours::default();
        for d in 0..5 {
            h.weekly[d] = vec![LocalInterval::new(start_min, end_min).unwrap()];
        }
        h
    }

    fn at(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn a_week_of_eight_hour_days_is_forty_hours() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let h = weekdays(9 * 60, 17 * 60);
        // Monday 2 to Sunday 8 March 2026.
        assert_eq!(open_ms(&tz, &h, &[], date(2026, 3, 2), date(2026, 3, 8)), 40 * HOUR);
        assert_eq!(
            open_intervals(&tz, &h, date(2026, 3, 2), date(2026, 3, 2)),
            vec![(at("2026-03-02T08:00:00Z"), at("2026-03-02T16:00:00Z"))]
        );
    }

    #[test]
    fn overrides_and_unavailability_take_their_share() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let mut h = weekdays(9 * 60, 17 * 60);
        // Wednesday closed, Thursday 10:00–12:00 and 14:00–15:00 only.
        h.overrides.insert(date(2026, 3, 4), vec![]);
        h.overrides.insert(
            date(2026, 3, 5),
            vec![LocalInterval::new(14 * 60, 15 * 60).unwrap(), LocalInterval::new(10 * 60, 12 * 60).unwrap()],
        );
        // Away Monday 16:00 to Tuesday 10:00 (two hours of open time), and twice over the same
        // Friday hour (counted once).
        let away = [
            (at("2026-03-02T15:00:00Z"), at("2026-03-03T09:00:00Z")),
            (at("2026-03-06T09:00:00Z"), at("2026-03-06T10:00:00Z")),
            (at("2026-03-06T09:30:00Z"), at("2026-03-06T09:45:00Z")),
        ];
        let open = open_ms(&tz, &h, &away, date(2026, 3, 2), date(2026, 3, 8));
        // Monday 8, Tuesday 8, Wednesday 0, Thursday 3, Friday 8; less 2 h and 1 h away.
        assert_eq!(open, 27 * HOUR - 2 * HOUR - HOUR);
    }

    #[test]
    fn the_spring_change_shortens_a_night_shift_by_an_hour() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let mut h = Hours::default();
        // Sunday 00:00–06:00: on 29 March 2026 02:00 does not exist, so the day is five hours.
        h.weekly[6] = vec![LocalInterval::new(0, 6 * 60).unwrap()];
        assert_eq!(open_ms(&tz, &h, &[], date(2026, 3, 29), date(2026, 3, 29)), 5 * HOUR);
        assert_eq!(open_ms(&tz, &h, &[], date(2026, 3, 22), date(2026, 3, 22)), 6 * HOUR);
    }
}
