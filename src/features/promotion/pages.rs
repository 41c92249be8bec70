//! The promotion page and a location's QR code.

use crate::features::prelude::*;
use crate::features::{
    calendars::service as calendars, locations::service as locations, services::service as services,
};
use askama::Template;
use axum::{extract::Path, http::header, response::IntoResponse};

struct ServiceLink {
    name: String,
    link: String,
}

struct Promoted {
    id: String,
    name: String,
    link: String,
    services: Vec<ServiceLink>,
    qr_svg: String,
    snippet: String,
}

#[derive(Template)]
#[template(path = "promotion.html")]
struct PromotionPage {
    p: PageCtx,
    locations: Vec<Promoted>,
    /// Which websites may show the widget, in words; whether this member may change that.
    framing: String,
    may_change_framing: bool,
}

/// The QR code of `text` as an SVG document (dark modules on white, a quiet zone around).
fn qr_svg(text: &str) -> AppResult<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(AppError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#1f2933"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(svg)
}

/// The SVG as an image inside a page: without its XML declaration, named for assistive
/// technology (`label` is escaped).
fn inline_svg(svg: &str, label: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let label = crate::jobs::mail::html_escape(label);
    svg[start..].replacen("<svg", &format!("<svg role=\"img\" aria-label=\"{label}\""), 1)
}

/// The locations the member may promote, open ones only.
async fn promotable(state: &AppState, scope: &OrgScope) -> AppResult<Vec<locations::Location>> {
    Ok(locations::list(state, scope)
        .await?
        .into_iter()
        .filter(|l| {
            l.status != "archived" && scope.check(Action::ManagePromotion, Object::Location { id: &l.id }).allowed
        })
        .collect())
}

pub async fn page(at: OrgPage) -> PageResult {
    let OrgPage { state, ctx, who, scope } = &at;
    let locs = promotable(state, scope).await.or_page(ctx)?;
    if locs.is_empty() && !scope.member().capability(crate::access::policy::Toggle::Promotion).0 {
        // Without the toggle anywhere the section is not theirs: the policy says why.
        let first = locations::list(state, scope).await.or_page(ctx)?.into_iter().next();
        let id = first.map(|l| l.id).unwrap_or_default();
        scope.require(Action::ManagePromotion, Object::Location { id: &id }).or_page(ctx)?;
    }
    let cals = calendars::list(state, scope, None).await.or_page(ctx)?;
    let svcs = services::list(state, scope).await.or_page(ctx)?;
    let p = PageCtx::for_org(state, ctx, who, scope, "/promotion").await.or_page(ctx)?;
    let t = p.t;
    let mut out = Vec::new();
    for l in locs {
        let link = format!("{}/book/{}", state.config.base_url, l.slug);
        let here: Vec<&str> =
            cals.iter().filter(|c| c.location_id == l.id && c.status != "archived").map(|c| c.id.as_str()).collect();
        let services = svcs
            .iter()
            .filter(|s| s.status == "active" && s.calendar_ids.iter().any(|c| here.contains(&c.as_str())))
            .map(|s| ServiceLink { name: s.name.clone(), link: format!("{link}?service={}", s.id) })
            .collect();
        let title = t.fmt("promotion.frame_title", &[("name", &l.name)]);
        let snippet = format!(
            "<iframe src=\"{link}\" title=\"{}\" style=\"width:100%;min-height:720px;border:0\" loading=\"lazy\"></iframe>",
            crate::jobs::mail::html_escape(&title)
        );
        let qr = inline_svg(&qr_svg(&link).or_page(ctx)?, &t.fmt("promotion.frame_title", &[("name", &l.name)]));
        out.push(Promoted { qr_svg: qr, id: l.id, name: l.name, link, services, snippet });
    }
    let origins = crate::features::orgs::service::settings(state, scope).await.or_page(ctx)?.frame_origins;
    let framing = if origins.is_empty() {
        t.get("promotion.framed_anywhere").to_string()
    } else {
        t.fmt("promotion.framed_by", &[("sites", &origins.replace(' ', ", "))])
    };
    let may_change_framing = scope.check(Action::ManageOrgSettings, Object::Org).allowed;
    Ok(render(&PromotionPage { p, locations: out, framing, may_change_framing }))
}

/// The location's QR code as a file, to print.
pub async fn qr(at: OrgPage, Path(id): Path<String>) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let l = locations::get(state, scope, &id).await.or_page(ctx)?;
    scope.require(Action::ManagePromotion, Object::Location { id: &l.id }).or_page(ctx)?;
    let svg = qr_svg(&format!("{}/book/{}", state.config.base_url, l.slug)).or_page(ctx)?;
    let disposition = format!("attachment; filename=\"qr-{}.svg\"", l.slug);
    Ok(([(header::CONTENT_TYPE, "image/svg+xml".to_string()), (header::CONTENT_DISPOSITION, disposition)], svg)
        .into_response())
}
