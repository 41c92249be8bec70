//! Audit queries. Keyset pagination on the organisation chain's sequence number.

use crate::{
    access::{
        OrgScope,
        policy::{Action, Object},
    },
    error::{AppError, AppResult},
    features::clients::personal,
    state::AppState,
};
use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Epoch milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Epoch milliseconds, exclusive.
    pub to_ms: Option<i64>,
}

/// Which rows the reader may see: all of the organisation, or those of some locations.
#[derive(Clone, Debug)]
pub enum Visible {
    All,
    Locations(Vec<String>),
}

pub async fn visibility(state: &AppState, scope: &OrgScope) -> AppResult<Visible> {
    if scope.check(Action::ViewAuditLog, Object::Org).allowed && scope.member().org_wide().is_some() {
        return Ok(Visible::All);
    }
    let locations: Vec<(String,)> = sqlx::query_as("SELECT id FROM locations WHERE org_id = $1")
        .bind(scope.org_id())
        .fetch_all(state.db.pool())
        .await?;
    let ids: Vec<String> = locations
        .into_iter()
        .map(|(id,)| id)
        .filter(|id| scope.check(Action::ViewAuditLog, Object::Location { id }).allowed)
        .collect();
    if ids.is_empty() {
        return Err(scope
            .require(Action::ViewAuditLog, Object::Org)
            .err()
            .unwrap_or(AppError::forbidden("forbidden", "No audit access.")));
    }
    Ok(Visible::Locations(ids))
}

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

/// One page, newest first, of rows with `seq < before`.
pub async fn page(
    state: &AppState,
    scope: &OrgScope,
    visible: &Visible,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let locations = match visible {
        Visible::All => String::new(),
        Visible::Locations(ids) => ids.join(","),
    };
    // Optional filters are written as "(param is empty OR column = param)" so that one SQL
    // text serves both databases; the chain and sequence bound the scan.
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT seq, at, actor_type, actor_id, actor_label, action, object_type, object_id, location_id, before_json, \
                after_json, ip, request_id \
         FROM audit_log WHERE chain = $1 AND seq < $2 \
           AND ($3 = '' OR actor_id = $3) AND ($4 = '' OR action = $4) AND ($5 = '' OR object_type = $5) \
           AND ($6 = '' OR object_id = $6) AND at >= $7 AND at < $8 \
           AND ($9 = '' OR (location_id IS NOT NULL AND ',' || $9 || ',' LIKE '%,' || location_id || ',%')) \
         ORDER BY seq DESC LIMIT $10",
    )
    .bind(scope.org_id())
    .bind(before.unwrap_or(i64::MAX))
    .bind(f.actor_id.as_deref().unwrap_or(""))
    .bind(f.action.as_deref().unwrap_or(""))
    .bind(f.object_type.as_deref().unwrap_or(""))
    .bind(f.object_id.as_deref().unwrap_or(""))
    .bind(f.from_ms.unwrap_or(i64::MIN))
    .bind(f.to_ms.unwrap_or(i64::MAX))
    .bind(&locations)
    .bind(limit)
    .fetch_all(state.db.pool())
    .await?;
    reveal(state, scope, rows).await
}

/// May this reader see the personal data of clients in this row? The client-list right
/// where the row belongs (its location, or the organisation for rows without one).
fn sees_clients(scope: &OrgScope, r: &AuditRow) -> bool {
    match &r.location_id {
        Some(l) => {
            let locs = [l.clone()];
            scope.check(Action::ViewClient, Object::Client { location_ids: &locs, calendar_ids: &[] }).allowed
        }
        None => scope.check(Action::ViewClient, Object::Org).allowed,
    }
}

/// Every reader goes through here (JSON, CSV, page): clients' sealed values are opened
/// for readers with the client-list right, masked for the others, and shown as erased to
/// everyone once the client is erased. Rows written before values were sealed have their
/// clients' fields masked by name for readers without the right, and a client actor's
/// address as label too.
async fn reveal(state: &AppState, scope: &OrgScope, mut rows: Vec<AuditRow>) -> AppResult<Vec<AuditRow>> {
    let sees: Vec<bool> = rows.iter().map(|r| sees_clients(scope, r)).collect();
    let docs = |want: bool| {
        rows.iter()
            .zip(&sees)
            .filter(move |(_, s)| **s == want)
            .flat_map(|(r, _)| [r.before_json.as_deref(), r.after_json.as_deref()])
            .flatten()
            .collect::<Vec<&str>>()
    };
    let opened = personal::Revealer::load(state, scope.tenant(), docs(true).into_iter(), true).await?;
    let masked = personal::Revealer::load(state, scope.tenant(), docs(false).into_iter(), false).await?;
    for (r, sees) in rows.iter_mut().zip(sees) {
        let revealer = if sees { &opened } else { &masked };
        let legacy = r.object_type == "client";
        for doc in [&mut r.before_json, &mut r.after_json].into_iter().flatten() {
            *doc = revealer.reveal(doc, sees, legacy);
        }
        if !sees && r.actor_type == "client" && r.actor_label.as_deref().is_some_and(|l| l.contains('@')) {
            r.actor_label = Some(personal::MASKED.to_string());
        }
    }
    Ok(rows)
}

/// Neutralise spreadsheet formulas and quote a CSV cell.
pub fn csv_cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let v = if risky { format!("'{value}") } else { value.to_string() };
    format!("\"{}\"", v.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_cannot_carry_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+33 6"), "\"'+33 6\"");
        assert_eq!(csv_cell("-1"), "\"'-1\"");
        assert_eq!(csv_cell("@SUM"), "\"'@SUM\"");
        assert_eq!(csv_cell("\tx"), "\"'\tx\"");
        assert_eq!(csv_cell("plain, \"quoted\""), "\"plain, \"\"quoted\"\"\"");
    }
}
