//! JSON and CSV endpoints for the audit trail.

use super::service::{self, AuditRow, Filter, Visible, csv_cell};
use crate::features::prelude::*;
use crate::http::{next_page, ts};
use axum::{
    body::{Body, Bytes},
    extract::Query,
    http::header,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// RFC 3339 instant, inclusive.
    pub from: Option<String>,
    /// RFC 3339 instant, exclusive.
    pub to: Option<String>,
    /// Cursor: return rows older than this sequence number.
    pub before: Option<i64>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
}

fn instant(field: &str, v: &Option<String>) -> AppResult<Option<i64>> {
    match v.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => crate::types::BoundedInstant::parse(field, s)
            .map(|t| Some(t.ms()))
            .map_err(|e| AppError::Validation(vec![e])),
    }
}

fn filter(q: &AuditQuery) -> AppResult<Filter> {
    let clean = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    Ok(Filter {
        actor_id: clean(&q.actor_id),
        action: clean(&q.action),
        object_type: clean(&q.object_type),
        object_id: clean(&q.object_id),
        from_ms: instant("from", &q.from)?,
        to_ms: instant("to", &q.to)?,
    })
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    #[serde(flatten)]
    pub row: AuditRow,
    pub at: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next_before: Option<i64>,
}

fn entry(r: AuditRow) -> AuditEntry {
    let parse = |s: &Option<String>| s.as_deref().and_then(|t| serde_json::from_str(t).ok());
    AuditEntry { at: ts(r.at), before: parse(&r.before_json), after: parse(&r.after_json), row: r }
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/audit", tag = "audit", params(OrgPath, AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    let visible = service::visibility(&state, &scope).await?;
    let f = filter(&q)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = service::page(&state, &scope, &visible, &f, q.before, limit + 1).await?;
    let (rows, next_before) = next_page(rows, limit, |r| r.seq);
    Ok(Json(AuditPage { items: rows.into_iter().map(entry).collect(), next_before }))
}

/// Streamed CSV of every matching row, newest first, page by page (any size).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/audit.csv", tag = "audit", params(OrgPath, AuditQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
pub async fn export(OrgRequest { state, scope, .. }: OrgRequest, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    let visible: Visible = service::visibility(&state, &scope).await?;
    let f = filter(&q)?;
    const PAGE: i64 = 500;
    let header_line =
        "seq,at,actor_type,actor_id,actor,action,object_type,object_id,location_id,before,after,ip,request_id\n";
    let stream = futures_util::stream::unfold(
        (Some(Bytes::from(header_line)), Some(q.before.unwrap_or(i64::MAX)), state, scope, visible, f),
        |(head, cursor, state, scope, visible, f)| async move {
            if let Some(h) = head {
                return Some((Ok::<Bytes, std::io::Error>(h), (None, cursor, state, scope, visible, f)));
            }
            let before = cursor?;
            match service::page(&state, &scope, &visible, &f, Some(before), PAGE).await {
                Err(e) => {
                    tracing::error!(error = %e, "audit export failed");
                    Some((Err(std::io::Error::other("export failed")), (None, None, state, scope, visible, f)))
                }
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = (rows.len() as i64 == PAGE).then(|| rows.last().map(|r| r.seq)).flatten();
                    let mut out = String::new();
                    for r in rows {
                        let cells = [
                            r.seq.to_string(),
                            ts(r.at),
                            r.actor_type,
                            r.actor_id.unwrap_or_default(),
                            r.actor_label.unwrap_or_default(),
                            r.action,
                            r.object_type,
                            r.object_id.unwrap_or_default(),
                            r.location_id.unwrap_or_default(),
                            r.before_json.unwrap_or_default(),
                            r.after_json.unwrap_or_default(),
                            r.ip.unwrap_or_default(),
                            r.request_id.unwrap_or_default(),
                        ];
                        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
                        out.push('\n');
                    }
                    Some((Ok(Bytes::from(out)), (None, next, state, scope, visible, f)))
                }
            }
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
