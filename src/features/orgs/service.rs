//! Organisation rules.

use super::repo;
pub use super::repo::OrgSettings;
use crate::features::prelude::*;
use crate::{
    access::{
        MembershipStatus, Role, Tenant,
        identity::{MyOrg, my_orgs},
    },
    audit::{self, Actor, Event},
    clock::to_ms,
    db::{Tx, new_id, unique_or},
    features::accounts::repo as accounts,
    types::{Checks, Name, Slug},
};
use serde_json::json;

/// Create an organisation inside `tx`; `owner_account` becomes its owner.
pub async fn create_in_tx(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    owner_account: &str,
    name: &str,
    slug: Option<&str>,
    ctx: Option<&Ctx>,
) -> AppResult<String> {
    let mut checks = Checks::default();
    let name = checks.check(Name::parse("name", name, 120));
    let slug_text = slug
        .map(str::to_string)
        .unwrap_or_else(|| name.as_ref().map(|n| Slug::suggest(n.as_str())).unwrap_or_default());
    let slug = checks.check(Slug::parse("slug", &slug_text));
    checks.finish()?;
    let (Some(name), Some(slug)) = (name, slug) else { return Err(AppError::internal("validation inconsistency")) };
    let id = new_id();
    let tenant = Tenant::founding(&id);
    let taken = || {
        AppError::Validation(vec![crate::error::FieldError::new(
            "slug",
            "slug-taken",
            "This address is already taken.",
        )])
    };
    repo::insert_org(tx, &tenant, name.as_str(), slug.as_str(), now).await.map_err(|e| unique_or(e, taken()))?;
    let membership_id = new_id();
    repo::insert_account_membership(
        tx,
        &tenant,
        &membership_id,
        owner_account,
        Role::Owner,
        MembershipStatus::Active,
        now,
    )
    .await?;
    let event = Event::new("org.created", "org", &id).after(json!({"name": name.as_str(), "slug": slug.as_str()}));
    audit::record(tx, now, Some(&id), actor, ctx, event).await?;
    let event = Event::new("member.added", "membership", &membership_id)
        .after(json!({"account_id": owner_account, "role": "owner", "status": "active"}));
    audit::record(tx, now, Some(&id), actor, ctx, event).await?;
    Ok(id)
}

/// Create an organisation for the signed-in account and make it the active one.
pub async fn create(state: &AppState, ctx: &Ctx, who: &Identity, name: &str, slug: Option<&str>) -> AppResult<MyOrg> {
    let now = to_ms(state.now());
    let actor = Actor::Account { id: who.account_id.clone(), label: who.label() };
    let mut tx = state.db.begin().await?;
    let id = create_in_tx(&mut tx, now, &actor, &who.account_id, name, slug, Some(ctx)).await?;
    accounts::set_active_org(&mut *tx, &who.account_id, &who.session_id, Some(&id)).await?;
    let org = repo::my_org(&mut *tx, &Tenant::founding(&id), &who.account_id).await?;
    tx.commit().await?;
    Ok(org)
}

/// Switch this session to an organisation the account belongs to, or to the personal space
/// (`None`). An organisation the account is not an active member of is "not found".
pub async fn switch(state: &AppState, who: &Identity, org_id: Option<&str>) -> AppResult<Option<MyOrg>> {
    let org = match org_id {
        None => None,
        Some(id) => {
            Some(my_orgs(state, &who.account_id).await?.into_iter().find(|o| o.id == id).ok_or(AppError::NotFound)?)
        }
    };
    accounts::set_active_org(state.db.pool(), &who.account_id, &who.session_id, org.as_ref().map(|o| o.id.as_str()))
        .await?;
    Ok(org)
}

pub async fn settings(state: &AppState, scope: &crate::access::OrgScope) -> AppResult<OrgSettings> {
    repo::settings(state.db.pool(), scope.tenant()).await
}

/// What `update_settings` may change (the settings' `PATCH` body); an absent field keeps its value.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub name: Option<String>,
    pub require_totp: Option<bool>,
    /// Send booking messages by SMS too.
    pub sms_enabled: Option<bool>,
    /// IANA zone, such as Europe/Paris.
    pub time_zone: Option<String>,
    /// The booking page's colour, `#rrggbb` (dark enough for white text on it); empty:
    /// Creneau's own.
    pub brand_colour: Option<String>,
    /// The websites that may show the booking page in a frame, as origins
    /// (`https://www.salon.fr`) separated by spaces or new lines; empty: any website.
    pub frame_origins: Option<String>,
}

/// Rename the organisation, require a second factor of every member, turn SMS on or off, or
/// change how the booking page looks and which websites may show it.
/// Requiring the second factor needs it on one's own account first (no self lock-out).
pub async fn update_settings(
    state: &AppState,
    ctx: &Ctx,
    scope: &crate::access::OrgScope,
    change: SettingsChange,
) -> AppResult<OrgSettings> {
    let SettingsChange { name, require_totp, sms_enabled, time_zone, brand_colour, frame_origins } = change;
    use crate::access::policy::{Action, Object};
    scope.require(Action::ManageOrgSettings, Object::Org)?;
    let mut checks = Checks::default();
    let name = name.as_deref().and_then(|n| checks.check(Name::parse("name", n, 120))).map(Name::into_string);
    let time_zone = time_zone
        .as_deref()
        .and_then(|z| checks.check(crate::types::TimeZoneName::parse("time_zone", z)))
        .map(|z| z.as_str().to_string());
    let brand_colour = brand_colour.as_deref().and_then(|c| checks.check(super::look::colour("brand_colour", c)));
    let frame_origins =
        frame_origins.as_deref().and_then(|o| checks.check(super::look::frame_origins("frame_origins", o)));
    checks.finish()?;
    if require_totp == Some(true) {
        let mine = accounts::account_by_id(state.db.pool(), scope.account_id())
            .await?
            .ok_or_else(|| AppError::internal("the acting account vanished"))?;
        if mine.totp_enabled_at.is_none() {
            return Err(AppError::conflict(
                "enable-your-own-2fa-first",
                "Turn on two-factor authentication for your own account before requiring it of everyone.",
            ));
        }
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // Read under the lock and change only what was asked: two people changing different
    // settings at once both keep their change.
    let before = repo::settings_locked(&mut tx, &state.db, scope.tenant()).await?;
    let mut after = before.clone();
    if let Some(n) = name {
        after.name = n;
    }
    if let Some(r) = require_totp {
        after.require_totp = i64::from(r);
    }
    if let Some(s) = sms_enabled {
        after.sms_enabled = i64::from(s);
    }
    if let Some(z) = time_zone {
        after.time_zone = z;
    }
    if let Some(c) = brand_colour {
        after.brand_colour = c;
    }
    if let Some(o) = frame_origins {
        after.frame_origins = o;
    }
    repo::update_settings(&mut tx, scope.tenant(), &after, now).await?;
    let event = Event::new("org.settings_updated", "org", scope.org_id()).before(json!(before)).after(json!(after));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets the booking page's logo from an uploaded image (its type read from its bytes);
/// audited with its type and size, for whoever holds the settings.
pub async fn set_logo(state: &AppState, ctx: &Ctx, scope: &crate::access::OrgScope, bytes: &[u8]) -> AppResult<()> {
    use base64::Engine;
    may_change_logo(scope)?;
    let content_type = super::look::logo_type("logo", bytes).map_err(|e| AppError::Validation(vec![e]))?;
    let now = to_ms(state.now());
    let logo = repo::Logo {
        content_type: content_type.to_string(),
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
        updated_at: now,
    };
    let mut tx = state.db.begin().await?;
    repo::set_logo(&mut tx, scope.tenant(), &logo).await?;
    let event = Event::new("org.logo_changed", "org", scope.org_id())
        .after(json!({"content_type": content_type, "bytes": bytes.len()}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the logo (the page shows the business's name alone); "not found" without one.
pub async fn remove_logo(state: &AppState, ctx: &Ctx, scope: &crate::access::OrgScope) -> AppResult<()> {
    use crate::access::policy::{Action, Object};
    scope.require(Action::ManageOrgSettings, Object::Org)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if !repo::delete_logo(&mut tx, scope.tenant()).await? {
        return Err(AppError::NotFound);
    }
    audit::org_event(&mut tx, now, scope, ctx, Event::new("org.logo_removed", "org", scope.org_id())).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses (403) whoever may not change the logo, before an upload is even read.
pub fn may_change_logo(scope: &crate::access::OrgScope) -> AppResult<()> {
    use crate::access::policy::{Action, Object};
    scope.require(Action::ManageOrgSettings, Object::Org)
}

/// The logo as the settings (page and API) show it, to whoever holds them.
pub async fn settings_logo(state: &AppState, scope: &crate::access::OrgScope) -> AppResult<(String, Vec<u8>)> {
    may_change_logo(scope)?;
    logo_of(state, scope.tenant()).await?.ok_or(AppError::NotFound)
}

/// The logo's type and bytes, for the booking page of `tenant` (reached by its slug).
pub async fn logo_of(state: &AppState, tenant: &crate::access::Tenant) -> AppResult<Option<(String, Vec<u8>)>> {
    use base64::Engine;
    let Some(l) = repo::logo(state.db.pool(), tenant).await? else { return Ok(None) };
    let bytes = base64::engine::general_purpose::STANDARD.decode(l.data.as_bytes()).map_err(AppError::internal)?;
    Ok(Some((l.content_type, bytes)))
}

/// Whether the organisation has a logo, and since when (the version its URL carries).
pub async fn logo_version(state: &AppState, scope: &crate::access::OrgScope) -> AppResult<Option<i64>> {
    repo::logo_at(state.db.pool(), scope.tenant()).await
}

/// Delete the organisation and everything it holds, personal data included: its owner only,
/// who types its name to confirm. The platform chain keeps that it happened (who, which
/// organisation), nothing of what it held.
pub async fn delete(state: &AppState, ctx: &Ctx, scope: &crate::access::OrgScope, typed_name: &str) -> AppResult<()> {
    use crate::access::policy::{Action, Object};
    scope.require(Action::DeleteOrg, Object::Org)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let before = repo::settings_locked(&mut tx, &state.db, scope.tenant()).await?;
    if typed_name.trim() != before.name {
        return Err(AppError::field("confirm_name", "name-mismatch", "Type the organisation's name exactly."));
    }
    repo::delete_everything(&mut tx, scope.tenant()).await?;
    let actor = scope.actor();
    let event =
        Event::new("org.deleted", "org", scope.org_id()).before(json!({"name": before.name, "slug": before.slug}));
    audit::record(&mut tx, now, None, &actor, Some(ctx), event).await?;
    tx.commit().await?;
    Ok(())
}
