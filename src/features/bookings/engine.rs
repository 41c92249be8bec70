//! What the availability engine is fed for a set of calendars (hours, busy time with buffers,
//! unavailability, all from the per-organisation caches) and its kept answers per calendar,
//! rule and window.

use crate::{
    access::Tenant,
    error::AppResult,
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
    super::repo::hours_of(state.db.pool(), tenant, calendar_ids).await
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
    Ok(super::repo::taken(state.db.pool(), tenant, calendar_ids, (from, to), except)
        .await?
        .into_iter()
        .map(|(id, t)| {
            let mut all = t.bookings;
            all.extend(t.unavailable);
            (id, all)
        })
        .collect())
}

/// Busy time of one calendar over `[from, to)`, as kept in the cache.
pub(super) struct BusySpan {
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
/// this, as the organisation's loader (`Caches::loading`).
pub(super) async fn engine_inputs(
    state: &AppState,
    tenant: &Tenant,
    seq: i64,
    cals: &[(&str, &str)],
    from: i64,
    to: i64,
    except: Option<&str>,
) -> AppResult<Vec<EngineInput>> {
    use std::sync::Arc;
    let org_id = tenant.org_id();
    let ids: Vec<&str> = cals.iter().map(|c| c.0).collect();
    let mut hours: Vec<Option<Arc<Hours>>> = state.cache.get_many(org_id, seq, "hours", &ids);
    let busy_kept = |state: &AppState| state.cache.get_many::<BusySpan>(org_id, seq, "busy", &ids);
    let missing: Vec<String> =
        ids.iter().zip(&hours).filter(|(_, h)| h.is_none()).map(|(i, _)| i.to_string()).collect();
    if !missing.is_empty() {
        let loaded: Vec<(String, Arc<Hours>)> =
            load_many(state, tenant, &missing).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
        for (slot, id) in hours.iter_mut().zip(&ids) {
            if slot.is_none() {
                *slot = loaded.iter().find(|(k, _)| k == id).map(|(_, h)| h.clone());
            }
        }
        state.cache.put_many(org_id, seq, "hours", loaded);
    }
    let mut busy: Vec<Option<Vec<Busy>>> = vec![None; ids.len()];
    if except.is_none() {
        let kept = busy_kept(state);
        // Calendars whose kept span misses the window are loaded over the window joined with
        // the spans they had (one span for all of them), so paging back and forth stays cached.
        let (mut lo, mut hi) = (from, to);
        for (slot, k) in busy.iter_mut().zip(&kept) {
            match k {
                Some(k) if k.from <= from && to <= k.to => {
                    *slot = Some(k.items.iter().copied().filter(|b| b.start_ms < to && b.end_ms > from).collect());
                }
                Some(k) if k.from.min(lo) + MAX_KEPT_SPAN_MS >= k.to.max(hi) => {
                    (lo, hi) = (k.from.min(lo), k.to.max(hi));
                }
                _ => {}
            }
        }
        let missing: Vec<String> =
            ids.iter().zip(&busy).filter(|(_, b)| b.is_none()).map(|(i, _)| i.to_string()).collect();
        if !missing.is_empty() {
            let mut loaded = busy_many(state, tenant, &missing, lo, hi, None).await?;
            for (slot, id) in busy.iter_mut().zip(&ids) {
                if slot.is_none()
                    && let Some(items) = loaded.get(*id)
                {
                    *slot = Some(items.iter().copied().filter(|b| b.start_ms < to && b.end_ms > from).collect());
                }
            }
            state.cache.put_many(
                org_id,
                seq,
                "busy",
                loaded.drain().map(|(k, items)| (k, Arc::new(BusySpan { from: lo, to: hi, items }))),
            );
        }
    } else {
        let mut loaded =
            busy_many(state, tenant, &ids.iter().map(|i| i.to_string()).collect::<Vec<_>>(), from, to, except).await?;
        for (slot, id) in busy.iter_mut().zip(&ids) {
            *slot = loaded.remove(*id);
        }
    }
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
    let mut per: Vec<Option<Arc<Vec<i64>>>> = if ask.except.is_none() {
        state.cache.get_many(org_id, seq, "slots", &keys.iter().map(String::as_str).collect::<Vec<_>>())
    } else {
        vec![None; cals.len()]
    };
    // Something to compute: wait for whoever is loading for this organisation, then look
    // again (after a change, one request computes what all the others then find).
    let _loader = if ask.except.is_none() && per.iter().any(Option::is_none) {
        let guard = state.cache.loading(org_id).await;
        let again: Vec<Option<Arc<Vec<i64>>>> =
            state.cache.get_many(org_id, seq, "slots", &keys.iter().map(String::as_str).collect::<Vec<_>>());
        for (slot, found) in per.iter_mut().zip(again) {
            if slot.is_none() {
                *slot = found;
            }
        }
        guard
    } else {
        None
    };
    let missing: Vec<usize> = (0..cals.len()).filter(|&i| per[i].is_none()).collect();
    if !missing.is_empty() {
        let which: Vec<(&str, &str)> = missing.iter().map(|&i| cals[i]).collect();
        const DAY_MS: i64 = 86_400_000;
        let data =
            engine_inputs(state, tenant, seq, &which, ask.span.0 - DAY_MS, ask.span.1 + DAY_MS, ask.except).await?;
        let mut fresh = Vec::with_capacity(missing.len());
        for (&i, input) in missing.iter().zip(&data) {
            let mut all =
                availability::slots_unbounded(&input.tz, &input.hours, &input.busy, r, ask.dates.0, ask.dates.1);
            all.retain(|&s| s >= ask.span.0 && s < ask.span.1);
            let all = Arc::new(all);
            per[i] = Some(all.clone());
            fresh.push((keys[i].clone(), all));
        }
        if ask.except.is_none() {
            state.cache.put_many(org_id, seq, "slots", fresh);
        }
    }
    Ok(FreeSlots { per: per.into_iter().map(Option::unwrap_or_default).collect(), rule: ask.rule, now: ask.now })
}
