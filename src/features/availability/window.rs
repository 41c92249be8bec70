//! The window availability is asked for: local dates `from..=to` (at most 31 days apart)
//! read in one zone, parsed once for the staff and the public answers alike.

use crate::{
    error::{AppError, AppResult, FieldError},
    types::DateWindow,
};
use jiff::{civil::Date, tz::TimeZone};

/// At most this many days between the first and the last date asked.
pub const MAX_DAYS: i32 = 31;

/// The dates asked for and the zone to read them in (when the caller named one).
pub struct Asked {
    pub from: Date,
    pub to: Date,
    zone: Option<TimeZone>,
}

impl Asked {
    /// Dates `YYYY-MM-DD` (1900–2200, `to` not before `from`, at most `MAX_DAYS` apart) and an
    /// optional IANA zone; every fault named on its field.
    pub fn parse(from: &str, to: &str, tz: Option<&str>) -> AppResult<Asked> {
        let dates = DateWindow::parse(from, to, MAX_DAYS);
        let zone = tz.filter(|z| !z.is_empty()).map(|name| {
            TimeZone::get(name).map_err(|_| FieldError::new("tz", "invalid-time-zone", "Unknown time zone."))
        });
        match (dates, zone) {
            (Ok(d), None) => Ok(Asked { from: d.from, to: d.to, zone: None }),
            (Ok(d), Some(Ok(z))) => Ok(Asked { from: d.from, to: d.to, zone: Some(z) }),
            (Ok(_), Some(Err(e))) => Err(AppError::Validation(vec![e])),
            (Err(AppError::Validation(mut v)), Some(Err(e))) => {
                v.push(e);
                Err(AppError::Validation(v))
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Dates already read (a page's week) in a zone already chosen.
    pub fn with_zone(from: Date, to: Date, tz: TimeZone) -> Asked {
        Asked { from, to, zone: Some(tz) }
    }

    /// The window in the zone asked for, or else in `default` (the calendar's or the
    /// location's zone; UTC if that name is unknown).
    pub fn in_zone_or(self, default: &str) -> SlotWindow {
        let tz = self.zone.unwrap_or_else(|| TimeZone::get(default).unwrap_or(TimeZone::UTC));
        SlotWindow { from: self.from, to: self.to, tz }
    }
}

/// Local dates `from..=to` of `tz`.
#[derive(Clone, Debug)]
pub struct SlotWindow {
    pub from: Date,
    pub to: Date,
    pub tz: TimeZone,
}

impl SlotWindow {
    pub fn new(from: Date, to: Date, tz: TimeZone) -> SlotWindow {
        SlotWindow { from, to, tz }
    }

    /// The instants the window covers: from its first local midnight to the one after its
    /// last date.
    pub fn span_ms(&self) -> AppResult<(i64, i64)> {
        let start = self.from.to_zoned(self.tz.clone()).map_err(AppError::internal)?;
        let end = self.to.tomorrow().and_then(|d| d.to_zoned(self.tz.clone())).map_err(AppError::internal)?;
        Ok((start.timestamp().as_millisecond(), end.timestamp().as_millisecond()))
    }

    /// The calendars' local dates to walk: a day wider on each side, since a calendar's zone
    /// may differ from the one asked in (the answer keeps only `span_ms`).
    pub fn dates_around(&self) -> (Date, Date) {
        (self.from.yesterday().unwrap_or(self.from), self.to.tomorrow().unwrap_or(self.to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_zone_are_checked_together() {
        let w = Asked::parse("2026-03-02", "2026-03-08", Some("America/New_York")).unwrap().in_zone_or("Europe/Paris");
        assert_eq!(w.tz.iana_name(), Some("America/New_York"));
        let (s, e) = w.span_ms().unwrap();
        // New York springs forward on 8 March: that week is an hour short.
        assert_eq!(e - s, 7 * 86_400_000 - 3_600_000);
        let w = Asked::parse("2026-03-02", "2026-04-02", None).unwrap().in_zone_or("Europe/Paris");
        assert_eq!(w.tz.iana_name(), Some("Europe/Paris"));
        let Err(AppError::Validation(v)) = Asked::parse("2026-03-02", "2026-04-03", Some("Mars/Olympus")) else {
            panic!("32 days and an unknown zone are refused")
        };
        let codes: Vec<&str> = v.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["invalid-window", "invalid-time-zone"]);
        assert!(Asked::parse("2026-03-09", "2026-03-08", None).is_err());
        assert!(Asked::parse("1899-12-31", "1900-01-01", None).is_err());
    }
}
