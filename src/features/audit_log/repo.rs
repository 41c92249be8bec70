//! Reading the organisation's audit chain (writing it is `crate::audit`'s).

use super::service::Filter;
use crate::{
    access::Tenant,
    db::{self, Executor},
    error::AppResult,
};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    #[serde(skip)]
    pub at: i64,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub actor_label: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub location_id: Option<String>,
    #[serde(skip)]
    pub before_json: Option<String>,
    #[serde(skip)]
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Up to `limit` rows of the chain with `seq < before`, newest first, matching `f` and, when
/// `locations` (comma-separated ids) is not empty, belonging to one of those locations.
pub async fn page(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    f: &Filter,
    locations: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    // Optional filters are written as "(param is empty OR column = param)" so that one SQL
    // text serves both databases; the chain and sequence bound the scan.
    let sql = "SELECT seq, at, actor_type, actor_id, actor_label, action, object_type, object_id, location_id, before_json, \
                after_json, ip, request_id \
         FROM audit_log WHERE chain = $1 AND seq < $2 \
           AND ($3 = '' OR actor_id = $3) AND ($4 = '' OR action = $4) AND ($5 = '' OR object_type = $5) \
           AND ($6 = '' OR object_id = $6) AND at >= $7 AND at < $8 \
           AND ($9 = '' OR (location_id IS NOT NULL AND ',' || $9 || ',' LIKE '%,' || location_id || ',%')) \
         ORDER BY seq DESC LIMIT $10";
    Ok(db::query_as(
        sql,
        &[
            tenant,
            &before.unwrap_or(i64::MAX),
            &f.actor_id.as_deref().unwrap_or(""),
            &f.action.as_deref().unwrap_or(""),
            &f.object_type.as_deref().unwrap_or(""),
            &f.object_id.as_deref().unwrap_or(""),
            &f.from_ms.unwrap_or(i64::MIN),
            &f.to_ms.unwrap_or(i64::MAX),
            &locations,
            &limit,
        ],
    )
    .fetch_all(exec)
    .await?)
}

/// One object's rows, newest first (at most 100): its own history, through the
/// `(object_type, object_id)` index.
pub async fn of_object(
    exec: impl Executor<'_>,
    tenant: &Tenant,
    object_type: &str,
    object_id: &str,
) -> AppResult<Vec<AuditRow>> {
    let sql = "SELECT seq, at, actor_type, actor_id, actor_label, action, object_type, object_id, location_id, before_json, \
                after_json, ip, request_id \
         FROM audit_log WHERE object_type = $1 AND object_id = $2 AND chain = $3 ORDER BY seq DESC LIMIT 100";
    Ok(db::query_as(sql, &[&object_type, &object_id, tenant]).fetch_all(exec).await?)
}
