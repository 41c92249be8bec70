//! API keys as callers (R32). A key belongs to one organisation and acts for the member who
//! made it, never beyond them: a request with `Authorization: Bearer crn_…` is that member's
//! `Identity` carrying the key's `KeyLimits`, and `OrgScope::check` allows an action only
//! where the policy allows it to the member **now** and the key's scopes and places cover
//! it. The lookup here also refuses a key that was revoked, has expired, or whose creator is
//! blocked, removed or no longer a member: the next request after that answers 401.

use super::{
    Identity,
    policy::{Action, Object},
};
use crate::{clock::to_ms, crypto, error::AppResult, state::AppState};
use serde::{Deserialize, Serialize};

/// What a key's secret starts with: how a key is told from anything else, in a header, a
/// log or a leaked URL.
pub const SECRET_PREFIX: &str = "crn_";

/// How many characters of the secret stay readable (after `crn_`), to tell keys apart.
pub const SHOWN_CHARS: usize = 8;

/// The families of rights a key may be given, each a set of the policy's actions. A key
/// never manages keys, hands over or deletes the organisation: those stay with people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyScope {
    /// Calendars, locations and their bookings, read.
    BookingsRead,
    /// Bookings made, moved, cancelled.
    BookingsWrite,
    /// Calendars, hours, absences, locations and services changed.
    Calendars,
    ClientsRead,
    ClientsWrite,
    MembersRead,
    /// Invite, change and remove members, teams (judged by the same rule as a person's grant).
    MembersWrite,
    /// Statistics and booking exports.
    Reports,
    AuditLog,
    Webhooks,
    Settings,
}

impl KeyScope {
    pub const ALL: [KeyScope; 11] = [
        KeyScope::BookingsRead,
        KeyScope::BookingsWrite,
        KeyScope::Calendars,
        KeyScope::ClientsRead,
        KeyScope::ClientsWrite,
        KeyScope::MembersRead,
        KeyScope::MembersWrite,
        KeyScope::Reports,
        KeyScope::AuditLog,
        KeyScope::Webhooks,
        KeyScope::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::BookingsRead => "bookings_read",
            KeyScope::BookingsWrite => "bookings_write",
            KeyScope::Calendars => "calendars",
            KeyScope::ClientsRead => "clients_read",
            KeyScope::ClientsWrite => "clients_write",
            KeyScope::MembersRead => "members_read",
            KeyScope::MembersWrite => "members_write",
            KeyScope::Reports => "reports",
            KeyScope::AuditLog => "audit_log",
            KeyScope::Webhooks => "webhooks",
            KeyScope::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<KeyScope> {
        KeyScope::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The family an action belongs to; `None` for what no key may do.
    pub fn of(action: Action) -> Option<KeyScope> {
        use Action::*;
        Some(match action {
            ViewCalendar | ViewBookings | ViewLocation | ManagePromotion => KeyScope::BookingsRead,
            CreateBooking | MoveBooking | CancelBooking | DeleteBooking => KeyScope::BookingsWrite,
            ManageCalendar | CreateCalendar | ManageLocation | CreateLocation | DeleteLocation | ManageServices => {
                KeyScope::Calendars
            }
            ViewClient | ExportClients => KeyScope::ClientsRead,
            EditClient => KeyScope::ClientsWrite,
            ViewMembers | ExplainAccess => KeyScope::MembersRead,
            InviteMember | ChangeMember | RemoveMember | ManageTeams => KeyScope::MembersWrite,
            ViewStatistics | ExportBookings => KeyScope::Reports,
            ViewAuditLog => KeyScope::AuditLog,
            ManageWebhooks | ManageIntegrations => KeyScope::Webhooks,
            ManageOrgSettings => KeyScope::Settings,
            ManageApiKeys | TransferOwnership | DeleteOrg => return None,
        })
    }

    /// The actions of this family.
    pub fn actions(self) -> Vec<Action> {
        Action::ALL.into_iter().filter(|a| KeyScope::of(*a) == Some(self)).collect()
    }
}

/// What a key narrows its creator's rights to, and how it is named in the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLimits {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub scopes: Vec<KeyScope>,
    /// Locations it is limited to, and calendars; both empty: wherever its creator works.
    pub locations: Vec<String>,
    pub calendars: Vec<String>,
}

impl KeyLimits {
    fn limited(&self) -> bool {
        !self.locations.is_empty() || !self.calendars.is_empty()
    }

    /// Whether the key's scopes and places cover `action` on `object` (the policy decides,
    /// besides, whether its creator may). A key limited to places does nothing that spans
    /// the organisation (its settings, services, teams, members, the whole audit log).
    pub fn permits(&self, action: Action, object: Object<'_>) -> bool {
        let Some(family) = KeyScope::of(action) else { return false };
        if !self.scopes.contains(&family) {
            return false;
        }
        if !self.limited() {
            return true;
        }
        let in_locations = |id: &str| self.locations.iter().any(|l| l == id);
        match object {
            Object::Org | Object::Member { .. } => false,
            Object::Location { id } => in_locations(id),
            Object::Calendar(c) => in_locations(c.location_id) || self.calendars.iter().any(|k| k == c.id),
            Object::Client { location_ids, calendar_ids } => {
                location_ids.iter().any(|l| in_locations(l)) || calendar_ids.iter().any(|c| self.calendars.contains(c))
            }
        }
    }
}

/// A key's secret as the caller sent it: `crn_` and URL-safe characters.
pub fn looks_like_key(s: &str) -> bool {
    s.strip_prefix(SECRET_PREFIX).is_some_and(|rest| {
        rest.len() >= 16 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// A new secret: `crn_` and 43 random URL-safe characters (256 bits).
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", crypto::new_token())
}

/// The readable start of a secret, kept beside its hash.
pub fn shown_part(secret: &str) -> String {
    secret.chars().take(SECRET_PREFIX.len() + SHOWN_CHARS).collect()
}

#[derive(sqlx::FromRow)]
struct KeyJoin {
    id: String,
    org_id: String,
    name: String,
    scopes: String,
    locations: String,
    calendars: String,
    last_used_at: Option<i64>,
    last_used_ip: Option<String>,
    account_id: String,
    email: String,
    first_name: String,
    last_name: String,
    totp_enabled_at: Option<i64>,
}

fn list<T: for<'de> Deserialize<'de>>(json: &str) -> Vec<T> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The identity behind a key's secret, when the key is live (not revoked, not expired) and
/// its creator an active member with a usable account; its last use (time, address) noted
/// at most once a minute or when the address changes.
pub async fn key_identity(state: &AppState, secret: &str, ip: Option<&str>) -> AppResult<Option<Identity>> {
    let now = to_ms(state.now());
    let row: Option<KeyJoin> = sqlx::query_as(
        "SELECT k.id, k.org_id, k.name, k.scopes, k.locations, k.calendars, k.last_used_at, k.last_used_ip, \
                a.id AS account_id, a.email, a.first_name, a.last_name, a.totp_enabled_at \
         FROM api_keys k JOIN memberships m ON m.id = k.member_id AND m.org_id = k.org_id \
         JOIN accounts a ON a.id = m.account_id \
         WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2) \
           AND m.status = 'active' AND a.blocked_at IS NULL",
    )
    .bind(crypto::hash_token(secret))
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    if r.last_used_at.is_none_or(|t| t < now - 60_000) || r.last_used_ip.as_deref() != ip {
        sqlx::query("UPDATE api_keys SET last_used_at = $1, last_used_ip = $2 WHERE id = $3")
            .bind(now)
            .bind(ip)
            .bind(&r.id)
            .execute(state.db.pool())
            .await?;
    }
    let scopes = list::<String>(&r.scopes).iter().filter_map(|s| KeyScope::parse(s)).collect();
    let limits = KeyLimits {
        id: r.id,
        org_id: r.org_id.clone(),
        name: r.name,
        scopes,
        locations: list(&r.locations),
        calendars: list(&r.calendars),
    };
    Ok(Some(Identity {
        session_id: String::new(),
        account_id: r.account_id,
        email: r.email,
        first_name: r.first_name,
        last_name: r.last_name,
        active_org_id: Some(r.org_id),
        totp_enabled: r.totp_enabled_at.is_some(),
        key: Some(std::sync::Arc::new(limits)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::policy::CalendarRef;

    fn key(scopes: &[KeyScope], locations: &[&str], calendars: &[&str]) -> KeyLimits {
        KeyLimits {
            id: "k".into(),
            org_id: "o".into(),
            name: "Zapier".into(),
            scopes: scopes.to_vec(),
            locations: locations.iter().map(|s| s.to_string()).collect(),
            calendars: calendars.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn every_action_but_the_people_only_ones_has_one_family() {
        for a in Action::ALL {
            let never = matches!(a, Action::ManageApiKeys | Action::TransferOwnership | Action::DeleteOrg);
            assert_eq!(KeyScope::of(a).is_none(), never, "{a:?}");
        }
        let all: usize = KeyScope::ALL.iter().map(|s| s.actions().len()).sum();
        assert_eq!(all, Action::ALL.len() - 3);
        for s in KeyScope::ALL {
            assert_eq!(KeyScope::parse(s.as_str()), Some(s));
            assert!(!s.actions().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn a_key_permits_its_families_in_its_places_only() {
        let lyon_cal = CalendarRef { id: "c1", location_id: "lyon", owner_member_id: None };
        let nice_cal = CalendarRef { id: "c2", location_id: "nice", owner_member_id: None };
        let read = key(&[KeyScope::BookingsRead], &[], &[]);
        assert!(read.permits(Action::ViewBookings, Object::Calendar(lyon_cal)));
        assert!(!read.permits(Action::CreateBooking, Object::Calendar(lyon_cal)), "not its family");
        assert!(!read.permits(Action::ManageApiKeys, Object::Org), "never a key's");
        let lyon = key(&[KeyScope::BookingsRead, KeyScope::Settings, KeyScope::ClientsRead], &["lyon"], &[]);
        assert!(lyon.permits(Action::ViewBookings, Object::Calendar(lyon_cal)));
        assert!(!lyon.permits(Action::ViewBookings, Object::Calendar(nice_cal)), "another place");
        assert!(!lyon.permits(Action::ManageOrgSettings, Object::Org), "nothing organisation-wide");
        assert!(lyon.permits(Action::ViewLocation, Object::Location { id: "lyon" }));
        let (here, there) = (["lyon".to_string()], ["nice".to_string()]);
        assert!(lyon.permits(Action::ViewClient, Object::Client { location_ids: &here, calendar_ids: &[] }));
        assert!(!lyon.permits(Action::ViewClient, Object::Client { location_ids: &there, calendar_ids: &[] }));
        let one = key(&[KeyScope::BookingsRead], &[], &["c2"]);
        assert!(one.permits(Action::ViewBookings, Object::Calendar(nice_cal)));
        assert!(!one.permits(Action::ViewBookings, Object::Calendar(lyon_cal)));
        assert!(!one.permits(Action::ViewLocation, Object::Location { id: "nice" }), "the calendar, not its place");
    }

    #[test]
    fn secrets_are_recognised_and_shown_in_part() {
        let s = new_secret();
        assert!(looks_like_key(&s), "{s}");
        assert_eq!(shown_part(&s).len(), 12);
        assert!(s.starts_with(&shown_part(&s)));
        assert!(
            !looks_like_key("crn_short") && !looks_like_key("Bearer abc") && !looks_like_key("crn_a b c d e f g h i j")
        );
    }
}
