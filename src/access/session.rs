//! The session lookup behind every signed-in request: a session token's hash → the account
//! (`Identity`) and, in the same query, its membership of the organisation the request names.

use super::{Identity, context::PrefetchedMembership};
use crate::{clock::to_ms, crypto, db::batch::Batcher, error::AppResult, state::AppState, types::Lang};

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

/// Most batch queries in flight at once, and most lookups in one. Two, not more: SQLite's
/// pool has four connections, and loaders after a change need some of them (measured: p99
/// with bookings written during the load 77 ms with two, 87–97 ms with four).
const MAX_BATCHES: usize = 2;
const MAX_BATCH: usize = 32;

/// Every request that carries a session asks the database who it is, and that round trip
/// was most of what a cached read cost on PostgreSQL. Lookups that arrive while others are
/// in flight are answered together (`db::batch::Batcher`): up to `MAX_BATCHES` queries run
/// at once, and each takes whatever has queued since (each distinct key once), so an idle
/// server asks for one lookup at once and a loaded one asks for many per round trip. Every
/// answer goes back to the lookup whose key it carries (its position in the batch, never a
/// shared field); a lookup never sees another's row, which `tests/api/accounts.rs` checks
/// under load.
pub struct SessionLookups(Batcher<LookupKey, Found, sqlx::Error>);

impl Default for SessionLookups {
    fn default() -> Self {
        SessionLookups(Batcher::new(MAX_BATCHES, MAX_BATCH))
    }
}

impl SessionLookups {
    /// (lookups asked, queries run) since the server started.
    pub fn counts(&self) -> (u64, u64) {
        self.0.counts()
    }
}

async fn lookup(state: &AppState, key: LookupKey) -> AppResult<Found> {
    let for_batch = state.clone();
    let load = move |keys: Vec<LookupKey>| {
        let state = for_batch.clone();
        async move { lookup_many(&state, &keys).await }
    };
    state.sessions.0.ask(key, load).await.map_err(|e| crate::error::AppError::caused_by("session lookup", e))
}

/// One query for several lookups: each key is a row of a derived table with its index, and
/// each answer row carries that index back; one answer per key, in the keys' order.
async fn lookup_many(state: &AppState, keys: &[LookupKey]) -> Result<Vec<Found>, sqlx::Error> {
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
    let mut out: Vec<Found> = vec![None; keys.len()];
    for row in query.fetch_all(state.db.pool()).await? {
        let k: i64 = row.try_get("k")?;
        let Some(slot) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) else { continue };
        let prefetched = PrefetchedMembership {
            org_id: row.try_get::<Option<String>, _>("m_org_id")?.unwrap_or_default(),
            row: MembershipRow::from_columns(&row)?,
        };
        *slot = Some((SessionJoin::from_row(&row)?, prefetched));
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
            key: None,
        },
        lang,
        prefetched,
    )))
}
