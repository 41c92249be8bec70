//! Asks that arrive together, answered by one query: a generic batcher.
//!
//! Every ask queues its key. Up to `max_in_flight` batch loads run at once; each takes
//! whatever has queued since (at most `max_batch` asks, each distinct key once), so an idle
//! server loads one key at once and a loaded one many per round trip. A load starts after
//! every ask it answers was made, so what it reads is as new as a read made by each asker.
//! Every answer goes back to the ask whose key it answers, by the key's position in the
//! batch (never a shared field), and a failed load's error reaches every ask of that batch.

use std::{
    future::Future,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
};
use tokio::sync::oneshot;

type Reply<A, E> = oneshot::Sender<Result<A, Arc<E>>>;

/// Why an ask got no answer.
#[derive(Debug)]
pub enum BatchError<E> {
    /// The batch's load failed; every ask of that batch gets the same error.
    Failed(Arc<E>),
    /// The load ended without an answer for this key (it panicked, or gave fewer answers
    /// than keys).
    Dropped,
}

impl<E: std::fmt::Display> std::fmt::Display for BatchError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Failed(e) => write!(f, "batch load failed: {e}"),
            BatchError::Dropped => f.write_str("batch load ended without an answer"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for BatchError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BatchError::Failed(e) => Some(&**e),
            BatchError::Dropped => None,
        }
    }
}

/// A handle on one batcher: clones share its queue.
pub struct Batcher<K, A, E> {
    inner: Arc<Inner<K, A, E>>,
}

impl<K, A, E> Clone for Batcher<K, A, E> {
    fn clone(&self) -> Self {
        Batcher { inner: self.inner.clone() }
    }
}

struct Inner<K, A, E> {
    queue: Mutex<Queue<K, A, E>>,
    max_in_flight: usize,
    max_batch: usize,
    /// Asks made, and batch loads that answered them (so tests can see batches form).
    asked: AtomicU64,
    loads: AtomicU64,
}

struct Queue<K, A, E> {
    waiting: Vec<(K, Reply<A, E>)>,
    running: usize,
}

impl<K, A, E> Inner<K, A, E> {
    fn queue(&self) -> MutexGuard<'_, Queue<K, A, E>> {
        // A panic while holding the lock leaves a plain queue behind: still consistent.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<K, A, E> Batcher<K, A, E>
where
    K: Ord + Clone + Send + 'static,
    A: Clone + Send + 'static,
    E: Send + Sync + 'static,
{
    /// At most `max_in_flight` loads at once, each answering at most `max_batch` asks.
    pub fn new(max_in_flight: usize, max_batch: usize) -> Self {
        Batcher {
            inner: Arc::new(Inner {
                queue: Mutex::new(Queue { waiting: Vec::new(), running: 0 }),
                max_in_flight: max_in_flight.max(1),
                max_batch: max_batch.max(1),
                asked: AtomicU64::new(0),
                loads: AtomicU64::new(0),
            }),
        }
    }

    /// (asks made, batch loads run) since the batcher was made.
    pub fn counts(&self) -> (u64, u64) {
        (self.inner.asked.load(Relaxed), self.inner.loads.load(Relaxed))
    }

    /// The answer for `key`, loaded together with whatever else is asked meanwhile.
    /// `load` gets distinct keys in ascending order and answers each, in that order; any
    /// asker's `load` may be the one that runs, so they must all be the same function.
    pub async fn ask<F, Fut>(&self, key: K, load: F) -> Result<A, BatchError<E>>
    where
        F: Fn(Vec<K>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<A>, E>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut q = self.inner.queue();
            q.waiting.push((key, tx));
            self.inner.asked.fetch_add(1, Relaxed);
            let start = q.running < self.inner.max_in_flight;
            if start {
                q.running += 1;
            }
            start
        };
        if start {
            // Its own task: an asker dropped half-way (the client left) must not strand the
            // asks its load carries.
            tokio::spawn(drain(self.inner.clone(), load));
        }
        match rx.await {
            Ok(answer) => answer.map_err(BatchError::Failed),
            Err(_) => Err(BatchError::Dropped),
        }
    }
}

/// Counts a running drain out however it ends: should a load ever panic, the asks it held
/// fail (their replies are dropped) and later ones still find a free place to start a drain.
struct Running<'a, K, A, E> {
    inner: &'a Inner<K, A, E>,
    counted_out: bool,
}

impl<K, A, E> Drop for Running<'_, K, A, E> {
    fn drop(&mut self) {
        if !self.counted_out {
            self.inner.queue().running -= 1;
        }
    }
}

/// Answer queued asks, a batch at a time, until none is left.
async fn drain<K, A, E, F, Fut>(inner: Arc<Inner<K, A, E>>, load: F)
where
    K: Ord + Clone,
    A: Clone,
    F: Fn(Vec<K>) -> Fut,
    Fut: Future<Output = Result<Vec<A>, E>>,
{
    let mut running = Running { inner: &inner, counted_out: false };
    loop {
        let batch: Vec<(K, Reply<A, E>)> = {
            let mut q = running.inner.queue();
            if q.waiting.is_empty() {
                // Under the same lock a new ask checks `running`: none is left waiting
                // without a drain to answer it.
                q.running -= 1;
                running.counted_out = true;
                return;
            }
            let n = q.waiting.len().min(running.inner.max_batch);
            q.waiting.drain(..n).collect()
        };
        let mut keys: Vec<K> = batch.iter().map(|(k, _)| k.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        running.inner.loads.fetch_add(1, Relaxed);
        match load(keys.clone()).await {
            Ok(answers) => {
                for (key, reply) in batch {
                    if let Some(answer) = keys.binary_search(&key).ok().and_then(|i| answers.get(i)) {
                        let _ = reply.send(Ok(answer.clone()));
                    }
                }
            }
            Err(e) => {
                let e = Arc::new(e);
                for (_, reply) in batch {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::Semaphore;

    /// A load that records each batch, counts loads in flight, waits for the gate, and
    /// answers each key with ten times it (or fails when the batch holds `fail_on`).
    struct Probe {
        batches: Mutex<Vec<Vec<u32>>>,
        in_flight: Mutex<(usize, usize)>,
        gate: Semaphore,
        fail_on: Option<u32>,
    }

    fn probe(fail_on: Option<u32>) -> Arc<Probe> {
        Arc::new(Probe {
            batches: Mutex::new(Vec::new()),
            in_flight: Mutex::new((0, 0)),
            gate: Semaphore::new(0),
            fail_on,
        })
    }

    fn load(
        p: &Arc<Probe>,
    ) -> impl Fn(Vec<u32>) -> futures_util::future::BoxFuture<'static, Result<Vec<u32>, String>> + use<> {
        let p = p.clone();
        move |keys| {
            let p = p.clone();
            Box::pin(async move {
                p.batches.lock().unwrap().push(keys.clone());
                {
                    let mut f = p.in_flight.lock().unwrap();
                    f.0 += 1;
                    f.1 = f.1.max(f.0);
                }
                p.gate.acquire().await.unwrap().forget();
                p.in_flight.lock().unwrap().0 -= 1;
                if p.fail_on.is_some_and(|k| keys.contains(&k)) {
                    return Err("database down".to_string());
                }
                Ok(keys.iter().map(|k| k * 10).collect())
            })
        }
    }

    fn ask(b: &Batcher<u32, u32, String>, p: &Arc<Probe>, key: u32) -> tokio::task::JoinHandle<Result<u32, String>> {
        let (b, load) = (b.clone(), load(p));
        tokio::spawn(async move {
            b.ask(key, load).await.map_err(|e| match e {
                BatchError::Failed(e) => (*e).clone(),
                BatchError::Dropped => "dropped".to_string(),
            })
        })
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    #[tokio::test]
    async fn asks_made_together_share_loads_and_each_gets_its_own_answer() {
        let (b, p) = (Batcher::new(2, 4), probe(None));
        let asks: Vec<(u32, _)> = (0..20).map(|i| (i % 7, ask(&b, &p, i % 7))).collect();
        settle().await;
        p.gate.add_permits(100);
        for (key, answer) in asks {
            assert_eq!(answer.await.unwrap(), Ok(key * 10), "every answer goes to the ask of its key");
        }
        let batches = p.batches.lock().unwrap().clone();
        assert_eq!(batches.len(), 5, "twenty asks, at most four a batch: five loads, not twenty");
        assert!(batches.iter().all(|keys| keys.windows(2).all(|w| w[0] < w[1])), "distinct keys, in order");
        assert_eq!(p.in_flight.lock().unwrap().1, 2, "two loads at once, never more");
        assert_eq!(b.counts(), (20, 5));
    }

    #[tokio::test]
    async fn a_load_answers_only_what_was_asked_before_it_started() {
        let (b, p) = (Batcher::new(2, 32), probe(None));
        let first = ask(&b, &p, 1);
        settle().await;
        let second = ask(&b, &p, 2);
        settle().await;
        let third = ask(&b, &p, 3);
        let fourth = ask(&b, &p, 4);
        settle().await;
        assert_eq!(*p.batches.lock().unwrap(), vec![vec![1], vec![2]], "two loads in flight, the rest waits");
        p.gate.add_permits(100);
        assert_eq!(first.await.unwrap(), Ok(10));
        assert_eq!(second.await.unwrap(), Ok(20));
        assert_eq!(third.await.unwrap(), Ok(30));
        assert_eq!(fourth.await.unwrap(), Ok(40));
        assert_eq!(p.batches.lock().unwrap()[2], vec![3, 4], "what waited is loaded together, next");
    }

    #[tokio::test]
    async fn a_failed_load_reaches_every_ask_of_its_batch_and_only_those() {
        let (b, p) = (Batcher::new(1, 32), probe(Some(2)));
        let first = ask(&b, &p, 1);
        settle().await;
        let failing: Vec<_> = [2, 3, 3].into_iter().map(|k| ask(&b, &p, k)).collect();
        settle().await;
        p.gate.add_permits(100);
        assert_eq!(first.await.unwrap(), Ok(10));
        for f in failing {
            assert_eq!(f.await.unwrap(), Err("database down".to_string()));
        }
        assert_eq!(ask(&b, &p, 3).await.unwrap(), Ok(30), "the next batch loads afresh");
    }

    #[tokio::test]
    async fn a_load_that_panics_fails_its_asks_and_the_batcher_goes_on() {
        let b: Batcher<u32, u32, String> = Batcher::new(1, 32);
        let panics = |keys: Vec<u32>| async move {
            assert!(!keys.contains(&0), "a load that panics");
            Ok(keys)
        };
        assert!(matches!(b.ask(0, panics).await, Err(BatchError::Dropped)));
        let after = tokio::time::timeout(Duration::from_secs(5), b.ask(1, panics)).await;
        assert_eq!(after.ok().and_then(Result::ok), Some(1), "a place to run a load is free again");
    }
}
