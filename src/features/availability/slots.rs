//! The one answer type: offered start times with how many of the calendars asked are free
//! then (and which, with `detail=calendars`), serialised by serde straight from the
//! engine's output and the calendars' ids (no per-slot copy of every id or instant string).

use super::FreeSlots;
use crate::error::{AppError, AppResult};
use jiff::tz::TimeZone;
use serde::{Serialize, Serializer, ser::SerializeSeq, ser::SerializeStruct};

/// One offered start time: the shape of each element of the answer on the wire, kept for
/// the OpenAPI document.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Slot {
    /// RFC 3339 in the requested zone (with the zone's name in brackets).
    pub start: String,
    pub end: String,
    /// How many of the calendars asked are free at this time (1 for one calendar).
    pub free: usize,
    /// Only with `detail=calendars`: the ids of those calendars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_ids: Option<Vec<String>>,
}

/// Which calendars are free at each slot: only how many (the default, like a booking
/// page's "n places left"), or their indexes among the calendars asked.
pub enum Free {
    Counts(Vec<(i64, usize)>),
    Calendars(Vec<(i64, Vec<usize>)>),
}

/// Free slots as the engine returns them, with what it takes to present them.
pub struct SlotList {
    pub calendar_ids: Vec<String>,
    pub tz: TimeZone,
    pub length_ms: i64,
    pub free: Free,
}

impl SlotList {
    /// The engine's answer for calendars `calendar_ids` (in the order asked), presented in
    /// `tz` for a service of `length_min`; `detail`: which calendars, not only how many.
    pub fn new(free: &FreeSlots, calendar_ids: Vec<String>, tz: &TimeZone, length_min: i64, detail: bool) -> SlotList {
        SlotList {
            calendar_ids,
            tz: tz.clone(),
            length_ms: length_min * 60_000,
            free: if detail { Free::Calendars(free.detail()) } else { Free::Counts(free.counts()) },
        }
    }

    /// The start instants (epoch ms), ascending.
    pub fn starts(&self) -> Vec<i64> {
        match &self.free {
            Free::Counts(v) => v.iter().map(|s| s.0).collect(),
            Free::Calendars(v) => v.iter().map(|s| s.0).collect(),
        }
    }

    pub fn to_json(&self) -> AppResult<Vec<u8>> {
        serde_json::to_vec(self).map_err(AppError::internal)
    }
}

/// An instant written in the list's zone, formatted straight into the output.
struct Instant<'a>(i64, &'a TimeZone);

impl Serialize for Instant<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => s.collect_str(&t.to_zoned(self.1.clone())),
            Err(_) => s.serialize_str(""),
        }
    }
}

struct Ids<'a>(&'a [usize], &'a [String]);

impl Serialize for Ids<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for id in self.0.iter().filter_map(|&i| self.1.get(i)) {
            seq.serialize_element(id)?;
        }
        seq.end()
    }
}

struct Entry<'a> {
    list: &'a SlotList,
    start: i64,
    free: usize,
    ids: Option<&'a [usize]>,
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Slot", if self.ids.is_some() { 4 } else { 3 })?;
        st.serialize_field("start", &Instant(self.start, &self.list.tz))?;
        st.serialize_field("end", &Instant(self.start + self.list.length_ms, &self.list.tz))?;
        st.serialize_field("free", &self.free)?;
        if let Some(ids) = self.ids {
            st.serialize_field("calendar_ids", &Ids(ids, &self.list.calendar_ids))?;
        }
        st.end()
    }
}

impl Serialize for SlotList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.free {
            Free::Counts(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for &(start, free) in v {
                    seq.serialize_element(&Entry { list: self, start, free, ids: None })?;
                }
                seq.end()
            }
            Free::Calendars(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for (start, idx) in v {
                    seq.serialize_element(&Entry { list: self, start: *start, free: idx.len(), ids: Some(idx) })?;
                }
                seq.end()
            }
        }
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
pub struct SlotsJson(pub axum::body::Bytes);

impl axum::response::IntoResponse for SlotsJson {
    fn into_response(self) -> axum::response::Response {
        ([(axum::http::header::CONTENT_TYPE, "application/json")], self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_serialises_exactly_as_its_slots_would() {
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
        assert_eq!(String::from_utf8(detailed.to_json().unwrap()).unwrap(), serde_json::to_string(&want).unwrap());
        assert_eq!(detailed.starts(), [a, b]);
        let counted = list(Free::Counts(vec![(a, 2), (b, 1)]));
        let want = vec![slot(a, 2, None), slot(b, 1, None)];
        assert_eq!(String::from_utf8(counted.to_json().unwrap()).unwrap(), serde_json::to_string(&want).unwrap());
        assert_eq!(list(Free::Counts(Vec::new())).to_json().unwrap(), b"[]");
        assert_eq!(list(Free::Calendars(Vec::new())).to_json().unwrap(), b"[]");
    }
}
