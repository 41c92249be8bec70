//! The tenant value. Every repository function that reads or writes one organisation's data
//! takes a `&Tenant`, and only this module builds one, so a tenant query cannot be written
//! without having passed through access:
//!
//! - a member acting in their organisation: `OrgScope::tenant()` (the guard checked the
//!   membership);
//! - the public side: `public_site` (an open location's slug) and `by_manage_token` (a
//!   booking's secret manage link), each reaching exactly one organisation;
//! - a link that proves itself (an invitation token): `by_invitation_token`;
//! - an organisation being founded by its first owner: `Tenant::founding` (sign-up, the CLI);
//! - background work acting on a row it already read (the outbox worker, reminders, the CLI):
//!   `Tenant::for_background`. `floors::imports_point_down` fails if it is named outside
//!   `src/jobs/`, `src/main.rs` and this module.

use crate::{
    crypto,
    db::{self, Executor},
    error::AppResult,
};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tenant {
    org_id: String,
}

impl Tenant {
    pub(in crate::access) fn new(org_id: impl Into<String>) -> Tenant {
        Tenant { org_id: org_id.into() }
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The organisation a person is creating right now (its id was just drawn): nobody else's
    /// data can be reached through an id that did not exist before.
    pub fn founding(new_org_id: &str) -> Tenant {
        Tenant::new(new_org_id)
    }

    /// Background work (outbox worker, reminders, CLI maintenance) acting on rows it has
    /// already read from the database, where the organisation is the row's own.
    pub fn for_background(org_id: &str) -> Tenant {
        Tenant::new(org_id)
    }
}

/// A tenant stands in a statement's values as its organisation's id.
impl db::Value for Tenant {
    fn arg(&self) -> db::Arg<'_> {
        db::Arg::Text(Some(&self.org_id))
    }
}

/// An open location reached by its public slug, with the organisation's change sequence
/// (`cache.rs`).
#[derive(Clone, Debug)]
pub struct PublicSite {
    pub tenant: Tenant,
    pub location_id: String,
    pub name: String,
    pub time_zone: String,
    pub address: String,
    pub change_seq: i64,
    /// The business: its name, the colour of its page and the websites that may frame it.
    pub org_name: String,
    pub brand_colour: String,
    pub frame_origins: String,
    /// When its logo was set (the version in the logo's URL); `None` without one.
    pub logo_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: String,
    org_id: String,
    name: String,
    time_zone: String,
    address: String,
    change_seq: i64,
    org_name: String,
    brand_colour: String,
    frame_origins: String,
    logo_at: Option<i64>,
}

/// The open location behind a public slug; archived or unknown is `None`.
pub async fn public_site(exec: impl Executor<'_>, slug: &str) -> AppResult<Option<PublicSite>> {
    let sql = "SELECT l.id, l.org_id, l.name, l.time_zone, l.address, COALESCE(h.seq, 0) AS change_seq, \
                o.name AS org_name, o.brand_colour, o.frame_origins, g.updated_at AS logo_at \
         FROM locations l JOIN orgs o ON o.id = l.org_id LEFT JOIN audit_heads h ON h.chain = l.org_id \
         LEFT JOIN org_logos g ON g.org_id = l.org_id WHERE l.slug = $1 AND l.status = 'open'";
    let row: Option<SiteRow> = db::query_as(sql, &[&slug.to_ascii_lowercase()]).fetch_optional(exec).await?;
    Ok(row.map(|r| PublicSite {
        tenant: Tenant::new(r.org_id),
        location_id: r.id,
        name: r.name,
        time_zone: r.time_zone,
        address: r.address,
        change_seq: r.change_seq,
        org_name: r.org_name,
        brand_colour: r.brand_colour,
        frame_origins: r.frame_origins,
        logo_at: r.logo_at,
    }))
}

/// The booking a manage link reaches, with its organisation: `(tenant, booking id)`.
pub async fn by_manage_token(exec: impl Executor<'_>, token: &str) -> AppResult<Option<(Tenant, String)>> {
    by_token(exec, "SELECT org_id, id FROM bookings WHERE manage_token_hash = $1", token).await
}

/// The invitation a link reaches, with its organisation: `(tenant, invitation id)`.
pub async fn by_invitation_token(exec: impl Executor<'_>, token: &str) -> AppResult<Option<(Tenant, String)>> {
    by_token(exec, "SELECT org_id, id FROM invitations WHERE token_hash = $1", token).await
}

/// The `(org_id, id)` row `sql` finds by the hash of a secret link's token, as `(tenant, id)`.
async fn by_token(exec: impl Executor<'_>, sql: &str, token: &str) -> AppResult<Option<(Tenant, String)>> {
    let row: Option<(String, String)> = db::query_as(sql, &[&crypto::hash_token(token)]).fetch_optional(exec).await?;
    Ok(row.map(|(org, id)| (Tenant::new(org), id)))
}
