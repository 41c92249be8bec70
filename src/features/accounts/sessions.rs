//! An account's sessions: listed to their owner, revocable one by one or all but this one.

use super::repo::{self};
use crate::features::prelude::*;
use crate::{
    audit::{self, Actor, Event},
    clock::to_ms,
};
use serde_json::json;

// ---------------------------------------------------------------- sessions

pub use super::repo::SessionRow;

pub async fn list_sessions(state: &AppState, account_id: &str) -> AppResult<Vec<SessionRow>> {
    let now = to_ms(state.now());
    repo::list_sessions(state.db.pool(), account_id, now, now - crate::access::session::SESSION_IDLE_MS).await
}

/// End one of the caller's own sessions; another account's session id is "not found".
pub async fn revoke_session(
    state: &AppState,
    ctx: &Ctx,
    account_id: &str,
    label: &str,
    session_id: &str,
) -> AppResult<()> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if repo::end_session(&mut tx, account_id, session_id).await? == 0 {
        return Err(AppError::NotFound);
    }
    let event = Event::new("session.revoked", "session", session_id);
    audit::record(&mut tx, now, None, &Actor::Account { id: account_id.into(), label: label.into() }, Some(ctx), event)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke_other_sessions(
    state: &AppState,
    ctx: &Ctx,
    account_id: &str,
    label: &str,
    keep: &str,
) -> AppResult<u64> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let ended = repo::end_sessions(&mut tx, account_id, Some(keep)).await?;
    let event = Event::new("session.revoked_others", "account", account_id).after(json!({"sessions_ended": ended}));
    audit::record(&mut tx, now, None, &Actor::Account { id: account_id.into(), label: label.into() }, Some(ctx), event)
        .await?;
    tx.commit().await?;
    Ok(ended)
}
