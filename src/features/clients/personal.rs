//! A client's personal data outside their own row: per-client keys, the sealed values in
//! audit rows, and erasure of every trace.
//!
//! The audit chain must verify forever, yet erasure must leave nothing behind. So a
//! client's personal values (name, email, phone, notes) are written into audit rows'
//! before/after sealed with a key of that client (`client_keys`, itself sealed with the
//! server key); the chain hashes the ciphertext. Erasing the client deletes the key: the
//! rows stay, unchanged and verifiable, and their values can no longer be read by anyone.
//! A sealed value in the JSON is `{"$sealed": {"k": "<client key id>", "v": "v1:…"}}`.

use super::repo::{self, ClientRow};
use crate::{
    access::Tenant,
    crypto::{self, SecretKey},
    db::{Tx, new_id},
    error::{AppError, AppResult},
    state::AppState,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

const SEALED: &str = "$sealed";
/// What readers without the client-list right see instead of a personal value.
pub const MASKED: &str = "[masked]";
/// What everyone sees once the client has been erased.
pub const ERASED: &str = "[erased]";
/// The personal fields of a client, wherever a client appears in audit JSON.
pub const FIELDS: &[&str] = &["first_name", "last_name", "email", "phone", "notes", "client_email"];

fn key_aad(org_id: &str, key_id: &str) -> String {
    format!("client_keys:{org_id}:{key_id}")
}

fn value_aad(org_id: &str, key_id: &str) -> String {
    format!("audit:{org_id}:{key_id}")
}

/// The client's current key (created on first use), inside the caller's transaction.
async fn key_for(tx: &mut Tx, state: &AppState, tenant: &Tenant, client_id: &str) -> AppResult<(String, SecretKey)> {
    let server = state.secret_key()?;
    let org_id = tenant.org_id();
    let existing = repo::current_key(tx, tenant, client_id).await?;
    if let Some((id, sealed)) = existing {
        return Ok((id.clone(), open_key(server, org_id, &id, &sealed)?));
    }
    let id = new_id();
    let key = SecretKey::generate();
    let sealed =
        crypto::seal(server, key.to_text().as_bytes(), key_aad(org_id, &id).as_bytes()).map_err(AppError::internal)?;
    repo::insert_key(tx, tenant, (&id, client_id), &sealed, crate::clock::to_ms(state.now())).await?;
    Ok((id, key))
}

fn open_key(server: &SecretKey, org_id: &str, id: &str, sealed: &str) -> AppResult<SecretKey> {
    let text = crypto::open(server, sealed, key_aad(org_id, id).as_bytes())
        .map_err(|e| AppError::internal(format!("client key {id} cannot be opened: {e}")))?;
    SecretKey::from_text(&String::from_utf8_lossy(&text)).map_err(AppError::internal)
}

/// `value` (a client snapshot, or any object holding a client's personal fields) with
/// those fields sealed under the client's key, for an audit row. Nulls and empty strings
/// stay as they are: they say nothing about the client.
pub async fn seal(tx: &mut Tx, state: &AppState, tenant: &Tenant, client_id: &str, value: Value) -> AppResult<Value> {
    let Value::Object(mut map) = value else { return Ok(value) };
    let personal: Vec<String> = map
        .iter()
        .filter(|(k, v)| FIELDS.contains(&k.as_str()) && !v.is_null() && v.as_str() != Some(""))
        .map(|(k, _)| k.clone())
        .collect();
    if personal.is_empty() {
        return Ok(Value::Object(map));
    }
    let (key_id, key) = key_for(tx, state, tenant, client_id).await?;
    let org_id = tenant.org_id();
    for k in personal {
        if let Some(v) = map.get_mut(&k) {
            let sealed = crypto::seal(&key, v.to_string().as_bytes(), value_aad(org_id, &key_id).as_bytes())
                .map_err(AppError::internal)?;
            *v = json!({ SEALED: {"k": key_id, "v": sealed} });
        }
    }
    Ok(Value::Object(map))
}

/// A merged duplicate's keys (and messages) become the kept client's, so erasing the kept
/// client also erases what came from the duplicate.
pub async fn adopt(tx: &mut Tx, tenant: &Tenant, from_client: &str, to_client: &str) -> AppResult<()> {
    repo::hand_over_keys_and_messages(tx, tenant, from_client, to_client).await
}

/// Everything outside the client's own row that holds their data, cleared inside the
/// erasure's transaction: their keys (the audit rows' values become unreadable), their
/// bookings' notes and manage links, and every message about them, sent or not (a pending
/// one is never sent). `client` is the row as it was before the erasure: its address and
/// phone find messages queued before messages were tagged with their client.
pub async fn erase_traces(tx: &mut Tx, tenant: &Tenant, client: &ClientRow) -> AppResult<()> {
    repo::delete_keys(tx, tenant, &client.id).await?;
    crate::features::bookings::repo::clear_notes_of_client(tx, tenant, &client.id).await?;
    let email_norm = client.email.as_ref().map(|e| e.to_lowercase()).filter(|e| !e.is_empty());
    let phone = client.phone.as_deref().filter(|p| !p.is_empty());
    repo::erase_messages(tx, tenant, &client.id, email_norm.as_deref(), phone).await
}

/// Collect the key ids of every sealed value in `v`.
fn sealed_ids(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(k) = m.get(SEALED).and_then(|s| s.get("k")).and_then(Value::as_str) {
                out.insert(k.to_string());
                return;
            }
            m.values().for_each(|x| sealed_ids(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| sealed_ids(x, out)),
        _ => {}
    }
}

/// Opens the sealed values of a batch of audit rows, loading each client key once.
pub struct Revealer {
    org_id: String,
    /// Key id → the key, or `None` when the reader may not open it (it exists, masked).
    keys: HashMap<String, Option<SecretKey>>,
}

impl Revealer {
    /// Load the keys the `documents` (before/after JSON texts) refer to; `open` says
    /// whether the reader may read clients' personal data at all (if not, keys are only
    /// looked up, to tell masked from erased).
    pub async fn load<'a>(
        state: &AppState,
        tenant: &Tenant,
        documents: impl Iterator<Item = &'a str>,
        open: bool,
    ) -> AppResult<Revealer> {
        let mut ids = HashSet::new();
        for d in documents {
            if d.contains(SEALED)
                && let Ok(v) = serde_json::from_str::<Value>(d)
            {
                sealed_ids(&v, &mut ids);
            }
        }
        let mut keys = HashMap::new();
        if !ids.is_empty() {
            let ids: Vec<String> = ids.into_iter().collect();
            let server = if open { Some(state.secret_key()?) } else { None };
            for (id, sealed) in repo::keys(state.db.pool(), tenant, &ids).await? {
                let key = match server {
                    Some(s) => Some(open_key(s, tenant.org_id(), &id, &sealed)?),
                    None => None,
                };
                keys.insert(id, key);
            }
        }
        Ok(Revealer { org_id: tenant.org_id().to_string(), keys })
    }

    /// `doc` with every sealed value opened (readers who may), masked (who may not) or
    /// marked erased (everyone, once the key is gone). With `open` false, also masks the
    /// personal fields of rows written before values were sealed (`legacy_fields`).
    pub fn reveal(&self, doc: &str, open: bool, legacy_fields: bool) -> String {
        if !doc.contains(SEALED) && (open || !legacy_fields) {
            return doc.to_string();
        }
        let Ok(mut v) = serde_json::from_str::<Value>(doc) else { return doc.to_string() };
        self.walk(&mut v, open, legacy_fields && !open);
        v.to_string()
    }

    fn walk(&self, v: &mut Value, open: bool, mask_plain: bool) {
        match v {
            Value::Object(m) => {
                if let Some(s) = m.get(SEALED) {
                    *v = self.open_one(s, open);
                    return;
                }
                for (k, x) in m.iter_mut() {
                    if mask_plain && FIELDS.contains(&k.as_str()) && (x.is_string() && x.as_str() != Some("")) {
                        *x = Value::String(MASKED.into());
                    } else {
                        self.walk(x, open, mask_plain);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.walk(x, open, mask_plain)),
            _ => {}
        }
    }

    fn open_one(&self, s: &Value, open: bool) -> Value {
        let (Some(k), Some(sealed)) = (s.get("k").and_then(Value::as_str), s.get("v").and_then(Value::as_str)) else {
            return Value::String(ERASED.into());
        };
        match self.keys.get(k) {
            None => Value::String(ERASED.into()),
            Some(_) if !open => Value::String(MASKED.into()),
            Some(None) => Value::String(MASKED.into()),
            Some(Some(key)) => crypto::open(key, sealed, value_aad(&self.org_id, k).as_bytes())
                .ok()
                .and_then(|p| serde_json::from_slice(&p).ok())
                .unwrap_or_else(|| Value::String(ERASED.into())),
        }
    }
}
