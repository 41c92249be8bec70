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
//! Bounds: at most `MAX_ORGS` organisations and `MAX_ENTRIES` values per organisation; past
//! either, the set is emptied (simple, and a burst of misses is only today's cost).

use std::{
    any::Any,
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

const MAX_ORGS: usize = 4096;
const MAX_ENTRIES: usize = 20_000;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct OrgEntry {
    seq: i64,
    entries: usize,
    /// kind → key → value.
    kinds: HashMap<&'static str, HashMap<String, Value>>,
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

    /// The values cached for `keys` at exactly `seq` (one lock for the whole batch).
    pub fn get_many<T: Any + Send + Sync>(
        &self,
        org_id: &str,
        seq: i64,
        kind: &'static str,
        keys: &[&str],
    ) -> Vec<Option<Arc<T>>> {
        let orgs = self.lock();
        let found = orgs.get(org_id).filter(|o| o.seq == seq).and_then(|o| o.kinds.get(kind));
        keys.iter().map(|k| found.and_then(|m| m.get(*k)).and_then(|v| Arc::clone(v).downcast::<T>().ok())).collect()
    }

    pub fn get<T: Any + Send + Sync>(&self, org_id: &str, seq: i64, kind: &'static str, key: &str) -> Option<Arc<T>> {
        self.get_many(org_id, seq, kind, &[key]).pop().flatten()
    }

    /// Keep values loaded after reading `seq`. A newer sequence replaces everything kept
    /// for the organisation; values of an older one than what is kept are dropped (another
    /// request has already seen a later change).
    pub fn put_many<T: Any + Send + Sync>(
        &self,
        org_id: &str,
        seq: i64,
        kind: &'static str,
        values: impl IntoIterator<Item = (String, Arc<T>)>,
    ) {
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
        let map = org.kinds.entry(kind).or_default();
        for (k, v) in values {
            if map.insert(k, v as Value).is_none() {
                org.entries += 1;
            }
        }
    }

    pub fn put<T: Any + Send + Sync>(&self, org_id: &str, seq: i64, kind: &'static str, key: &str, value: Arc<T>) {
        self.put_many(org_id, seq, kind, [(key.to_string(), value)]);
    }

    /// One loader at a time per organisation. After a change every concurrent reader misses
    /// at once; the first becomes the loader (`Some`), the others wait until its load is over
    /// and are then all released together (`None`), to look again and find its result,
    /// instead of all loading the same rows. Released together, not one by one: handing a
    /// lock from waiter to waiter on a busy machine took a scheduling delay per waiter.
    /// A caller released with `None` that still misses (it wanted other rows) loads them
    /// itself.
    pub async fn loading(&self, org_id: &str) -> Option<tokio::sync::OwnedRwLockWriteGuard<()>> {
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

    #[test]
    fn a_value_is_found_only_at_the_sequence_it_was_kept_under() {
        let c = Caches::default();
        c.put("org", 5, "hours", "cal", Arc::new(1u32));
        assert_eq!(c.get::<u32>("org", 5, "hours", "cal").as_deref(), Some(&1));
        assert!(c.get::<u32>("org", 6, "hours", "cal").is_none(), "a later change hides it");
        assert!(c.get::<u32>("org", 4, "hours", "cal").is_none());
        assert!(c.get::<u32>("other", 5, "hours", "cal").is_none(), "never another organisation's");
        assert!(c.get::<u32>("org", 5, "busy", "cal").is_none(), "kinds are apart");
        assert!(c.get::<String>("org", 5, "hours", "cal").is_none(), "a wrong type is a miss");
    }

    #[test]
    fn a_newer_sequence_drops_the_old_values_and_an_older_one_is_not_kept() {
        let c = Caches::default();
        c.put("org", 5, "hours", "a", Arc::new(1u32));
        c.put("org", 6, "hours", "b", Arc::new(2u32));
        assert!(c.get::<u32>("org", 6, "hours", "a").is_none(), "a was loaded before change 6");
        assert_eq!(c.get::<u32>("org", 6, "hours", "b").as_deref(), Some(&2));
        // A slow request that read sequence 5 finishes late: its value must not come back.
        c.put("org", 5, "hours", "a", Arc::new(9u32));
        assert!(c.get::<u32>("org", 5, "hours", "a").is_none());
        assert!(c.get::<u32>("org", 6, "hours", "a").is_none());
    }

    #[test]
    fn batches_answer_in_the_order_asked() {
        let c = Caches::default();
        c.put_many("org", 1, "k", [("x".to_string(), Arc::new(1u8)), ("z".to_string(), Arc::new(3u8))]);
        let got = c.get_many::<u8>("org", 1, "k", &["z", "y", "x"]);
        assert_eq!(got.iter().map(|v| v.as_deref().copied()).collect::<Vec<_>>(), vec![Some(3), None, Some(1)]);
    }

    #[tokio::test]
    async fn one_loader_at_a_time_per_organisation() {
        use std::time::Duration;
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
            c.put("org", 1, "k", &i.to_string(), Arc::new(i));
        }
        assert!(c.lock().get("org").map(|o| o.entries).unwrap_or(0) <= MAX_ENTRIES);
        for i in 0..(MAX_ORGS + 10) {
            c.put(&format!("org{i}"), 1, "k", "x", Arc::new(i));
        }
        assert!(c.lock().len() <= MAX_ORGS);
    }
}
