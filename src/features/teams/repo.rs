//! Team storage: teams, who is in them, and their grants (written through `members::repo`).
//! `team_members` has no organisation column: its statements reach it through the team.

use crate::{
    access::Tenant,
    db::{self, Tx},
    error::AppResult,
};

/// `(id, name)` of the organisation's teams, or of the one team `only` names, by name.
pub async fn teams<'e, E>(exec: E, tenant: &Tenant, only: Option<&str>) -> AppResult<Vec<(String, String)>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(db::query_as(
        "SELECT id, name FROM teams WHERE org_id = $1 AND ($2 = '' OR id = $2) ORDER BY name, id",
        &[tenant, &only.unwrap_or("")],
    )
    .fetch_all(exec)
    .await?)
}

/// `(team id, member id)` of every team of the organisation.
pub async fn team_members<'e, E>(exec: E, tenant: &Tenant) -> AppResult<Vec<(String, String)>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(db::query_as(
        "SELECT tm.team_id, tm.member_id FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE t.org_id = $1 ORDER BY tm.member_id",
        &[tenant],
    )
    .fetch_all(exec)
    .await?)
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
pub async fn team_grants<'e, E>(exec: E, tenant: &Tenant) -> AppResult<Vec<TeamGrantRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(db::query_as(
        "SELECT subject_id, scope, location_id, calendar_id, level FROM grants WHERE org_id = $1 AND subject_type = 'team' ORDER BY created_at, id",
        &[tenant],
    )
    .fetch_all(exec)
    .await?)
}

/// The database's own error is returned, so that the caller says what a taken name means.
pub async fn insert(tx: &mut Tx, tenant: &Tenant, id: &str, name: &str, now: i64) -> Result<(), sqlx::Error> {
    db::query(
        "INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        &[&id, tenant, &name, &now],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The database's own error is returned, so that the caller says what a taken name means.
pub async fn rename(tx: &mut Tx, tenant: &Tenant, id: &str, name: &str, now: i64) -> Result<(), sqlx::Error> {
    db::query("UPDATE teams SET name = $1, updated_at = $2 WHERE org_id = $3 AND id = $4", &[&name, &now, tenant, &id])
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The team (its members go with it).
pub async fn delete(tx: &mut Tx, tenant: &Tenant, id: &str) -> AppResult<()> {
    db::query("DELETE FROM teams WHERE org_id = $1 AND id = $2", &[tenant, &id]).execute(&mut **tx).await?;
    Ok(())
}

/// Empty a team of the organisation.
pub async fn clear_members(tx: &mut Tx, tenant: &Tenant, team_id: &str) -> AppResult<()> {
    db::query(
        "DELETE FROM team_members WHERE team_id = $1 AND team_id IN (SELECT id FROM teams WHERE org_id = $2)",
        &[&team_id, tenant],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Put a member in a team of the organisation (nothing happens for another's team).
pub async fn add_member(tx: &mut Tx, tenant: &Tenant, team_id: &str, member_id: &str) -> AppResult<()> {
    db::query(
        "INSERT INTO team_members (team_id, member_id) SELECT id, $2 FROM teams WHERE id = $1 AND org_id = $3",
        &[&team_id, &member_id, tenant],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Take a member out of every team of the organisation.
pub async fn leave_all(tx: &mut Tx, tenant: &Tenant, member_id: &str) -> AppResult<()> {
    db::query(
        "DELETE FROM team_members WHERE member_id = $1 AND team_id IN (SELECT id FROM teams WHERE org_id = $2)",
        &[&member_id, tenant],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
