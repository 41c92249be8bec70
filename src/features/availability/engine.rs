//! What the availability engine is fed for a set of calendars (hours, busy time with buffers,
//! unavailability, all from the per-organisation caches) and its kept answers per calendar,
//! rule and window.

use crate::{
    access::Tenant,
    error::{AppError, AppResult},
    scheduling::availability::{self, Busy, Hours, ServiceRule},
    state::AppState,
};
use jiff::civil::Date;
use std::collections::HashMap;

/// Hours of several calendars in one query (`repo::hours_of`).
pub async fn load_many(
    state: &AppState,
    tenant: &Tenant,
    calendar_ids: &[String],
) -> AppResult<HashMap<String, Hours>> {
    crate::features::bookings::repo::hours_of(state.db.pool(), tenant, calendar_ids).await
}

/// Busy time (active bookings with their buffers, unavailability) of several calendars in
/// `[from, to)`, leaving out one booking if asked (the one being moved): one query, two
/// indexed range scans per calendar (`repo::taken`).
pub async fn busy_many(
    state: &AppState,
    tenant: &Tenant,
    calendar_ids: &[String],
    from: i64,
    to: i64,
    except: Option<&str>,
) -> AppResult<HashMap<String, Vec<Busy>>> {
    Ok(crate::features::bookings::repo::taken(state.db.pool(), tenant, calendar_ids, (from, to), except)
        .await?
        .into_iter()
        .map(|(id, t)| {
            let mut all = t.bookings;
            all.extend(t.unavailable);
            (id, all)
        })
        .collect())
}

impl crate::cache::Kind for crate::cache::kind::Hours {
    type Value = Hours;
}

impl crate::cache::Kind for crate::cache::kind::Busy {
    type Value = BusySpan;
}

impl crate::cache::Kind for crate::cache::kind::Slots {
    type Value = Vec<i64>;
}

/// Busy time of one calendar over `[from, to)`, as kept in the cache.
pub struct BusySpan {
    from: i64,
    to: i64,
    items: Vec<Busy>,
}

/// A longer window than this is loaded as asked, never merged with what is kept.
pub(super) const MAX_KEPT_SPAN_MS: i64 = 70 * 86_400_000;

/// What the engine needs of one calendar for a window.
pub struct EngineInput {
    pub tz: jiff::tz::TimeZone,
    pub hours: std::sync::Arc<Hours>,
    pub busy: Vec<Busy>,
}

/// Zone, hours and busy time in `[from, to)` of each calendar `(id, zone)`, in order.
/// Values kept in the organisation's cache at `seq` (the change sequence the request read
/// before anything else) are used as they are; the rest is loaded in one query per kind and
/// kept. `except` (a booking being moved) bypasses the busy cache. Only `free_slots` calls
/// this, as the organisation's loader of `Slots` (so `Hours` and `Busy` are loaded `Alone`).
async fn engine_inputs(
    state: &AppState,
    tenant: &Tenant,
    seq: i64,
    cals: &[(&str, &str)],
    from: i64,
    to: i64,
    except: Option<&str>,
) -> AppResult<Vec<EngineInput>> {
    use crate::cache::kind;
    let org_id = tenant.org_id();
    let ids: Vec<&str> = cals.iter().map(|c| c.0).collect();
    let hours = state
        .cache
        .get_or_load_many::<kind::Hours, AppError, _>(
            org_id,
            seq,
            &ids,
            |_| true,
            |misses| async move {
                let missing: Vec<String> = misses.into_iter().map(|m| m.key).collect();
                Ok(load_many(state, tenant, &missing).await?.into_iter().collect())
            },
        )
        .await?;
    let window = |items: &[Busy]| items.iter().copied().filter(|b| b.start_ms < to && b.end_ms > from).collect();
    let busy: Vec<Option<Vec<Busy>>> = if except.is_none() {
        // Calendars whose kept span misses the window are loaded over the window joined with
        // the spans they had (one span for all of them), so paging back and forth stays cached.
        let covers = |k: &BusySpan| k.from <= from && to <= k.to;
        let spans = state
            .cache
            .get_or_load_many::<kind::Busy, AppError, _>(org_id, seq, &ids, covers, |misses| async move {
                let (mut lo, mut hi) = (from, to);
                for k in misses.iter().filter_map(|m| m.kept.as_deref()) {
                    if k.from.min(lo) + MAX_KEPT_SPAN_MS >= k.to.max(hi) {
                        (lo, hi) = (k.from.min(lo), k.to.max(hi));
                    }
                }
                let missing: Vec<String> = misses.into_iter().map(|m| m.key).collect();
                let loaded = busy_many(state, tenant, &missing, lo, hi, None).await?;
                Ok(loaded.into_iter().map(|(k, items)| (k, BusySpan { from: lo, to: hi, items })).collect())
            })
            .await?;
        spans.iter().map(|k| k.as_deref().map(|k| window(&k.items))).collect()
    } else {
        let mut loaded =
            busy_many(state, tenant, &ids.iter().map(|i| i.to_string()).collect::<Vec<_>>(), from, to, except).await?;
        ids.iter().map(|id| loaded.remove(*id)).collect()
    };
    Ok(cals
        .iter()
        .zip(hours)
        .zip(busy)
        .map(|(((_, zone), h), b)| EngineInput {
            tz: jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC),
            hours: h.unwrap_or_default(),
            busy: b.unwrap_or_default(),
        })
        .collect())
}

/// What availability is asked for, besides the calendars.
pub struct SlotAsk<'a> {
    pub rule: ServiceRule,
    /// Instants kept: `[from, to)` (the visitor's dates in the visitor's zone).
    pub span: (i64, i64),
    /// The calendars' local dates the engine walks (wide enough to cover `span`).
    pub dates: (Date, Date),
    /// A booking being moved: its own time does not count against it (not memoised).
    pub except: Option<&'a str>,
    pub now: jiff::Timestamp,
}

/// Free start instants per calendar, before and after notice and advance.
pub struct FreeSlots {
    per: Vec<std::sync::Arc<Vec<i64>>>,
    rule: ServiceRule,
    now: jiff::Timestamp,
}

impl FreeSlots {
    /// Per calendar, in the order asked: the instants bookable now (notice, advance).
    pub fn bounded(&self) -> Vec<&[i64]> {
        self.per.iter().map(|v| availability::within(v, &self.rule, self.now)).collect()
    }

    /// Per calendar, which of its kept instants are bookable now: with the calendars and
    /// the question, this decides the whole answer (so a written answer may be reused while
    /// it is the same).
    pub fn bounds(&self) -> Vec<std::ops::Range<usize>> {
        self.per.iter().map(|v| availability::within_range(v, &self.rule, self.now)).collect()
    }

    /// Each instant with how many calendars are free then.
    pub fn counts(&self) -> Vec<(i64, usize)> {
        availability::merge_counts(&self.bounded())
    }

    /// Each instant with the indexes of the calendars free then.
    pub fn detail(&self) -> Vec<(i64, Vec<usize>)> {
        availability::merge(&self.bounded())
    }

    /// The first calendar (in the order asked) free at `t`.
    pub fn first_free(&self, t: i64) -> Option<usize> {
        self.bounded().iter().position(|v| v.binary_search(&t).is_ok())
    }
}

/// The engine's answer for each calendar `(id, zone)` in `ask.span`. The part that does not
/// depend on the time of asking (everything but notice and advance) is kept in the
/// organisation's cache at `seq` per calendar, rule and window, so a repeated question costs
/// a lookup and a merge; notice and advance are applied on the way out (`FreeSlots`).
pub async fn free_slots(
    state: &AppState,
    tenant: &Tenant,
    seq: i64,
    cals: &[(&str, &str)],
    ask: &SlotAsk<'_>,
) -> AppResult<FreeSlots> {
    use std::sync::Arc;
    let org_id = tenant.org_id();
    let r = &ask.rule;
    let keys: Vec<String> = cals
        .iter()
        .map(|(id, _)| {
            format!(
                "{id}|{}|{}|{}|{}|{}|{}|{}|{}",
                r.length_min,
                r.buffer_before_min,
                r.buffer_after_min,
                r.step_min,
                ask.span.0,
                ask.span.1,
                ask.dates.0,
                ask.dates.1
            )
        })
        .collect();
    // What is not kept is computed for those calendars at once; after a change, one request
    // per organisation computes what all the others then find (`Load::OnePerOrg`).
    let keys = &keys;
    let compute = |which: Vec<usize>| async move {
        let cals_of: Vec<(&str, &str)> = which.iter().map(|&i| cals[i]).collect();
        const DAY_MS: i64 = 86_400_000;
        let data =
            engine_inputs(state, tenant, seq, &cals_of, ask.span.0 - DAY_MS, ask.span.1 + DAY_MS, ask.except).await?;
        let mut fresh = Vec::with_capacity(which.len());
        for (&i, input) in which.iter().zip(&data) {
            let mut all =
                availability::slots_unbounded(&input.tz, &input.hours, &input.busy, r, ask.dates.0, ask.dates.1);
            all.retain(|&s| s >= ask.span.0 && s < ask.span.1);
            fresh.push((keys[i].clone(), all));
        }
        AppResult::Ok(fresh)
    };
    let per: Vec<Option<Arc<Vec<i64>>>> = if ask.except.is_none() {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        state
            .cache
            .get_or_load_many::<crate::cache::kind::Slots, _, _>(
                org_id,
                seq,
                &keys,
                |_| true,
                |misses| compute(misses.into_iter().map(|m| m.index).collect()),
            )
            .await?
    } else {
        compute((0..cals.len()).collect()).await?.into_iter().map(|(_, all)| Some(Arc::new(all))).collect()
    };
    Ok(FreeSlots { per: per.into_iter().map(Option::unwrap_or_default).collect(), rule: ask.rule, now: ask.now })
}
