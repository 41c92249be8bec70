//! The SQL of services and of which calendars offer them, each statement once; every
//! function takes the `Tenant`.

use super::service::Service;
use crate::{access::Tenant, error::AppResult};

/// What a location offers the public: the organisation's public, active services, and the
/// `(service, calendar id, calendar name, calendar zone)` links of the location's active
/// calendars.
pub async fn public_offer<'e, E>(
    exec: E,
    tenant: &Tenant,
    location_id: &str,
) -> AppResult<(Vec<Service>, Vec<(String, String, String, String)>)>
where
    E: sqlx::Executor<'e, Database = sqlx::Any> + Copy,
{
    let services: Vec<Service> = sqlx::query_as(
        "SELECT id, name, description, length_min, buffer_before_min, buffer_after_min, min_notice_min, max_advance_days, \
                step_min, price_cents, currency, status FROM services WHERE org_id = $1 AND status = 'active' AND public = 1 ORDER BY name, id",
    )
    .bind(tenant.org_id())
    .fetch_all(exec)
    .await?;
    let links = sqlx::query_as(
        "SELECT cs.service_id, c.id, c.name, c.time_zone FROM calendar_services cs JOIN calendars c ON c.id = cs.calendar_id \
         WHERE c.org_id = $1 AND c.location_id = $2 AND c.status = 'active' ORDER BY c.name, c.id",
    )
    .bind(tenant.org_id())
    .bind(location_id)
    .fetch_all(exec)
    .await?;
    Ok((services, links))
}
