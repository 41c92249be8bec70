//! The organisation's settings page (issue 13, item 9), for whoever holds them: name, zone,
//! two-factor for everyone, SMS on or off, the booking page's colour and the websites that
//! may show it; for the owner, handing the ownership to an active
//! member and deleting the organisation (its name typed to confirm). The rules are
//! `service::update_settings`, `members::service::transfer_ownership` and `service::delete`.

use super::service::{self, SettingsChange};
use crate::features::prelude::*;
use crate::{
    features::members::service as members,
    http::{
        forms::{Refused, refused},
        pages::{Opt, ZONES, image},
    },
};
use askama::Template;
use axum::extract::Query;

#[derive(Template)]
#[template(path = "org_settings.html")]
struct SettingsPage {
    p: PageCtx,
    name: String,
    time_zone: String,
    require_totp: bool,
    sms_enabled: bool,
    brand_colour: String,
    /// The logo's address with its version, when there is one.
    logo: Option<String>,
    /// One website a line, as typed back.
    frame_origins: String,
    zones: &'static [&'static str],
    /// Active members who could become owner (for the owner only).
    heirs: Vec<Opt>,
    is_owner: bool,
    refused: Refused,
    /// Which form was refused: `settings`, `logo`, `ownership` or `delete`.
    refused_form: &'static str,
}

async fn settings_page(at: &OrgPage, r: Refused, form: &'static str, done: Option<&str>) -> PageResult {
    let OrgPage { state, ctx, who, scope } = at;
    scope.require(Action::ManageOrgSettings, Object::Org).or_page(ctx)?;
    let s = service::settings(state, scope).await.or_page(ctx)?;
    let is_owner = scope.check(Action::DeleteOrg, Object::Org).allowed;
    let heirs = if is_owner {
        members::list(state, scope)
            .await
            .or_page(ctx)?
            .into_iter()
            .filter(|m| m.status == "active" && m.id != scope.membership_id())
            .map(|m| {
                let name = format!("{} {}", m.first_name, m.last_name).trim().to_string();
                Opt::new(m.id, if name.is_empty() { m.email } else { format!("{name} ({})", m.email) })
            })
            .collect()
    } else {
        Vec::new()
    };
    let p = PageCtx::for_org(state, ctx, who, scope, "/settings").await.or_page(ctx)?;
    let page = SettingsPage {
        name: s.name,
        time_zone: s.time_zone,
        require_totp: s.require_totp != 0,
        sms_enabled: s.sms_enabled != 0,
        brand_colour: s.brand_colour,
        logo: service::logo_version(state, scope).await.or_page(ctx)?.map(|v| format!("/settings/logo?v={v}")),
        frame_origins: s.frame_origins.replace(' ', "\n"),
        zones: ZONES,
        heirs,
        is_owner,
        refused: r,
        refused_form: form,
        p: with_done(p, done),
    };
    Ok(render_status(page.refused.status, &page))
}

pub async fn page(at: OrgPage, Query(q): Query<DoneQuery>) -> PageResult {
    settings_page(&at, Refused::default(), "", q.done.as_deref()).await
}

pub async fn save(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let change = SettingsChange {
        name: Some(form.get("name").to_string()),
        require_totp: Some(form.checked("require_totp")),
        sms_enabled: Some(form.checked("sms_enabled")),
        time_zone: Some(form.get("time_zone").to_string()),
        brand_colour: Some(form.get("brand_colour").to_string()),
        frame_origins: Some(form.get("frame_origins").to_string()),
    };
    match service::update_settings(state, ctx, scope, change).await {
        Ok(_) => Ok(see_other("/settings?done=saved")),
        Err(e) => settings_page(&at, refused(ctx, e)?, "settings", None).await,
    }
}

pub async fn transfer(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match members::transfer_ownership(state, ctx, scope, form.get("member_id")).await {
        Ok(()) => Ok(see_other("/team?done=ownership")),
        Err(AppError::NotFound) => {
            let t = Tr(ctx.lang);
            let r = Refused {
                status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors: FormErrors::default(),
                error: Some(t.get("settings.choose_member").to_string()),
            };
            settings_page(&at, r, "ownership", None).await
        }
        Err(e) => settings_page(&at, refused(ctx, e)?, "ownership", None).await,
    }
}

pub async fn delete(at: OrgPage, form: FormFields) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::delete(state, ctx, scope, form.get("confirm_name")).await {
        Ok(()) => Ok(see_other("/orgs?done=org_deleted")),
        Err(e) => settings_page(&at, refused(ctx, e)?, "delete", None).await,
    }
}

/// The logo sent from the page (a file field `logo`), replacing the one there was.
pub async fn upload_logo(at: OrgPage, req: axum::extract::Request) -> PageResult {
    use axum::extract::FromRequest;
    let OrgPage { state, ctx, scope, .. } = &at;
    // Who may, before reading what was sent.
    service::may_change_logo(scope).or_page(ctx)?;
    let Ok(mut form) = axum::extract::Multipart::from_request(req, state).await else {
        return Err(AppError::bad_request("invalid-form", "The form could not be read.")).or_page(ctx);
    };
    let mut bytes = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("logo") {
            match field.bytes().await {
                Ok(b) => bytes = b.to_vec(),
                Err(_) => return Err(AppError::PayloadTooLarge).or_page(ctx),
            }
        }
    }
    match service::set_logo(state, ctx, scope, &bytes).await {
        Ok(()) => Ok(see_other("/settings?done=logo")),
        Err(e) => settings_page(&at, refused(ctx, e)?, "logo", None).await,
    }
}

pub async fn remove_logo(at: OrgPage) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    match service::remove_logo(state, ctx, scope).await {
        Ok(()) | Err(AppError::NotFound) => Ok(see_other("/settings?done=logo_removed")),
        Err(e) => settings_page(&at, refused(ctx, e)?, "logo", None).await,
    }
}

/// The logo as the settings page previews it (whoever holds the settings).
pub async fn logo(at: OrgPage) -> PageResult {
    let OrgPage { state, ctx, scope, .. } = &at;
    let (content_type, bytes) = service::settings_logo(state, scope).await.or_page(ctx)?;
    Ok(image(content_type, bytes, "private, max-age=3600"))
}
