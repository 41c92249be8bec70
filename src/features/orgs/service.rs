//! Organisation rules.

use crate::{
    access::{
        Identity, MembershipStatus, Role,
        identity::{MyOrg, my_orgs},
    },
    audit::{self, Actor, Entry},
    clock::to_ms,
    db::{Tx, new_id, unique_or},
    error::{AppError, AppResult},
    http::Ctx,
    state::AppState,
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
    let taken = || {
        AppError::Validation(vec![crate::error::FieldError::new(
            "slug",
            "slug-taken",
            "This address is already taken.",
        )])
    };
    sqlx::query("INSERT INTO orgs (id, name, slug, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(&id)
        .bind(name.as_str())
        .bind(slug.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_or(e, taken()))?;
    let membership_id = new_id();
    sqlx::query(
        "INSERT INTO memberships (id, org_id, account_id, email, email_norm, first_name, last_name, role, status, created_at, updated_at) \
         SELECT $1, $2, a.id, a.email, a.email_norm, a.first_name, a.last_name, $3, $4, $5, $5 FROM accounts a WHERE a.id = $6",
    )
    .bind(&membership_id)
    .bind(&id)
    .bind(Role::Owner.as_str())
    .bind(MembershipStatus::Active.as_str())
    .bind(now)
    .bind(owner_account)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        now,
        Entry {
            org_id: Some(&id),
            location_id: None,
            actor,
            action: "org.created",
            object_type: "org",
            object_id: Some(&id),
            before: None,
            after: Some(json!({"name": name.as_str(), "slug": slug.as_str()})),
            ctx,
        },
    )
    .await?;
    audit::record(
        tx,
        now,
        Entry {
            org_id: Some(&id),
            location_id: None,
            actor,
            action: "member.added",
            object_type: "membership",
            object_id: Some(&membership_id),
            before: None,
            after: Some(json!({"account_id": owner_account, "role": "owner", "status": "active"})),
            ctx,
        },
    )
    .await?;
    Ok(id)
}

/// Create an organisation for the signed-in account and make it the active one.
pub async fn create(state: &AppState, ctx: &Ctx, who: &Identity, name: &str, slug: Option<&str>) -> AppResult<MyOrg> {
    let now = to_ms(state.now());
    let actor = Actor::Account { id: who.account_id.clone(), label: who.label() };
    let mut tx = state.db.begin().await?;
    let id = create_in_tx(&mut tx, now, &actor, &who.account_id, name, slug, Some(ctx)).await?;
    sqlx::query("UPDATE sessions SET active_org_id = $1 WHERE id = $2")
        .bind(&id)
        .bind(&who.session_id)
        .execute(&mut *tx)
        .await?;
    let org: MyOrg = sqlx::query_as(
        "SELECT o.id, o.name, o.slug, m.role, o.created_at FROM orgs o JOIN memberships m ON m.org_id = o.id \
         WHERE o.id = $1 AND m.account_id = $2",
    )
    .bind(&id)
    .bind(&who.account_id)
    .fetch_one(&mut *tx)
    .await?;
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
    sqlx::query("UPDATE sessions SET active_org_id = $1 WHERE id = $2 AND account_id = $3")
        .bind(org.as_ref().map(|o| o.id.as_str()))
        .bind(&who.session_id)
        .bind(&who.account_id)
        .execute(state.db.pool())
        .await?;
    Ok(org)
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrgSettings {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// Members must have two-factor authentication to act in this organisation.
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub require_totp: i64,
    /// Booking messages also go by SMS to clients with a phone number and to members who
    /// chose it (off by default: text messages cost money).
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub sms_enabled: i64,
}

fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

pub async fn settings(state: &AppState, scope: &crate::access::OrgScope) -> AppResult<OrgSettings> {
    Ok(sqlx::query_as("SELECT id, name, slug, require_totp, sms_enabled FROM orgs WHERE id = $1")
        .bind(scope.org_id())
        .fetch_one(state.db.pool())
        .await?)
}

/// What `update_settings` may change; `None` keeps the value.
#[derive(Clone, Debug, Default)]
pub struct SettingsChange {
    pub name: Option<String>,
    pub require_totp: Option<bool>,
    pub sms_enabled: Option<bool>,
}

/// Rename the organisation, require a second factor of every member, or turn SMS on or off.
/// Requiring the second factor needs it on one's own account first (no self lock-out).
pub async fn update_settings(
    state: &AppState,
    ctx: &Ctx,
    scope: &crate::access::OrgScope,
    change: SettingsChange,
) -> AppResult<OrgSettings> {
    let SettingsChange { name, require_totp, sms_enabled } = change;
    use crate::access::policy::{Action, Object};
    scope.require(Action::ManageOrgSettings, Object::Org)?;
    let name = match name.as_deref() {
        Some(n) => Some(Name::parse("name", n, 120).map_err(|e| AppError::Validation(vec![e]))?.into_string()),
        None => None,
    };
    if require_totp == Some(true) {
        let mine: Option<i64> = sqlx::query_scalar("SELECT totp_enabled_at FROM accounts WHERE id = $1")
            .bind(scope.account_id())
            .fetch_one(state.db.pool())
            .await?;
        if mine.is_none() {
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
    let before: OrgSettings = sqlx::query_as(&format!(
        "SELECT id, name, slug, require_totp, sms_enabled FROM orgs WHERE id = $1{}",
        state.db.for_update()
    ))
    .bind(scope.org_id())
    .fetch_one(&mut *tx)
    .await?;
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
    sqlx::query("UPDATE orgs SET name = $1, require_totp = $2, sms_enabled = $3, updated_at = $4 WHERE id = $5")
        .bind(&after.name)
        .bind(after.require_totp)
        .bind(after.sms_enabled)
        .bind(now)
        .bind(scope.org_id())
        .execute(&mut *tx)
        .await?;
    crate::audit::org_event(
        &mut tx,
        now,
        scope,
        ctx,
        crate::audit::OrgEvent {
            action: "org.settings_updated",
            object_type: "org",
            object_id: scope.org_id(),
            location_id: None,
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
