//! Notification preference storage: one row per member, event and channel they changed.

use crate::{
    access::Tenant,
    db::{self, Executor, Tx},
    error::AppResult,
};

/// `(event, channel, enabled)` of a member's own choices.
pub async fn preferences(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    membership_id: &str,
) -> AppResult<Vec<(String, String, i64)>> {
    let sql = "SELECT event, channel, enabled FROM notification_preferences WHERE org_id = $1 AND membership_id = $2";
    Ok(db::query_as(sql, &[tenant, &membership_id]).fetch_all(exec).await?)
}

/// `(the organisation's sms_enabled, the account's mobile phone)`.
pub async fn sms_and_phone(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    account_id: &str,
) -> AppResult<(i64, Option<String>)> {
    let sql = "SELECT o.sms_enabled, a.mobile_phone FROM orgs o JOIN accounts a ON a.id = $2 WHERE o.id = $1";
    Ok(db::query_as(sql, &[tenant, &account_id]).fetch_one(exec).await?)
}

/// Write one choice of a member, replacing an earlier one.
pub async fn set_preference(
    tx: &mut Tx,
    tenant: &Tenant,
    membership_id: &str,
    event: &str,
    channel: &str,
    enabled: bool,
    now: i64,
) -> AppResult<()> {
    let sql = "INSERT INTO notification_preferences (membership_id, org_id, event, channel, enabled, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (membership_id, event, channel) \
         DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at";
    db::execute(tx, sql, &[&membership_id, tenant, &event, &channel, &i64::from(enabled), &now]).await?;
    Ok(())
}
