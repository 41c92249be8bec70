//! The SQL of clients and of their keys (`personal.rs`), each statement once; every function
//! takes the `Tenant` and binds its organisation.

use crate::{
    access::Tenant,
    db::{self, Executor, Tx, placeholders},
    error::AppResult,
};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ClientRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
    #[serde(skip)]
    pub erased_at: Option<i64>,
    #[serde(skip)]
    pub created_at: i64,
}

const COLUMNS: &str = "id, first_name, last_name, email, phone, notes, erased_at, created_at";

/// Insert a client (its address also kept lower-cased, to recognise it), in the language
/// it was first met in when known.
pub async fn insert(tx: &mut Tx, tenant: &Tenant, c: &ClientRow, language: Option<&str>) -> AppResult<()> {
    let sql = "INSERT INTO clients (id, org_id, first_name, last_name, email, email_norm, phone, notes, language, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)";
    db::execute(
        tx,
        sql,
        &[
            &c.id,
            tenant,
            &c.first_name,
            &c.last_name,
            &c.email,
            &c.email.as_ref().map(|e| e.to_lowercase()),
            &c.phone,
            &c.notes,
            &language,
            &c.created_at,
        ],
    )
    .await?;
    Ok(())
}

/// The oldest client not erased with this (lower-cased) address.
pub async fn by_email(tx: &mut Tx, tenant: &Tenant, email_norm: &str) -> AppResult<Option<String>> {
    let sql = "SELECT id FROM clients WHERE org_id = $1 AND email_norm = $2 AND erased_at IS NULL ORDER BY created_at LIMIT 1";
    Ok(db::query_scalar(sql, &[tenant, &email_norm]).fetch_optional(&mut **tx).await?)
}

/// The oldest client not erased with this phone number (E.164, as stored).
pub async fn by_phone(tx: &mut Tx, tenant: &Tenant, phone: &str) -> AppResult<Option<String>> {
    let sql =
        "SELECT id FROM clients WHERE org_id = $1 AND phone = $2 AND erased_at IS NULL ORDER BY created_at LIMIT 1";
    Ok(db::query_scalar(sql, &[tenant, &phone]).fetch_optional(&mut **tx).await?)
}

/// Other clients, not erased, with this (lower-cased) address or this phone: the possible
/// duplicates of `id`, oldest first, ten at most. An empty value matches nothing.
pub async fn sharing_contact(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    id: &str,
    (email_norm, phone): (&str, &str),
) -> AppResult<Vec<ClientRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM clients WHERE org_id = $1 AND id <> $2 AND erased_at IS NULL \
         AND (($3 <> '' AND email_norm = $3) OR ($4 <> '' AND phone = $4)) ORDER BY created_at, id LIMIT 10"
    );
    Ok(db::query_as(&sql, &[tenant, &id, &email_norm, &phone]).fetch_all(exec).await?)
}

pub async fn get(exec: impl Executor<'_>, tenant: &Tenant, id: &str) -> AppResult<Option<ClientRow>> {
    let sql = format!("SELECT {COLUMNS} FROM clients WHERE org_id = $1 AND id = $2");
    Ok(db::query_as(&sql, &[tenant, &id]).fetch_optional(exec).await?)
}

/// Where a search may look: the whole organisation, or only clients with a booking in
/// some locations or on some calendars.
pub enum Reach<'a> {
    Org,
    Through { location_ids: &'a [String], calendar_ids: &'a [String] },
}

/// Clients not erased whose name, address or phone holds `pattern` (a `LIKE` pattern),
/// after the keyset `(last name, first name, id)`, by name.
pub async fn search(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    pattern: &str,
    (al, af, ai): (&str, &str, &str),
    limit: i64,
    reach: Reach<'_>,
) -> AppResult<Vec<ClientRow>> {
    let base = format!(
        "SELECT {COLUMNS} FROM clients c WHERE c.org_id = $1 AND c.erased_at IS NULL \
         AND (lower(c.last_name) LIKE $2 OR lower(c.first_name) LIKE $2 OR c.email_norm LIKE $2 OR c.phone LIKE $2) \
         AND (c.last_name > $3 OR (c.last_name = $3 AND (c.first_name > $4 OR (c.first_name = $4 AND c.id > $5))))"
    );
    let (sql, lists) = match reach {
        Reach::Org => (format!("{base} ORDER BY c.last_name, c.first_name, c.id LIMIT $6"), None),
        Reach::Through { location_ids, calendar_ids } => (
            format!(
                "{base} AND EXISTS (SELECT 1 FROM bookings b WHERE b.org_id = $1 AND b.client_id = c.id AND (b.location_id IN ({}) OR b.calendar_id IN ({}))) \
                 ORDER BY c.last_name, c.first_name, c.id LIMIT $6",
                placeholders(7, location_ids.len().max(1)),
                placeholders(7 + location_ids.len().max(1), calendar_ids.len().max(1)),
            ),
            Some([location_ids, calendar_ids]),
        ),
    };
    let mut values: Vec<&dyn db::Value> = vec![tenant, &pattern, &al, &af, &ai, &limit];
    // An empty list still holds one value, matching nothing.
    for list in lists.into_iter().flatten() {
        if list.is_empty() {
            values.push(&"");
        }
        values.extend(list.iter().map(|v| v as &dyn db::Value));
    }
    Ok(db::query_as(&sql, &values).fetch_all(exec).await?)
}

/// Write a client's fields (`email_norm`: its address lower-cased, to recognise it).
pub async fn update(tx: &mut Tx, tenant: &Tenant, c: &ClientRow, email_norm: Option<&str>, now: i64) -> AppResult<()> {
    let sql = "UPDATE clients SET first_name = $1, last_name = $2, email = $3, email_norm = $4, phone = $5, notes = $6, updated_at = $7 WHERE org_id = $8 AND id = $9";
    db::execute(
        tx,
        sql,
        &[&c.first_name, &c.last_name, &c.email, &email_norm, &c.phone, &c.notes, &now, tenant, &c.id],
    )
    .await?;
    Ok(())
}

/// Write a client's contact and notes (what a merge fills in from the duplicate).
pub async fn set_contact(
    tx: &mut Tx,
    tenant: &Tenant,
    id: &str,
    (email, phone): (Option<&str>, Option<&str>),
    notes: &str,
    now: i64,
) -> AppResult<()> {
    let sql = "UPDATE clients SET email = $1, email_norm = $2, phone = $3, notes = $4, updated_at = $5 WHERE org_id = $6 AND id = $7";
    db::execute(tx, sql, &[&email, &email.map(|e| e.to_lowercase()), &phone, &notes, &now, tenant, &id]).await?;
    Ok(())
}

/// Delete a client; the raw error, so the caller can tell a booking still referring to it.
pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM clients WHERE org_id = $1 AND id = $2";
    db::execute(tx, sql, &[tenant, &id]).await.map(|_| ())
}

/// Blank a client's personal fields and mark it erased.
pub async fn erase(tx: &mut Tx, tenant: &Tenant, id: &str, now: i64) -> AppResult<()> {
    let sql = "UPDATE clients SET first_name = '', last_name = '', email = NULL, email_norm = NULL, phone = NULL, notes = '', erased_at = $1, updated_at = $1 \
         WHERE org_id = $2 AND id = $3";
    db::execute(tx, sql, &[&now, tenant, &id]).await?;
    Ok(())
}

/// A client's newest key, `(id, sealed key)`.
pub async fn current_key(tx: &mut Tx, tenant: &Tenant, client_id: &str) -> AppResult<Option<(String, String)>> {
    let sql = "SELECT id, sealed_key FROM client_keys WHERE org_id = $1 AND client_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1";
    Ok(db::query_as(sql, &[tenant, &client_id]).fetch_optional(&mut **tx).await?)
}

pub async fn insert_key(
    tx: &mut Tx,
    tenant: &Tenant,
    (id, client_id): (&str, &str),
    sealed: &str,
    now: i64,
) -> AppResult<()> {
    let sql = "INSERT INTO client_keys (id, org_id, client_id, sealed_key, created_at) VALUES ($1, $2, $3, $4, $5)";
    db::execute(tx, sql, &[&id, tenant, &client_id, &sealed, &now]).await?;
    Ok(())
}

/// Some keys by id, `(id, sealed key)`, in one query; those erased are missing.
pub async fn keys(exec: impl Executor<'_>, tenant: &Tenant, ids: &[String]) -> AppResult<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT id, sealed_key FROM client_keys WHERE org_id = $1 AND id IN ({})", placeholders(2, ids.len()));
    Ok(db::query_as(&sql, &db::and_list(&[tenant], ids)).fetch_all(exec).await?)
}

/// One client's keys and messages become another's.
pub async fn hand_over_keys_and_messages(tx: &mut Tx, tenant: &Tenant, from: &str, to: &str) -> AppResult<()> {
    let sql = "UPDATE client_keys SET client_id = $1 WHERE org_id = $2 AND client_id = $3";
    db::execute(tx, sql, &[&to, tenant, &from]).await?;
    db::execute(tx, "UPDATE outbox SET client_id = $1 WHERE org_id = $2 AND client_id = $3", &[&to, tenant, &from])
        .await?;
    Ok(())
}

pub async fn delete_keys(tx: &mut Tx, tenant: &Tenant, client_id: &str) -> AppResult<()> {
    let sql = "DELETE FROM client_keys WHERE org_id = $1 AND client_id = $2";
    db::execute(tx, sql, &[tenant, &client_id]).await?;
    Ok(())
}

/// Empty every message about a client (tagged with it, or sent to its address or phone);
/// a pending one becomes `erased`, never sent.
pub async fn erase_messages(
    tx: &mut Tx,
    tenant: &Tenant,
    client_id: &str,
    email_norm: Option<&str>,
    phone: Option<&str>,
) -> AppResult<()> {
    let sql = "UPDATE outbox SET payload = NULL, recipient = '', last_error = NULL, \
         status = CASE WHEN status = 'pending' THEN 'erased' ELSE status END \
         WHERE org_id = $1 AND (client_id = $2 OR lower(recipient) = $3 OR recipient = $4)";
    db::execute(tx, sql, &[tenant, &client_id, &email_norm, &phone]).await?;
    Ok(())
}
