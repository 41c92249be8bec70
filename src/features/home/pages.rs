//! The home page. Signed out: what Creneau is. Signed in: a greeting and, for whoever may set
//! the business up, the checklist until every step is done, with the booking link to share.

use super::checklist::{self, Facts, Step};
use crate::features::prelude::*;
use crate::{
    access::MaybeIdentity,
    features::{
        accounts::pages::viewer_zone,
        bookings::{
            list_pages::{Line, upcoming},
            repo as bookings,
        },
        calendars::service as calendars,
        locations::service as locations,
        members::service as members,
        services::service as services,
    },
};
use askama::Template;
use axum::extract::{Query, State};
use jiff::{ToSpan, tz::TimeZone};

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
    day: Option<Day>,
}

/// The member's day and week within what they may see.
struct Day {
    today: String,
    today_lines: Vec<Line>,
    today_more: bool,
    week_lines: Vec<Line>,
    week_more: bool,
    absences: Vec<AbsenceLine>,
    /// Pending invitations (0 for who does not see the members).
    invited: usize,
}

struct AbsenceLine {
    calendar_id: String,
    calendar: String,
    from: String,
    to: String,
    reason: String,
}

/// Bookings shown in each list before "see all".
const SHOWN: i64 = 20;

async fn day(state: &AppState, scope: &OrgScope, who: &Identity, t: Tr) -> AppResult<Day> {
    let tz = viewer_zone(state, who).await?;
    let today = state.now().to_zoned(tz.clone()).date();
    let midnight = |d: jiff::civil::Date| d.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
    // Within the dates the house handles, adding days cannot overflow.
    let later = |n: i64| today.checked_add(n.days()).unwrap_or(today);
    let (d0, d1, d8) = (today, later(1), later(8));
    let (today_lines, today_more) = upcoming(state, scope, t, &tz, (midnight(d0), midnight(d1)), SHOWN).await?;
    let (week_lines, week_more) = upcoming(state, scope, t, &tz, (midnight(d1), midnight(d8)), SHOWN).await?;
    // Absences of the next 30 days on the calendars the member sees.
    let cals = calendars::list(state, scope, None).await?;
    let ids: Vec<String> = cals.iter().map(|c| c.id.clone()).collect();
    let span = (crate::clock::to_ms(state.now()), midnight(later(31)));
    let away = bookings::unavailable_in(state.db.pool(), scope.tenant(), &ids, span).await?;
    let words = |ms: i64, tz: &TimeZone| {
        let z = crate::clock::from_ms(ms).to_zoned(tz.clone());
        format!("{} {}", t.long_date(z.date()), z.strftime("%H:%M"))
    };
    let mut absences: Vec<(i64, AbsenceLine)> = cals
        .iter()
        .flat_map(|c| {
            let ctz = TimeZone::get(&c.time_zone).unwrap_or(TimeZone::UTC);
            away.get(&c.id).into_iter().flatten().map(move |a| {
                let line = AbsenceLine {
                    calendar_id: c.id.clone(),
                    calendar: c.name.clone(),
                    from: words(a.start_at, &ctz),
                    to: words(a.end_at, &ctz),
                    reason: a.reason.clone(),
                };
                (a.start_at, line)
            })
        })
        .collect();
    absences.sort_by_key(|(at, _)| *at);
    let invited = if scope.check(Action::ViewMembers, Object::Org).allowed {
        members::list(state, scope).await?.iter().filter(|m| m.status == "invited").count()
    } else {
        0
    };
    Ok(Day {
        today: t.long_date(today),
        today_lines,
        today_more,
        week_lines,
        week_more,
        absences: absences.into_iter().map(|(_, l)| l).take(10).collect(),
        invited,
    })
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
        let page =
            HomePage { p: PageCtx::anonymous(&ctx), steps: Vec::new(), steps_done: 0, booking_link: None, day: None };
        return Ok(render(&page));
    };
    let p = PageCtx::for_user(&state, &ctx, &who).await.or_page(&ctx)?;
    let t = p.t;
    let active = p.user.as_ref().and_then(|u| u.active_org.as_ref()).is_some();
    let (steps, booking_link, day) = match who.active_org_id.as_deref().filter(|_| active) {
        None => (lines(t, checklist::steps(&Facts::default())), None, None),
        Some(org_id) => match crate::access::context::org_scope(&state, &who, org_id).await {
            Ok(scope) => {
                let today = Some(day(&state, &scope, &who, t).await.or_page(&ctx)?);
                if scope.check(Action::CreateLocation, Object::Org).allowed
                    || scope.check(Action::ManageServices, Object::Org).allowed
                {
                    let (f, link) = facts(&state, &scope).await.or_page(&ctx)?;
                    (lines(t, checklist::steps(&f)), link, today)
                } else {
                    // Staff and assistants do not set the business up.
                    (Vec::new(), None, today)
                }
            }
            // A membership that cannot be entered: the organisation's pages say why.
            Err(AppError::NotFound | AppError::Forbidden { .. }) => (Vec::new(), None, None),
            Err(e) => return Err(e).or_page(&ctx),
        },
    };
    let steps_done = steps.iter().filter(|s| s.done).count();
    // Once every step is done the checklist gives way; the link stays.
    let steps = if steps_done == steps.len() { Vec::new() } else { steps };
    Ok(render(&HomePage { p: with_done(p, q.done.as_deref()), steps, steps_done, booking_link, day }))
}
