//! The page where a member chooses their notifications: a table of checkboxes.

use super::service::{self, CHANNELS, EVENTS, Preference};
use crate::features::prelude::*;
use askama::Template;
use axum::extract::Query;

struct Row {
    event: &'static str,
    label: &'static str,
    /// (checkbox name, checked), in the order of CHANNELS.
    cells: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    p: PageCtx,
    rows: Vec<Row>,
    sms_available: bool,
    has_phone: bool,
}

pub async fn show(OrgPage { state, ctx, who, scope }: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    let prefs = service::mine(&state, &scope).await.or_page(&ctx)?;
    let p = PageCtx::for_org(&state, &ctx, &who, &scope, "/notifications").await.or_page(&ctx)?;
    let t = p.t;
    let rows = EVENTS
        .iter()
        .map(|e| Row {
            event: e,
            label: t.notification_event(e),
            cells: CHANNELS.iter().map(|c| (format!("{e}.{c}"), prefs.enabled(e, c))).collect(),
        })
        .collect();
    Ok(render(&NotificationsPage {
        rows,
        sms_available: prefs.sms_available,
        has_phone: prefs.mobile_phone.is_some_and(|m| !m.is_empty()),
        p: with_done(p, q.done.as_deref()),
    }))
}

/// Every cell is in the form: an unticked box (absent from the body) turns that cell off.
pub async fn save(OrgRequest { state, ctx, scope }: OrgRequest, form: FormFields) -> PageResult {
    let all: Vec<Preference> = EVENTS
        .iter()
        .flat_map(|e| CHANNELS.iter().map(move |c| (*e, *c)))
        .map(|(e, c)| Preference { event: e.into(), channel: c.into(), enabled: form.checked(&format!("{e}.{c}")) })
        .collect();
    service::set_mine(&state, &ctx, &scope, &all).await.or_page(&ctx)?;
    Ok(see_other("/notifications?done=saved"))
}
