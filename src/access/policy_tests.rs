//! The policy over the whole matrix: role × toggle state × grant scope × action × object
//! (own, a colleague's in scope, out of scope). Expectations come from the role table of
//! REQUIREMENTS.md, written here independently of `authorize`.

use super::policy::*;
use crate::access::{MembershipStatus, Role};

const LOC_A: &str = "loc-a";
const LOC_B: &str = "loc-b";
const ME: &str = "m-me";
const COLLEAGUE: &str = "m-colleague";

fn own_cal() -> CalendarRef<'static> {
    CalendarRef { id: "cal-own", location_id: LOC_A, owner_member_id: Some(ME) }
}
fn colleague_cal() -> CalendarRef<'static> {
    CalendarRef { id: "cal-a1", location_id: LOC_A, owner_member_id: Some(COLLEAGUE) }
}
fn other_cal_a() -> CalendarRef<'static> {
    CalendarRef { id: "cal-a2", location_id: LOC_A, owner_member_id: None }
}
fn far_cal() -> CalendarRef<'static> {
    CalendarRef { id: "cal-b1", location_id: LOC_B, owner_member_id: Some("m-far") }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GrantCase {
    None,
    OrgView,
    OrgManage,
    LocationABook,
    LocationAManage,
    CalendarA1View,
    CalendarA1Book,
}

const GRANT_CASES: [GrantCase; 7] = [
    GrantCase::None,
    GrantCase::OrgView,
    GrantCase::OrgManage,
    GrantCase::LocationABook,
    GrantCase::LocationAManage,
    GrantCase::CalendarA1View,
    GrantCase::CalendarA1Book,
];

fn grants(case: GrantCase) -> Vec<GrantView> {
    let g = |scope: Scope, level: Level| vec![GrantView { id: "g1".into(), scope, level, via_team: None }];
    let cal_a1 = || Scope::Calendar { location_id: LOC_A.into(), calendar_id: "cal-a1".into() };
    match case {
        GrantCase::None => vec![],
        GrantCase::OrgView => g(Scope::Org, Level::View),
        GrantCase::OrgManage => g(Scope::Org, Level::Manage),
        GrantCase::LocationABook => g(Scope::Location { location_id: LOC_A.into() }, Level::Book),
        GrantCase::LocationAManage => g(Scope::Location { location_id: LOC_A.into() }, Level::Manage),
        GrantCase::CalendarA1View => g(cal_a1(), Level::View),
        GrantCase::CalendarA1Book => g(cal_a1(), Level::Book),
    }
}

/// Toggle states that matter: as the role says, all on, all off, and each one alone on.
fn toggle_cases() -> Vec<(String, Toggles)> {
    let mut v = vec![
        ("preset".to_string(), Toggles::default()),
        ("all-on".to_string(), Toggles(Toggle::ALL.iter().map(|t| (*t, true)).collect())),
        ("all-off".to_string(), Toggles(Toggle::ALL.iter().map(|t| (*t, false)).collect())),
    ];
    for t in Toggle::ALL {
        v.push((format!("only-{}", t.as_str()), Toggles([(t, true)].into_iter().collect())));
    }
    v
}

fn member(role: Role, toggles: Toggles, grant: GrantCase) -> MemberView {
    MemberView {
        membership_id: ME.into(),
        role,
        status: MembershipStatus::Active,
        toggles,
        grants: grants(grant),
        // Assistants have no calendar of their own.
        own_calendars: if role == Role::Assistant { vec![] } else { vec![("cal-own".into(), LOC_A.into())] },
    }
}

/// The role table, column by column: does `role` (with `toggles`) hold this capability?
fn expected_capability(role: Role, toggles: &Toggles, t: Toggle) -> bool {
    let on = |default: bool| toggles.0.get(&t).copied().unwrap_or(default);
    match role {
        Role::Owner | Role::Administrator => true,
        Role::Manager => match t {
            Toggle::UserManagement | Toggle::ApiIntegrations => on(false),
            _ => on(true),
        },
        Role::Staff => match t {
            Toggle::UserManagement | Toggle::ApiIntegrations => false,
            _ => on(false),
        },
        Role::Assistant => t == Toggle::ClientList && on(false),
    }
}

fn level_rank(l: Option<Level>) -> u8 {
    match l {
        None => 0,
        Some(Level::View) => 1,
        Some(Level::Book) => 2,
        Some(Level::Manage) => 3,
    }
}

/// Expected level on a calendar, from the rules in words: owners and administrators manage
/// everything; one's own calendar is managed; a grant covering it gives its level; "all
/// bookings" gives manage on the calendars of locations in one's scope (org-wide grants,
/// location grants, or the location of one's own calendar).
fn expected_level(role: Role, toggles: &Toggles, grant: GrantCase, cal: CalendarRef<'_>) -> Option<Level> {
    expected_level_by(role, toggles, grant, cal, true)
}

/// The same, counting "all bookings" only when asked: the calendar's own settings never
/// come from that toggle (it is about bookings).
fn expected_level_by(
    role: Role,
    toggles: &Toggles,
    grant: GrantCase,
    cal: CalendarRef<'_>,
    with_all_bookings: bool,
) -> Option<Level> {
    if matches!(role, Role::Owner | Role::Administrator) {
        return Some(Level::Manage);
    }
    if cal.owner_member_id == Some(ME) {
        return Some(Level::Manage);
    }
    let mut best = match (grant, cal.location_id, cal.id) {
        (GrantCase::OrgView, _, _) => Some(Level::View),
        (GrantCase::OrgManage, _, _) => Some(Level::Manage),
        (GrantCase::LocationABook, LOC_A, _) => Some(Level::Book),
        (GrantCase::LocationAManage, LOC_A, _) => Some(Level::Manage),
        (GrantCase::CalendarA1View, _, "cal-a1") => Some(Level::View),
        (GrantCase::CalendarA1Book, _, "cal-a1") => Some(Level::Book),
        _ => None,
    };
    let loc_in_scope = matches!(grant, GrantCase::OrgView | GrantCase::OrgManage)
        || (cal.location_id == LOC_A
            && (matches!(grant, GrantCase::LocationABook | GrantCase::LocationAManage) || role != Role::Assistant));
    if with_all_bookings && expected_capability(role, toggles, Toggle::AllBookings) && loc_in_scope {
        best = Some(Level::Manage);
    }
    best
}

fn expected_in_location_scope(role: Role, grant: GrantCase, location: &str) -> bool {
    matches!(role, Role::Owner | Role::Administrator)
        || matches!(grant, GrantCase::OrgView | GrantCase::OrgManage)
        || (location == LOC_A
            && (matches!(grant, GrantCase::LocationABook | GrantCase::LocationAManage) || role != Role::Assistant))
}

fn expected_org_wide(role: Role, grant: GrantCase) -> bool {
    matches!(role, Role::Owner | Role::Administrator) || matches!(grant, GrantCase::OrgView | GrantCase::OrgManage)
}

#[test]
fn the_whole_matrix() {
    let roles = Role::ALL;
    let calendars = [
        ("own", own_cal()),
        ("colleague-in-scope", colleague_cal()),
        ("other-in-a", other_cal_a()),
        ("out-of-scope", far_cal()),
    ];
    let mut cases = 0u64;
    for role in roles {
        for (tname, toggles) in toggle_cases() {
            for grant in GRANT_CASES {
                let m = member(role, toggles.clone(), grant);
                let ctx = |what: &str| format!("{role:?} toggles={tname} grant={grant:?} {what}");
                // Calendar and booking actions on every kind of calendar.
                for (cname, cal) in calendars {
                    let want = expected_level(role, &toggles, grant, cal);
                    let got = m.calendar_level(cal).map(|(l, _)| l);
                    assert_eq!(got, want, "{}", ctx(&format!("level on {cname}")));
                    for (action, need) in [
                        (Action::ViewCalendar, Level::View),
                        (Action::ViewBookings, Level::View),
                        (Action::CreateBooking, Level::Book),
                        (Action::MoveBooking, Level::Book),
                        (Action::CancelBooking, Level::Book),
                        (Action::DeleteBooking, Level::Manage),
                    ] {
                        let d = authorize(&m, action, Object::Calendar(cal));
                        assert_eq!(
                            d.allowed,
                            level_rank(want) >= level_rank(Some(need)),
                            "{}",
                            ctx(&format!("{action:?} on {cname}"))
                        );
                        cases += 1;
                    }
                    let d = authorize(&m, Action::ManageCalendar, Object::Calendar(cal));
                    let want_manage = expected_level_by(role, &toggles, grant, cal, false) == Some(Level::Manage)
                        || (expected_capability(role, &toggles, Toggle::BusinessSettings)
                            && expected_in_location_scope(role, grant, cal.location_id));
                    assert_eq!(d.allowed, want_manage, "{}", ctx(&format!("ManageCalendar on {cname}")));
                    cases += 1;
                }
                // Per-location capabilities, in scope (A) and out of scope (B).
                for loc in [LOC_A, LOC_B] {
                    let in_scope = expected_in_location_scope(role, grant, loc);
                    for (action, toggle) in [
                        (Action::ManageLocation, Toggle::BusinessSettings),
                        (Action::CreateCalendar, Toggle::BusinessSettings),
                        (Action::ExportBookings, Toggle::AllBookings),
                        (Action::ViewStatistics, Toggle::Statistics),
                        (Action::ManagePromotion, Toggle::Promotion),
                        (Action::ExportClients, Toggle::ClientList),
                        (Action::ViewAuditLog, Toggle::AuditLog),
                    ] {
                        let d = authorize(&m, action, Object::Location { id: loc });
                        let want = expected_capability(role, &toggles, toggle) && in_scope;
                        assert_eq!(d.allowed, want, "{}", ctx(&format!("{action:?} on {loc}")));
                        cases += 1;
                    }
                    let touches = in_scope
                        || (loc == LOC_A && matches!(grant, GrantCase::CalendarA1View | GrantCase::CalendarA1Book));
                    assert_eq!(
                        authorize(&m, Action::ViewLocation, Object::Location { id: loc }).allowed,
                        touches,
                        "{}",
                        ctx("ViewLocation")
                    );
                    cases += 1;
                    // Clients with history in this location only.
                    let locs = [loc.to_string()];
                    let d =
                        authorize(&m, Action::ViewClient, Object::Client { location_ids: &locs, calendar_ids: &[] });
                    let want = expected_capability(role, &toggles, Toggle::ClientList) && in_scope;
                    assert_eq!(d.allowed, want, "{}", ctx(&format!("ViewClient in {loc}")));
                    cases += 1;
                }
                // Organisation-wide capabilities.
                for (action, want) in [
                    (
                        Action::CreateLocation,
                        expected_capability(role, &toggles, Toggle::BusinessSettings) && expected_org_wide(role, grant),
                    ),
                    (
                        Action::DeleteLocation,
                        expected_capability(role, &toggles, Toggle::BusinessSettings) && expected_org_wide(role, grant),
                    ),
                    (
                        Action::ManageServices,
                        expected_capability(role, &toggles, Toggle::BusinessSettings) && expected_org_wide(role, grant),
                    ),
                    (Action::ViewMembers, expected_capability(role, &toggles, Toggle::UserManagement)),
                    (Action::ManageTeams, expected_capability(role, &toggles, Toggle::UserManagement)),
                    (Action::ManageApiKeys, expected_capability(role, &toggles, Toggle::ApiIntegrations)),
                    (Action::ManageWebhooks, expected_capability(role, &toggles, Toggle::ApiIntegrations)),
                    (Action::ManageIntegrations, expected_capability(role, &toggles, Toggle::ApiIntegrations)),
                    (Action::ViewAuditLog, expected_capability(role, &toggles, Toggle::AuditLog)),
                    (Action::ManageOrgSettings, matches!(role, Role::Owner | Role::Administrator)),
                    (Action::TransferOwnership, role == Role::Owner),
                    (Action::DeleteOrg, role == Role::Owner),
                ] {
                    assert_eq!(authorize(&m, action, Object::Org).allowed, want, "{}", ctx(&format!("{action:?}")));
                    cases += 1;
                }
                // People: acting on each role working in each place, and on oneself. Members
                // limited to some locations act only on members working inside them.
                let footprints = [
                    ("nowhere", Footprint::default(), true),
                    ("in-a", Footprint { org: false, locations: vec![LOC_A.into()] }, false),
                    ("in-b", Footprint { org: false, locations: vec![LOC_B.into()] }, false),
                    ("in-a-and-b", Footprint { org: false, locations: vec![LOC_A.into(), LOC_B.into()] }, false),
                    ("org-wide", Footprint { org: true, locations: vec![] }, false),
                ];
                for (fname, fp, nowhere) in &footprints {
                    let inside = expected_org_wide(role, grant)
                        || (!fp.org
                            && (*nowhere || fp.locations.iter().all(|l| expected_in_location_scope(role, grant, l))));
                    for target in Role::ALL {
                        let over = match role {
                            Role::Owner => true,
                            Role::Administrator => target != Role::Owner,
                            _ => matches!(target, Role::Staff | Role::Assistant),
                        };
                        let manages = expected_capability(role, &toggles, Toggle::UserManagement);
                        let want = manages && over && inside;
                        let colleague = Object::Member { membership_id: COLLEAGUE, role: target, footprint: fp };
                        for action in
                            [Action::InviteMember, Action::ChangeMember, Action::RemoveMember, Action::ExplainAccess]
                        {
                            let d = authorize(&m, action, colleague);
                            assert_eq!(d.allowed, want, "{}", ctx(&format!("{action:?} over {target:?} {fname}")));
                            let me = authorize(&m, action, Object::Member { membership_id: ME, role, footprint: fp });
                            assert!(!me.allowed, "{}", ctx("acting on own membership"));
                            assert_eq!(me.reason, Reason::OwnMembership);
                            cases += 2;
                        }
                        // Seeing them in the list: organisation-wide, everyone; limited to some
                        // locations, the staff and assistants working inside them; oneself, always.
                        let sees = manages
                            && (expected_org_wide(role, grant)
                                || (matches!(target, Role::Staff | Role::Assistant) && inside));
                        assert_eq!(
                            authorize(&m, Action::ViewMembers, colleague).allowed,
                            sees,
                            "{}",
                            ctx(&format!("ViewMembers of {target:?} {fname}"))
                        );
                        let me = Object::Member { membership_id: ME, role, footprint: fp };
                        assert!(authorize(&m, Action::ViewMembers, me).allowed, "{}", ctx("seeing oneself"));
                        cases += 2;
                    }
                }
                // An inactive, invited, blocked or removed membership can do nothing.
                for status in [
                    MembershipStatus::Inactive,
                    MembershipStatus::Invited,
                    MembershipStatus::Blocked,
                    MembershipStatus::Removed,
                ] {
                    let mut dead = m.clone();
                    dead.status = status;
                    for action in Action::ALL {
                        assert!(!authorize(&dead, action, Object::Calendar(own_cal())).allowed);
                        assert!(!authorize(&dead, action, Object::Org).allowed);
                        cases += 2;
                    }
                }
            }
        }
    }
    println!("policy matrix: {cases} cases checked");
    assert!(cases > 40_000, "matrix unexpectedly small: {cases}");
}

#[test]
fn allowing_more_never_takes_anything_away() {
    // Monotonicity: adding a grant or switching a toggle on never turns an allowed action
    // into a denied one.
    let objects = [
        Object::Org,
        Object::Location { id: LOC_A },
        Object::Location { id: LOC_B },
        Object::Calendar(colleague_cal()),
        Object::Calendar(far_cal()),
    ];
    let mut checked = 0;
    for role in Role::ALL {
        for grant in GRANT_CASES {
            let base = member(role, Toggles::default(), GrantCase::None);
            let more = member(role, Toggles::default(), grant);
            let all_on = member(role, Toggles(Toggle::ALL.iter().map(|t| (*t, true)).collect()), grant);
            for action in Action::ALL {
                for o in objects {
                    let a = authorize(&base, action, o).allowed;
                    let b = authorize(&more, action, o).allowed;
                    let c = authorize(&all_on, action, o).allowed;
                    assert!(!a || b, "{role:?} {grant:?} {action:?} {o:?}: a grant took a right away");
                    assert!(!b || c, "{role:?} {grant:?} {action:?} {o:?}: a toggle took a right away");
                    checked += 1;
                }
            }
        }
    }
    println!("monotonicity: {checked} cases");
}

#[test]
fn nobody_grants_more_than_they_hold() {
    let manager = member(
        Role::Manager,
        Toggles([(Toggle::UserManagement, true)].into_iter().collect()),
        GrantCase::LocationABook,
    );
    let loc_a = Scope::Location { location_id: LOC_A.into() };
    assert!(may_grant(&manager, &loc_a, Level::View).allowed);
    assert!(may_grant(&manager, &loc_a, Level::Book).allowed);
    assert!(!may_grant(&manager, &loc_a, Level::Manage).allowed);
    assert!(!may_grant(&manager, &Scope::Location { location_id: LOC_B.into() }, Level::View).allowed);
    assert!(!may_grant(&manager, &Scope::Org, Level::View).allowed);
    let cal = Scope::Calendar { location_id: LOC_A.into(), calendar_id: "cal-a1".into() };
    assert!(
        may_grant(&manager, &cal, Level::Manage).allowed,
        "all bookings in location A gives manage on its calendars"
    );
    assert!(
        !may_grant(&manager, &Scope::Calendar { location_id: LOC_B.into(), calendar_id: "cal-b1".into() }, Level::View)
            .allowed
    );
    // Toggles: only what one holds.
    assert!(may_give_toggle(&manager, Toggle::ClientList).allowed);
    assert!(!may_give_toggle(&manager, Toggle::ApiIntegrations).allowed);
    let admin = member(Role::Administrator, Toggles::default(), GrantCase::None);
    assert!(may_grant(&admin, &Scope::Org, Level::Manage).allowed);
    assert!(may_give_toggle(&admin, Toggle::ApiIntegrations).allowed);
}

#[test]
fn decisions_name_what_decided() {
    let staff = member(Role::Staff, Toggles::default(), GrantCase::None);
    assert_eq!(authorize(&staff, Action::ViewBookings, Object::Calendar(own_cal())).reason, Reason::OwnCalendar);
    assert_eq!(authorize(&staff, Action::ViewBookings, Object::Calendar(colleague_cal())).reason, Reason::NotInScope);
    let staff_all = member(Role::Staff, Toggles([(Toggle::AllBookings, true)].into_iter().collect()), GrantCase::None);
    let d = authorize(&staff_all, Action::DeleteBooking, Object::Calendar(colleague_cal()));
    assert!(d.allowed);
    assert_eq!(
        d.reason,
        Reason::AllBookingsInLocation {
            location_id: LOC_A.into(),
            by: Box::new(Reason::ToggleOn { toggle: Toggle::AllBookings })
        }
    );
    let viewer = member(Role::Assistant, Toggles::default(), GrantCase::CalendarA1View);
    let d = authorize(&viewer, Action::CreateBooking, Object::Calendar(colleague_cal()));
    assert!(!d.allowed);
    assert!(matches!(d.reason, Reason::LevelTooLow { have: Level::View, need: Level::Book, .. }));
    let assistant = member(
        Role::Assistant,
        Toggles([(Toggle::BusinessSettings, true)].into_iter().collect()),
        GrantCase::OrgManage,
    );
    let d = authorize(&assistant, Action::ManageLocation, Object::Location { id: LOC_A });
    assert_eq!(d.reason, Reason::RoleCeiling { role: Role::Assistant, toggle: Toggle::BusinessSettings });
    let admin = member(Role::Administrator, Toggles::default(), GrantCase::None);
    let d = authorize(
        &admin,
        Action::RemoveMember,
        Object::Member { membership_id: COLLEAGUE, role: Role::Owner, footprint: Footprint::none() },
    );
    assert_eq!(d.reason, Reason::TargetRoleTooHigh { target: Role::Owner });
}

#[test]
fn action_names_round_trip() {
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(a));
        assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
    }
    for t in Toggle::ALL {
        assert_eq!(Toggle::parse(t.as_str()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
}
