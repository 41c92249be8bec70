//! The home page. Signed out: what Creneau is. Signed in: a greeting and, for whoever may set
//! the business up, the checklist until every step is done, with the booking link to share.

use super::checklist::{self, Facts, Step};
use crate::features::prelude::*;
use crate::{
    access::MaybeIdentity,
    features::{
        bookings::repo as bookings, calendars::service as calendars, locations::service as locations,
        services::service as services,
    },
};
use askama::Template;
use axum::extract::{Query, State};

struct StepLine {
    label: &'static str,
    hint: &'static str,
    href: String,
    done: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: PageCtx,
    /// Empty when there is nothing to set up, or nothing the member may set up.
    steps: Vec<StepLine>,
    steps_done: usize,
    /// The full address of the first location's booking page, once there is one.
    booking_link: Option<String>,
}

/// What the organisation has, in four queries whatever its size.
async fn facts(state: &AppState, scope: &OrgScope) -> AppResult<(Facts, Option<String>)> {
    let locs = locations::list(state, scope).await?;
    let open = locs.iter().find(|l| l.status != "archived");
    let cals: Vec<_> =
        calendars::list(state, scope, None).await?.into_iter().filter(|c| c.status != "archived").collect();
    let ids: Vec<String> = cals.iter().map(|c| c.id.clone()).collect();
    let hours = bookings::hours_of(state.db.pool(), scope.tenant(), &ids).await?;
    let open_cals: Vec<&String> =
        ids.iter().filter(|id| hours.get(*id).is_some_and(|h| h.weekly.iter().any(|d| !d.is_empty()))).collect();
    let svcs: Vec<_> = services::list(state, scope).await?.into_iter().filter(|s| s.status == "active").collect();
    let f = Facts {
        org: true,
        location: open.map(|l| l.id.clone()),
        calendar: cals.first().map(|c| c.id.clone()),
        hours: !open_cals.is_empty(),
        service: svcs.first().map(|s| s.id.clone()),
        offered: svcs.iter().any(|s| s.calendar_ids.iter().any(|c| open_cals.contains(&c))),
    };
    let link = open.map(|l| format!("{}/book/{}", state.config.base_url, l.slug));
    Ok((f, link))
}

fn lines(t: Tr, steps: Vec<Step>) -> Vec<StepLine> {
    steps
        .into_iter()
        .map(|s| StepLine {
            label: t.get(&format!("home.step.{}", s.key)),
            hint: t.get(&format!("home.step.{}_hint", s.key)),
            href: s.href,
            done: s.done,
        })
        .collect()
}

pub async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeIdentity(who): MaybeIdentity,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let Some(who) = who else {
        let page = HomePage { p: PageCtx::anonymous(&ctx), steps: Vec::new(), steps_done: 0, booking_link: None };
        return Ok(render(&page));
    };
    let p = PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?;
    let t = p.t;
    let active = p.user.as_ref().and_then(|u| u.active_org.as_ref()).is_some();
    let (steps, booking_link) = match who.active_org_id.as_deref().filter(|_| active) {
        None => (lines(t, checklist::steps(&Facts::default())), None),
        Some(org_id) => match crate::access::context::org_scope(&state, &who, org_id).await {
            Ok(scope)
                if scope.check(Action::CreateLocation, Object::Org).allowed
                    || scope.check(Action::ManageServices, Object::Org).allowed =>
            {
                let (f, link) = facts(&state, &scope).await.or_page(&ctx)?;
                (lines(t, checklist::steps(&f)), link)
            }
            // A member without set-up rights, or a membership that cannot be entered
            // (the organisation's pages say why): no checklist.
            Ok(_) | Err(AppError::NotFound | AppError::Forbidden { .. }) => (Vec::new(), None),
            Err(e) => return Err(e).or_page(&ctx),
        },
    };
    let steps_done = steps.iter().filter(|s| s.done).count();
    // Once every step is done the checklist gives way; the link stays.
    let steps = if steps_done == steps.len() { Vec::new() } else { steps };
    Ok(render(&HomePage { p: with_done(p, q.done.as_deref()), steps, steps_done, booking_link }))
}
