//! Unavailability periods of a calendar (holiday, sick leave…) with a reason: listed, added,
//! removed, audited.

use crate::{
    access::{
        OrgScope,
        policy::{Action, Object},
    },
    audit::{self, OrgEvent},
    clock::to_ms,
    db::new_id,
    error::{AppError, AppResult},
    features::calendars::service::{self as calendars},
    http::Ctx,
    state::AppState,
};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Unavailability {
    pub id: String,
    pub calendar_id: String,
    #[serde(skip)]
    pub start_at: i64,
    #[serde(skip)]
    pub end_at: i64,
    pub reason: String,
}

/// Periods of a calendar (holiday, sick leave), newest first; visible to whoever sees the
/// calendar.
pub async fn list_unavailability(
    state: &AppState,
    scope: &OrgScope,
    calendar_id: &str,
) -> AppResult<Vec<Unavailability>> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    Ok(sqlx::query_as(
        "SELECT id, calendar_id, start_at, end_at, reason FROM unavailability WHERE org_id = $1 AND calendar_id = $2 \
         ORDER BY start_at DESC LIMIT 500",
    )
    .bind(scope.org_id())
    .bind(&cal.id)
    .fetch_all(state.db.pool())
    .await?)
}

pub async fn add_unavailability(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    calendar_id: &str,
    start: &str,
    end: &str,
    reason: &str,
) -> AppResult<Unavailability> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let parse = |f: &str, v: &str| {
        crate::types::BoundedInstant::parse(f, v).map(|t| t.ms()).map_err(|e| AppError::Validation(vec![e]))
    };
    let (s, e) = (parse("start", start)?, parse("end", end)?);
    if e <= s {
        return Err(AppError::field("end", "before-start", "The end must come after the start."));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::field("reason", "too-long", "At most 200 characters."));
    }
    let now = to_ms(state.now());
    let u = Unavailability {
        id: new_id(),
        calendar_id: cal.id.clone(),
        start_at: s,
        end_at: e,
        reason: reason.trim().to_string(),
    };
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO unavailability (id, org_id, calendar_id, start_at, end_at, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&u.id)
        .bind(scope.org_id())
        .bind(&u.calendar_id)
        .bind(s)
        .bind(e)
        .bind(&u.reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "calendar.unavailability_added",
            object_type: "calendar",
            object_id: &cal.id,
            location_id: Some(&cal.location_id),
            before: None,
            after: Some(json!({"id": u.id, "start": s, "end": e, "reason": u.reason})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(u)
}

pub async fn remove_unavailability(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    calendar_id: &str,
    id: &str,
) -> AppResult<()> {
    let cal = calendars::get(state, scope, calendar_id).await?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref()))?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let r = sqlx::query("DELETE FROM unavailability WHERE org_id = $1 AND calendar_id = $2 AND id = $3")
        .bind(scope.org_id())
        .bind(&cal.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        OrgEvent {
            action: "calendar.unavailability_removed",
            object_type: "calendar",
            object_id: &cal.id,
            location_id: Some(&cal.location_id),
            before: Some(json!({"id": id})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
