//! Availability for staff: the engine over the calendars' hours, bookings and unavailability
//! in the window asked, for one calendar or "anyone", and the written answer.

use super::service::*;
use crate::{
    access::{
        OrgScope,
        policy::{Action, Object},
    },
    error::{AppError, AppResult},
    features::{
        bookings::hours,
        calendars::service::{self as calendars, CalendarRow},
    },
    state::AppState,
};
use jiff::{civil::Date, tz::TimeZone};
use serde::Serialize;

/// One offered start time, with how many of the calendars asked are free then (and which,
/// when asked with `detail=calendars`). The shape of each element of `SlotList` on the
/// wire; kept for the OpenAPI document.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Slot {
    /// RFC 3339 in the requested zone.
    pub start: String,
    pub end: String,
    /// How many of the calendars asked are free at this time (1 for one calendar).
    pub free: usize,
    /// Only with `detail=calendars`: the ids of those calendars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_ids: Option<Vec<String>>,
}

/// Which calendars are free at each slot: only how many (the default, like a booking
/// page's "n places left"), or their ids.
pub enum Free {
    Counts(Vec<(i64, usize)>),
    Calendars(Vec<(i64, Vec<usize>)>),
}

/// Free slots as the engine returns them, written out as `[Slot]` straight from the
/// calendars' ids: no per-slot copy of every id.
pub struct SlotList {
    calendar_ids: Vec<String>,
    tz: TimeZone,
    length_ms: i64,
    free: Free,
}

impl SlotList {
    /// The `[Slot]` document, written into one buffer: each calendar id is quoted once, each
    /// instant printed in place (a few thousand small strings escaped one by one otherwise).
    pub fn to_json(&self) -> Vec<u8> {
        use std::fmt::Write;
        let quoted: Vec<String> =
            self.calendar_ids.iter().map(|id| serde_json::to_string(id).unwrap_or_else(|_| "\"\"".into())).collect();
        // Room for all of it at once (instants are at most ~50 bytes each): no regrowth.
        let size: usize = match &self.free {
            Free::Counts(v) => v.len() * 140,
            Free::Calendars(v) => v
                .iter()
                .map(|(_, idx)| 160 + idx.iter().filter_map(|&i| quoted.get(i)).map(|q| q.len() + 1).sum::<usize>())
                .sum(),
        };
        let mut out = String::with_capacity(2 + size);
        let mut instant = String::with_capacity(48);
        let mut put_instant = |out: &mut String, ms: i64| {
            instant.clear();
            if let Ok(t) = jiff::Timestamp::from_millisecond(ms) {
                let _ = write!(instant, "{}", t.to_zoned(self.tz.clone()));
            }
            // Zone names are IANA names, but never trust a string to be JSON-safe.
            if instant.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
                out.push('"');
                out.push_str(&instant);
                out.push('"');
            } else {
                out.push_str(&serde_json::to_string(&instant).unwrap_or_else(|_| "\"\"".into()));
            }
        };
        let mut head = |out: &mut String, n: usize, start: i64, free: usize| {
            if n > 0 {
                out.push(',');
            }
            out.push_str("{\"start\":");
            put_instant(out, start);
            out.push_str(",\"end\":");
            put_instant(out, start + self.length_ms);
            let _ = write!(out, ",\"free\":{free}");
        };
        out.push('[');
        match &self.free {
            Free::Counts(v) => {
                for (n, &(start, free)) in v.iter().enumerate() {
                    head(&mut out, n, start, free);
                    out.push('}');
                }
            }
            Free::Calendars(v) => {
                for (n, (start, idx)) in v.iter().enumerate() {
                    head(&mut out, n, *start, idx.len());
                    out.push_str(",\"calendar_ids\":[");
                    for (k, id) in idx.iter().filter_map(|&i| quoted.get(i)).enumerate() {
                        if k > 0 {
                            out.push(',');
                        }
                        out.push_str(id);
                    }
                    out.push_str("]}");
                }
            }
        }
        out.push(']');
        out.into_bytes()
    }
}

/// The `detail` parameter of availability: absent, or `calendars`.
pub fn detail_of(v: Option<&str>) -> AppResult<bool> {
    match v {
        None | Some("") => Ok(false),
        Some("calendars") => Ok(true),
        Some(_) => Err(AppError::field("detail", "invalid-detail", "Leave it out, or use \"calendars\".")),
    }
}

/// A written `[Slot]` document.
pub struct SlotsJson(axum::body::Bytes);

impl axum::response::IntoResponse for SlotsJson {
    fn into_response(self) -> axum::response::Response {
        ([(axum::http::header::CONTENT_TYPE, "application/json")], self.0).into_response()
    }
}

impl crate::cache::Kind for crate::cache::kind::SlotsJson {
    type Value = Written;
}

/// A written answer and what it was written from (`FreeSlots::bounds`).
pub struct Written {
    bounds: Vec<std::ops::Range<usize>>,
    body: axum::body::Bytes,
}

/// Free slots for `service` on `cals` ("anyone" when several), dates in `tz`, inclusive;
/// `detail`: with the free calendars' ids. The written document is kept with the question
/// under the change sequence and reused while notice and advance leave the same instants
/// of each calendar (writing ~200 zoned instants was the largest cost of a cached answer).
pub async fn slots(
    state: &AppState,
    scope: &OrgScope,
    (service, cals): (&Service, &[CalendarRow]),
    tz: &TimeZone,
    (from, to): (Date, Date),
    detail: bool,
) -> AppResult<SlotsJson> {
    let start_ms = from.to_zoned(tz.clone()).map_err(AppError::internal)?.timestamp().as_millisecond();
    let end_ms =
        to.tomorrow().and_then(|d| d.to_zoned(tz.clone())).map_err(AppError::internal)?.timestamp().as_millisecond();
    let keys: Vec<(&str, &str)> = cals.iter().map(|c| (c.id.as_str(), c.time_zone.as_str())).collect();
    // Local dates of each calendar may differ from the visitor's: walk a day wider, then
    // keep the visitor's window.
    let ask = hours::SlotAsk {
        rule: rule_of(service),
        span: (start_ms, end_ms),
        dates: (from.yesterday().unwrap_or(from), to.tomorrow().unwrap_or(to)),
        except: None,
        now: state.now(),
    };
    let free = hours::free_slots(state, scope.tenant(), scope.change_seq(), &keys, &ask).await?;
    let bounds = free.bounds();
    let key = tz.iana_name().map(|zone| {
        let ids: Vec<&str> = keys.iter().map(|k| k.0).collect();
        format!("{}|{zone}|{from}|{to}|{detail}|{}", service.id, ids.join(","))
    });
    let write = || {
        let list = SlotList {
            calendar_ids: cals.iter().map(|c| c.id.clone()).collect(),
            tz: tz.clone(),
            length_ms: service.length_min * 60_000,
            free: if detail { Free::Calendars(free.detail()) } else { Free::Counts(free.counts()) },
        };
        axum::body::Bytes::from(list.to_json())
    };
    let Some(key) = &key else { return Ok(SlotsJson(write())) };
    let written = state
        .cache
        .get_or_load_if::<crate::cache::kind::SlotsJson, AppError, _>(
            scope.org_id(),
            scope.change_seq(),
            key,
            |w| w.bounds == bounds,
            || async { Ok(Written { body: write(), bounds: bounds.clone() }) },
        )
        .await?;
    Ok(SlotsJson(written.body.clone()))
}

/// The calendars availability is asked for: one the member may see that offers the
/// service, or "anyone" among the location's calendars whose bookings the member may see.
pub async fn calendars_for(
    state: &AppState,
    scope: &OrgScope,
    svc: &Service,
    calendar_id: Option<&str>,
    location_id: Option<&str>,
) -> AppResult<Vec<CalendarRow>> {
    let offered = |c: &CalendarRow| svc.calendar_ids.contains(&c.id) && c.status == "active";
    let all = calendars::all_cached(state, scope).await?;
    match (calendar_id, location_id) {
        (Some(id), _) => {
            let c = all
                .iter()
                .find(|c| c.id == id && scope.check(Action::ViewCalendar, Object::Calendar(c.as_ref())).allowed)
                .ok_or(AppError::NotFound)?;
            if !offered(c) {
                return Err(AppError::field(
                    "calendar_id",
                    "service-not-offered",
                    "This calendar does not offer this service.",
                ));
            }
            Ok(vec![c.clone()])
        }
        (None, Some(loc)) => Ok(all
            .iter()
            .filter(|c| {
                c.location_id == loc
                    && offered(c)
                    && scope.check(Action::ViewCalendar, Object::Calendar(c.as_ref())).allowed
                    && scope.check(Action::ViewBookings, Object::Calendar(c.as_ref())).allowed
            })
            .cloned()
            .collect()),
        (None, None) => Err(AppError::field("calendar_id", "required", "Give a calendar_id or a location_id.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_document_is_exactly_what_serde_writes_for_the_slots() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        // 2026-03-29 01:30 and 03:00 Paris: either side of the spring-forward gap.
        let (a, b) = (1_774_747_800_000, 1_774_746_000_000 + 5_400_000);
        let ids = vec!["0190-a".to_string(), "needs \"escaping\"\\".to_string()];
        let list = |free: Free| SlotList { calendar_ids: ids.clone(), tz: tz.clone(), length_ms: 1_800_000, free };
        let show = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_zoned(tz.clone()).to_string();
        let slot = |at: i64, free: usize, ids: Option<Vec<String>>| Slot {
            start: show(at),
            end: show(at + 1_800_000),
            free,
            calendar_ids: ids,
        };
        let detailed = list(Free::Calendars(vec![(a, vec![0, 1]), (b, vec![1])]));
        let want = vec![slot(a, 2, Some(ids.clone())), slot(b, 1, Some(vec![ids[1].clone()]))];
        assert_eq!(String::from_utf8(detailed.to_json()).unwrap(), serde_json::to_string(&want).unwrap());
        let counted = list(Free::Counts(vec![(a, 2), (b, 1)]));
        let want = vec![slot(a, 2, None), slot(b, 1, None)];
        assert_eq!(String::from_utf8(counted.to_json()).unwrap(), serde_json::to_string(&want).unwrap());
        assert_eq!(list(Free::Counts(Vec::new())).to_json(), b"[]");
        assert_eq!(list(Free::Calendars(Vec::new())).to_json(), b"[]");
    }
}
