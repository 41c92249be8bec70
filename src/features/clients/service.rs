//! Client rules.

use super::{
    personal,
    repo::{self, Reach},
};
use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    db::{Tx, new_id},
    error::FieldError,
    features::bookings::repo as bookings,
    types::{Checks, Email, Phone},
};
use serde::Serialize;
use serde_json::json;

pub use super::repo::ClientRow;
pub use crate::features::bookings::repo::Visit;

/// Where a client has history: the locations and calendars of their bookings.
async fn places(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<(Vec<String>, Vec<String>)> {
    let rows = bookings::places_of_client(state.db.pool(), scope.tenant(), id).await?;
    let mut locs: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    locs.sort();
    locs.dedup();
    Ok((locs, rows.into_iter().map(|r| r.1).collect()))
}

/// A client the member may see (`action` decides view or edit); others answer 404 when
/// unseen, 403 when seen but not editable.
pub async fn get(state: &AppState, scope: &OrgScope, id: &str, action: Action) -> AppResult<ClientRow> {
    let c = repo::get(state.db.pool(), scope.tenant(), id).await?.ok_or(AppError::NotFound)?;
    let (locs, cals) = places(state, scope, id).await?;
    let object = Object::Client { location_ids: &locs, calendar_ids: &cals };
    if !scope.check(Action::ViewClient, object).allowed {
        // Without the client-list right at all: 403 names the missing right; without the
        // client in scope: 404.
        let has_right = scope.member().capability(crate::access::policy::Toggle::ClientList).0;
        return Err(if has_right {
            AppError::NotFound
        } else {
            scope.require(Action::ViewClient, object).err().unwrap_or(AppError::NotFound)
        });
    }
    scope.require(action, object)?;
    Ok(c)
}

/// Search the clients the member may see, by name, email or phone; keyset pages by name.
pub async fn search(
    state: &AppState,
    scope: &OrgScope,
    q: &str,
    after: Option<(String, String, String)>,
    limit: i64,
) -> AppResult<Vec<ClientRow>> {
    if !scope.member().capability(crate::access::policy::Toggle::ClientList).0 {
        scope.require(Action::ViewClient, Object::Org)?;
    }
    let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
    let (al, af, ai) = after.unwrap_or_default();
    let after = (al.as_str(), af.as_str(), ai.as_str());
    let rows = if scope.member().org_wide().is_some() {
        repo::search(state.db.pool(), scope.tenant(), &pattern, after, limit, Reach::Org).await?
    } else {
        // Scoped members: clients with history in the locations or calendars they cover.
        let locs: Vec<String> = crate::features::locations::repo::list(state.db.pool(), scope.tenant())
            .await?
            .into_iter()
            .map(|l| l.id)
            .filter(|l| scope.member().location_in_scope(l).is_some())
            .collect();
        let cals: Vec<String> = scope
            .member()
            .grants
            .iter()
            .filter_map(|g| match &g.scope {
                crate::access::policy::Scope::Calendar { calendar_id, .. } => Some(calendar_id.clone()),
                _ => None,
            })
            .collect();
        if locs.is_empty() && cals.is_empty() {
            return Ok(Vec::new());
        }
        let reach = Reach::Through { location_ids: &locs, calendar_ids: &cals };
        repo::search(state.db.pool(), scope.tenant(), &pattern, after, limit, reach).await?
    };
    Ok(rows)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Empty string clears.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

/// Whose national phone numbers the directory understands: the organisation's zone's country.
async fn org_country(state: &AppState, scope: &OrgScope) -> AppResult<Option<String>> {
    let zone = crate::features::orgs::service::settings(state, scope).await?.time_zone;
    Ok(Phone::country_of_zone(&zone).map(str::to_string))
}

/// `country`: whose national phone numbers are understood.
fn apply(c: &mut ClientRow, i: ClientInput, country: Option<&str>) -> AppResult<Option<String>> {
    let mut checks = Checks::default();
    let mut email_norm = c.email.as_ref().map(|e| e.to_lowercase());
    checks.set_name(&mut c.first_name, "first_name", i.first_name.as_deref(), 100);
    checks.set_name(&mut c.last_name, "last_name", i.last_name.as_deref(), 100);
    if let Some(v) = i.email {
        if v.trim().is_empty() {
            c.email = None;
            email_norm = None;
        } else if let Some(e) = checks.check(Email::parse("email", &v)) {
            c.email = Some(e.as_str().to_string());
            email_norm = Some(e.norm().to_string());
        }
    }
    if let Some(v) = i.phone {
        c.phone = if v.trim().is_empty() {
            None
        } else {
            checks.check(Phone::parse_field_in("phone", &v, country).map(String::from))
        };
    }
    if let Some(v) = i.notes {
        if v.chars().count() > 5000 {
            checks.push(FieldError::new("notes", "too-long", "At most 5000 characters."));
        }
        c.notes = v;
    }
    checks.finish()?;
    Ok(email_norm)
}

pub async fn create(state: &AppState, ctx: &Ctx, scope: &OrgScope, input: ClientInput) -> AppResult<ClientRow> {
    scope.require(Action::EditClient, Object::Org)?;
    let now = to_ms(state.now());
    let mut c = ClientRow {
        id: new_id(),
        first_name: String::new(),
        last_name: String::new(),
        email: None,
        phone: None,
        notes: String::new(),
        erased_at: None,
        created_at: now,
    };
    if input.first_name.is_none() || input.last_name.is_none() {
        return Err(AppError::field("last_name", "required", "First and last names are required."));
    }
    apply(&mut c, input, org_country(state, scope).await?.as_deref())?;
    let mut tx = state.db.begin().await?;
    insert_in_tx(&mut tx, state, ctx, scope, &c).await?;
    tx.commit().await?;
    Ok(c)
}

/// The client already known by this address, else by this phone: a staff booking for them
/// attaches to it instead of creating a second one (as an online booking does by address).
pub async fn known(
    tx: &mut Tx,
    scope: &OrgScope,
    email: Option<&str>,
    phone: Option<&str>,
) -> AppResult<Option<String>> {
    if let Some(e) = email.filter(|e| !e.is_empty())
        && let Some(id) = repo::by_email(tx, scope.tenant(), &e.to_lowercase()).await?
    {
        return Ok(Some(id));
    }
    match phone.filter(|p| !p.is_empty()) {
        Some(p) => repo::by_phone(tx, scope.tenant(), p).await,
        None => Ok(None),
    }
}

/// Other clients sharing this one's address or phone that the member may also see: the
/// duplicates the client page suggests merging.
pub async fn duplicates(state: &AppState, scope: &OrgScope, c: &ClientRow) -> AppResult<Vec<ClientRow>> {
    let email = c.email.as_deref().unwrap_or_default().to_lowercase();
    let phone = c.phone.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    for d in repo::sharing_contact(state.db.pool(), scope.tenant(), &c.id, (&email, phone)).await? {
        match get(state, scope, &d.id, Action::ViewClient).await {
            Ok(d) => out.push(d),
            Err(AppError::NotFound | AppError::Forbidden { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The directory's cursor: `(last name, first name, id)` of the last row, opaque.
pub fn cursor_of(c: &ClientRow) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&(&c.last_name, &c.first_name, &c.id)).unwrap_or_default())
}

pub fn parse_cursor(s: &str) -> AppResult<(String, String, String)> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| AppError::field("after", "invalid-cursor", "Use the cursor from the previous page."))
}

/// Insert a client and audit it (personal values sealed) inside the caller's transaction:
/// for the client directory and for a client first met in a staff booking alike.
pub async fn insert_in_tx(tx: &mut Tx, state: &AppState, ctx: &Ctx, scope: &OrgScope, c: &ClientRow) -> AppResult<()> {
    repo::insert(tx, scope.tenant(), c, None).await?;
    let snapshot = personal::seal(tx, state, scope.tenant(), &c.id, json!(c)).await?;
    let event = Event::new("client.created", "client", &c.id).after(snapshot);
    audit::org_event(tx, c.created_at, scope, ctx, event).await
}

pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    input: ClientInput,
) -> AppResult<ClientRow> {
    let before = get(state, scope, id, Action::EditClient).await?;
    if before.erased_at.is_some() {
        return Err(AppError::conflict("client-erased", "This client's data was erased."));
    }
    let mut after = before.clone();
    let email_norm = apply(&mut after, input, org_country(state, scope).await?.as_deref())?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::update(&mut tx, scope.tenant(), &after, email_norm.as_deref(), now).await?;
    let (was, is) = (
        personal::seal(&mut tx, state, scope.tenant(), id, json!(before)).await?,
        personal::seal(&mut tx, state, scope.tenant(), id, json!(after)).await?,
    );
    audit::org_event(&mut tx, now, scope, ctx, Event::new("client.updated", "client", id).before(was).after(is))
        .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientDetail {
    #[serde(flatten)]
    pub client: ClientRow,
    pub history: Vec<VisitOut>,
    /// Past bookings the client came to (neither cancelled nor missed).
    pub visit_count: i64,
    /// Average days between past visits; null with fewer than two.
    pub days_between_visits: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitOut {
    #[serde(flatten)]
    pub visit: Visit,
    pub start: String,
}

/// Which of a client's bookings the reader may see: a client reached through one location
/// shows only the bookings inside the reader's scope (on calendars whose bookings they see).
async fn in_reach(state: &AppState, scope: &OrgScope) -> AppResult<impl Fn(&str) -> bool + use<>> {
    let calendars = crate::features::calendars::service::all_cached(state, scope).await?;
    let visible: std::collections::HashSet<String> = calendars
        .iter()
        .filter(|c| scope.check(Action::ViewBookings, Object::Calendar(c.as_ref())).allowed)
        .map(|c| c.id.clone())
        .collect();
    Ok(move |calendar_id: &str| visible.contains(calendar_id))
}

pub async fn detail(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<ClientDetail> {
    let client = get(state, scope, id, Action::ViewClient).await?;
    let seen = in_reach(state, scope).await?;
    let visits: Vec<Visit> = bookings::visits_of_client(state.db.pool(), scope.tenant(), id)
        .await?
        .into_iter()
        .filter(|v| seen(&v.calendar_id))
        .collect();
    let now = to_ms(state.now());
    let mut past: Vec<i64> =
        visits.iter().filter(|v| v.status == "confirmed" && v.start_at <= now).map(|v| v.start_at).collect();
    past.sort_unstable();
    let days_between_visits =
        (past.len() >= 2).then(|| ((past[past.len() - 1] - past[0]) as f64 / 86_400_000.0) / (past.len() - 1) as f64);
    Ok(ClientDetail {
        client,
        visit_count: past.len() as i64,
        days_between_visits,
        history: visits.into_iter().map(|v| VisitOut { start: crate::http::ts(v.start_at), visit: v }).collect(),
    })
}

/// Merge a duplicate into this client: its bookings move here, it disappears.
pub async fn merge(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    duplicate: &str,
) -> AppResult<ClientDetail> {
    let keep = get(state, scope, id, Action::EditClient).await?;
    let dup = get(state, scope, duplicate, Action::EditClient).await?;
    // Merging rewrites every booking of both: only for those whose scope holds all of them.
    for c in [&keep.id, &dup.id] {
        let (locs, _) = places(state, scope, c).await?;
        if scope.member().org_wide().is_none() && locs.iter().any(|l| scope.member().location_in_scope(l).is_none()) {
            return Err(AppError::forbidden(
                "client-beyond-scope",
                "This client has bookings outside your locations; ask someone who manages them all.",
            ));
        }
    }
    if keep.id == dup.id {
        return Err(AppError::field("duplicate_id", "same-client", "A client cannot be merged into itself."));
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let moved = bookings::move_to_client(&mut tx, scope.tenant(), &dup.id, &keep.id, now).await?;
    // Fill gaps in the kept record from the duplicate.
    let email = keep.email.clone().or(dup.email.clone());
    let phone = keep.phone.clone().or(dup.phone.clone());
    let notes = match (keep.notes.is_empty(), dup.notes.is_empty()) {
        (_, true) => keep.notes.clone(),
        (true, false) => dup.notes.clone(),
        (false, false) => format!("{}\n{}", keep.notes, dup.notes),
    };
    repo::set_contact(&mut tx, scope.tenant(), &keep.id, (email.as_deref(), phone.as_deref()), &notes, now).await?;
    repo::delete(&mut tx, scope.tenant(), &dup.id)
        .await
        // A booking given the duplicate after the move above (PostgreSQL): try again.
        .map_err(|e| {
            crate::db::foreign_key_or(
                e,
                AppError::conflict("still-referenced", crate::error::en("error.still-referenced")),
            )
        })?;
    let kept = personal::seal(&mut tx, state, scope.tenant(), &keep.id, json!(keep)).await?;
    let duplicate = personal::seal(&mut tx, state, scope.tenant(), &dup.id, json!(dup)).await?;
    // What came from the duplicate is the kept client's now, erasure included.
    personal::adopt(&mut tx, scope.tenant(), &dup.id, &keep.id).await?;
    let event = Event::new("client.merged", "client", &keep.id)
        .before(json!({"kept": kept, "duplicate": duplicate}))
        .after(json!({"bookings_moved": moved}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    detail(state, scope, id).await
}

/// Everything held about one client, for a data request.
pub async fn export(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<serde_json::Value> {
    let d = detail(state, scope, id).await?;
    let seen = in_reach(state, scope).await?;
    let notes: Vec<(String, i64, i64, String)> = bookings::notes_of_client(state.db.pool(), scope.tenant(), id)
        .await?
        .into_iter()
        .filter(|r| seen(&r.calendar_id))
        .map(|r| (r.id, r.start_at, r.end_at, r.notes))
        .collect();
    Ok(json!({
        "client": d.client, "created_at": crate::http::ts(d.client.created_at), "visit_count": d.visit_count,
        "bookings": notes.into_iter().map(|(id, s, e, n)| json!({"id": id, "start": crate::http::ts(s), "end": crate::http::ts(e), "notes": n})).collect::<Vec<_>>(),
    }))
}

/// Erase a client's personal data; bookings stay (times, calendars) without it.
/// The client, when the member may erase them: those holding the client list
/// organisation-wide (the page asks this before asking to confirm).
pub async fn may_erase(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<ClientRow> {
    let c = get(state, scope, id, Action::EditClient).await?;
    scope.require(Action::EditClient, Object::Org)?;
    Ok(c)
}

pub async fn erase(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let before = may_erase(state, scope, id).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::erase(&mut tx, scope.tenant(), id, now).await?;
    // Keys (so audit values), booking notes, manage links, messages: nothing of theirs stays.
    personal::erase_traces(&mut tx, scope.tenant(), &before).await?;
    // The audit row keeps that an erasure happened, not what was erased.
    let event = Event::new("client.erased", "client", id).before(json!({"id": before.id}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}
