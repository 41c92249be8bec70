//! Team rules. Managing teams needs user management; a team's grants follow the same
//! "nobody grants more than they hold" rule as a member's.

use crate::features::prelude::*;
use crate::{
    access::{
        context::scope_of,
        holdings::Watch,
        policy::{Level, Scope},
    },
    audit::{self, Event},
    clock::to_ms,
    db::{new_id, unique_or},
    error::FieldError,
    features::members::service::{self as members, GrantInput},
    types::Name,
};
use serde::Serialize;
use serde_json::json;

use super::repo::{self, TeamGrantRow};
use crate::features::members::repo as member_repo;

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub member_ids: Vec<String>,
    pub grants: Vec<TeamGrant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TeamGrant {
    #[serde(flatten)]
    pub scope: Scope,
    pub level: Level,
}

/// All teams of the organisation with members and grants: three queries, whatever the count.
async fn load(state: &AppState, scope: &OrgScope, only: Option<&str>) -> AppResult<Vec<Team>> {
    let teams = repo::teams(state.db.pool(), scope.tenant(), only).await?;
    let links = repo::team_members(state.db.pool(), scope.tenant()).await?;
    let grants: Vec<TeamGrantRow> = repo::team_grants(state.db.pool(), scope.tenant()).await?;
    Ok(teams
        .into_iter()
        .map(|(id, name)| Team {
            member_ids: links.iter().filter(|(t, _)| *t == id).map(|(_, m)| m.clone()).collect(),
            grants: grants
                .iter()
                .filter(|g| g.subject_id == id)
                .filter_map(|g| {
                    let scope = scope_of(&g.scope, g.location_id.clone(), g.calendar_id.clone())?;
                    Some(TeamGrant { scope, level: Level::parse(&g.level)? })
                })
                .collect(),
            id,
            name,
        })
        .collect())
}

/// The members someone limited to some locations sees (`None`: everyone, organisation-wide).
async fn seen_members(state: &AppState, scope: &OrgScope) -> AppResult<Option<Vec<String>>> {
    if scope.member().org_wide().is_some() {
        return Ok(None);
    }
    Ok(Some(members::list(state, scope).await?.into_iter().map(|m| m.id).collect()))
}

/// Teams as the actor may see them: members outside their locations are left out.
async fn shown(state: &AppState, scope: &OrgScope, mut teams: Vec<Team>) -> AppResult<Vec<Team>> {
    if let Some(seen) = seen_members(state, scope).await? {
        for t in &mut teams {
            t.member_ids.retain(|m| seen.contains(m));
        }
    }
    Ok(teams)
}

pub async fn list(state: &AppState, scope: &OrgScope) -> AppResult<Vec<Team>> {
    scope.require(Action::ManageTeams, Object::Org)?;
    let teams = load(state, scope, None).await?;
    shown(state, scope, teams).await
}

pub async fn get(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Team> {
    let team = whole(state, scope, id).await?;
    Ok(shown(state, scope, vec![team]).await?.pop().unwrap_or_default())
}

/// One team with all its members, for the rules.
async fn whole(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<Team> {
    let team = load(state, scope, Some(id)).await?.pop().ok_or(AppError::NotFound)?;
    scope.require(Action::ManageTeams, Object::Org)?;
    Ok(team)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub name: Option<String>,
    /// Replaces the member list when present.
    pub member_ids: Option<Vec<String>>,
    /// Replaces the team's grants when present.
    pub grants: Option<Vec<GrantInput>>,
}

/// Members must belong to this organisation; a foreign id is refused like an unknown one.
async fn check_members(state: &AppState, scope: &OrgScope, ids: &[String]) -> AppResult<()> {
    for (i, id) in ids.iter().enumerate() {
        if members::find(state, scope, id).await?.is_none_or(|m| m.status == "removed") {
            return Err(AppError::Validation(vec![FieldError::new(
                &format!("member_ids[{i}]"),
                "unknown-member",
                "No such member.",
            )]));
        }
    }
    Ok(())
}

pub async fn save(
    state: &AppState,
    ctx: &Ctx,
    scope: &OrgScope,
    id: Option<&str>,
    mut input: TeamInput,
) -> AppResult<Team> {
    scope.require(Action::ManageTeams, Object::Org)?;
    let before = match id {
        Some(id) => Some(whole(state, scope, id).await?),
        None => None,
    };
    // Members the actor does not see are not theirs to add or take out: they stay as they are.
    if let (Some(ids), Some(b), Some(seen)) = (&mut input.member_ids, &before, seen_members(state, scope).await?) {
        ids.extend(b.member_ids.iter().filter(|m| !seen.contains(*m)).cloned());
    }
    let name = match (&input.name, &before) {
        (Some(n), _) => Name::parse("name", n, 100).map_err(|e| AppError::Validation(vec![e]))?.into_string(),
        (None, Some(b)) => b.name.clone(),
        (None, None) => return Err(AppError::field("name", "required", "This field is required.")),
    };
    if let Some(ids) = &input.member_ids {
        check_members(state, scope, ids).await?;
        // Putting someone in a team or taking them out changes their rights: only for those
        // who may change that member (oneself is judged by the rule below alone).
        let old: &[String] = before.as_ref().map(|b| b.member_ids.as_slice()).unwrap_or_default();
        let changed = ids.iter().filter(|m| !old.contains(m)).chain(old.iter().filter(|m| !ids.contains(m)));
        for m in changed {
            if m == scope.membership_id() {
                continue;
            }
            // A member the actor may not see is as unknown as a missing one.
            members::target(state, scope, m, Action::ChangeMember).await.map_err(|e| match e {
                AppError::NotFound => AppError::field("member_ids", "unknown-member", "No such member."),
                e => e,
            })?;
        }
    }
    let grants = match &input.grants {
        Some(g) => Some(members::resolve_grants(state, scope, g).await?),
        None => None,
    };
    // Team grants reach every member: the same ceiling as direct grants, both for what is
    // added and what is taken away.
    if let Some(new) = &grants {
        let old: Vec<(Scope, Level)> =
            before.as_ref().map(|b| b.grants.iter().map(|g| (g.scope.clone(), g.level)).collect()).unwrap_or_default();
        for (s, l) in new.iter().filter(|g| !old.contains(g)).chain(old.iter().filter(|g| !new.contains(g))) {
            let d = crate::access::policy::may_grant(scope.member(), s, *l);
            if !d.allowed {
                return Err(AppError::forbidden("forbidden", format!("You cannot grant {} access there.", l.as_str())));
            }
        }
    }
    let now = to_ms(state.now());
    let team_id = id.map(String::from).unwrap_or_else(new_id);
    let mut tx = state.db.begin().await?;
    let watch = Watch::start(&mut tx, &state.db, scope.org_id()).await?;
    let taken = || AppError::Validation(vec![FieldError::new("name", "name-taken", "A team with this name exists.")]);
    if before.is_some() {
        repo::rename(&mut tx, scope.tenant(), &team_id, &name, now).await.map_err(|e| unique_or(e, taken()))?;
    } else {
        repo::insert(&mut tx, scope.tenant(), &team_id, &name, now).await.map_err(|e| unique_or(e, taken()))?;
    }
    if let Some(ids) = &input.member_ids {
        repo::clear_members(&mut tx, scope.tenant(), &team_id).await?;
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        for m in unique {
            repo::add_member(&mut tx, scope.tenant(), &team_id, &m).await?;
        }
    }
    if let Some(g) = &grants {
        member_repo::delete_grants(&mut tx, scope.tenant(), "team", &team_id).await?;
        members::insert_grants(&mut tx, now, scope.tenant(), "team", &team_id, g).await?;
    }
    // Whatever changed, nobody may end up holding what the actor does not.
    watch.judge(&mut tx, scope).await?;
    let grants = grants.as_ref().map(|g| g.iter().map(|(s, l)| json!({"scope": s, "level": l})).collect::<Vec<_>>());
    let event = Event::new(if before.is_some() { "team.updated" } else { "team.created" }, "team", &team_id)
        .before(before.as_ref().map(|b| json!(b)))
        .after(json!({"name": name, "member_ids": input.member_ids, "grants": grants}));
    audit::org_event(&mut tx, now, scope, ctx, event).await?;
    tx.commit().await?;
    get(state, scope, &team_id).await
}

pub async fn delete(state: &AppState, ctx: &Ctx, scope: &OrgScope, id: &str) -> AppResult<()> {
    let before = whole(state, scope, id).await?;
    for g in &before.grants {
        let d = crate::access::policy::may_grant(scope.member(), &g.scope, g.level);
        if !d.allowed {
            return Err(AppError::forbidden("forbidden", "This team holds rights beyond yours."));
        }
    }
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    member_repo::delete_grants(&mut tx, scope.tenant(), "team", id).await?;
    repo::delete(&mut tx, scope.tenant(), id).await?;
    audit::org_event(&mut tx, now, scope, ctx, Event::new("team.deleted", "team", id).before(json!(before))).await?;
    tx.commit().await?;
    Ok(())
}
