//! The bookings export's page: the days and the locations to choose, and the download it
//! leads to (the file in the reader's language; the rules are `export.rs`).

use super::export::{self, Asked, Dialect};
use crate::features::prelude::*;
use askama::Template;
use axum::extract::Query;

struct Place {
    id: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    p: PageCtx,
    from: String,
    to: String,
    places: Vec<Place>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ExportForm {
    from: String,
    to: String,
}

pub async fn page(OrgPage { state, ctx, who, scope }: OrgPage, Query(q): Query<ExportForm>) -> PageResult {
    let places: Vec<Place> = export::exportable(&state, &scope)
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|l| Place { id: l.id, name: l.name, checked: false })
        .collect();
    let zone = crate::features::accounts::pages::viewer_zone(&state, &who).await.or_page(&ctx)?;
    let today = state.now().to_zoned(zone).date();
    let first = today.first_of_month();
    let p = PageCtx::for_org(&state, &ctx, &who, &scope, "/bookings").await.or_page(&ctx)?;
    let pick = |v: &str, d: jiff::civil::Date| if v.is_empty() { d.to_string() } else { v.to_string() };
    Ok(render(&ExportPage { from: pick(&q.from, first), to: pick(&q.to, first.last_of_month()), places, p }))
}

/// The file: `from`, `to` and each ticked `location`.
pub async fn download(OrgPage { state, ctx, scope, .. }: OrgPage, form: axum::extract::RawQuery) -> PageResult {
    export::require_some(&state, &scope).await.or_page(&ctx)?;
    let pairs = crate::http::csrf::serde_urlencoded_pairs(form.0.as_deref().unwrap_or_default().as_bytes());
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let chosen = pairs.iter().filter(|(k, v)| k == "location" && !v.is_empty()).map(|(_, v)| v.clone()).collect();
    let asked = Asked::parse(&get("from"), &get("to"), chosen).or_page(&ctx)?;
    let name = format!("rendez-vous-{}-{}.csv", asked.from, asked.to);
    let e = export::prepare(&state, &ctx, &scope, asked, Dialect::Page(Tr(ctx.lang))).await.or_page(&ctx)?;
    Ok(export::download(e, &name))
}
