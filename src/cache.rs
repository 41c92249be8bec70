//! Read caches, one set per organisation, each valid for exactly one value of that
//! organisation's **change sequence**.
//!
//! Why that sequence: every change to an organisation's data is audited in the same
//! transaction as the change (see `audit::record`), and the audit chain's head row counts
//! them (`audit_heads.seq`, incremented under the head row's lock, so in commit order). A
//! request reads the sequence with the row it needs anyway (the membership row for staff,
//! the location row for the public page); whatever it then loads is at least as new as that
//! sequence, so it may be kept under it. A later request that reads a higher sequence finds
//! nothing cached and loads afresh. So a cached value is never older than the last change a
//! request could see, on any number of server processes sharing one database: there is no
//! time-based expiry and no cross-process invalidation to forget.
//!
//! What may live here: rows that only audited changes alter (hours, calendars, services,
//! bookings, grants). Anything written without an audit row in the organisation's chain must
//! not be cached (the last-activity stamp, sessions, rate-limit counters).
//!
//! Every kind of value is declared once, in [`kind`]; the type of a kind's values is bound
//! beside that type (`impl cache::Kind for cache::kind::Hours { type Value = Hours; }`), so
//! asking for a kind with the wrong type does not compile. Every read goes through
//! [`Caches::get_or_load`] (or `_if`, `_many`): look, wait for the organisation's loader
//! where the kind says so, look again, load and keep.
//!
//! Bounds: at most `MAX_ORGS` organisations and `MAX_ENTRIES` values per organisation; past
//! either, the set is emptied (simple, and a burst of misses is only today's cost).

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, MutexGuard},
};

const MAX_ORGS: usize = 4096;
const MAX_ENTRIES: usize = 20_000;

/// Who loads a kind after a miss.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Load {
    /// Whoever misses loads (loads that are cheap, or only ever run under another kind's
    /// loader, which must not wait for itself).
    Alone,
    /// One loader per organisation (`Caches::loading`): after a change the first request to
    /// miss loads, the others wait for it and look again.
    OnePerOrg,
}

mod sealed {
    /// Implemented by `kinds!` only, so every kind stands in the one list below.
    pub trait Listed: 'static {
        const LOAD: super::Load;
    }
}

/// A kind of cached value. Its values' type follows from the kind.
pub trait Kind: sealed::Listed {
    type Value: Send + Sync + 'static;
}

macro_rules! kinds {
    ($($(#[$doc:meta])* $name:ident: $load:ident;)*) => {
        $(
            $(#[$doc])*
            pub enum $name {}
            impl $crate::cache::sealed::Listed for $name {
                const LOAD: $crate::cache::Load = $crate::cache::Load::$load;
            }
        )*
    };
}

/// Every kind of value kept, in one list; each one's value type is bound beside that type.
pub mod kind {
    kinds! {
        /// A member's grants and own calendars, by membership id (`access::context`).
        MemberReach: Alone;
        /// Every calendar of the organisation, under the key `""` (`calendars::all_cached`).
        Calendars: OnePerOrg;
        /// One service with its calendars, by service id (`services::get`).
        Service: OnePerOrg;
        /// A location's public offer (services and their calendars), by location id.
        PublicOffer: Alone;
        /// A calendar's working hours, by calendar id; loaded under `Slots`' loader.
        Hours: Alone;
        /// A calendar's busy time over a span, by calendar id; loaded under `Slots`' loader.
        Busy: Alone;
        /// The engine's answer for a calendar, rule and window before notice and advance.
        Slots: OnePerOrg;
        /// A written staff availability answer, while each calendar's bookable range is the same.
        SlotsJson: Alone;
    }
}

type Value = Arc<dyn Any + Send + Sync>;

/// A key asked for and not found usable: its place among the keys asked, and what was kept
/// under it if anything (so a loader may widen what it loads).
pub struct Miss<V> {
    pub index: usize,
    pub key: String,
    pub kept: Option<Arc<V>>,
}

#[derive(Default)]
struct OrgEntry {
    seq: i64,
    entries: usize,
    /// kind → key → value.
    kinds: HashMap<TypeId, HashMap<String, Value>>,
}

#[derive(Default)]
pub struct Caches {
    orgs: Mutex<HashMap<String, OrgEntry>>,
    loaders: Mutex<HashMap<String, Arc<tokio::sync::RwLock<()>>>>,
}

impl Caches {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, OrgEntry>> {
        // A panic while holding the lock leaves plain maps behind: still consistent.
        self.orgs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value of `K` under `key` at exactly `seq`, or else `load()`'s, which is kept.
    /// A loader's error is returned and nothing is kept.
    pub async fn get_or_load<K: Kind, E, Fut>(
        &self,
        org_id: &str,
        seq: i64,
        key: &str,
        load: impl FnOnce() -> Fut,
    ) -> Result<Arc<K::Value>, E>
    where
        Fut: Future<Output = Result<K::Value, E>>,
    {
        self.get_or_load_if::<K, E, Fut>(org_id, seq, key, |_| true, load).await
    }

    /// `get_or_load`, where a kept value counts only when `usable` says so.
    pub async fn get_or_load_if<K: Kind, E, Fut>(
        &self,
        org_id: &str,
        seq: i64,
        key: &str,
        usable: impl Fn(&K::Value) -> bool,
        load: impl FnOnce() -> Fut,
    ) -> Result<Arc<K::Value>, E>
    where
        Fut: Future<Output = Result<K::Value, E>>,
    {
        let look = || self.get_many::<K>(org_id, seq, &[key]).pop().flatten().filter(|v| usable(v)).ok_or(());
        self.read::<K, _, _, _, _>(org_id, look, |()| async move {
            let value = Arc::new(load().await?);
            self.put_many::<K>(org_id, seq, [(key.to_string(), value.clone())]);
            Ok(value)
        })
        .await
    }

    /// Values of `K` for `keys`, in order: those kept at `seq` that are `usable`, and for the
    /// others what `load` gives for their keys (one call for all of them), which is kept. A
    /// key the loader gives nothing for is `None`.
    pub async fn get_or_load_many<K: Kind, E, Fut>(
        &self,
        org_id: &str,
        seq: i64,
        keys: &[&str],
        usable: impl Fn(&K::Value) -> bool,
        load: impl FnOnce(Vec<Miss<K::Value>>) -> Fut,
    ) -> Result<Vec<Option<Arc<K::Value>>>, E>
    where
        Fut: Future<Output = Result<Vec<(String, K::Value)>, E>>,
    {
        let usable = &usable;
        let look = || {
            let kept = self.get_many::<K>(org_id, seq, keys);
            if kept.iter().all(|v| v.as_deref().is_some_and(usable)) { Ok(kept) } else { Err(kept) }
        };
        self.read::<K, _, _, _, _>(org_id, look, |kept| async move {
            let mut out = Vec::with_capacity(keys.len());
            let mut misses = Vec::new();
            for (index, (key, kept)) in keys.iter().zip(kept).enumerate() {
                match kept {
                    Some(v) if usable(&v) => out.push(Some(v)),
                    kept => {
                        out.push(None);
                        misses.push(Miss { index, key: key.to_string(), kept });
                    }
                }
            }
            let loaded: Vec<(String, Arc<K::Value>)> =
                load(misses).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
            for (slot, key) in out.iter_mut().zip(keys) {
                if slot.is_none() {
                    *slot = loaded.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                }
            }
            self.put_many::<K>(org_id, seq, loaded);
            Ok(out)
        })
        .await
    }

    /// The read protocol, once for every kind: `look`; on a miss, for kinds loaded
    /// `OnePerOrg`, wait for the organisation's loader (or become it) and `look` again;
    /// still missing, `load` from what the last look found (the loader guard is held until
    /// the load, which keeps what it loaded, is over).
    async fn read<K: Kind, T, P, E, Fut>(
        &self,
        org_id: &str,
        look: impl Fn() -> Result<T, P>,
        load: impl FnOnce(P) -> Fut,
    ) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let partial = match look() {
            Ok(found) => return Ok(found),
            Err(partial) => partial,
        };
        if K::LOAD == Load::Alone {
            return load(partial).await;
        }
        let _loader = self.loading(org_id).await;
        match look() {
            Ok(found) => Ok(found),
            Err(partial) => load(partial).await,
        }
    }

    /// The values of `K` kept for `keys` at exactly `seq` (one lock for the whole batch).
    fn get_many<K: Kind>(&self, org_id: &str, seq: i64, keys: &[&str]) -> Vec<Option<Arc<K::Value>>> {
        let orgs = self.lock();
        let found = orgs.get(org_id).filter(|o| o.seq == seq).and_then(|o| o.kinds.get(&TypeId::of::<K>()));
        // The downcast cannot fail: values of `K` are only ever put as `K::Value`.
        keys.iter()
            .map(|k| found.and_then(|m| m.get(*k)).and_then(|v| Arc::clone(v).downcast::<K::Value>().ok()))
            .collect()
    }

    /// Keep values loaded after reading `seq`. A newer sequence replaces everything kept
    /// for the organisation; values of an older one than what is kept are dropped (another
    /// request has already seen a later change).
    fn put_many<K: Kind>(&self, org_id: &str, seq: i64, values: impl IntoIterator<Item = (String, Arc<K::Value>)>) {
        let mut orgs = self.lock();
        if !orgs.contains_key(org_id) && orgs.len() >= MAX_ORGS {
            orgs.clear();
        }
        let org = orgs.entry(org_id.to_string()).or_default();
        if org.seq > seq {
            return;
        }
        if org.seq < seq || org.entries >= MAX_ENTRIES {
            *org = OrgEntry { seq, ..OrgEntry::default() };
        }
        let map = org.kinds.entry(TypeId::of::<K>()).or_default();
        for (k, v) in values {
            if map.insert(k, v as Value).is_none() {
                org.entries += 1;
            }
        }
    }

    /// One loader at a time per organisation. After a change every concurrent reader misses
    /// at once; the first becomes the loader (`Some`), the others wait until its load is over
    /// and are then all released together (`None`), to look again and find its result,
    /// instead of all loading the same rows. Released together, not one by one: handing a
    /// lock from waiter to waiter on a busy machine took a scheduling delay per waiter.
    /// A caller released with `None` that still misses (it wanted other rows) loads them
    /// itself.
    async fn loading(&self, org_id: &str) -> Option<tokio::sync::OwnedRwLockWriteGuard<()>> {
        let lock = {
            let mut loaders = self.loaders.lock().unwrap_or_else(|p| p.into_inner());
            if !loaders.contains_key(org_id) && loaders.len() >= MAX_ORGS {
                // Only locks nobody holds or waits for can go.
                loaders.retain(|_, l| Arc::strong_count(l) > 1);
            }
            loaders.entry(org_id.to_string()).or_default().clone()
        };
        if let Ok(guard) = lock.clone().try_write_owned() {
            return Some(guard);
        }
        drop(lock.read().await);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    kinds! {
        Number: Alone;
        Other: Alone;
        Shared: OnePerOrg;
    }
    impl Kind for Number {
        type Value = u32;
    }
    impl Kind for Other {
        type Value = u32;
    }
    impl Kind for Shared {
        type Value = u32;
    }

    impl Caches {
        fn get<K: Kind>(&self, org_id: &str, seq: i64, key: &str) -> Option<Arc<K::Value>> {
            self.get_many::<K>(org_id, seq, &[key]).pop().flatten()
        }
        fn put<K: Kind>(&self, org_id: &str, seq: i64, key: &str, value: K::Value) {
            self.put_many::<K>(org_id, seq, [(key.to_string(), Arc::new(value))]);
        }
    }

    type Never = std::convert::Infallible;

    #[test]
    fn a_value_is_found_only_at_the_sequence_it_was_kept_under() {
        let c = Caches::default();
        c.put::<Number>("org", 5, "cal", 1);
        assert_eq!(c.get::<Number>("org", 5, "cal").as_deref(), Some(&1));
        assert!(c.get::<Number>("org", 6, "cal").is_none(), "a later change hides it");
        assert!(c.get::<Number>("org", 4, "cal").is_none());
        assert!(c.get::<Number>("other", 5, "cal").is_none(), "never another organisation's");
        assert!(c.get::<Other>("org", 5, "cal").is_none(), "kinds are apart, even of one value type");
    }

    #[test]
    fn a_newer_sequence_drops_the_old_values_and_an_older_one_is_not_kept() {
        let c = Caches::default();
        c.put::<Number>("org", 5, "a", 1);
        c.put::<Number>("org", 6, "b", 2);
        assert!(c.get::<Number>("org", 6, "a").is_none(), "a was loaded before change 6");
        assert_eq!(c.get::<Number>("org", 6, "b").as_deref(), Some(&2));
        // A slow request that read sequence 5 finishes late: its value must not come back.
        c.put::<Number>("org", 5, "a", 9);
        assert!(c.get::<Number>("org", 5, "a").is_none());
        assert!(c.get::<Number>("org", 6, "a").is_none());
    }

    #[test]
    fn batches_answer_in_the_order_asked() {
        let c = Caches::default();
        c.put_many::<Number>("org", 1, [("x".to_string(), Arc::new(1)), ("z".to_string(), Arc::new(3))]);
        let got = c.get_many::<Number>("org", 1, &["z", "y", "x"]);
        assert_eq!(got.iter().map(|v| v.as_deref().copied()).collect::<Vec<_>>(), vec![Some(3), None, Some(1)]);
    }

    #[tokio::test]
    async fn a_hit_does_not_load_and_a_miss_loads_once_and_is_kept() {
        let c = Caches::default();
        let loads = AtomicUsize::new(0);
        let load = |v: u32| {
            loads.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, Never>(v) }
        };
        let first = c.get_or_load::<Number, _, _>("org", 1, "k", || load(7)).await;
        assert_eq!(first.ok().as_deref(), Some(&7));
        let again = c.get_or_load::<Number, _, _>("org", 1, "k", || load(8)).await;
        assert_eq!(again.ok().as_deref(), Some(&7), "kept, the loader is not asked");
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        let newer = c.get_or_load::<Number, _, _>("org", 2, "k", || load(9)).await;
        assert_eq!(newer.ok().as_deref(), Some(&9), "a newer sequence loads afresh");
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        let stale = c.get_or_load_if::<Number, _, _>("org", 2, "k", |v| *v != 9, || load(10)).await;
        assert_eq!(stale.ok().as_deref(), Some(&10), "a kept value that is not usable is loaded again");
        assert_eq!(c.get::<Number>("org", 2, "k").as_deref(), Some(&10));
    }

    #[tokio::test]
    async fn a_loader_error_is_returned_and_nothing_is_kept() {
        let c = Caches::default();
        let failed = c.get_or_load::<Shared, _, _>("org", 1, "k", || async { Err::<u32, _>("database down") }).await;
        assert_eq!(failed.err(), Some("database down"));
        assert!(c.get::<Shared>("org", 1, "k").is_none());
        let next = c.get_or_load::<Shared, _, _>("org", 1, "k", || async { Ok::<_, &str>(3) }).await;
        assert_eq!(next.ok().as_deref(), Some(&3), "the next request loads again");
        let many = c
            .get_or_load_many::<Number, _, _>("org", 1, &["a"], |_| true, |_| async { Err::<Vec<_>, _>("down") })
            .await;
        assert_eq!(many.err(), Some("down"));
        assert!(c.get::<Number>("org", 1, "a").is_none());
    }

    #[tokio::test]
    async fn after_a_change_concurrent_readers_share_one_load() {
        let c = Arc::new(Caches::default());
        let loads = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (c, loads) = (c.clone(), loads.clone());
                tokio::spawn(async move {
                    c.get_or_load::<Shared, _, _>("org", 1, "k", || async {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, Never>(5)
                    })
                    .await
                    .ok()
                    .as_deref()
                    .copied()
                })
            })
            .collect();
        for r in readers {
            assert_eq!(r.await.ok().flatten(), Some(5));
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1, "one load, the others waited and found it");
    }

    #[tokio::test]
    async fn a_kind_loaded_alone_does_not_wait_for_the_organisations_loader() {
        // `Hours` and `Busy` are loaded under `Slots`' loader: waiting would be waiting for oneself.
        let c = Caches::default();
        let outer = c
            .get_or_load::<Shared, _, _>("org", 1, "k", || async {
                let inner = tokio::time::timeout(
                    Duration::from_secs(5),
                    c.get_or_load::<Number, _, _>("org", 1, "k", || async { Ok::<_, Never>(2) }),
                )
                .await;
                Ok::<_, Never>(inner.ok().and_then(Result::ok).map_or(0, |v| *v + 1))
            })
            .await;
        assert_eq!(outer.ok().as_deref(), Some(&3));
    }

    #[tokio::test]
    async fn many_keys_load_only_the_misses_in_one_call_and_answer_in_order() {
        let c = Caches::default();
        c.put::<Number>("org", 1, "kept", 1);
        c.put::<Number>("org", 1, "stale", 2);
        let calls = AtomicUsize::new(0);
        let got = c
            .get_or_load_many::<Number, _, _>(
                "org",
                1,
                &["new", "kept", "stale", "none"],
                |v| *v != 2,
                |misses| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    let asked: Vec<(usize, String, Option<u32>)> =
                        misses.iter().map(|m| (m.index, m.key.clone(), m.kept.as_deref().copied())).collect();
                    assert_eq!(
                        asked,
                        vec![(0, "new".into(), None), (2, "stale".into(), Some(2)), (3, "none".into(), None)],
                        "the misses, with what was kept but not usable"
                    );
                    async { Ok::<_, Never>(vec![("stale".to_string(), 20), ("new".to_string(), 10)]) }
                },
            )
            .await;
        let got: Vec<Option<u32>> = got.unwrap_or_default().iter().map(|v| v.as_deref().copied()).collect();
        assert_eq!(got, vec![Some(10), Some(1), Some(20), None]);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(c.get::<Number>("org", 1, "new").as_deref(), Some(&10), "loaded values are kept");
        assert!(c.get::<Number>("org", 1, "none").is_none());
    }

    #[tokio::test]
    async fn one_loader_at_a_time_per_organisation() {
        let c = Arc::new(Caches::default());
        let first = c.loading("org").await;
        assert!(first.is_some(), "nobody was loading: this caller loads");
        let other_org = tokio::time::timeout(Duration::from_millis(50), c.loading("other")).await;
        assert!(other_org.is_ok_and(|g| g.is_some()), "another organisation does not wait");
        let same = tokio::time::timeout(Duration::from_millis(50), c.loading("org")).await;
        assert!(same.is_err(), "the same organisation waits for the loader");
        // All waiters are released together once the load is over, none of them as a loader.
        let waiters: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.loading("org").await.is_none() })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(first);
        for w in waiters {
            assert!(tokio::time::timeout(Duration::from_secs(5), w).await.unwrap().unwrap());
        }
        assert!(c.loading("org").await.is_some(), "and the next miss loads again");
    }

    #[test]
    fn the_sets_stay_bounded() {
        let c = Caches::default();
        for i in 0..(MAX_ENTRIES + 10) {
            c.put::<Number>("org", 1, &i.to_string(), 0);
        }
        assert!(c.lock().get("org").map(|o| o.entries).unwrap_or(0) <= MAX_ENTRIES);
        for i in 0..(MAX_ORGS + 10) {
            c.put::<Number>(&format!("org{i}"), 1, "x", 0);
        }
        assert!(c.lock().len() <= MAX_ORGS);
    }
}
