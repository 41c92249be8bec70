//! Availability: which start times a service has on some calendars over a window of dates.
//! The pure engine (`scheduling::availability`) does the arithmetic; this feature feeds it
//! (`engine.rs`: hours and busy time from the bookings repository, through the caches),
//! parses the window once (`window.rs`), and writes the one answer type (`slots.rs`), for
//! staff (`staff.rs`, `api.rs`: `GET /api/v1/orgs/{org_id}/availability`) and for the public
//! booking page (`public::service`, which asks `free_for` with the location's calendars).

pub mod api;
pub mod engine;
pub mod slots;
pub mod staff;
pub mod window;

pub use engine::{FreeSlots, SlotAsk, free_slots};
pub use slots::{Slot, SlotList, SlotsJson, detail_of};
pub use window::{Asked, SlotWindow};

use crate::{
    access::Tenant,
    error::AppResult,
    http::routes::{Guard, Routes, get},
    scheduling::availability::ServiceRule,
    state::AppState,
};

pub fn routes() -> Routes {
    Routes::default().api("/api/v1/orgs/{org_id}/availability", Guard::Org, get(api::availability))
}

/// The engine's answer for `rule` on calendars `(id, zone)` over `window`, read at the
/// organisation's change sequence `seq` (`except`: a booking being moved, whose own time
/// does not count against it).
pub async fn free_for(
    state: &AppState,
    tenant: &Tenant,
    seq: i64,
    rule: &ServiceRule,
    calendars: &[(&str, &str)],
    window: &SlotWindow,
    except: Option<&str>,
) -> AppResult<FreeSlots> {
    let ask = SlotAsk { rule: *rule, span: window.span_ms()?, dates: window.dates_around(), except, now: state.now() };
    free_slots(state, tenant, seq, calendars, &ask).await
}
