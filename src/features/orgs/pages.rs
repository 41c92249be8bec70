//! Organisation pages: list, create, switch.

use super::service;
use crate::features::prelude::*;
use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

struct OrgLine {
    id: String,
    name: String,
    slug: String,
    role_label: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    p: PageCtx,
    orgs: Vec<OrgLine>,
    errors: FormErrors,
    name: String,
    slug: String,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    errors: FormErrors,
    name: String,
    slug: String,
    done: Option<&str>,
) -> PageResult {
    let p = with_done(PageCtx::for_user(state, ctx, who).await.or_page(ctx)?, done);
    let orgs = crate::access::identity::my_orgs(state, &who.account_id).await.or_page(ctx)?;
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let t = p.t;
    Ok(render_status(
        status,
        &OrgsPage {
            orgs: orgs
                .into_iter()
                .map(|o| OrgLine {
                    active: who.active_org_id.as_deref() == Some(o.id.as_str()),
                    role_label: t.role(&o.role).to_string(),
                    id: o.id,
                    name: o.name,
                    slug: o.slug,
                })
                .collect(),
            p,
            errors,
            name,
            slug,
        },
    ))
}

pub async fn list(
    AccountRequest { state, ctx, who }: AccountRequest,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> PageResult {
    page(&state, &ctx, &who, FormErrors::default(), String::new(), String::new(), q.done.as_deref()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    slug: String,
}

pub async fn create(
    AccountRequest { state, ctx, who }: AccountRequest,
    PageForm(f): PageForm<CreateForm>,
) -> PageResult {
    let slug = Some(f.slug.trim()).filter(|s| !s.is_empty());
    match service::create(&state, &ctx, &who, &f.name, slug).await {
        Ok(_) => Ok(see_other("/")),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => page(&state, &ctx, &who, errors, f.name, f.slug, None).await,
            None => Err(e).or_page(&ctx),
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SwitchForm {
    org_id: String,
}

pub async fn switch(
    AccountRequest { state, ctx, who }: AccountRequest,
    PageForm(f): PageForm<SwitchForm>,
) -> PageResult {
    let target = Some(f.org_id.trim()).filter(|s| !s.is_empty());
    service::switch(&state, &who, target).await.or_page(&ctx)?;
    Ok(see_other("/"))
}
