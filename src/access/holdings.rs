//! Who holds what in one organisation, and the one rule for every change of it.
//!
//! A grant is not the only write that hands out rights: joining or filling a team, taking or
//! reassigning a calendar, changing a role or a toggle, inviting, activating or unblocking a
//! member all change what somebody may do. Every such write is judged the same way
//! (`Watch::judge`): the members' effective rights are computed from the organisation's
//! holdings before and after the change, inside the change's transaction, and the change is
//! refused — nothing written — if anyone would gain a right the actor does not hold there.
//!
//! "A right" is an (action, object) pair the policy allows, over a finite set of objects that
//! stands for everything of the organisation: the organisation itself, each location, each
//! calendar, clients through each location and each calendar, and members of each role
//! working in each place. The policy is the same `authorize`, so nothing here restates it.

use super::{
    MembershipStatus, OrgScope, Role,
    policy::{self, Action, CalendarRef, Footprint, GrantView, Level, MemberView, Object, Scope, Toggles},
};
use crate::{
    db::Tx,
    error::{AppError, AppResult},
};
use std::collections::{BTreeMap, BTreeSet};

/// A membership as far as rights go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldMember {
    pub id: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub toggles: Toggles,
    /// For messages.
    pub name: String,
}

/// Who a grant is given to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Member(String),
    Team(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldGrant {
    pub id: String,
    pub subject: Subject,
    pub scope: Scope,
    pub level: Level,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldCalendar {
    pub id: String,
    pub location_id: String,
    pub member_id: Option<String>,
    pub active: bool,
}

/// Everything that decides the members' rights in one organisation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub members: Vec<HeldMember>,
    pub grants: Vec<HeldGrant>,
    /// (team id, member id).
    pub team_members: Vec<(String, String)>,
    pub calendars: Vec<HeldCalendar>,
    pub locations: Vec<String>,
}

/// Memberships that hold their rights: active ones, and invited ones (accepting needs no
/// one's further consent). Inactive, blocked and removed members hold nothing until someone
/// activates or unblocks them, and that write is judged.
fn holds(status: MembershipStatus) -> bool {
    matches!(status, MembershipStatus::Active | MembershipStatus::Invited)
}

impl Holdings {
    /// The policy's view of a member who holds their rights (as if active), or `None`.
    pub fn view(&self, member_id: &str) -> Option<MemberView> {
        let m = self.members.iter().find(|m| m.id == member_id && holds(m.status))?;
        Some(self.view_of(m))
    }

    /// The policy's view of a member whatever their status (as `access::context` loads it).
    pub fn view_any(&self, member_id: &str) -> Option<MemberView> {
        let m = self.members.iter().find(|m| m.id == member_id)?;
        let mut v = self.view_of(m);
        v.status = m.status;
        Some(v)
    }

    fn view_of(&self, m: &HeldMember) -> MemberView {
        let teams: BTreeSet<&str> =
            self.team_members.iter().filter(|(_, mid)| *mid == m.id).map(|(t, _)| t.as_str()).collect();
        let grants = self
            .grants
            .iter()
            .filter_map(|g| {
                let via_team = match &g.subject {
                    Subject::Member(id) if *id == m.id => None,
                    Subject::Team(t) if teams.contains(t.as_str()) => Some(t.clone()),
                    _ => return None,
                };
                Some(GrantView { id: g.id.clone(), scope: g.scope.clone(), level: g.level, via_team })
            })
            .collect();
        let mut own_calendars: Vec<(String, String)> = self
            .calendars
            .iter()
            .filter(|c| c.active && c.member_id.as_deref() == Some(m.id.as_str()))
            .map(|c| (c.id.clone(), c.location_id.clone()))
            .collect();
        own_calendars.sort();
        MemberView {
            membership_id: m.id.clone(),
            role: m.role,
            status: MembershipStatus::Active,
            toggles: m.toggles.clone(),
            grants,
            own_calendars,
        }
    }

    /// Where each member works, for the members list of someone limited to some locations.
    pub fn footprints(&self) -> BTreeMap<String, Footprint> {
        self.members.iter().map(|m| (m.id.clone(), self.view_of(m).footprint())).collect()
    }

    fn name_of(&self, member_id: &str) -> String {
        self.members.iter().find(|m| m.id == member_id).map(|m| m.name.clone()).unwrap_or_default()
    }
}

/// An object of the organisation, owned, standing for everything of its kind there.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Thing {
    Org,
    Location(String),
    Calendar { id: String, location_id: String },
    ClientsIn(String),
    ClientsOf { calendar_id: String },
    People { role: Role, footprint: Footprint },
}

impl Thing {
    fn object<'a>(&'a self, scratch: &'a [String]) -> Object<'a> {
        match self {
            Thing::Org => Object::Org,
            Thing::Location(id) => Object::Location { id },
            // The owner is known to the policy through the member's own calendars; leaving it
            // out here keeps the object the same for every reader.
            Thing::Calendar { id, location_id } => {
                Object::Calendar(CalendarRef { id, location_id, owner_member_id: None })
            }
            Thing::ClientsIn(_) => Object::Client { location_ids: scratch, calendar_ids: &[] },
            Thing::ClientsOf { .. } => Object::Client { location_ids: &[], calendar_ids: scratch },
            // Nobody's membership id: acting on oneself is a different question.
            Thing::People { role, footprint } => Object::Member { membership_id: "", role: *role, footprint },
        }
    }

    fn allows(&self, m: &MemberView, action: Action) -> bool {
        let scratch = match self {
            Thing::ClientsIn(l) => vec![l.clone()],
            Thing::ClientsOf { calendar_id } => vec![calendar_id.clone()],
            _ => Vec::new(),
        };
        policy::authorize(m, action, self.object(&scratch)).allowed
    }

    fn describe(&self) -> String {
        match self {
            Thing::Org => "the organisation".into(),
            Thing::Location(id) => format!("location {id}"),
            Thing::Calendar { id, .. } => format!("calendar {id}"),
            Thing::ClientsIn(l) => format!("clients of location {l}"),
            Thing::ClientsOf { calendar_id } => format!("clients of calendar {calendar_id}"),
            Thing::People { role, .. } => format!("{} members", role.as_str()),
        }
    }
}

/// Each object as it is before and as it is after the change (calendars may change place).
struct Universe {
    pairs: Vec<(Thing, Thing)>,
}

impl Universe {
    fn new(before: &Holdings, after: &Holdings) -> Universe {
        let mut pairs = vec![(Thing::Org, Thing::Org)];
        let mut locations: BTreeSet<&String> = before.locations.iter().collect();
        locations.extend(after.locations.iter());
        for c in before.calendars.iter().chain(&after.calendars) {
            locations.insert(&c.location_id);
        }
        let mut footprints = vec![Footprint::default(), Footprint { org: true, locations: vec![] }];
        for l in &locations {
            pairs.push((Thing::Location((*l).clone()), Thing::Location((*l).clone())));
            pairs.push((Thing::ClientsIn((*l).clone()), Thing::ClientsIn((*l).clone())));
            footprints.push(Footprint { org: false, locations: vec![(*l).clone()] });
        }
        let mut ids: BTreeSet<&String> = before.calendars.iter().map(|c| &c.id).collect();
        ids.extend(after.calendars.iter().map(|c| &c.id));
        for id in ids {
            let b = before.calendars.iter().find(|c| &c.id == id);
            let a = after.calendars.iter().find(|c| &c.id == id);
            let thing = |c: &HeldCalendar| Thing::Calendar { id: c.id.clone(), location_id: c.location_id.clone() };
            let (Some(tb), Some(ta)) = (b.or(a).map(thing), a.or(b).map(thing)) else { continue };
            pairs.push((tb, ta));
            let clients = Thing::ClientsOf { calendar_id: id.clone() };
            pairs.push((clients.clone(), clients));
        }
        for role in Role::ALL {
            for f in &footprints {
                let t = Thing::People { role, footprint: f.clone() };
                pairs.push((t.clone(), t));
            }
        }
        Universe { pairs }
    }
}

/// A right somebody would gain that the actor does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excess {
    pub member_id: String,
    pub member_name: String,
    pub action: Action,
    pub object: String,
}

/// The rule: does the change from `before` to `after`, made by `actor_id`, give anyone a
/// right (action on object) that they did not hold and the actor does not hold either?
/// The actor is judged by what they held before the change, so nobody lifts themselves.
pub fn excess(actor_id: &str, before: &Holdings, after: &Holdings) -> Option<Excess> {
    let actor = before.view(actor_id);
    let universe = Universe::new(before, after);
    let moved: Vec<bool> = universe.pairs.iter().map(|(b, a)| b != a).collect();
    for m in &after.members {
        let Some(now) = after.view(&m.id) else { continue };
        let was = before.view(&m.id);
        // A member whose view did not change gains only on objects that did.
        let unchanged = was.as_ref() == Some(&now);
        for (i, (tb, ta)) in universe.pairs.iter().enumerate() {
            if unchanged && !moved[i] {
                continue;
            }
            for action in Action::ALL {
                if !ta.allows(&now, action) {
                    continue;
                }
                if was.as_ref().is_some_and(|w| tb.allows(w, action)) {
                    continue;
                }
                if actor.as_ref().is_some_and(|a| tb.allows(a, action)) {
                    continue;
                }
                return Some(Excess {
                    member_id: m.id.clone(),
                    member_name: after.name_of(&m.id),
                    action,
                    object: ta.describe(),
                });
            }
        }
    }
    None
}

/// Every right a member holds, over the objects of both holdings (for tests that check the
/// rule from the outside).
pub fn rights(view: &MemberView, before: &Holdings, after: &Holdings) -> BTreeSet<(&'static str, String)> {
    let universe = Universe::new(before, after);
    let mut out = BTreeSet::new();
    for (_, t) in &universe.pairs {
        for action in Action::ALL {
            if t.allows(view, action) {
                out.insert((action.as_str(), format!("{t:?}")));
            }
        }
    }
    out
}

// ---------------------------------------------------------------- reading them

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: String,
    role: String,
    status: String,
    toggles: String,
    first_name: String,
    last_name: String,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: String,
    subject_type: String,
    subject_id: String,
    scope: String,
    location_id: Option<String>,
    calendar_id: Option<String>,
    level: String,
}

pub(crate) fn status_of(s: &str) -> MembershipStatus {
    match s {
        "active" => MembershipStatus::Active,
        "invited" => MembershipStatus::Invited,
        "blocked" => MembershipStatus::Blocked,
        "removed" => MembershipStatus::Removed,
        _ => MembershipStatus::Inactive,
    }
}

/// The organisation's holdings: five indexed queries, whatever its size.
pub async fn load(conn: &mut sqlx::AnyConnection, org_id: &str) -> AppResult<Holdings> {
    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT id, role, status, toggles, first_name, last_name FROM memberships WHERE org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let grants: Vec<GrantRow> = sqlx::query_as(
        "SELECT id, subject_type, subject_id, scope, location_id, calendar_id, level FROM grants WHERE org_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let team_members: Vec<(String, String)> = sqlx::query_as(
        "SELECT tm.team_id, tm.member_id FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE t.org_id = $1 \
         ORDER BY tm.team_id, tm.member_id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let calendars: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT id, location_id, member_id, status FROM calendars WHERE org_id = $1 ORDER BY id")
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await?;
    let locations: Vec<(String,)> = sqlx::query_as("SELECT id FROM locations WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Holdings {
        members: members
            .into_iter()
            .filter_map(|m| {
                Some(HeldMember {
                    role: Role::parse(&m.role)?,
                    status: status_of(&m.status),
                    toggles: Toggles::from_json(&m.toggles),
                    name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
                    id: m.id,
                })
            })
            .collect(),
        grants: grants
            .into_iter()
            .filter_map(|g| {
                Some(HeldGrant {
                    subject: match g.subject_type.as_str() {
                        "member" => Subject::Member(g.subject_id),
                        "team" => Subject::Team(g.subject_id),
                        _ => return None,
                    },
                    scope: super::context::scope_of(&g.scope, g.location_id, g.calendar_id)?,
                    level: Level::parse(&g.level)?,
                    id: g.id,
                })
            })
            .collect(),
        team_members,
        calendars: calendars
            .into_iter()
            .map(|(id, location_id, member_id, status)| HeldCalendar {
                id,
                location_id,
                member_id,
                active: status == "active",
            })
            .collect(),
        locations: locations.into_iter().map(|(id,)| id).collect(),
    })
}

/// The holdings as they were when a change began, inside its transaction.
pub struct Watch {
    before: Holdings,
}

impl Watch {
    /// Start watching a change of who holds what. On PostgreSQL the organisation row is
    /// locked for the rest of the transaction, so two such changes cannot each be judged
    /// against a state the other is changing (SQLite's write lock already serialises them).
    pub async fn start(tx: &mut Tx, db: &crate::db::Db, org_id: &str) -> AppResult<Watch> {
        sqlx::query(&format!("SELECT id FROM orgs WHERE id = $1{}", db.for_update()))
            .bind(org_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Watch { before: load(tx, org_id).await? })
    }

    pub fn before(&self) -> &Holdings {
        &self.before
    }

    /// Judge the change written so far in `tx`: 403, and the transaction is not to be
    /// committed, if it gives anyone a right the actor does not hold.
    pub async fn judge(self, tx: &mut Tx, scope: &OrgScope) -> AppResult<()> {
        let after = load(tx, scope.org_id()).await?;
        match excess(scope.membership_id(), &self.before, &after) {
            None => Ok(()),
            Some(e) => Err(AppError::Forbidden {
                code: "exceeds-own-rights",
                detail: format!(
                    "This change would give {} a right you do not hold: {} on {}.",
                    if e.member_name.is_empty() { "a member" } else { e.member_name.as_str() },
                    e.action.as_str().replace('_', " "),
                    e.object
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, role: Role) -> HeldMember {
        HeldMember {
            id: id.into(),
            role,
            status: MembershipStatus::Active,
            toggles: Toggles::default(),
            name: id.into(),
        }
    }

    fn base() -> Holdings {
        Holdings {
            members: vec![member("owner", Role::Owner), member("boss", Role::Manager), member("s", Role::Staff)],
            grants: vec![
                HeldGrant {
                    id: "g1".into(),
                    subject: Subject::Member("boss".into()),
                    scope: Scope::Location { location_id: "nord".into() },
                    level: Level::Manage,
                },
                HeldGrant {
                    id: "g2".into(),
                    subject: Subject::Team("direction".into()),
                    scope: Scope::Org,
                    level: Level::Manage,
                },
            ],
            team_members: vec![],
            calendars: vec![
                HeldCalendar { id: "c1".into(), location_id: "nord".into(), member_id: Some("s".into()), active: true },
                HeldCalendar { id: "c2".into(), location_id: "sud".into(), member_id: None, active: true },
            ],
            locations: vec!["nord".into(), "sud".into()],
        }
    }

    #[test]
    fn joining_a_team_that_holds_more_is_a_gain() {
        let before = base();
        let mut after = before.clone();
        after.team_members.push(("direction".into(), "boss".into()));
        let e = excess("boss", &before, &after).expect("refused");
        assert_eq!(e.member_id, "boss");
        assert!(excess("owner", &before, &after).is_none(), "the owner holds all of it");
    }

    #[test]
    fn taking_a_calendar_is_a_gain_but_a_new_resource_calendar_is_not() {
        // A manager seeing Nord's bookings without "all bookings" (business settings on).
        let mut before = base();
        before.grants[0].level = Level::View;
        before.members[1].toggles = Toggles([(policy::Toggle::AllBookings, false)].into_iter().collect());
        let mut after = before.clone();
        after.calendars[0].member_id = Some("boss".into());
        assert!(excess("boss", &before, &after).is_some());
        // A new calendar with no owner gives location-wide holders nothing new.
        let mut after = before.clone();
        after.calendars.push(HeldCalendar {
            id: "c3".into(),
            location_id: "nord".into(),
            member_id: None,
            active: true,
        });
        assert_eq!(excess("s", &before, &after), None);
    }

    #[test]
    fn unblocking_is_judged_blocking_is_not() {
        let mut before = base();
        before.members[2].toggles = Toggles([(policy::Toggle::ClientList, true)].into_iter().collect());
        before.calendars[0].location_id = "sud".into();
        let mut blocked = before.clone();
        blocked.members[2].status = MembershipStatus::Blocked;
        assert_eq!(excess("boss", &before, &blocked), None);
        assert!(excess("boss", &blocked, &before).is_some(), "the Sud member's rights are beyond the Nord manager");
    }
}
