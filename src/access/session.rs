//! The session lookup behind every signed-in request: a session token's hash → the account
//! (`Identity`) and, in the same query, its membership of the organisation the request names.

use super::{Identity, context::PrefetchedMembership};
use crate::{clock::to_ms, crypto, error::AppResult, state::AppState, types::Lang};

#[derive(Clone, sqlx::FromRow)]
struct SessionJoin {
    session_id: String,
    account_id: String,
    email: String,
    first_name: String,
    last_name: String,
    language: Option<String>,
    active_org_id: Option<String>,
    last_seen_at: i64,
    totp_enabled_at: Option<i64>,
}

/// Sessions idle longer than this end; so do all sessions after their absolute lifetime.
pub const SESSION_IDLE_MS: i64 = 14 * 24 * 3600 * 1000;
pub const SESSION_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// One identity lookup: a session token's hash and the organisation whose membership comes
/// with it (`None`: the session's active one).
type LookupKey = (String, Option<String>);
type Found = Option<(SessionJoin, PrefetchedMembership)>;
type Reply = tokio::sync::oneshot::Sender<Result<Found, String>>;

/// Most batch queries in flight at once, and most lookups in one. Two, not more: SQLite's
/// pool has four connections, and loaders after a change need some of them (measured: p99
/// with bookings written during the load 77 ms with two, 87–97 ms with four).
const MAX_BATCHES: usize = 2;
const MAX_BATCH: usize = 32;

/// Every request that carries a session asks the database who it is, and that round trip
/// was most of what a cached read cost on PostgreSQL. Lookups that arrive while others are
/// in flight are answered together: up to `MAX_BATCHES` queries run at once, and each takes
/// whatever has queued since (each distinct key once), so an idle server asks for one
/// lookup at once and a loaded one asks for many per round trip. Every answer goes back to
/// the lookup whose key it carries (its position in the batch, never a shared field); a
/// lookup never sees another's row, which `tests/api/accounts.rs` checks under load.
#[derive(Default)]
pub struct SessionLookups {
    state: std::sync::Mutex<Queue>,
    /// Lookups asked, and queries that answered them (so tests can see batches form).
    asked: std::sync::atomic::AtomicU64,
    queries: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<(LookupKey, Reply)>,
    running: usize,
}

impl SessionLookups {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// (lookups asked, queries run) since the server started.
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.asked.load(Relaxed), self.queries.load(Relaxed))
    }
}

async fn lookup(state: &AppState, key: LookupKey) -> AppResult<Found> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let start = {
        let mut q = state.sessions.queue();
        q.waiting.push((key, tx));
        state.sessions.asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let start = q.running < MAX_BATCHES;
        if start {
            q.running += 1;
        }
        start
    };
    if start {
        // Its own task: a request dropped half-way (the client left) must not strand the
        // lookups it carries.
        tokio::spawn(drain(state.clone()));
    }
    match rx.await {
        Ok(r) => r.map_err(crate::error::AppError::Internal),
        Err(_) => Err(crate::error::AppError::internal("session lookup dropped")),
    }
}

/// Counts a running drain out however it ends: should one ever panic, the lookups it held
/// fail (their replies are dropped) and later ones still find a free place to start a drain.
struct Running<'a> {
    lookups: &'a SessionLookups,
    counted_out: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if !self.counted_out {
            self.lookups.queue().running -= 1;
        }
    }
}

/// Answer queued lookups, a batch at a time, until none is left.
async fn drain(state: AppState) {
    let mut running = Running { lookups: &state.sessions, counted_out: false };
    loop {
        let batch: Vec<(LookupKey, Reply)> = {
            let mut q = running.lookups.queue();
            if q.waiting.is_empty() {
                // Under the same lock a new lookup checks `running`: none is left waiting
                // without a drain to answer it.
                q.running -= 1;
                running.counted_out = true;
                return;
            }
            let n = q.waiting.len().min(MAX_BATCH);
            q.waiting.drain(..n).collect()
        };
        let mut keys: Vec<&LookupKey> = batch.iter().map(|(k, _)| k).collect();
        keys.sort_unstable();
        keys.dedup();
        state.sessions.queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answers = lookup_many(&state, &keys).await;
        let answers: Vec<(LookupKey, Found)> = match answers {
            Ok(a) => a,
            Err(e) => {
                let msg = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(msg.clone()));
                }
                continue;
            }
        };
        for (key, reply) in batch {
            let found = answers.iter().find(|(k, _)| *k == key).and_then(|(_, f)| f.clone());
            let _ = reply.send(Ok(found));
        }
    }
}

/// One query for several lookups: each key is a row of a derived table with its index, and
/// each answer row carries that index back.
async fn lookup_many(state: &AppState, keys: &[&LookupKey]) -> Result<Vec<(LookupKey, Found)>, sqlx::Error> {
    use crate::access::context::{MEMBERSHIP_COLUMNS, MEMBERSHIP_JOINS, MembershipRow};
    use sqlx::{FromRow, Row};
    let now = to_ms(state.now());
    let asked: Vec<String> = (0..keys.len())
        .map(|i| format!("SELECT ${} AS k, ${} AS token_hash, ${} AS org", i * 3 + 3, i * 3 + 4, i * 3 + 5))
        .collect();
    let sql = format!(
        "SELECT q.k AS k, s.id AS session_id, a.id AS account_id, a.email, a.first_name, a.last_name, a.language, \
                s.active_org_id, s.last_seen_at, a.totp_enabled_at, COALESCE(q.org, s.active_org_id) AS m_org_id, \
                {MEMBERSHIP_COLUMNS} \
         FROM ({}) q JOIN sessions s ON s.token_hash = q.token_hash JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN memberships m ON m.org_id = COALESCE(q.org, s.active_org_id) AND m.account_id = a.id {MEMBERSHIP_JOINS} \
         WHERE s.expires_at > $1 AND s.last_seen_at > $2 AND a.blocked_at IS NULL",
        asked.join(" UNION ALL ")
    );
    let mut query = sqlx::query(&sql).bind(now).bind(now - SESSION_IDLE_MS);
    for (i, (hash, org)) in keys.iter().enumerate() {
        query = query.bind(i as i64).bind(hash).bind(org.as_deref());
    }
    let mut out: Vec<(LookupKey, Found)> = keys.iter().map(|k| ((*k).clone(), None)).collect();
    for row in query.fetch_all(state.db.pool()).await? {
        let k: i64 = row.try_get("k")?;
        let Some(slot) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) else { continue };
        let prefetched = PrefetchedMembership {
            org_id: row.try_get::<Option<String>, _>("m_org_id")?.unwrap_or_default(),
            row: MembershipRow::from_columns(&row)?,
        };
        slot.1 = Some((SessionJoin::from_row(&row)?, prefetched));
    }
    Ok(out)
}

/// The identity behind a raw session token, if the session is live and the account usable,
/// and in the same query the account's membership of `org` (the organisation the request
/// names, or else the session's active one), so that building the tenant scope needs no
/// query of its own.
pub async fn session_identity(
    state: &AppState,
    token: &str,
    org: Option<&str>,
) -> AppResult<Option<(Identity, Option<Lang>, PrefetchedMembership)>> {
    let now = to_ms(state.now());
    let Some((r, prefetched)) = lookup(state, (crypto::hash_token(token), org.map(str::to_string))).await? else {
        return Ok(None);
    };
    // Refresh "last seen" at most once a minute to keep reads cheap.
    if now - r.last_seen_at > 60_000 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&r.session_id)
            .execute(state.db.pool())
            .await?;
    }
    let lang = r.language.as_deref().and_then(Lang::from_code);
    Ok(Some((
        Identity {
            session_id: r.session_id,
            account_id: r.account_id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            active_org_id: r.active_org_id,
            totp_enabled: r.totp_enabled_at.is_some(),
        },
        lang,
        prefetched,
    )))
}
