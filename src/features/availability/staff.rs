//! Availability for staff: which calendars are asked (one, or "anyone" in a location among
//! those the member may see), and the written answer, kept while it stays the same.

use super::{
    SlotWindow,
    slots::{SlotList, SlotsJson},
};
use crate::features::prelude::*;
use crate::features::{
    calendars::service::{self as calendars, CalendarRow},
    services::service::{Service, rule_of},
};

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
    window: &SlotWindow,
    detail: bool,
) -> AppResult<SlotsJson> {
    let keys: Vec<(&str, &str)> = cals.iter().map(|c| (c.id.as_str(), c.time_zone.as_str())).collect();
    let rule = rule_of(service);
    let free = super::free_for(state, scope.tenant(), scope.change_seq(), &rule, &keys, window, None).await?;
    let bounds = free.bounds();
    let (tz, from, to) = (&window.tz, window.from, window.to);
    let key = tz.iana_name().map(|zone| {
        let ids: Vec<&str> = keys.iter().map(|k| k.0).collect();
        format!("{}|{zone}|{from}|{to}|{detail}|{}", service.id, ids.join(","))
    });
    let write = || {
        let ids = cals.iter().map(|c| c.id.clone()).collect();
        SlotList::new(&free, ids, tz, service.length_min, detail).to_json().map(axum::body::Bytes::from)
    };
    let Some(key) = &key else { return Ok(SlotsJson(write()?)) };
    let written = state
        .cache
        .get_or_load_if::<crate::cache::kind::SlotsJson, AppError, _>(
            scope.org_id(),
            scope.change_seq(),
            key,
            |w| w.bounds == bounds,
            || async { Ok(Written { body: write()?, bounds: bounds.clone() }) },
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
