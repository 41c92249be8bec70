//! The tenant context. `OrgScope` is the proof that a request acts inside one organisation
//! as one active member; only this module can build it, and every repository of tenant
//! data takes it, so forgetting the membership check does not compile.

use super::holdings::status_of;
use super::tenant::Tenant;
use super::{
    MembershipStatus, Role,
    policy::{self, Action, Decision, GrantView, Level, MemberView, Object, Scope, Toggles},
};
use crate::{
    access::Identity,
    audit::Actor,
    cache::kind,
    clock::to_ms,
    error::{AppError, AppResult},
    state::AppState,
};
use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct OrgScope {
    tenant: Tenant,
    org_name: String,
    org_slug: String,
    account_id: String,
    actor_label: String,
    member: MemberView,
    /// The organisation's change sequence when this request began (`cache.rs`).
    change_seq: i64,
    /// The API key the request carries: what it narrows the member's rights to.
    key: Option<std::sync::Arc<super::api_key::KeyLimits>>,
}

impl OrgScope {
    pub fn org_id(&self) -> &str {
        self.tenant.org_id()
    }

    /// The tenant value every repository of this organisation's data takes.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    pub fn org_name(&self) -> &str {
        &self.org_name
    }

    pub fn org_slug(&self) -> &str {
        &self.org_slug
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The organisation's change sequence read with the membership row: what this request
    /// loads is at least this new, so it may be cached under it.
    pub fn change_seq(&self) -> i64 {
        self.change_seq
    }

    pub fn member(&self) -> &MemberView {
        &self.member
    }

    pub fn membership_id(&self) -> &str {
        &self.member.membership_id
    }

    pub fn role(&self) -> Role {
        self.member.role
    }

    /// Who the audit log says acted: the account, or the API key (by its id and name).
    pub fn actor(&self) -> Actor {
        match &self.key {
            Some(k) => Actor::ApiKey { id: k.id.clone(), label: k.name.clone() },
            None => Actor::Account { id: self.account_id.clone(), label: self.actor_label.clone() },
        }
    }

    /// How the member is named (their address), also when acting through a key.
    pub fn person_label(&self) -> &str {
        &self.actor_label
    }

    /// The API key this request acts through, if any.
    pub fn key(&self) -> Option<&super::api_key::KeyLimits> {
        self.key.as_deref()
    }

    /// What the policy decides for the member, narrowed by the key the request carries: an
    /// action the key's scopes or places do not cover is refused even where the member may.
    pub fn check(&self, action: Action, object: Object<'_>) -> Decision {
        let d = policy::authorize(&self.member, action, object);
        match &self.key {
            Some(k) if d.allowed && !k.permits(action, object) => Decision::deny(policy::Reason::OutsideApiKey),
            _ => d,
        }
    }

    /// Refuse with 403 (and the policy's reason) unless allowed.
    pub fn require(&self, action: Action, object: Object<'_>) -> AppResult<()> {
        let d = self.check(action, object);
        if d.allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden { code: "forbidden", detail: forbidden_detail(action, &d) })
        }
    }

    /// Like `require`, but an object the member cannot even see answers 404, exactly like a
    /// missing one (R: "404 where the object itself is outside what they may see").
    pub fn require_visible(&self, see: Action, action: Action, object: Object<'_>) -> AppResult<()> {
        if !self.check(see, object).allowed {
            return Err(AppError::NotFound);
        }
        self.require(action, object)
    }
}

fn forbidden_detail(action: Action, d: &Decision) -> String {
    let why =
        serde_json::to_value(&d.reason).ok().and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(String::from));
    format!("Not allowed to {} ({}).", action.as_str().replace('_', " "), why.unwrap_or_default())
}

/// A caller's membership row in one organisation, with what the scope needs of the
/// organisation: its name, slug, 2FA rule and change sequence (`cache.rs`).
#[derive(Clone, Debug)]
pub struct MembershipRow {
    id: String,
    role: String,
    status: String,
    toggles: String,
    org_name: String,
    org_slug: String,
    require_totp: i64,
    last_active_at: Option<i64>,
    change_seq: i64,
}

/// The columns and joins of a `MembershipRow` for `m` (the membership), in the order
/// `MembershipRow::from_columns` reads them. `http::identify` selects them with the session
/// (one query identifies the caller and their membership); `org_scope` alone otherwise.
pub const MEMBERSHIP_COLUMNS: &str = "m.id AS m_id, m.role AS m_role, m.status AS m_status, m.toggles AS m_toggles, \
     o.name AS m_org_name, o.slug AS m_org_slug, o.require_totp AS m_require_totp, m.last_active_at AS m_last_active_at, \
     COALESCE(h.seq, 0) AS m_change_seq";
pub const MEMBERSHIP_JOINS: &str = "LEFT JOIN orgs o ON o.id = m.org_id LEFT JOIN audit_heads h ON h.chain = m.org_id";

impl MembershipRow {
    /// Read `MEMBERSHIP_COLUMNS` from a row; `None` when the membership was not found.
    pub fn from_columns(row: &sqlx::any::AnyRow) -> Result<Option<MembershipRow>, sqlx::Error> {
        use sqlx::Row;
        let Some(id) = row.try_get::<Option<String>, _>("m_id")? else { return Ok(None) };
        Ok(Some(MembershipRow {
            id,
            role: row.try_get("m_role")?,
            status: row.try_get("m_status")?,
            toggles: row.try_get("m_toggles")?,
            org_name: row.try_get("m_org_name")?,
            org_slug: row.try_get("m_org_slug")?,
            require_totp: row.try_get("m_require_totp")?,
            last_active_at: row.try_get("m_last_active_at")?,
            change_seq: row.try_get("m_change_seq")?,
        }))
    }
}

/// The caller's membership of `org_id` (or its absence), read together with the session.
/// Only `http::identify` puts one in a request, next to the `Identity` it belongs to.
#[derive(Clone, Debug)]
pub struct PrefetchedMembership {
    pub org_id: String,
    pub row: Option<MembershipRow>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: String,
    scope: String,
    location_id: Option<String>,
    calendar_id: Option<String>,
    level: String,
    team_name: Option<String>,
}

/// Everything the policy needs about one membership of `org_id`: role, toggles, grants
/// (direct and through teams) and own calendars. Two indexed queries besides the row.
pub async fn load_member_view<'e, E>(
    exec: E,
    org_id: &str,
    membership_id: &str,
    role: Role,
    status: MembershipStatus,
    toggles: Toggles,
) -> AppResult<MemberView>
where
    E: sqlx::Executor<'e, Database = sqlx::Any> + Copy,
{
    let (grants, own_calendars) = load_reach(exec, org_id, membership_id).await?;
    Ok(MemberView { membership_id: membership_id.to_string(), role, status, toggles, grants, own_calendars })
}

/// Where a member's rights apply: grants (direct and through teams) and own calendars.
type Reach = (Vec<GrantView>, Vec<(String, String)>);

impl crate::cache::Kind for kind::MemberReach {
    type Value = Reach;
}

async fn load_reach<'e, E>(exec: E, org_id: &str, membership_id: &str) -> AppResult<Reach>
where
    E: sqlx::Executor<'e, Database = sqlx::Any> + Copy,
{
    let grants: Vec<GrantRow> = sqlx::query_as(
        "SELECT g.id, g.scope, g.location_id, g.calendar_id, g.level, t.name AS team_name FROM grants g \
         LEFT JOIN teams t ON g.subject_type = 'team' AND t.id = g.subject_id \
         WHERE g.org_id = $1 AND ((g.subject_type = 'member' AND g.subject_id = $2) \
           OR (g.subject_type = 'team' AND g.subject_id IN (SELECT team_id FROM team_members WHERE member_id = $2))) \
         ORDER BY g.created_at, g.id",
    )
    .bind(org_id)
    .bind(membership_id)
    .fetch_all(exec)
    .await?;
    let own: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, location_id FROM calendars WHERE org_id = $1 AND member_id = $2 AND status = 'active' ORDER BY name, id",
    )
    .bind(org_id)
    .bind(membership_id)
    .fetch_all(exec)
    .await?;
    Ok((grants.into_iter().filter_map(grant_view).collect(), own))
}

/// A stored grant's scope columns as a `Scope`.
pub fn scope_of(scope: &str, location_id: Option<String>, calendar_id: Option<String>) -> Option<Scope> {
    Some(match (scope, location_id, calendar_id) {
        ("org", _, _) => Scope::Org,
        ("location", Some(location_id), _) => Scope::Location { location_id },
        ("calendar", Some(location_id), Some(calendar_id)) => Scope::Calendar { location_id, calendar_id },
        _ => return None,
    })
}

fn grant_view(g: GrantRow) -> Option<GrantView> {
    let scope = scope_of(&g.scope, g.location_id, g.calendar_id)?;
    Some(GrantView { id: g.id, scope, level: Level::parse(&g.level)?, via_team: g.team_name })
}

/// Load a member of `org_id` by membership id (for explain-access and preview).
pub async fn member_view_by_id(state: &AppState, org_id: &str, membership_id: &str) -> AppResult<Option<MemberView>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT role, status, toggles FROM memberships WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(membership_id)
            .fetch_optional(state.db.pool())
            .await?;
    let Some((role, status, toggles)) = row else { return Ok(None) };
    let role = Role::parse(&role).ok_or_else(|| AppError::internal("unknown role"))?;
    Ok(Some(
        load_member_view(
            state.db.pool(),
            org_id,
            membership_id,
            role,
            status_of(&status),
            Toggles::from_json(&toggles),
        )
        .await?,
    ))
}

/// Build the scope for `who` in `org_id`; "not found" when they are not an active member there.
pub async fn org_scope(state: &AppState, who: &Identity, org_id: &str) -> AppResult<OrgScope> {
    let row = sqlx::query(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM memberships m {MEMBERSHIP_JOINS} WHERE m.org_id = $1 AND m.account_id = $2"
    ))
    .bind(org_id)
    .bind(&who.account_id)
    .fetch_optional(state.db.pool())
    .await?;
    let row = match row {
        Some(r) => MembershipRow::from_columns(&r)?,
        None => None,
    };
    scope_from_row(state, who, org_id, row).await
}

/// The scope of a member acting without a request of theirs (a webhook delivered for the
/// member who made it): `None` when the membership is not active or its account blocked.
pub async fn member_scope(state: &AppState, org_id: &str, membership_id: &str) -> AppResult<Option<OrgScope>> {
    #[derive(sqlx::FromRow)]
    struct Who {
        account_id: String,
        email: String,
        first_name: String,
        last_name: String,
        totp_enabled_at: Option<i64>,
    }
    let who: Option<Who> = sqlx::query_as(
        "SELECT a.id AS account_id, a.email, a.first_name, a.last_name, a.totp_enabled_at FROM memberships m \
         JOIN accounts a ON a.id = m.account_id WHERE m.org_id = $1 AND m.id = $2 AND m.status = 'active' \
         AND a.blocked_at IS NULL",
    )
    .bind(org_id)
    .bind(membership_id)
    .fetch_optional(state.db.pool())
    .await?;
    let Some(w) = who else { return Ok(None) };
    let identity = Identity {
        session_id: String::new(),
        account_id: w.account_id,
        email: w.email,
        first_name: w.first_name,
        last_name: w.last_name,
        active_org_id: Some(org_id.to_string()),
        totp_enabled: w.totp_enabled_at.is_some(),
        key: None,
    };
    match org_scope(state, &identity, org_id).await {
        Ok(scope) => Ok(Some(scope)),
        Err(AppError::NotFound | AppError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The scope from a membership row read this request (by `org_scope`, or with the session).
// The change sequence comes with the row (`cache.rs`): grants, teams and own calendars
// change only through audited writes, so the member's reach is cached under it and a revoked
// grant still stops the very next request, on every server process (R17).
async fn scope_from_row(
    state: &AppState,
    who: &Identity,
    org_id: &str,
    row: Option<MembershipRow>,
) -> AppResult<OrgScope> {
    let Some(row) = row else { return Err(AppError::NotFound) };
    // A key reaches its own organisation only: another one's ids are "not found", even where
    // its creator is a member too.
    if who.key.as_ref().is_some_and(|k| k.org_id != org_id) {
        return Err(AppError::NotFound);
    }
    let status = status_of(&row.status);
    match status {
        MembershipStatus::Active => {}
        MembershipStatus::Blocked => {
            return Err(AppError::forbidden("membership-blocked", "Your access to this organisation is blocked."));
        }
        _ => return Err(AppError::NotFound),
    }
    if row.require_totp != 0 && !who.totp_enabled {
        return Err(AppError::forbidden(
            "totp-required-by-organisation",
            "This organisation requires two-factor authentication; turn it on in your account security.",
        ));
    }
    let role = Role::parse(&row.role).ok_or_else(|| AppError::internal("unknown role"))?;
    let seq = row.change_seq;
    let reach = state
        .cache
        .get_or_load::<kind::MemberReach, _, _>(org_id, seq, &row.id, || load_reach(state.db.pool(), org_id, &row.id))
        .await?;
    let member = MemberView {
        membership_id: row.id.clone(),
        role,
        status,
        toggles: Toggles::from_json(&row.toggles),
        grants: reach.0.clone(),
        own_calendars: reach.1.clone(),
    };
    // "Last activity" for the members list, refreshed at most once a minute (and only then
    // written: a write per request would queue every reader behind SQLite's write lock).
    let now = to_ms(state.now());
    if row.last_active_at.is_none_or(|t| t < now - 60_000) {
        sqlx::query(
            "UPDATE memberships SET last_active_at = $1 WHERE id = $2 AND (last_active_at IS NULL OR last_active_at < $3)",
        )
        .bind(now)
        .bind(&row.id)
        .bind(now - 60_000)
        .execute(state.db.pool())
        .await?;
    }
    // A key is an integration: it works while its creator holds "API and integrations".
    if who.key.is_some() && !policy::authorize(&member, Action::ManageApiKeys, Object::Org).allowed {
        return Err(AppError::forbidden(
            "api-key-creator-lacks-integrations",
            "The member who made this API key no longer holds the API and integrations right.",
        ));
    }
    Ok(OrgScope {
        tenant: Tenant::new(org_id),
        org_name: row.org_name,
        org_slug: row.org_slug,
        account_id: who.account_id.clone(),
        actor_label: who.label(),
        member,
        change_seq: seq,
        key: who.key.clone(),
    })
}

/// API routes name the organisation in the path (`/api/v1/orgs/{org_id}/…`); pages use the
/// session's active organisation.
impl FromRequestParts<AppState> for OrgScope {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(scope) = parts.extensions.get::<OrgScope>() {
            return Ok(scope.clone());
        }
        let who = parts.extensions.get::<Identity>().cloned().ok_or(AppError::Unauthenticated)?;
        // A route that names the organisation must name it readably: a path that does not
        // decode is "not found", never the session's organisation instead.
        let names_org = match parts.extensions.get::<axum::extract::MatchedPath>() {
            Some(m) => m.as_str().contains("{org_id}"),
            None => parts.uri.path().starts_with("/api/v1/orgs/"),
        };
        let org_id = if names_org {
            Path::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .ok()
                .and_then(|Path(p)| p.get("org_id").cloned())
                .ok_or(AppError::NotFound)?
        } else {
            who.active_org_id.clone().ok_or(AppError::NotFound)?
        };
        let prefetched = parts.extensions.get::<PrefetchedMembership>().filter(|p| p.org_id == org_id).cloned();
        let scope = match prefetched {
            Some(p) => scope_from_row(state, &who, &org_id, p.row).await?,
            None => org_scope(state, &who, &org_id).await?,
        };
        parts.extensions.insert(scope.clone());
        Ok(scope)
    }
}
