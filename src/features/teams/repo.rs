//! Team storage: teams, who is in them, and their grants (written through `members::repo`).
//! `team_members` has no organisation column: its statements reach it through the team.

use crate::{
    access::Tenant,
    db::{self, Executor, Tx},
    error::AppResult,
};

/// `(id, name)` of the organisation's teams, or of the one team `only` names, by name.
pub async fn teams(exec: impl Executor<'_>, tenant: &Tenant, only: Option<&str>) -> AppResult<Vec<(String, String)>> {
    let sql = "SELECT id, name FROM teams WHERE org_id = $1 AND ($2 = '' OR id = $2) ORDER BY name, id";
    Ok(db::query_as(sql, &[tenant, &only.unwrap_or("")]).fetch_all(exec).await?)
}

/// `(team id, member id)` of every team of the organisation.
pub async fn team_members(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<(String, String)>> {
    let sql = "SELECT tm.team_id, tm.member_id FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE t.org_id = $1 ORDER BY tm.member_id";
    Ok(db::query_as(sql, &[tenant]).fetch_all(exec).await?)
}

#[derive(sqlx::FromRow)]
pub struct TeamGrantRow {
    pub subject_id: String,
    pub scope: String,
    pub location_id: Option<String>,
    pub calendar_id: Option<String>,
    pub level: String,
}

/// Every team grant of the organisation, oldest first.
pub async fn team_grants(exec: impl Executor<'_>, tenant: &Tenant) -> AppResult<Vec<TeamGrantRow>> {
    let sql = "SELECT subject_id, scope, location_id, calendar_id, level FROM grants WHERE org_id = $1 AND subject_type = 'team' ORDER BY created_at, id";
    Ok(db::query_as(sql, &[tenant]).fetch_all(exec).await?)
}

/// The database's own error is returned, so that the caller says what a taken name means.
pub async fn insert(tx: &mut Tx, tenant: &Tenant, id: &str, name: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)";
    db::execute(tx, sql, &[&id, tenant, &name, &now]).await?;
    Ok(())
}

/// The database's own error is returned, so that the caller says what a taken name means.
pub async fn rename(tx: &mut Tx, tenant: &Tenant, id: &str, name: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE teams SET name = $1, updated_at = $2 WHERE org_id = $3 AND id = $4";
    db::execute(tx, sql, &[&name, &now, tenant, &id]).await?;
    Ok(())
}

/// The team (its members go with it).
pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<()> {
    let sql = "DELETE FROM teams WHERE org_id = $1 AND id = $2";
    db::execute(tx, sql, &[tenant, &id]).await?;
    Ok(())
}

/// Empty a team of the organisation.
pub async fn clear_members(tx: &mut Tx, tenant: &Tenant, team_id: &str) -> AppResult<()> {
    let sql = "DELETE FROM team_members WHERE team_id = $1 AND team_id IN (SELECT id FROM teams WHERE org_id = $2)";
    db::execute(tx, sql, &[&team_id, tenant]).await?;
    Ok(())
}

/// Put a member in a team of the organisation (nothing happens for another's team).
pub async fn add_member(tx: &mut Tx, tenant: &Tenant, team_id: &str, member_id: &str) -> AppResult<()> {
    let sql = "INSERT INTO team_members (team_id, member_id) SELECT id, $2 FROM teams WHERE id = $1 AND org_id = $3";
    db::execute(tx, sql, &[&team_id, &member_id, tenant]).await?;
    Ok(())
}

/// Take a member out of every team of the organisation.
pub async fn leave_all(tx: &mut Tx, tenant: &Tenant, member_id: &str) -> AppResult<()> {
    let sql = "DELETE FROM team_members WHERE member_id = $1 AND team_id IN (SELECT id FROM teams WHERE org_id = $2)";
    db::execute(tx, sql, &[&member_id, tenant]).await?;
    Ok(())
}
