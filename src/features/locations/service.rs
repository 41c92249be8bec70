//! Location rules. Every query is bounded by the scope's organisation.

use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    db::{new_id, unique_or},
    error::FieldError,
    types::{Checks, Name, Slug, TimeZoneName},
};
use serde_json::json;

use super::repo;
pub use super::repo::Location;

/// A location of the scope's organisation, whether or not the member may see it.
pub async fn find(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Option<Location>> {
    repo::find(state.db.pool(), scope.tenant(), id).await
}

/// A location the member may see; anything else is "not found".
pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Location> {
    let loc = find(state, scope, id).await?.ok_or(AppError::NotFound)?;
    if !scope.check(Action::ViewLocation, Object::Location { id: &loc.id }).allowed {
        return Err(AppError::NotFound);
    }
    Ok(loc)
}

/// The locations the member may see.
pub async fn list(state: &AppState, scope: &OrgScope) -> AppResult<Vec<Location>> {
    let all = repo::list(state.db.pool(), scope.tenant()).await?;
    Ok(all.into_iter().filter(|l| scope.check(Action::ViewLocation, Object::Location { id: &l.id }).allowed).collect())
}

#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub time_zone: Option<String>,
    pub address: Option<String>,
    /// `open` or `archived` (updates only).
    pub status: Option<String>,
}

fn slug_taken() -> AppError {
    AppError::Validation(vec![FieldError::new("slug", "slug-taken", "This address is already taken.")])
}

pub async fn create(state: &AppState, ctx: &Ctx, scope: &OrgScope, input: LocationInput) -> AppResult<Location> {
    scope.require(Action::CreateLocation, Object::Org)?;
    let mut checks = Checks::default();
    let name = checks.check(Name::parse("name", input.name.as_deref().unwrap_or(""), 120));
    let slug_text = input.slug.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| {
        // "Salon Camille Lyon" in "Salon Camille" is salon-camille-lyon, not
        // salon-camille-salon-camille-lyon: the organisation's name is added only when the
        // location's does not already begin with it.
        name.as_ref()
            .map(|n| {
                let own = Slug::suggest(n.as_str());
                let org = scope.org_slug();
                if own == org || own.starts_with(&format!("{org}-")) { own } else { format!("{org}-{own}") }
            })
            .unwrap_or_default()
    });
    let slug = checks.check(Slug::parse("slug", &slug_text));
    let tz_text = input.time_zone.unwrap_or_else(|| state.config.default_time_zone.clone());
    let tz = checks.check(TimeZoneName::parse("time_zone", &tz_text));
    let address = input.address.unwrap_or_default();
    if address.chars().count() > 500 {
        checks.push(FieldError::new("address", "too-long", "At most 500 characters."));
    }
    checks.finish()?;
    let (Some(name), Some(slug), Some(tz)) = (name, slug, tz) else { return Err(AppError::internal("validation")) };
    let now = to_ms(state.now());
    let id = new_id();
    let mut tx = state.db.begin().await?;
    let loc = Location {
        id: id.clone(),
        name: name.into_string(),
        slug: slug.as_str().to_string(),
        time_zone: tz.as_str().to_string(),
        address: address.trim().to_string(),
        status: "open".into(),
        created_at: now,
    };
    repo::insert(&mut tx, scope.tenant(), &loc).await.map_err(|e| unique_or(e, slug_taken()))?;
    let event = Event::new("location.created", "location", &id).at(&id).after(json!(loc));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(loc)
}

pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: &str,
    input: LocationInput,
) -> AppResult<Location> {
    let before = get(state, scope, id).await?;
    scope.require(Action::ManageLocation, Object::Location { id })?;
    let mut after = before.clone();
    let mut checks = Checks::default();
    checks.set_name(&mut after.name, "name", input.name.as_deref(), 120);
    if let Some(v) = input.slug
        && let Some(s) = checks.check(Slug::parse("slug", &v))
    {
        after.slug = s.as_str().to_string();
    }
    checks.set_zone(&mut after.time_zone, "time_zone", input.time_zone.as_deref());
    if let Some(v) = input.address {
        if v.chars().count() > 500 {
            checks.push(FieldError::new("address", "too-long", "At most 500 characters."));
        }
        after.address = v.trim().to_string();
    }
    if let Some(v) = input.status {
        match v.as_str() {
            "open" | "archived" => after.status = v,
            _ => checks.push(FieldError::new("status", "invalid-status", "Use open or archived.")),
        }
    }
    checks.finish()?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::update(&mut tx, scope.tenant(), &after, now).await.map_err(|e| unique_or(e, slug_taken()))?;
    let event = Event::new("location.updated", "location", id).at(id).before(json!(before)).after(json!(after));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(after)
}

/// Delete an empty location; one with calendars must have them moved or deleted first
/// (their bookings are history that must not vanish with a click).
pub async fn delete(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let before = get(state, scope, id).await?;
    scope.require(Action::DeleteLocation, Object::Location { id })?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if repo::calendar_count(&mut tx, scope.tenant(), id).await? > 0 {
        return Err(AppError::conflict("location-not-empty", "Archive it instead, or remove its calendars first."));
    }
    // A calendar moved elsewhere leaves its bookings here: they are history too.
    let has_bookings = || AppError::conflict("location-has-bookings", crate::error::en("error.location-has-bookings"));
    if repo::booking_count(&mut tx, scope.tenant(), id).await? > 0 {
        return Err(has_bookings());
    }
    repo::delete(&mut tx, scope.tenant(), id).await.map_err(|e| crate::db::foreign_key_or(e, has_bookings()))?;
    let event = Event::new("location.deleted", "location", id).at(id).before(json!(before));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}
