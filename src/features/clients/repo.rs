//! The SQL of clients, each statement once; every function takes the `Tenant`.

use super::service::ClientRow;
use crate::{access::Tenant, db::Tx, error::AppResult};

/// Insert a client (its address also kept lower-cased, to recognise it), in the language
/// it was first met in when known.
pub async fn insert(tx: &mut Tx, tenant: &Tenant, c: &ClientRow, language: Option<&str>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO clients (id, org_id, first_name, last_name, email, email_norm, phone, notes, language, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&c.id)
    .bind(tenant.org_id())
    .bind(&c.first_name)
    .bind(&c.last_name)
    .bind(&c.email)
    .bind(c.email.as_ref().map(|e| e.to_lowercase()))
    .bind(&c.phone)
    .bind(&c.notes)
    .bind(language)
    .bind(c.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The oldest client not erased with this (lower-cased) address.
pub async fn by_email(tx: &mut Tx, tenant: &Tenant, email_norm: &str) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM clients WHERE org_id = $1 AND email_norm = $2 AND erased_at IS NULL ORDER BY created_at LIMIT 1",
    )
    .bind(tenant.org_id())
    .bind(email_norm)
    .fetch_optional(&mut **tx)
    .await?)
}
