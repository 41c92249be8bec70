//! The public booking page (service → person or anyone → slot in the visitor's zone →
//! details → confirmation) and the manage page behind the emailed link. Server-rendered;
//! works without JavaScript, usable on a phone.

use super::service::{self, PublicBooking};
use crate::features::prelude::*;
use crate::{
    features::orgs::look,
    http::Framable,
    http::pages::{MessagePage, ZONES, enc},
    types::{BoundedDate, BoundedInstant, Lang},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use jiff::{Timestamp, Zoned, civil::Date, tz::TimeZone};
use serde::Deserialize;

/// The zones of the staff pickers (`pages::ZONES`) that the visitor's picker leaves out.
const NOT_OFFERED_TO_VISITORS: [&str; 4] = ["Europe/Amsterdam", "Africa/Abidjan", "America/Cayenne", "Indian/Mayotte"];

fn link(slug: &str, params: &[(&str, &str)]) -> String {
    let q: Vec<String> = params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", enc(v))).collect();
    if q.is_empty() { format!("/book/{slug}") } else { format!("/book/{slug}?{}", q.join("&")) }
}

/// "mardi 3 mars 2026" / "Tuesday 3 March 2026".
pub fn day_label(d: Date, lang: Lang) -> String {
    const FR_DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
    const EN_DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    const FR_MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN_MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let wd = d.weekday().to_monday_zero_offset() as usize;
    let m = (d.month() - 1) as usize;
    match lang {
        Lang::Fr => format!("{} {} {} {}", FR_DAYS[wd], d.day(), FR_MONTHS[m], d.year()),
        Lang::En => format!("{} {} {} {}", EN_DAYS[wd], d.day(), EN_MONTHS[m], d.year()),
    }
}

struct Choice {
    name: String,
    detail: String,
    /// The service's description (empty for people).
    note: String,
    href: String,
}

struct SlotLink {
    label: String,
    href: String,
    value: String,
}

struct Day {
    label: String,
    slots: Vec<SlotLink>,
}

/// The visitor's own details, as typed (kept when the booking is refused).
#[derive(Default, Deserialize)]
#[serde(default)]
struct FormValues {
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    notes: String,
}

#[derive(Template)]
#[template(path = "book.html")]
struct BookPage {
    p: PageCtx,
    slug: String,
    location: String,
    address: String,
    error: Option<String>,
    step: u8,
    services: Vec<Choice>,
    service_id: String,
    service_name: String,
    back_service: String,
    people: Vec<Choice>,
    person: String,
    person_name: String,
    back_person: String,
    keep: Vec<(String, String)>,
    zones: Vec<String>,
    tz: String,
    prev_week: String,
    next_week: String,
    days: Vec<Day>,
    start: String,
    slot_label: String,
    back_slot: String,
    form: FormValues,
    /// Who may frame it (`frame-ancestors` sources).
    ancestors: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookQuery {
    service: String,
    person: String,
    date: String,
    tz: String,
    slot: String,
}

fn price(t: Tr, cents: Option<i64>, currency: &str) -> String {
    match cents {
        Some(c) => format!(" · {}", t.price(c, currency)),
        None => String::new(),
    }
}

async fn build(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    q: &BookQuery,
    error: Option<String>,
    form: FormValues,
) -> Result<BookPage, AppError> {
    let t = Tr(ctx.lang);
    let loc = service::location(state, slug).await?;
    let offer = service::offer(state, &loc).await?;
    let tz_name = if TimeZone::get(&q.tz).is_ok() && !q.tz.is_empty() { q.tz.clone() } else { loc.time_zone.clone() };
    let tz = TimeZone::get(&tz_name).unwrap_or(TimeZone::UTC);
    let mut zones: Vec<String> =
        ZONES.iter().filter(|z| !NOT_OFFERED_TO_VISITORS.contains(z)).map(|z| z.to_string()).collect();
    if !zones.contains(&tz_name) {
        zones.insert(0, tz_name.clone());
    }
    let mut page = BookPage {
        p: PageCtx::business_site(ctx, &loc, slug),
        ancestors: look::frame_ancestors(&loc.frame_origins).to_string(),
        slug: slug.to_string(),
        location: loc.name.clone(),
        address: loc.address.clone(),
        error,
        step: 1,
        services: offer
            .iter()
            .map(|(s, _)| Choice {
                name: s.name.clone(),
                detail: format!("{} min{}", s.length_min, price(Tr(ctx.lang), s.price_cents, &s.currency)),
                note: s.description.clone(),
                href: link(slug, &[("service", &s.id), ("tz", &q.tz)]),
            })
            .collect(),
        service_id: String::new(),
        service_name: String::new(),
        back_service: link(slug, &[("tz", &q.tz)]),
        people: Vec::new(),
        person: String::new(),
        person_name: String::new(),
        back_person: String::new(),
        keep: Vec::new(),
        zones,
        tz: tz_name.clone(),
        prev_week: String::new(),
        next_week: String::new(),
        days: Vec::new(),
        start: String::new(),
        slot_label: String::new(),
        back_slot: String::new(),
        form,
    };
    let Some((svc, cals)) = offer.iter().find(|(s, _)| s.id == q.service) else { return Ok(page) };
    page.step = 2;
    page.service_id = svc.id.clone();
    page.service_name = svc.name.clone();
    page.back_person = link(slug, &[("service", &svc.id), ("tz", &q.tz)]);
    page.people = std::iter::once(Choice {
        name: t.get("book.anyone").into(),
        detail: String::new(),
        note: String::new(),
        href: link(slug, &[("service", &svc.id), ("person", "any"), ("tz", &q.tz)]),
    })
    .chain(cals.iter().map(|c| Choice {
        name: c.name.clone(),
        detail: String::new(),
        note: String::new(),
        href: link(slug, &[("service", &svc.id), ("person", &c.id), ("tz", &q.tz)]),
    }))
    .collect();
    let calendar = match q.person.as_str() {
        "" => return Ok(page),
        "any" => None,
        id => match cals.iter().find(|c| c.id == id) {
            Some(c) => Some(c),
            None => return Ok(page),
        },
    };
    page.step = 3;
    page.person = q.person.clone();
    page.person_name = calendar.map(|c| c.name.clone()).unwrap_or_else(|| t.get("book.anyone").into());
    let today = Timestamp::from_millisecond(crate::clock::to_ms(state.now()))
        .map(|ts| ts.to_zoned(tz.clone()).date())
        .map_err(AppError::internal)?;
    // A date outside the years we compute with shows this week (`book_page` says why).
    let from = BoundedDate::parse("date", &q.date).ok().map(|d| d.get()).filter(|d| *d >= today).unwrap_or(today);
    let to = from.checked_add(jiff::Span::new().days(6)).unwrap_or(from);
    let shift = |days: i64| from.checked_add(jiff::Span::new().days(days)).unwrap_or(from).max(today).to_string();
    page.prev_week = link(slug, &[("service", &svc.id), ("person", &q.person), ("tz", &tz_name), ("date", &shift(-7))]);
    page.next_week = link(slug, &[("service", &svc.id), ("person", &q.person), ("tz", &tz_name), ("date", &shift(7))]);
    page.keep = vec![
        ("service".into(), svc.id.clone()),
        ("person".into(), q.person.clone()),
        ("date".into(), from.to_string()),
    ];
    page.back_slot =
        link(slug, &[("service", &svc.id), ("person", &q.person), ("tz", &tz_name), ("date", &from.to_string())]);
    let window = crate::features::availability::Asked::with_zone(from, to, tz.clone());
    let slots = service::slots(state, slug, (&svc.id, calendar.map(|c| c.id.as_str())), window, false).await?;
    for start in slots.starts() {
        let Ok(z) = Timestamp::from_millisecond(start).map(|t| t.to_zoned(tz.clone())) else { continue };
        let label = day_label(z.date(), ctx.lang);
        let slot = SlotLink {
            label: z.strftime("%H:%M").to_string(),
            href: link(
                slug,
                &[
                    ("service", &svc.id),
                    ("person", &q.person),
                    ("tz", &tz_name),
                    ("date", &from.to_string()),
                    ("slot", &z.timestamp().to_string()),
                ],
            ),
            value: z.timestamp().to_string(),
        };
        match page.days.last_mut() {
            Some(d) if d.label == label => d.slots.push(slot),
            _ => page.days.push(Day { label, slots: vec![slot] }),
        }
    }
    if let Ok(start) = BoundedInstant::parse("slot", &q.slot).map(|s| s.get()) {
        page.step = 4;
        let z = start.to_zoned(tz.clone());
        page.start = start.to_string();
        page.slot_label = format!("{} {} ({})", day_label(z.date(), ctx.lang), z.strftime("%H:%M"), tz_name);
    }
    Ok(page)
}

pub async fn book_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<BookQuery>,
) -> PageResult {
    // A date that parses but lies outside the years we compute with: this week, and why.
    let refused = BoundedDate::parse("date", &q.date).err().filter(|e| e.code == "out-of-range");
    let error = refused.as_ref().map(|e| Tr(ctx.lang).field_message(e));
    let page = build(&state, &ctx, &slug, &q, error, FormValues::default()).await.or_page(&ctx)?;
    // The business's website may embed its booking page (the promotion page's widget).
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(Framable::allow(&page.ancestors, render_status(status, &page)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookForm {
    service_id: String,
    person: String,
    start: String,
    tz: String,
    #[serde(flatten)]
    form: FormValues,
}

/// The booking form sent; framed like the page it comes from.
pub async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    PageForm(f): PageForm<BookForm>,
) -> PageResult {
    let site = service::location(&state, &slug).await.or_page(&ctx)?;
    let res = submitted(&state, &ctx, &site, &slug, f).await?;
    Ok(Framable::allow(look::frame_ancestors(&site.frame_origins), res))
}

async fn submitted(
    state: &AppState,
    ctx: &Ctx,
    site: &crate::access::tenant::PublicSite,
    slug: &str,
    f: BookForm,
) -> PageResult {
    let t = Tr(ctx.lang);
    let input = PublicBooking {
        service_id: f.service_id.clone(),
        calendar_id: Some(f.person.clone()).filter(|p| !p.is_empty() && p != "any"),
        start: f.start.clone(),
        first_name: f.form.first_name.clone(),
        last_name: f.form.last_name.clone(),
        email: f.form.email.clone(),
        phone: Some(f.form.phone.clone()),
        notes: f.form.notes.clone(),
    };
    match service::book(state, ctx, slug, input).await {
        Ok(b) => {
            let when = b
                .start
                .parse::<Zoned>()
                .map(|z| format!("{} {}", day_label(z.date(), ctx.lang), z.strftime("%H:%M")))
                .unwrap_or(b.start);
            Ok(render(&MessagePage {
                p: PageCtx::business_site(ctx, site, slug),
                title: t.get("book.done_title").into(),
                message: t
                    .fmt("book.done", &[("when", &when), ("with", &b.calendar_name), ("email", f.form.email.trim())]),
                link: Some((format!("/book/{slug}"), t.get("book.again").into())),
            }))
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. } | AppError::RateLimited { .. })) => {
            let message = match &e {
                AppError::Validation(v) => v.iter().map(|x| t.field_message(x)).collect::<Vec<_>>().join(" "),
                AppError::RateLimited { .. } => t.get("error.rate-limited").into(),
                // Someone booked that time between the page and the form (or at the same moment).
                AppError::Conflict { reasons, .. } if reasons.iter().any(|r| r.code == "slot-taken") => {
                    t.get("book.just_taken").into()
                }
                _ => t.get("book.taken").into(),
            };
            let q = BookQuery {
                service: f.service_id.clone(),
                person: f.person.clone(),
                tz: f.tz.clone(),
                slot: f.start.clone(),
                ..Default::default()
            };
            let mut page = build(state, ctx, slug, &q, Some(message), f.form).await.or_page(ctx)?;
            if matches!(e, AppError::Conflict { .. }) && page.step == 4 {
                page.step = 3; // the slot is gone: choose another
            }
            Ok(render_status(e.status(), &page))
        }
        Err(e) => Err(e).or_page(ctx),
    }
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    p: PageCtx,
    token: String,
    message: Option<String>,
    error: Option<String>,
    service: String,
    with: String,
    location: String,
    when: String,
    status: String,
    active: bool,
    days: Vec<Day>,
    /// Cancelling was asked once: the page asks to confirm.
    confirming: bool,
}

async fn manage_page(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    message: Option<String>,
    error: Option<String>,
) -> Result<ManagePage, AppError> {
    let t = Tr(ctx.lang);
    let m = service::manage(state, ctx, token).await?;
    let tz = service::managed_zone(state, token).await?;
    let start = m.start.parse::<Zoned>().map_err(AppError::internal)?;
    let now = Timestamp::from_millisecond(crate::clock::to_ms(state.now())).map_err(AppError::internal)?;
    let active = m.status == "confirmed" && start.timestamp() > now;
    let mut days: Vec<Day> = Vec::new();
    if active {
        let today = now.to_zoned(tz.clone()).date();
        let to = today.checked_add(jiff::Span::new().days(13)).unwrap_or(today);
        for ms in service::reschedule_options(state, token, &tz, today, to).await? {
            let Ok(ts) = Timestamp::from_millisecond(ms) else { continue };
            let z = ts.to_zoned(tz.clone());
            let label = day_label(z.date(), ctx.lang);
            let slot = SlotLink { label: z.strftime("%H:%M").to_string(), href: String::new(), value: ts.to_string() };
            match days.last_mut() {
                Some(d) if d.label == label => d.slots.push(slot),
                _ => days.push(Day { label, slots: vec![slot] }),
            }
        }
    }
    // The business's look while its location is open (an archived one has no public page).
    let p = match service::location(state, &m.location_slug).await {
        Ok(site) => PageCtx::business_site(ctx, &site, &m.location_slug),
        Err(AppError::NotFound) => PageCtx::public_site(ctx),
        Err(e) => return Err(e),
    };
    Ok(ManagePage {
        p,
        token: token.to_string(),
        message,
        error,
        service: m.service.unwrap_or_default(),
        with: m.with,
        location: m.location,
        when: format!("{} {}", day_label(start.date(), ctx.lang), start.strftime("%H:%M")),
        status: t.manage_status(&m.status).to_string(),
        active,
        days,
        confirming: false,
    })
}

/// The stylesheet of a business's colour, which its booking pages add to the shared one;
/// its URL carries the colour, so it may be kept a day.
pub async fn theme(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> PageResult {
    let site = service::location(&state, &slug).await.or_page(&ctx)?;
    let css = if site.brand_colour.is_empty() { String::new() } else { look::stylesheet(&site.brand_colour) };
    let headers = [
        (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
        (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
    ];
    Ok(axum::response::IntoResponse::into_response((headers, css)))
}

/// The business's logo on its booking page; its URL carries its version, so it may be kept
/// a day.
pub async fn logo(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> PageResult {
    let site = service::location(&state, &slug).await.or_page(&ctx)?;
    match crate::features::orgs::service::logo_of(&state, &site.tenant).await.or_page(&ctx)? {
        Some((content_type, bytes)) => Ok(crate::http::pages::image(content_type, bytes, "public, max-age=86400")),
        None => Err(AppError::NotFound).or_page(&ctx),
    }
}

pub async fn manage(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> PageResult {
    Ok(render(&manage_page(&state, &ctx, &token, None, None).await.or_page(&ctx)?))
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    form: FormFields,
) -> PageResult {
    let t = Tr(ctx.lang);
    // Cancelling asks first: without the confirmation the page asks for it.
    if form.get("confirm") != "yes" {
        let mut page = manage_page(&state, &ctx, &token, None, None).await.or_page(&ctx)?;
        page.confirming = page.active;
        return Ok(render(&page));
    }
    let (message, error) = match service::cancel(&state, &ctx, &token).await {
        Ok(_) => (Some(t.get("manage.cancelled").to_string()), None),
        Err(e @ AppError::Conflict { .. }) => (None, Some(e.text(t))),
        Err(e) => return Err(e).or_page(&ctx),
    };
    Ok(render(&manage_page(&state, &ctx, &token, message, error).await.or_page(&ctx)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartForm {
    start: String,
}

pub async fn reschedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    PageForm(f): PageForm<StartForm>,
) -> PageResult {
    let t = Tr(ctx.lang);
    let (message, error, status) = match service::reschedule(&state, &ctx, &token, &f.start).await {
        Ok(_) => (Some(t.get("manage.moved").to_string()), None, StatusCode::OK),
        Err(e @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            (None, Some(t.get("book.taken").to_string()), e.status())
        }
        Err(e) => return Err(e).or_page(&ctx),
    };
    Ok(render_status(status, &manage_page(&state, &ctx, &token, message, error).await.or_page(&ctx)?))
}
