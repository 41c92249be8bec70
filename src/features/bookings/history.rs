//! What a booking's page adds for those who see the booking: its own history (who created,
//! moved, cancelled it, when, in words) and, for who may see the client, their contact
//! details and notes.

use crate::features::prelude::*;
use crate::features::{audit_log::repo as audit, clients::service as clients, members::repo as members};
use jiff::tz::TimeZone;
use std::collections::HashMap;

pub(super) struct HistoryLine {
    pub(super) when: String,
    pub(super) who: String,
    pub(super) what: &'static str,
    /// Where a move took it ("au mercredi 9 décembre 2026 à 15:00"); empty otherwise.
    pub(super) detail: String,
}

/// The booking's audit rows, newest first, in words. The caller shows them only to whoever
/// sees the booking; personal values of the rows are not read.
pub(super) async fn history(
    state: &AppState,
    scope: &OrgScope,
    t: Tr,
    tz: &TimeZone,
    id: &str,
) -> AppResult<Vec<HistoryLine>> {
    let rows = audit::of_object(state.db.pool(), scope.tenant(), "booking", id).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Members by account, for their names (one query).
    let names: HashMap<String, String> = members::list(state.db.pool(), scope.tenant())
        .await?
        .into_iter()
        .map(|m| (m.account_id.unwrap_or_default(), format!("{} {}", m.first_name, m.last_name).trim().to_string()))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let z = crate::clock::from_ms(r.at).to_zoned(tz.clone());
            let who = match r.actor_type.as_str() {
                "account" => r
                    .actor_id
                    .as_deref()
                    .and_then(|a| names.get(a))
                    .filter(|n| !n.is_empty())
                    .cloned()
                    .or(r.actor_label)
                    .unwrap_or_default(),
                "client" => t.get("history.client").to_string(),
                // An integration, named as the key it used (its creator is on the audit page).
                "api_key" => t.fmt("history.api_key", &[("name", r.actor_label.as_deref().unwrap_or(""))]),
                _ => t.get("history.system").to_string(),
            };
            // A move's new start, from the row's `after` (an instant only, nothing personal).
            let moved_to = (r.action == "booking.moved")
                .then_some(r.after_json.as_deref())
                .flatten()
                .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
                .and_then(|a| a["start"].as_i64());
            HistoryLine {
                when: format!("{}, {}", t.long_date(z.date()), z.strftime("%H:%M")),
                who,
                what: t.history_action(&r.action),
                detail: moved_to
                    .map(|ms| {
                        t.fmt(
                            "history.moved_to",
                            &[("when", &t.date_time(&crate::clock::from_ms(ms).to_zoned(tz.clone())))],
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect())
}

pub(super) struct ClientCard {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) phone: String,
    pub(super) notes: String,
}

/// The booking's client as the reader may see them: None without the right to view that
/// client (the booking's title still names them).
pub(super) async fn client_card(
    state: &AppState,
    scope: &OrgScope,
    client_id: Option<&str>,
) -> AppResult<Option<ClientCard>> {
    let Some(id) = client_id else { return Ok(None) };
    match clients::get(state, scope, id, Action::ViewClient).await {
        Ok(c) if c.erased_at.is_none() => Ok(Some(ClientCard {
            name: format!("{} {}", c.first_name, c.last_name).trim().to_string(),
            email: c.email.unwrap_or_default(),
            phone: c.phone.unwrap_or_default(),
            notes: c.notes,
            id: c.id,
        })),
        Ok(_) | Err(AppError::NotFound | AppError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
