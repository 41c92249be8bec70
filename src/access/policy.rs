//! The one access policy: `authorize(member, action, object) -> Decision`.
//!
//! Pure: no I/O, no clock. The JSON API, the pages, the CLI and the jobs all ask it, and the
//! explain-access feature shows its `Decision` as it is. The model:
//! - the **role** is a preset of capabilities (REQUIREMENTS.md "Role presets");
//! - **toggles** widen or narrow a capability for one member, within the role's ceiling;
//! - **grants** (direct, or through a team) say *where* rights apply — the organisation, a
//!   location, or chosen calendars — and at which level (view < book < manage);
//! - a member's own calendar is always theirs to manage.

use super::{MembershipStatus, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much of a calendar: see it, book on it, or manage it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    View,
    Book,
    Manage,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::View, Level::Book, Level::Manage];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::View => "view",
            Level::Book => "book",
            Level::Manage => "manage",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Per-member switches on top of the role (R14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Toggle {
    /// View, edit, delete and download other people's bookings.
    AllBookings,
    /// Clients, contact details, history, visit frequency, notes.
    ClientList,
    /// Locations, services, hours, booking page.
    BusinessSettings,
    Statistics,
    /// Links, widget.
    Promotion,
    UserManagement,
    /// API keys, webhooks, calendar integrations.
    ApiIntegrations,
    AuditLog,
}

impl Toggle {
    pub const ALL: [Toggle; 8] = [
        Toggle::AllBookings,
        Toggle::ClientList,
        Toggle::BusinessSettings,
        Toggle::Statistics,
        Toggle::Promotion,
        Toggle::UserManagement,
        Toggle::ApiIntegrations,
        Toggle::AuditLog,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Toggle::AllBookings => "all_bookings",
            Toggle::ClientList => "client_list",
            Toggle::BusinessSettings => "business_settings",
            Toggle::Statistics => "statistics",
            Toggle::Promotion => "promotion",
            Toggle::UserManagement => "user_management",
            Toggle::ApiIntegrations => "api_integrations",
            Toggle::AuditLog => "audit_log",
        }
    }

    pub fn parse(s: &str) -> Option<Toggle> {
        Toggle::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What a role gives for one toggle: always, on unless switched off, off unless switched
/// on, or never (the role's ceiling).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    Always,
    DefaultOn,
    DefaultOff,
    Never,
}

/// The role presets (REQUIREMENTS.md, "Role presets"). Owners and administrators hold every
/// capability whatever the toggles say; their difference is in `authorize` (owners only for
/// ownership and deletion; administrators never act on owners).
pub fn preset(role: Role, toggle: Toggle) -> Preset {
    use Preset::*;
    use Toggle::*;
    match role {
        Role::Owner | Role::Administrator => Always,
        Role::Manager => match toggle {
            AllBookings | ClientList | BusinessSettings | Statistics | Promotion | AuditLog => DefaultOn,
            UserManagement | ApiIntegrations => DefaultOff,
        },
        Role::Staff => match toggle {
            AllBookings | ClientList | BusinessSettings | Statistics | Promotion | AuditLog => DefaultOff,
            UserManagement | ApiIntegrations => Never,
        },
        Role::Assistant => match toggle {
            ClientList => DefaultOff,
            _ => Never,
        },
    }
}

/// A member's toggle overrides; absent means "as the role says".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Toggles(pub BTreeMap<Toggle, bool>);

impl Toggles {
    pub fn from_json(text: &str) -> Toggles {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "scope", rename_all = "lowercase")]
pub enum Scope {
    Org,
    Location { location_id: String },
    Calendar { location_id: String, calendar_id: String },
}

/// A grant as the policy sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: String,
    #[serde(flatten)]
    pub scope: Scope,
    pub level: Level,
    /// The team it comes through, when not given to the member directly.
    pub via_team: Option<String>,
}

/// Everything the policy needs to know about a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub membership_id: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub toggles: Toggles,
    pub grants: Vec<GrantView>,
    /// (calendar id, location id) of the calendars that are the member's own.
    pub own_calendars: Vec<(String, String)>,
}

/// A calendar as an object of access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarRef<'a> {
    pub id: &'a str,
    pub location_id: &'a str,
    pub owner_member_id: Option<&'a str>,
}

/// Where a member works: the locations their grants and own calendars lie in, or the whole
/// organisation. Managers limited to some locations act only on members inside them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Footprint {
    /// An organisation-wide grant (or the owner or administrator role).
    pub org: bool,
    /// Sorted, without duplicates.
    pub locations: Vec<String>,
}

static NO_FOOTPRINT: Footprint = Footprint { org: false, locations: Vec::new() };

impl Footprint {
    /// Somebody who works nowhere yet (a new member before their grants are known).
    pub fn none() -> &'static Footprint {
        &NO_FOOTPRINT
    }

    /// The footprint of grants about to be given (and an own calendar's location).
    pub fn of<'s>(scopes: impl IntoIterator<Item = &'s Scope>, extra_location: Option<&str>) -> Footprint {
        let mut f = Footprint::default();
        for s in scopes {
            match s {
                Scope::Org => f.org = true,
                Scope::Location { location_id } | Scope::Calendar { location_id, .. } => {
                    f.locations.push(location_id.clone())
                }
            }
        }
        f.locations.extend(extra_location.map(String::from));
        f.locations.sort();
        f.locations.dedup();
        f
    }
}

/// What is being acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object<'a> {
    Org,
    Location {
        id: &'a str,
    },
    Calendar(CalendarRef<'a>),
    /// A client, through the places where they have history (and the calendars).
    Client {
        location_ids: &'a [String],
        calendar_ids: &'a [String],
    },
    /// Another (or the same) member, by role and by where they work.
    Member {
        membership_id: &'a str,
        role: Role,
        footprint: &'a Footprint,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // Calendars and their bookings.
    ViewCalendar,
    ViewBookings,
    CreateBooking,
    MoveBooking,
    CancelBooking,
    DeleteBooking,
    ManageCalendar,
    // Locations and business settings.
    ViewLocation,
    ManageLocation,
    CreateLocation,
    DeleteLocation,
    CreateCalendar,
    ExportBookings,
    ViewStatistics,
    ManagePromotion,
    /// Services (appointment types) of the organisation.
    ManageServices,
    // Clients.
    ViewClient,
    EditClient,
    ExportClients,
    // People.
    ViewMembers,
    InviteMember,
    ChangeMember,
    RemoveMember,
    ManageTeams,
    ExplainAccess,
    // Organisation.
    ManageApiKeys,
    ManageWebhooks,
    ManageIntegrations,
    ViewAuditLog,
    ManageOrgSettings,
    TransferOwnership,
    DeleteOrg,
}

impl Action {
    pub const ALL: [Action; 32] = [
        Action::ViewCalendar,
        Action::ViewBookings,
        Action::CreateBooking,
        Action::MoveBooking,
        Action::CancelBooking,
        Action::DeleteBooking,
        Action::ManageCalendar,
        Action::ViewLocation,
        Action::ManageLocation,
        Action::CreateLocation,
        Action::DeleteLocation,
        Action::CreateCalendar,
        Action::ExportBookings,
        Action::ViewStatistics,
        Action::ManagePromotion,
        Action::ManageServices,
        Action::ViewClient,
        Action::EditClient,
        Action::ExportClients,
        Action::ViewMembers,
        Action::InviteMember,
        Action::ChangeMember,
        Action::RemoveMember,
        Action::ManageTeams,
        Action::ExplainAccess,
        Action::ManageApiKeys,
        Action::ManageWebhooks,
        Action::ManageIntegrations,
        Action::ViewAuditLog,
        Action::ManageOrgSettings,
        Action::TransferOwnership,
        Action::DeleteOrg,
    ];

    pub fn as_str(self) -> &'static str {
        ACTION_NAMES.iter().find(|(a, _)| *a == self).map(|(_, n)| *n).unwrap_or("unknown")
    }

    pub fn parse(s: &str) -> Option<Action> {
        ACTION_NAMES.iter().find(|(_, n)| *n == s).map(|(a, _)| *a)
    }
}

const ACTION_NAMES: [(Action, &str); 32] = [
    (Action::ViewCalendar, "view_calendar"),
    (Action::ViewBookings, "view_bookings"),
    (Action::CreateBooking, "create_booking"),
    (Action::MoveBooking, "move_booking"),
    (Action::CancelBooking, "cancel_booking"),
    (Action::DeleteBooking, "delete_booking"),
    (Action::ManageCalendar, "manage_calendar"),
    (Action::ViewLocation, "view_location"),
    (Action::ManageLocation, "manage_location"),
    (Action::CreateLocation, "create_location"),
    (Action::DeleteLocation, "delete_location"),
    (Action::CreateCalendar, "create_calendar"),
    (Action::ExportBookings, "export_bookings"),
    (Action::ViewStatistics, "view_statistics"),
    (Action::ManagePromotion, "manage_promotion"),
    (Action::ManageServices, "manage_services"),
    (Action::ViewClient, "view_client"),
    (Action::EditClient, "edit_client"),
    (Action::ExportClients, "export_clients"),
    (Action::ViewMembers, "view_members"),
    (Action::InviteMember, "invite_member"),
    (Action::ChangeMember, "change_member"),
    (Action::RemoveMember, "remove_member"),
    (Action::ManageTeams, "manage_teams"),
    (Action::ExplainAccess, "explain_access"),
    (Action::ManageApiKeys, "manage_api_keys"),
    (Action::ManageWebhooks, "manage_webhooks"),
    (Action::ManageIntegrations, "manage_integrations"),
    (Action::ViewAuditLog, "view_audit_log"),
    (Action::ManageOrgSettings, "manage_org_settings"),
    (Action::TransferOwnership, "transfer_ownership"),
    (Action::DeleteOrg, "delete_org"),
];

/// Why access was allowed or denied. Shown as it is by explain-access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The owner and administrator roles hold every right (administrators: except below).
    Role {
        role: Role,
    },
    /// A capability the role gives by default (not switched off).
    RoleDefault {
        role: Role,
        toggle: Toggle,
    },
    /// A toggle switched on (or off) for this member.
    ToggleOn {
        toggle: Toggle,
    },
    ToggleOff {
        toggle: Toggle,
    },
    /// The role never has this capability, whatever the toggles.
    RoleCeiling {
        role: Role,
        toggle: Toggle,
    },
    /// The member's own calendar.
    OwnCalendar,
    /// A grant (direct or through a team) covering the object at `level`.
    Grant {
        grant_id: String,
        scope: Scope,
        level: Level,
        via_team: Option<String>,
    },
    /// "All bookings" extends to every calendar of a location in the member's scope.
    AllBookingsInLocation {
        location_id: String,
        #[schema(no_recursion)]
        by: Box<Reason>,
    },
    /// The capability is held, and this location is in the member's scope.
    InScope {
        location_id: Option<String>,
        #[schema(no_recursion)]
        by: Box<Reason>,
    },
    /// Covered, but only at `have` when `need` is required.
    LevelTooLow {
        have: Level,
        need: Level,
        #[schema(no_recursion)]
        by: Box<Reason>,
    },
    /// Nothing the member holds covers this object.
    NotInScope,
    /// Only owners may do this.
    OwnersOnly,
    /// Administrators do not act on owners; managers only on staff and assistants.
    TargetRoleTooHigh {
        target: Role,
    },
    /// Members do not change their own rights.
    OwnMembership,
    /// Everyone sees their own membership.
    Oneself,
    /// The membership is not active.
    Inactive {
        status: MembershipStatus,
    },
    /// The member may, but the API key the request carries does not cover it (its scopes or
    /// its places).
    OutsideApiKey,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
}

impl Decision {
    fn allow(reason: Reason) -> Decision {
        Decision { allowed: true, reason }
    }

    pub(crate) fn deny(reason: Reason) -> Decision {
        Decision { allowed: false, reason }
    }
}

impl MemberView {
    /// Does the member hold `toggle`'s capability, and why (or why not)?
    pub fn capability(&self, toggle: Toggle) -> (bool, Reason) {
        match (preset(self.role, toggle), self.toggles.0.get(&toggle)) {
            (Preset::Always, _) => (true, Reason::Role { role: self.role }),
            (Preset::Never, _) => (false, Reason::RoleCeiling { role: self.role, toggle }),
            (_, Some(true)) => (true, Reason::ToggleOn { toggle }),
            (_, Some(false)) => (false, Reason::ToggleOff { toggle }),
            (Preset::DefaultOn, None) => (true, Reason::RoleDefault { role: self.role, toggle }),
            (Preset::DefaultOff, None) => (false, Reason::ToggleOff { toggle }),
        }
    }

    fn is_admin(&self) -> bool {
        matches!(self.role, Role::Owner | Role::Administrator)
    }

    /// The member's rights apply to the whole organisation.
    pub fn org_wide(&self) -> Option<Reason> {
        if self.is_admin() {
            return Some(Reason::Role { role: self.role });
        }
        self.grants.iter().filter(|g| g.scope == Scope::Org).max_by_key(|g| g.level).map(grant_reason)
    }

    /// Why `location_id` is in the member's location scope: org-wide, a location grant, or
    /// an own calendar there. Calendar-only grants do not bring the whole location in.
    pub fn location_in_scope(&self, location_id: &str) -> Option<Reason> {
        if let Some(r) = self.org_wide() {
            return Some(r);
        }
        if let Some(g) = self
            .grants
            .iter()
            .filter(|g| matches!(&g.scope, Scope::Location { location_id: l } if l == location_id))
            .max_by_key(|g| g.level)
        {
            return Some(grant_reason(g));
        }
        self.own_calendars.iter().any(|(_, l)| l == location_id).then_some(Reason::OwnCalendar)
    }

    /// Is the member present in this location at all (any grant or own calendar there)?
    pub fn touches_location(&self, location_id: &str) -> Option<Reason> {
        self.location_in_scope(location_id).or_else(|| {
            self.grants
                .iter()
                .find(|g| matches!(&g.scope, Scope::Calendar { location_id: l, .. } if l == location_id))
                .map(grant_reason)
        })
    }

    /// Where the member works (see `Footprint`).
    pub fn footprint(&self) -> Footprint {
        let mut f = Footprint::of(self.grants.iter().map(|g| &g.scope), None);
        f.org |= self.is_admin();
        f.locations.extend(self.own_calendars.iter().map(|(_, l)| l.clone()));
        f.locations.sort();
        f.locations.dedup();
        f
    }

    /// The best level on a calendar's bookings, with its reason.
    pub fn calendar_level(&self, cal: CalendarRef<'_>) -> Option<(Level, Reason)> {
        self.level_on(cal, true)
    }

    /// The best level on a calendar, counting "all bookings" only when `with_all_bookings`:
    /// that toggle is about bookings, never the calendar's own settings.
    fn level_on(&self, cal: CalendarRef<'_>, with_all_bookings: bool) -> Option<(Level, Reason)> {
        if self.is_admin() {
            return Some((Level::Manage, Reason::Role { role: self.role }));
        }
        if cal.owner_member_id == Some(self.membership_id.as_str())
            || self.own_calendars.iter().any(|(c, _)| c == cal.id)
        {
            return Some((Level::Manage, Reason::OwnCalendar));
        }
        let mut best: Option<(Level, Reason)> = None;
        let mut consider = |level: Level, reason: Reason| {
            if best.as_ref().is_none_or(|(l, _)| level > *l) {
                best = Some((level, reason));
            }
        };
        for g in &self.grants {
            let covers = match &g.scope {
                Scope::Org => true,
                Scope::Location { location_id } => location_id == cal.location_id,
                Scope::Calendar { calendar_id, .. } => calendar_id == cal.id,
            };
            if covers {
                consider(g.level, grant_reason(g));
            }
        }
        if with_all_bookings
            && let (true, by) = self.capability(Toggle::AllBookings)
            && self.location_in_scope(cal.location_id).is_some()
        {
            consider(
                Level::Manage,
                Reason::AllBookingsInLocation { location_id: cal.location_id.to_string(), by: Box::new(by) },
            );
        }
        best
    }
}

fn grant_reason(g: &GrantView) -> Reason {
    Reason::Grant { grant_id: g.id.clone(), scope: g.scope.clone(), level: g.level, via_team: g.via_team.clone() }
}

/// A capability that applies per location: held, and the location is in scope.
fn capability_in(m: &MemberView, toggle: Toggle, location_id: Option<&str>) -> Decision {
    let (held, by) = m.capability(toggle);
    if !held {
        return Decision::deny(by);
    }
    let scope = match location_id {
        Some(l) => m.location_in_scope(l),
        None => m.org_wide(),
    };
    match scope {
        Some(_) => Decision::allow(Reason::InScope { location_id: location_id.map(String::from), by: Box::new(by) }),
        None => Decision::deny(Reason::NotInScope),
    }
}

fn calendar_needs(m: &MemberView, cal: CalendarRef<'_>, need: Level) -> Decision {
    match m.calendar_level(cal) {
        Some((have, reason)) if have >= need => Decision::allow(reason),
        Some((have, reason)) => Decision::deny(Reason::LevelTooLow { have, need, by: Box::new(reason) }),
        None => Decision::deny(Reason::NotInScope),
    }
}

/// May `m` act on a member of role `target` working in `footprint`? Owners: anyone.
/// Administrators: anyone but owners. Others with user management: staff and assistants
/// only, and, when their own scope is some locations, only members working inside them.
fn people(m: &MemberView, target_id: &str, target: Role, footprint: &Footprint) -> Decision {
    if target_id == m.membership_id {
        return Decision::deny(Reason::OwnMembership);
    }
    let (held, by) = m.capability(Toggle::UserManagement);
    if !held {
        return Decision::deny(by);
    }
    let allowed_over = match m.role {
        Role::Owner => true,
        Role::Administrator => target != Role::Owner,
        _ => matches!(target, Role::Staff | Role::Assistant),
    };
    if !allowed_over {
        return Decision::deny(Reason::TargetRoleTooHigh { target });
    }
    if !works_within(m, footprint) {
        return Decision::deny(Reason::NotInScope);
    }
    Decision::allow(by)
}

/// Does everything in `footprint` lie inside `m`'s scope?
fn works_within(m: &MemberView, footprint: &Footprint) -> bool {
    m.org_wide().is_some() || (!footprint.org && footprint.locations.iter().all(|l| m.location_in_scope(l).is_some()))
}

/// The policy. Every access in Creneau is decided here.
pub fn authorize(m: &MemberView, action: Action, object: Object<'_>) -> Decision {
    if m.status != MembershipStatus::Active {
        return Decision::deny(Reason::Inactive { status: m.status });
    }
    use Action::*;
    match (action, object) {
        (ViewCalendar | ViewBookings, Object::Calendar(c)) => calendar_needs(m, c, Level::View),
        (CreateBooking | MoveBooking | CancelBooking, Object::Calendar(c)) => calendar_needs(m, c, Level::Book),
        (DeleteBooking, Object::Calendar(c)) => calendar_needs(m, c, Level::Manage),
        (ManageCalendar, Object::Calendar(c)) => {
            // The calendar's settings: its own member, a manage grant, or business settings
            // in its location; "all bookings" is about bookings only.
            let by_level = match m.level_on(c, false) {
                Some((Level::Manage, reason)) => Decision::allow(reason),
                Some((have, reason)) => {
                    Decision::deny(Reason::LevelTooLow { have, need: Level::Manage, by: Box::new(reason) })
                }
                None => Decision::deny(Reason::NotInScope),
            };
            if by_level.allowed {
                return by_level;
            }
            let by_settings = capability_in(m, Toggle::BusinessSettings, Some(c.location_id));
            if by_settings.allowed { by_settings } else { by_level }
        }
        (ViewLocation, Object::Location { id }) => match m.touches_location(id) {
            Some(r) => Decision::allow(r),
            None => Decision::deny(Reason::NotInScope),
        },
        (ManageLocation | CreateCalendar, Object::Location { id }) => {
            capability_in(m, Toggle::BusinessSettings, Some(id))
        }
        (CreateLocation | DeleteLocation | ManageServices, Object::Org | Object::Location { .. }) => {
            capability_in(m, Toggle::BusinessSettings, None)
        }
        (ExportBookings, Object::Location { id }) => capability_in(m, Toggle::AllBookings, Some(id)),
        (ViewStatistics, Object::Location { id }) => capability_in(m, Toggle::Statistics, Some(id)),
        (ViewStatistics, Object::Org) => capability_in(m, Toggle::Statistics, None),
        (ManagePromotion, Object::Location { id }) => capability_in(m, Toggle::Promotion, Some(id)),
        (ViewClient | EditClient, Object::Client { location_ids, calendar_ids }) => {
            let (held, by) = m.capability(Toggle::ClientList);
            if !held {
                return Decision::deny(by);
            }
            if m.org_wide().is_some() {
                return Decision::allow(Reason::InScope { location_id: None, by: Box::new(by) });
            }
            if let Some(l) = location_ids.iter().find(|l| m.location_in_scope(l).is_some()) {
                return Decision::allow(Reason::InScope { location_id: Some(l.clone()), by: Box::new(by) });
            }
            let via_calendar = calendar_ids.iter().find_map(|c| {
                m.grants.iter().find(|g| matches!(&g.scope, Scope::Calendar { calendar_id, .. } if calendar_id == c))
            });
            match via_calendar {
                Some(g) => Decision::allow(grant_reason(g)),
                None => Decision::deny(Reason::NotInScope),
            }
        }
        (ViewClient | EditClient, Object::Org) | (ExportClients, Object::Org) => {
            capability_in(m, Toggle::ClientList, None)
        }
        (ExportClients, Object::Location { id }) => capability_in(m, Toggle::ClientList, Some(id)),
        (ViewMembers | ManageTeams, Object::Org) => {
            let (held, by) = m.capability(Toggle::UserManagement);
            if held { Decision::allow(by) } else { Decision::deny(by) }
        }
        // One member in the list: oneself always; otherwise user management, and for members
        // limited to some locations only staff and assistants working inside them.
        (ViewMembers, Object::Member { membership_id, role, footprint }) => {
            if membership_id == m.membership_id {
                return Decision::allow(Reason::Oneself);
            }
            let (held, by) = m.capability(Toggle::UserManagement);
            if !held {
                return Decision::deny(by);
            }
            if m.org_wide().is_some() {
                return Decision::allow(by);
            }
            if !matches!(role, Role::Staff | Role::Assistant) {
                return Decision::deny(Reason::TargetRoleTooHigh { target: role });
            }
            if works_within(m, footprint) { Decision::allow(by) } else { Decision::deny(Reason::NotInScope) }
        }
        (
            InviteMember | ChangeMember | RemoveMember | ExplainAccess,
            Object::Member { membership_id, role, footprint },
        ) => people(m, membership_id, role, footprint),
        (ManageApiKeys | ManageWebhooks | ManageIntegrations, Object::Org) => {
            let (held, by) = m.capability(Toggle::ApiIntegrations);
            if held { Decision::allow(by) } else { Decision::deny(by) }
        }
        (ViewAuditLog, Object::Org) => {
            let (held, by) = m.capability(Toggle::AuditLog);
            if held { Decision::allow(by) } else { Decision::deny(by) }
        }
        (ViewAuditLog, Object::Location { id }) => capability_in(m, Toggle::AuditLog, Some(id)),
        (ManageOrgSettings, Object::Org) => {
            if m.is_admin() {
                Decision::allow(Reason::Role { role: m.role })
            } else {
                Decision::deny(Reason::OwnersOnly)
            }
        }
        (TransferOwnership | DeleteOrg, Object::Org) => {
            if m.role == Role::Owner {
                Decision::allow(Reason::Role { role: Role::Owner })
            } else {
                Decision::deny(Reason::OwnersOnly)
            }
        }
        // Any other pairing is a programming error; refuse rather than guess.
        _ => Decision::deny(Reason::NotInScope),
    }
}

/// "Nobody grants more than they hold": may `granter` give `level` on `scope`?
pub fn may_grant(granter: &MemberView, scope: &Scope, level: Level) -> Decision {
    match scope {
        Scope::Org => {
            if granter.is_admin() {
                return Decision::allow(Reason::Role { role: granter.role });
            }
            match granter.grants.iter().filter(|g| g.scope == Scope::Org).max_by_key(|g| g.level) {
                Some(g) if g.level >= level => Decision::allow(grant_reason(g)),
                Some(g) => {
                    Decision::deny(Reason::LevelTooLow { have: g.level, need: level, by: Box::new(grant_reason(g)) })
                }
                None => Decision::deny(Reason::NotInScope),
            }
        }
        Scope::Location { location_id } => {
            if granter.is_admin() {
                return Decision::allow(Reason::Role { role: granter.role });
            }
            let best = granter
                .grants
                .iter()
                .filter(|g| match &g.scope {
                    Scope::Org => true,
                    Scope::Location { location_id: l } => l == location_id,
                    Scope::Calendar { .. } => false,
                })
                .max_by_key(|g| g.level);
            match best {
                Some(g) if g.level >= level => Decision::allow(grant_reason(g)),
                Some(g) => {
                    Decision::deny(Reason::LevelTooLow { have: g.level, need: level, by: Box::new(grant_reason(g)) })
                }
                None => Decision::deny(Reason::NotInScope),
            }
        }
        Scope::Calendar { location_id, calendar_id } => {
            calendar_needs(granter, CalendarRef { id: calendar_id, location_id, owner_member_id: None }, level)
        }
    }
}

/// May `granter` switch `toggle` on for someone? Only a capability they hold themselves.
pub fn may_give_toggle(granter: &MemberView, toggle: Toggle) -> Decision {
    let (held, by) = granter.capability(toggle);
    if held { Decision::allow(by) } else { Decision::deny(by) }
}
