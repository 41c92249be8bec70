//! Team pages: the list with a creation form, and one team (name, members, grants).
//! Rules live in the service.

use super::service::{self, Team, TeamInput};
use crate::features::prelude::*;
use crate::http::forms::{Refused, refused};
use crate::{
    access::policy::{Level, Scope},
    features::members::{
        pages::{GrantsEditor, grants_editor, grants_from_editor, visible},
        service as members,
    },
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};

struct TeamLine {
    id: String,
    name: String,
    members: usize,
    grants: usize,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    p: PageCtx,
    teams: Vec<TeamLine>,
    errors: FormErrors,
    error: Option<String>,
    name: String,
}

/// The list with the creation form: `name` as typed, and why it was refused if it was.
async fn list_page(at: &OrgPage, name: String, r: Refused, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let Refused { status, errors, error } = r;
    let teams = service::list(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/teams").await.or_page(ctx)?;
    Ok(render_status(
        status,
        &TeamsPage {
            teams: teams
                .into_iter()
                .map(|t| TeamLine { members: t.member_ids.len(), grants: t.grants.len(), id: t.id, name: t.name })
                .collect(),
            errors,
            error,
            name,
            p: with_done(p, done),
        },
    ))
}

pub async fn list(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    list_page(&at, String::new(), Refused::default(), q.done.as_deref()).await
}

pub async fn create(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let name = form.get("name").to_string();
    let input = TeamInput { name: Some(name.clone()), member_ids: None, grants: None };
    match service::save(state, ctx, scope, None, input).await {
        Ok(team) => Ok(see_other(&format!("/teams/{}?done=created", team.id))),
        Err(e) => list_page(&at, name, refused(ctx, e)?, None).await,
    }
}

// ---------------------------------------------------------------- one team

struct MemberBox {
    id: String,
    name: String,
    detail: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    p: PageCtx,
    id: String,
    title: String,
    name: String,
    members: Vec<MemberBox>,
    editor: GrantsEditor,
    errors: FormErrors,
    other_errors: Vec<String>,
    error: Option<String>,
}

fn current_grants(team: &Team) -> Vec<(Scope, Level)> {
    team.grants.iter().map(|g| (g.scope.clone(), g.level)).collect()
}

/// The team page; after a refused save, `refused` holds what was typed and why.
async fn team_page(
    at: &OrgPage,
    id: &str,
    done: Option<&str>,
    refused: Option<(StatusCode, Option<&FormFields>, FormErrors, Option<String>)>,
) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let team = service::get(state, scope, id).await.or_page(ctx)?;
    let people = members::list(state, scope).await.or_page(ctx)?;
    let vis = visible(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/teams").await.or_page(ctx)?;
    let t = p.t;
    let (status, form, errors, error) = match refused {
        Some((s, f, e, m)) => (s, f, e, m),
        None => (StatusCode::OK, None, FormErrors::default(), None),
    };
    let picked = form.map(|f| f.all("member"));
    let mut editor = grants_editor(t, &vis, &current_grants(&team));
    if let Some(f) = form {
        // Keep what was chosen in the refused form.
        editor.org_level = f.get("grant_org").to_string();
        for r in editor.locations.iter_mut() {
            r.level = f.get(&format!("grant_loc_{}", r.id)).to_string();
        }
        for r in editor.calendars.iter_mut() {
            r.level = f.get(&format!("grant_cal_{}", r.id)).to_string();
        }
    }
    let page = TeamPage {
        id: team.id.clone(),
        title: team.name.clone(),
        name: form.map(|f| f.get("name").to_string()).unwrap_or_else(|| team.name.clone()),
        members: people
            .iter()
            .filter(|m| m.status != "removed")
            .map(|m| {
                let name = format!("{} {}", m.first_name, m.last_name).trim().to_string();
                MemberBox {
                    checked: match &picked {
                        Some(ids) => ids.contains(&m.id),
                        None => team.member_ids.contains(&m.id),
                    },
                    id: m.id.clone(),
                    name: if name.is_empty() { m.email.clone() } else { name },
                    detail: m.email.clone(),
                }
            })
            .collect(),
        editor,
        other_errors: errors.others(&p.t, &["name"]),
        errors,
        error,
        p: with_done(p, done),
    };
    Ok(render_status(status, &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    team_page(&at, &id, q.done.as_deref(), None).await
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let team = service::get(state, scope, &id).await.or_page(ctx)?;
    let vis = visible(state, scope).await.or_page(ctx)?;
    // The form lists the members the actor may see; the service keeps those it does not show.
    let input = TeamInput {
        name: Some(form.get("name").to_string()),
        member_ids: Some(form.all("member")),
        grants: Some(grants_from_editor(&form, &vis, &current_grants(&team))),
    };
    match service::save(state, ctx, scope, Some(&team.id), input).await {
        Ok(_) => Ok(see_other(&format!("/teams/{id}?done=saved"))),
        Err(e) => {
            let r = refused(ctx, e)?;
            team_page(&at, &id, None, Some((r.status, Some(&form), r.errors, r.error))).await
        }
    }
}

pub async fn delete(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::delete(state, ctx, scope, &id).await {
        Ok(()) => Ok(see_other("/teams?done=deleted")),
        Err(e) => match inline_error(Tr(ctx.lang), &e) {
            Some((status, message)) => {
                let refused = Some((status, None, FormErrors::default(), Some(message)));
                team_page(&at, &id, None, refused).await
            }
            None => Err(e).or_page(ctx),
        },
    }
}
