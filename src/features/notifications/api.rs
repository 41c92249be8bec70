//! JSON API for one's own notification preferences.

use super::service::{self, Preference, Preferences};
use crate::features::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/me/notifications", tag = "members", params(OrgPath),
    responses((status = 200, body = Preferences), (status = 404, body = Problem)))]
pub async fn get_mine(OrgRequest { state, scope, .. }: OrgRequest) -> AppResult<Json<Preferences>> {
    Ok(Json(service::mine(&state, &scope).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    /// The cells to change; the others keep their value.
    pub preferences: Vec<Preference>,
}

#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/me/notifications", tag = "members", params(OrgPath),
    request_body = PreferencesBody,
    responses((status = 200, body = Preferences), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_mine(
    OrgRequest { state, ctx, scope }: OrgRequest,
    ApiJson(b): ApiJson<PreferencesBody>,
) -> AppResult<Json<Preferences>> {
    Ok(Json(service::set_mine(&state, &ctx, &scope, &b.preferences).await?))
}
