//! JSON API for members, invitations and explain-access.

use super::{
    invitations,
    service::{self, GrantInput, MemberRow},
};
use crate::features::prelude::*;
use crate::http::paging::{self, PageQuery};
use crate::{
    access::{
        Role,
        policy::{self, GrantView, Preset, Toggle, Toggles},
    },
    features::accounts::api::Status,
    http::{session_cookie, ts},
};
use axum::{
    extract::Query,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct RolePreset {
    pub role: Role,
    /// For each toggle: `always`, `default_on`, `default_off` or `never`.
    pub rights: BTreeMap<String, Preset>,
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "members", responses((status = 200, body = [RolePreset])))]
pub async fn roles() -> Json<Vec<RolePreset>> {
    Json(
        Role::ALL
            .into_iter()
            .map(|role| RolePreset {
                role,
                rights: Toggle::ALL.into_iter().map(|t| (t.as_str().to_string(), policy::preset(role, t))).collect(),
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    pub id: String,
    /// Null until the invitation is accepted.
    pub account_id: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    /// inactive, invited, active, blocked or removed.
    pub status: String,
    /// Overrides set on this member (absent: as the role says).
    pub toggles: BTreeMap<String, bool>,
    /// What the member holds once role and toggles are combined.
    pub rights: BTreeMap<String, bool>,
    pub last_active_at: Option<String>,
    pub created_at: String,
    /// Present on the detail view: direct grants and those through teams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<GrantView>>,
    /// Present on the detail view: the member's own calendars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendars: Option<Vec<String>>,
}

fn present(m: &MemberRow) -> Member {
    let toggles = Toggles::from_json(&m.toggles);
    let view = policy::MemberView {
        membership_id: m.id.clone(),
        role: m.role(),
        status: m.status(),
        toggles: toggles.clone(),
        grants: vec![],
        own_calendars: vec![],
    };
    Member {
        id: m.id.clone(),
        account_id: m.account_id.clone(),
        email: m.email.clone(),
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        role: m.role.clone(),
        status: m.status.clone(),
        toggles: toggles.0.iter().map(|(k, v)| (k.as_str().to_string(), *v)).collect(),
        rights: Toggle::ALL.into_iter().map(|t| (t.as_str().to_string(), view.capability(t).0)).collect(),
        last_active_at: m.last_active_at.map(ts),
        created_at: ts(m.created_at),
        grants: None,
        calendars: None,
    }
}

async fn detailed(state: &AppState, scope: &OrgScope, m: &MemberRow) -> AppResult<Member> {
    let view = service::view_of(state, scope, m).await?;
    let mut out = present(m);
    out.grants = Some(view.grants);
    out.calendars = Some(view.own_calendars.into_iter().map(|(c, _)| c).collect());
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members", tag = "members", params(OrgPath, PageQuery),
    responses((status = 200, body = [Member], headers(("Link" = String, description = "The next page, when there is one: `<…?limit=…&after=…>; rel=\"next\"`"))), (status = 403, body = Problem)))]
pub async fn list(
    OrgRequest { state, scope, .. }: OrgRequest,
    uri: axum::http::Uri,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> AppResult<Response> {
    let all: Vec<Member> = service::list(&state, &scope).await?.iter().map(present).collect();
    let key = |m: &Member| paging::by_name(&format!("{} {} {}", m.last_name, m.first_name, m.email), &m.id);
    paging::respond(&uri, &q, all, key)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// owner, administrator, manager, staff or assistant.
    pub role: String,
    #[serde(default)]
    pub toggles: BTreeMap<String, bool>,
    #[serde(default)]
    pub grants: Vec<GrantInput>,
    /// False creates the member inactive: no email until activated.
    #[serde(default = "yes")]
    pub send_invitation: bool,
    /// Give a staff member their own calendar in this location.
    pub calendar_location_id: Option<String>,
}

fn yes() -> bool {
    true
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members", tag = "members", params(OrgPath), request_body = InviteBody,
    responses((status = 201, body = Member), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<InviteBody>,
) -> AppResult<Response> {
    let m = service::invite(
        &state,
        &ctx,
        &scope,
        service::InviteInput {
            email: b.email,
            first_name: b.first_name,
            last_name: b.last_name,
            role: b.role,
            toggles: b.toggles,
            grants: b.grants,
            send_invitation: b.send_invitation,
            calendar_location_id: b.calendar_location_id,
        },
    )
    .await?;
    Ok(created(detailed(&state, &scope, &m).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members/{id}", tag = "members", params(ItemPath),
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<Member>> {
    let m = service::get(&state, &scope, &id).await?;
    Ok(Json(detailed(&state, &scope, &m).await?))
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/members/{id}", tag = "members", params(ItemPath),
    request_body = service::MemberChange, responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn update(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<service::MemberChange>,
) -> AppResult<Json<Member>> {
    let m = service::update(&state, &ctx, &scope, &id, b).await?;
    Ok(Json(detailed(&state, &scope, &m).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/members/{id}", tag = "members", params(ItemPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn remove(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<StatusCode> {
    service::remove(&state, &ctx, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsBody {
    pub grants: Vec<GrantInput>,
}

#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/members/{id}/grants", tag = "members", params(ItemPath),
    request_body = GrantsBody, responses((status = 200, body = [GrantView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_grants(
    OrgItem { state, ctx, scope, id }: OrgItem,
    ApiJson(b): ApiJson<GrantsBody>,
) -> AppResult<Json<Vec<GrantView>>> {
    Ok(Json(service::set_grants(&state, &ctx, &scope, &id, &b.grants).await?))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{id}/activate", tag = "members", params(ItemPath),
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn activate(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Member>> {
    let m = service::activate(&state, &ctx, &scope, &id).await?;
    Ok(Json(present(&m)))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{id}/resend", tag = "members", params(ItemPath),
    responses((status = 200, body = Status), (status = 409, body = Problem), (status = 429, body = Problem)))]
pub async fn resend(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Status>> {
    service::resend(&state, &ctx, &scope, &id).await?;
    Ok(Json(Status { status: "invitation-sent" }))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{id}/revoke", tag = "members", params(ItemPath),
    responses((status = 200, body = Status), (status = 409, body = Problem)))]
pub async fn revoke(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Status>> {
    service::revoke(&state, &ctx, &scope, &id).await?;
    Ok(Json(Status { status: "invitation-revoked" }))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{id}/block", tag = "members", params(ItemPath),
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn block(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Member>> {
    Ok(Json(present(&service::set_blocked(&state, &ctx, &scope, &id, true).await?)))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{id}/unblock", tag = "members", params(ItemPath),
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn unblock(OrgItem { state, ctx, scope, id }: OrgItem) -> AppResult<Json<Member>> {
    Ok(Json(present(&service::set_blocked(&state, &ctx, &scope, &id, false).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct ExplainQuery {
    /// An action name, such as `view_bookings` or `manage_location`.
    pub action: String,
    /// org, location, calendar or member.
    pub object_type: String,
    pub object_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members/{id}/explain", tag = "members",
    params(ItemPath, ExplainQuery),
    responses((status = 200, body = service::Explanation), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn explain(
    OrgItem { state, ctx, scope, id }: OrgItem,
    Query(q): Query<ExplainQuery>,
) -> AppResult<Json<service::Explanation>> {
    let action =
        Action::parse(&q.action).ok_or_else(|| AppError::field("action", "unknown-action", "No such action."))?;
    Ok(Json(service::explain(&state, &scope, &id, action, &q.object_type, q.object_id.as_deref(), Tr(ctx.lang)).await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/me", tag = "members", params(OrgPath),
    responses((status = 200, body = Member)))]
pub async fn me(OrgRequest { state, scope, .. }: OrgRequest) -> AppResult<Json<Member>> {
    let m = service::find(&state, &scope, scope.membership_id()).await?.ok_or(AppError::NotFound)?;
    Ok(Json(detailed(&state, &scope, &m).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    pub member_id: String,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/ownership", tag = "members", params(OrgPath), request_body = TransferBody,
    responses((status = 200, body = Status), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn transfer_ownership(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<TransferBody>,
) -> AppResult<Json<Status>> {
    service::transfer_ownership(&state, &ctx, &scope, &b.member_id).await?;
    Ok(Json(Status { status: "ownership-transferred" }))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/leave", tag = "members", params(OrgPath),
    responses((status = 200, body = Status), (status = 409, body = Problem)))]
pub async fn leave(OrgRequest { state, ctx, scope }: OrgRequest) -> AppResult<Json<Status>> {
    service::leave(&state, &ctx, &scope).await?;
    Ok(Json(Status { status: "left" }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/invitations/lookup", tag = "invitations", request_body = InvitationToken,
    responses((status = 200, body = invitations::InvitationInfo), (status = 400, body = Problem)))]
pub async fn lookup_invitation(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(b): ApiJson<InvitationToken>,
) -> AppResult<Json<invitations::InvitationInfo>> {
    Ok(Json(invitations::lookup(&state, &ctx, &b.token).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Joined {
    pub org_id: String,
}

#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "invitations", request_body = InvitationToken,
    responses((status = 200, body = Joined), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn accept_invitation(
    AccountRequest { state, ctx, who }: AccountRequest,
    ApiJson(b): ApiJson<InvitationToken>,
) -> AppResult<Json<Joined>> {
    let org_id = invitations::accept(&state, &ctx, &who, &b.token).await?;
    Ok(Json(Joined { org_id }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    pub token: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/invitations/register", tag = "invitations", request_body = RegisterBody,
    responses((status = 201, body = Joined, description = "Account created, invitation accepted, session cookie set"),
        (status = 400, body = Problem), (status = 409, body = Problem, description = "account-exists: log in and accept")))]
pub async fn register_with_invitation(
    PublicRequest { state, ctx }: PublicRequest,
    ApiJson(b): ApiJson<RegisterBody>,
) -> AppResult<Response> {
    let r = invitations::register(&state, &ctx, &b.token, &b.password, b.first_name.as_deref(), b.last_name.as_deref())
        .await?;
    let cookie = session_cookie(&state, &r.session_token);
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], Json(Joined { org_id: r.org_id })).into_response())
}

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members/{id}/preview", tag = "members", params(ItemPath),
    responses((status = 200, body = service::Preview, description = "What this member sees (read-only)"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn preview(OrgItem { state, scope, id, .. }: OrgItem) -> AppResult<Json<service::Preview>> {
    Ok(Json(service::preview(&state, &scope, &id).await?))
}
