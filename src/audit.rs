//! Audit trail (write path). Every mutation records who, what, which object, before and
//! after, when and from where, in the same transaction as the change. Rows of one chain
//! (an organisation, or `-` for platform events) are linked by hashes, so an edited or
//! deleted row breaks the chain.

use crate::{crypto::sha256_hex, db::Tx, error::AppResult, http::Ctx};
use serde_json::{Value, json};

pub const PLATFORM_CHAIN: &str = "-";

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Account {
        id: String,
        label: String,
    },
    /// A visitor of the public booking page or a holder of a manage link.
    Client {
        id: String,
        label: String,
    },
    /// An API key (R32), by its id and name; its creator is found through the key.
    ApiKey {
        id: String,
        label: String,
    },
    System,
}

impl Actor {
    fn parts(&self) -> (&'static str, Option<&str>, Option<&str>) {
        match self {
            Actor::Account { id, label } => ("account", Some(id), Some(label)),
            Actor::Client { id, label } => {
                ("client", Some(id.as_str()).filter(|i| !i.is_empty()), Some(label.as_str()))
            }
            Actor::ApiKey { id, label } => ("api_key", Some(id), Some(label)),
            Actor::System => ("system", None, None),
        }
    }
}

/// What a change did, to which object: the part of an audit row each change words. Built with
/// [`Event::new`], then `.at(location)`, `.before(…)` and `.after(…)` where they apply.
pub struct Event<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// The location the object belongs to, so scoped readers see only their part.
    pub location_id: Option<&'a str>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str, object_type: &'a str, object_id: &'a str) -> Self {
        Event { action, object_type, object_id, location_id: None, before: None, after: None }
    }

    pub fn at(self, location_id: &'a str) -> Self {
        Event { location_id: Some(location_id), ..self }
    }

    /// `None` (a creation) leaves it empty.
    pub fn before(self, v: impl Into<Option<Value>>) -> Self {
        Event { before: v.into(), ..self }
    }

    pub fn after(self, v: Value) -> Self {
        Event { after: Some(v), ..self }
    }
}

/// Writes `e` into the chain of `org_id` (`None`: the platform chain, for accounts' own events).
pub async fn record(
    tx: &mut Tx,
    at_ms: i64,
    org_id: Option<&str>,
    actor: &Actor,
    ctx: Option<&Ctx>,
    e: Event<'_>,
) -> AppResult<()> {
    let chain = org_id.unwrap_or(PLATFORM_CHAIN);
    // Taking the head row's lock (PostgreSQL) or the write lock (SQLite) orders writers.
    sqlx::query("INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain)
        .execute(&mut **tx)
        .await?;
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_heads SET seq = seq + 1 WHERE chain = $1 RETURNING seq, hash")
            .bind(chain)
            .fetch_one(&mut **tx)
            .await?;
    let (actor_type, actor_id, actor_label) = actor.parts();
    let before = e.before.map(|v| v.to_string());
    let after = e.after.map(|v| v.to_string());
    let ip = ctx.and_then(|c| c.ip.clone());
    let request_id = ctx.map(|c| c.request_id.clone());
    let hash = chain_hash(
        &prev_hash,
        &Fields {
            chain,
            seq,
            org_id,
            location_id: e.location_id,
            at: at_ms,
            actor_type,
            actor_id,
            actor_label,
            action: e.action,
            object_type: e.object_type,
            object_id: Some(e.object_id),
            before: before.as_deref(),
            after: after.as_deref(),
            ip: ip.as_deref(),
            request_id: request_id.as_deref(),
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (id, chain, seq, org_id, location_id, at, actor_type, actor_id, actor_label, action, \
         object_type, object_id, before_json, after_json, ip, request_id, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(crate::db::new_id())
    .bind(chain)
    .bind(seq)
    .bind(org_id)
    .bind(e.location_id)
    .bind(at_ms)
    .bind(actor_type)
    .bind(actor_id)
    .bind(actor_label)
    .bind(e.action)
    .bind(e.object_type)
    .bind(e.object_id)
    .bind(before)
    .bind(after)
    .bind(ip)
    .bind(request_id)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE chain = $2").bind(&hash).bind(chain).execute(&mut **tx).await?;
    Ok(())
}

/// The hashed content of a row: everything but its own hash.
struct Fields<'a> {
    chain: &'a str,
    seq: i64,
    org_id: Option<&'a str>,
    /// Hashed too: it decides which location managers may read the row.
    location_id: Option<&'a str>,
    at: i64,
    actor_type: &'a str,
    actor_id: Option<&'a str>,
    actor_label: Option<&'a str>,
    action: &'a str,
    object_type: &'a str,
    object_id: Option<&'a str>,
    before: Option<&'a str>,
    after: Option<&'a str>,
    ip: Option<&'a str>,
    request_id: Option<&'a str>,
}

fn chain_hash(prev_hash: &str, f: &Fields<'_>) -> String {
    let canonical = json!([
        f.chain,
        f.seq,
        f.org_id,
        f.location_id,
        f.at,
        f.actor_type,
        f.actor_id,
        f.actor_label,
        f.action,
        f.object_type,
        f.object_id,
        f.before,
        f.after,
        f.ip,
        f.request_id
    ]);
    sha256_hex(format!("{prev_hash}\n{canonical}").as_bytes())
}

#[derive(sqlx::FromRow)]
struct Row {
    chain: String,
    seq: i64,
    org_id: Option<String>,
    location_id: Option<String>,
    at: i64,
    actor_type: String,
    actor_id: Option<String>,
    actor_label: Option<String>,
    action: String,
    object_type: String,
    object_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    ip: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Row {
    fn expected_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            &Fields {
                chain: &self.chain,
                seq: self.seq,
                org_id: self.org_id.as_deref(),
                location_id: self.location_id.as_deref(),
                at: self.at,
                actor_type: &self.actor_type,
                actor_id: self.actor_id.as_deref(),
                actor_label: self.actor_label.as_deref(),
                action: &self.action,
                object_type: &self.object_type,
                object_id: self.object_id.as_deref(),
                before: self.before_json.as_deref(),
                after: self.after_json.as_deref(),
                ip: self.ip.as_deref(),
                request_id: self.request_id.as_deref(),
            },
        )
    }
}

/// Where a chain stops being intact.
#[derive(Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub chain: String,
    pub seq: i64,
    pub reason: &'static str,
}

/// Progress through one chain.
struct Cursor {
    chain: String,
    seq: i64,
    hash: String,
    broken: bool,
}

/// Walk every chain in order, streaming rows; report the first broken link of each chain,
/// including rows missing at its end (the head remembers the last seq and hash).
pub async fn verify(db: &crate::db::Db) -> AppResult<(u64, Vec<BrokenLink>)> {
    use futures_util::TryStreamExt;
    let heads: std::collections::HashMap<String, (i64, String)> =
        sqlx::query_as::<_, (String, i64, String)>("SELECT chain, seq, hash FROM audit_heads")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(|(c, s, h)| (c, (s, h)))
            .collect();
    let mut seen = std::collections::HashSet::new();
    let mut broken = Vec::new();
    let mut checked = 0u64;
    let mut cur: Option<Cursor> = None;
    let finish = |cur: Option<Cursor>, broken: &mut Vec<BrokenLink>| {
        if let Some(c) = cur
            && !c.broken
            && heads.get(&c.chain).is_none_or(|(s, h)| *s != c.seq || *h != c.hash)
        {
            broken.push(BrokenLink { chain: c.chain, seq: c.seq, reason: "rows missing after this one" });
        }
    };
    let mut rows = sqlx::query_as::<_, Row>(
        "SELECT chain, seq, org_id, location_id, at, actor_type, actor_id, actor_label, action, object_type, object_id, \
         before_json, after_json, ip, request_id, prev_hash, hash FROM audit_log ORDER BY chain, seq",
    )
    .fetch(db.pool());
    while let Some(r) = rows.try_next().await? {
        checked += 1;
        if cur.as_ref().is_none_or(|c| c.chain != r.chain) {
            finish(cur.take(), &mut broken);
            seen.insert(r.chain.clone());
            cur = Some(Cursor { chain: r.chain.clone(), seq: 0, hash: String::new(), broken: false });
        }
        let Some(c) = cur.as_mut() else { continue };
        if c.broken {
            continue;
        }
        let reason = if r.seq != c.seq + 1 {
            Some("a row is missing before this one")
        } else if r.prev_hash != c.hash {
            Some("previous hash does not match")
        } else if r.hash != r.expected_hash() {
            Some("row content was changed")
        } else {
            None
        };
        match reason {
            Some(reason) => {
                broken.push(BrokenLink { chain: r.chain.clone(), seq: r.seq, reason });
                c.broken = true;
            }
            None => {
                c.seq = r.seq;
                c.hash = r.hash;
            }
        }
    }
    finish(cur, &mut broken);
    for (chain, (seq, _)) in &heads {
        if *seq > 0 && !seen.contains(chain) {
            broken.push(BrokenLink { chain: chain.clone(), seq: 0, reason: "rows missing after this one" });
        }
    }
    Ok((checked, broken))
}

/// An organisation event, recorded as the scope's member.
pub async fn org_event(
    tx: &mut Tx,
    at_ms: i64,
    scope: &crate::access::OrgScope,
    ctx: &Ctx,
    e: Event<'_>,
) -> AppResult<()> {
    record(tx, at_ms, Some(scope.org_id()), &scope.actor(), Some(ctx), e).await
}
