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
    Account { id: String, label: String },
    System,
}

impl Actor {
    fn parts(&self) -> (&'static str, Option<&str>, Option<&str>) {
        match self {
            Actor::Account { id, label } => ("account", Some(id), Some(label)),
            Actor::System => ("system", None, None),
        }
    }
}

/// One audit row to write.
pub struct Entry<'a> {
    pub org_id: Option<&'a str>,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub ctx: Option<&'a Ctx>,
}

pub async fn record(tx: &mut Tx, at_ms: i64, e: Entry<'_>) -> AppResult<()> {
    let chain = e.org_id.unwrap_or(PLATFORM_CHAIN);
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
    let (actor_type, actor_id, actor_label) = e.actor.parts();
    let before = e.before.map(|v| v.to_string());
    let after = e.after.map(|v| v.to_string());
    let ip = e.ctx.and_then(|c| c.ip.clone());
    let request_id = e.ctx.map(|c| c.request_id.clone());
    let canonical = json!([
        chain,
        seq,
        e.org_id,
        at_ms,
        actor_type,
        actor_id,
        actor_label,
        e.action,
        e.object_type,
        e.object_id,
        before,
        after,
        ip,
        request_id
    ]);
    let hash = sha256_hex(format!("{prev_hash}\n{canonical}").as_bytes());
    sqlx::query(
        "INSERT INTO audit_log (id, chain, seq, org_id, at, actor_type, actor_id, actor_label, action, \
         object_type, object_id, before_json, after_json, ip, request_id, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(crate::db::new_id())
    .bind(chain)
    .bind(seq)
    .bind(e.org_id)
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

#[derive(sqlx::FromRow)]
struct Row {
    chain: String,
    seq: i64,
    org_id: Option<String>,
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

/// Where a chain stops being intact.
#[derive(Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub chain: String,
    pub seq: i64,
    pub reason: &'static str,
}

/// Walk every chain in order; report the first broken link of each.
pub async fn verify(db: &crate::db::Db) -> AppResult<(u64, Vec<BrokenLink>)> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT chain, seq, org_id, at, actor_type, actor_id, actor_label, action, object_type, object_id, \
         before_json, after_json, ip, request_id, prev_hash, hash FROM audit_log ORDER BY chain, seq",
    )
    .fetch_all(db.pool())
    .await?;
    let heads: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT chain, seq, hash FROM audit_heads").fetch_all(db.pool()).await?;
    let mut broken = Vec::new();
    let mut checked = 0;
    let mut current: Option<(String, i64, String, bool)> = None; // chain, last seq, last hash, already broken
    let finish = |cur: &Option<(String, i64, String, bool)>, broken: &mut Vec<BrokenLink>| {
        if let Some((chain, seq, hash, is_broken)) = cur
            && !is_broken
        {
            let head = heads.iter().find(|h| &h.0 == chain);
            if head.is_none_or(|h| h.1 != *seq || &h.2 != hash) {
                broken.push(BrokenLink { chain: chain.clone(), seq: *seq, reason: "rows missing after this one" });
            }
        }
    };
    for r in rows {
        checked += 1;
        if current.as_ref().is_none_or(|c| c.0 != r.chain) {
            finish(&current, &mut broken);
            current = Some((r.chain.clone(), 0, String::new(), false));
        }
        let Some(cur) = current.as_mut() else { continue };
        if cur.3 {
            continue;
        }
        let canonical = json!([
            r.chain,
            r.seq,
            r.org_id,
            r.at,
            r.actor_type,
            r.actor_id,
            r.actor_label,
            r.action,
            r.object_type,
            r.object_id,
            r.before_json,
            r.after_json,
            r.ip,
            r.request_id
        ]);
        let expected = sha256_hex(format!("{}\n{canonical}", r.prev_hash).as_bytes());
        let reason = if r.seq != cur.1 + 1 {
            Some("a row is missing before this one")
        } else if r.prev_hash != cur.2 {
            Some("previous hash does not match")
        } else if r.hash != expected {
            Some("row content was changed")
        } else {
            None
        };
        if let Some(reason) = reason {
            broken.push(BrokenLink { chain: r.chain.clone(), seq: r.seq, reason });
            cur.3 = true;
        } else {
            cur.1 = r.seq;
            cur.2 = r.hash;
        }
    }
    finish(&current, &mut broken);
    Ok((checked, broken))
}
