//! Service pages: the list with a creation form, one service's settings (length, buffers,
//! notice, advance, step, price, description, archive), deleting an unused one, and which
//! calendars offer it, as toggles both here and on each calendar's page. The form reads
//! numbers and prices; every rule (rights, ranges, audit) is the service's.

use super::service::{self, Service, ServiceInput};
use crate::features::prelude::*;
use crate::{
    error::FieldError,
    features::{calendars::service as calendars, locations::service as locations},
    http::forms::{Refused, refused},
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
};
use std::collections::HashMap;

struct ServiceLine {
    id: String,
    name: String,
    length: String,
    price: String,
    calendars: usize,
    archived: bool,
}

/// The settings as typed (numbers as text: a refused form shows them again unchanged).
#[derive(Default)]
struct ServiceValues {
    name: String,
    description: String,
    length_min: String,
    buffer_before_min: String,
    buffer_after_min: String,
    min_notice_min: String,
    max_advance_days: String,
    step_min: String,
    price: String,
    currency: String,
    status: String,
}

impl ServiceValues {
    fn of(t: Tr, s: &Service) -> ServiceValues {
        ServiceValues {
            name: s.name.clone(),
            description: s.description.clone(),
            length_min: s.length_min.to_string(),
            buffer_before_min: s.buffer_before_min.to_string(),
            buffer_after_min: s.buffer_after_min.to_string(),
            min_notice_min: s.min_notice_min.to_string(),
            max_advance_days: s.max_advance_days.to_string(),
            step_min: s.step_min.to_string(),
            price: s.price_cents.map(|c| t.amount(c)).unwrap_or_default(),
            currency: s.currency.clone(),
            status: s.status.clone(),
        }
    }

    fn typed(f: &FormFields) -> ServiceValues {
        ServiceValues {
            name: f.get("name").into(),
            description: f.get("description").into(),
            length_min: f.get("length_min").into(),
            buffer_before_min: f.get("buffer_before_min").into(),
            buffer_after_min: f.get("buffer_after_min").into(),
            min_notice_min: f.get("min_notice_min").into(),
            max_advance_days: f.get("max_advance_days").into(),
            step_min: f.get("step_min").into(),
            price: f.get("price").into(),
            currency: f.get("currency").into(),
            status: f.get("status").into(),
        }
    }

    /// What the service is asked to change: the fields the form showed, numbers read here.
    fn input(&self, t: Tr, full: bool) -> Result<ServiceInput, FormErrors> {
        let mut errors = Vec::new();
        let mut number = |field: &str, v: &str| -> Option<i64> {
            if v.is_empty() && !full {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(field, "not-a-number", t.get("services.not_a_number")));
                    None
                }
            }
        };
        let input = ServiceInput {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            length_min: number("length_min", &self.length_min),
            buffer_before_min: number("buffer_before_min", &self.buffer_before_min),
            buffer_after_min: number("buffer_after_min", &self.buffer_after_min),
            min_notice_min: number("min_notice_min", &self.min_notice_min),
            max_advance_days: number("max_advance_days", &self.max_advance_days),
            step_min: number("step_min", &self.step_min),
            price_cents: match parse_price(&self.price) {
                Ok(p) => Some(p),
                Err(()) => {
                    errors.push(FieldError::new("price", "invalid-price", t.get("services.bad_price")));
                    None
                }
            },
            currency: (!self.currency.is_empty()).then(|| self.currency.clone()),
            status: (!self.status.is_empty()).then(|| self.status.clone()),
        };
        if errors.is_empty() { Ok(input) } else { Err(FormErrors(errors)) }
    }
}

/// A price as people type it: `45`, `45,5`, `45.50`, `1 234,00 €`; empty clears it.
fn parse_price(raw: &str) -> Result<Option<i64>, ()> {
    let cleaned: String =
        raw.chars().filter(|c| !c.is_whitespace() && !matches!(c, '€' | '$' | '£' | '\u{a0}' | '\u{202f}')).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let normal = cleaned.replace(',', ".");
    let (whole, frac) = normal.split_once('.').unwrap_or((&normal, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 2 || whole.len() > 9 {
        return Err(());
    }
    let cents = whole.parse::<i64>().map_err(|_| ())? * 100
        + match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| ())? * 10,
            _ => frac.parse::<i64>().map_err(|_| ())?,
        };
    Ok(Some(cents))
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    p: PageCtx,
    services: Vec<ServiceLine>,
    can_manage: bool,
    f: ServiceValues,
    refused: Refused,
}

async fn list_page(at: &OrgPage, f: Option<ServiceValues>, r: Refused, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let all = service::list(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/services").await.or_page(ctx)?;
    let t = p.t;
    let services = all
        .iter()
        .map(|s| ServiceLine {
            id: s.id.clone(),
            name: s.name.clone(),
            length: t.fmt("calendar.minutes", &[("n", &s.length_min.to_string())]),
            price: s.price_cents.map(|c| t.price(c, &s.currency)).unwrap_or_else(|| "—".into()),
            calendars: s.calendar_ids.len(),
            archived: s.status == "archived",
        })
        .collect();
    let f = f.unwrap_or(ServiceValues { length_min: "30".into(), currency: "EUR".into(), ..Default::default() });
    let page = ServicesPage {
        services,
        can_manage: scope.check(Action::ManageServices, Object::Org).allowed,
        f,
        refused: r,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn list(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    list_page(&at, None, Refused::default(), q.done.as_deref()).await
}

pub async fn create(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let t = Tr(ctx.lang);
    // Who may not create hears so before how the form was filled.
    scope.require(Action::ManageServices, Object::Org).or_page(ctx)?;
    let f = ServiceValues::typed(&form);
    let input = match f.input(t, false) {
        Ok(i) => i,
        Err(errors) => {
            let r = Refused { status: StatusCode::UNPROCESSABLE_ENTITY, errors, error: None };
            return list_page(&at, Some(f), r, None).await;
        }
    };
    match service::save(state, ctx, scope, None, input).await {
        Ok(s) => Ok(see_other(&format!("/services/{}?done=created", s.id))),
        Err(e) => list_page(&at, Some(f), refused(ctx, e)?, None).await,
    }
}

// ---------------------------------------------------------------- one service

/// A calendar's toggle for this service.
struct Toggle {
    id: String,
    name: String,
    location: String,
    offered: bool,
    /// The member manages this calendar (else the box is shown, not changeable).
    can_change: bool,
}

/// A whole-number setting of the form, with the range the service accepts.
struct NumberField {
    field: &'static str,
    label: &'static str,
    value: String,
    min: i64,
    max: i64,
}

impl ServiceValues {
    fn numbers(&self) -> Vec<NumberField> {
        let n = |field, label, value: &String, min, max| NumberField { field, label, value: value.clone(), min, max };
        vec![
            n("length_min", "services.length_field", &self.length_min, 5, 1440),
            n("buffer_before_min", "services.buffer_before", &self.buffer_before_min, 0, 240),
            n("buffer_after_min", "services.buffer_after", &self.buffer_after_min, 0, 240),
            n("min_notice_min", "services.min_notice", &self.min_notice_min, 0, 86_400),
            n("max_advance_days", "services.max_advance", &self.max_advance_days, 1, 730),
            n("step_min", "services.step", &self.step_min, 5, 240),
        ]
    }
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    p: PageCtx,
    id: String,
    title: String,
    can_manage: bool,
    numbers: Vec<NumberField>,
    f: ServiceValues,
    refused: Refused,
    calendars: Vec<Toggle>,
    can_toggle: bool,
}

/// The calendars the member sees, with whether each offers `offered_by` and may be changed:
/// one query for calendars and one for locations, whatever their number.
async fn toggles(state: &AppState, scope: &OrgScope, offered: &[String]) -> AppResult<Vec<Toggle>> {
    let cals = calendars::list(state, scope, None).await?;
    let names: HashMap<String, String> =
        locations::list(state, scope).await?.into_iter().map(|l| (l.id, l.name)).collect();
    let mut out: Vec<Toggle> = cals
        .iter()
        .filter(|c| c.status != "archived" || offered.contains(&c.id))
        .map(|c| Toggle {
            id: c.id.clone(),
            name: c.name.clone(),
            location: names.get(&c.location_id).cloned().unwrap_or_default(),
            offered: offered.contains(&c.id),
            can_change: scope.check(Action::ManageCalendar, Object::Calendar(c.as_ref())).allowed,
        })
        .collect();
    out.sort_by(|a, b| (&a.location, &a.name).cmp(&(&b.location, &b.name)));
    Ok(out)
}

async fn service_page(at: &OrgPage, id: &str, f: Option<ServiceValues>, r: Refused, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    let s = service::get(state, scope, id).await.or_page(ctx)?;
    let calendars = toggles(state, scope, &s.calendar_ids).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/services").await.or_page(ctx)?;
    let f = f.unwrap_or_else(|| ServiceValues::of(p.t, &s));
    let page = ServicePage {
        id: s.id.clone(),
        title: s.name.clone(),
        can_manage: scope.check(Action::ManageServices, Object::Org).allowed,
        numbers: f.numbers(),
        f,
        refused: r,
        can_toggle: calendars.iter().any(|c| c.can_change),
        calendars,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn detail(at: OrgPage, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> PageResult {
    service_page(&at, &id, None, Refused::default(), q.done.as_deref()).await
}

pub async fn update(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let t = Tr(ctx.lang);
    // Not found, then not allowed, before how the form was filled.
    service::get(state, scope, &id).await.or_page(ctx)?;
    scope.require(Action::ManageServices, Object::Org).or_page(ctx)?;
    let f = ServiceValues::typed(&form);
    let input = match f.input(t, true) {
        Ok(i) => i,
        Err(errors) => {
            let r = Refused { status: StatusCode::UNPROCESSABLE_ENTITY, errors, error: None };
            return service_page(&at, &id, Some(f), r, None).await;
        }
    };
    match service::save(state, ctx, scope, Some(&id), input).await {
        Ok(_) => Ok(see_other(&format!("/services/{id}?done=saved"))),
        Err(e) => service_page(&at, &id, Some(f), refused(ctx, e)?, None).await,
    }
}

pub async fn delete(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::delete(state, ctx, scope, &id).await {
        Ok(()) => Ok(see_other("/services?done=deleted")),
        Err(e) => service_page(&at, &id, None, refused(ctx, e)?, None).await,
    }
}

/// The toggles of the service page: every calendar the member manages takes the state of its
/// box; the others stay as they are.
pub async fn set_calendars(at: OrgPage, Path(id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let s = service::get(state, scope, &id).await.or_page(ctx)?;
    let wanted = form.all("calendar");
    let all = toggles(state, scope, &s.calendar_ids).await.or_page(ctx)?;
    if !all.iter().any(|c| c.can_change) {
        return Err(AppError::forbidden("forbidden", "This needs the right to manage a calendar.")).or_page(ctx);
    }
    for c in all.into_iter().filter(|c| c.can_change) {
        let on = wanted.contains(&c.id);
        if on != c.offered
            && let Err(e) = service::set_offered(state, ctx, scope, &s.id, &c.id, on).await
        {
            return service_page(&at, &id, None, refused(ctx, e)?, None).await;
        }
    }
    Ok(see_other(&format!("/services/{id}?done=offers")))
}

/// The toggles of a calendar's page: the services it offers, one box each.
pub async fn set_for_calendar(at: OrgPage, Path(calendar_id): Path<String>, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let cal = calendars::get(state, scope, &calendar_id).await.or_page(ctx)?;
    scope.require(Action::ManageCalendar, Object::Calendar(cal.as_ref())).or_page(ctx)?;
    let wanted = form.all("service");
    for s in service::list(state, scope).await.or_page(ctx)? {
        let on = wanted.contains(&s.id);
        if on != s.calendar_ids.contains(&calendar_id) {
            service::set_offered(state, ctx, scope, &s.id, &calendar_id, on).await.or_page(ctx)?;
        }
    }
    Ok(see_other(&format!("/calendars/{calendar_id}?done=offers")))
}

#[cfg(test)]
mod tests {
    use super::parse_price;

    #[test]
    fn prices_are_read_as_people_type_them() {
        assert_eq!(parse_price(""), Ok(None));
        assert_eq!(parse_price("45"), Ok(Some(4500)));
        assert_eq!(parse_price("45,5"), Ok(Some(4550)));
        assert_eq!(parse_price("45.50"), Ok(Some(4550)));
        assert_eq!(parse_price("1 234,00 €"), Ok(Some(123_400)));
        assert_eq!(parse_price("€12.05"), Ok(Some(1205)));
        assert_eq!(parse_price("45,505"), Err(()));
        assert_eq!(parse_price("-3"), Err(()));
        assert_eq!(parse_price("4a"), Err(()));
        assert_eq!(parse_price(",5"), Err(()));
        assert_eq!(parse_price("9999999999"), Err(()));
    }
}
