//! Audit queries. Keyset pagination on the organisation chain's sequence number.

use crate::features::prelude::*;
use crate::features::{clients::personal, locations::repo as locations};

use super::repo;
pub use super::repo::AuditRow;

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
    let ids: Vec<String> = locations::list(state.db.pool(), scope.tenant())
        .await?
        .into_iter()
        .map(|l| l.id)
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
    let rows = repo::page(state.db.pool(), scope.tenant(), f, &locations, before, limit).await?;
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

pub use crate::csv::cell as csv_cell;
