//! The one rule for every change of who holds what, checked from the outside: random
//! organisations, random actors and random sequences of such changes (team membership and
//! grants, member grants, role and toggles, calendar ownership, new calendars, invitations,
//! blocking and unblocking), sent through the real router and services on SQLite. After each
//! step, no member holds a right, anywhere, that they did not hold before and that the actor
//! did not hold either; a refused change writes nothing.

use crate::helpers::{Client, TestApp, owner_with_org};
use axum::http::StatusCode;
use creneau::access::{
    MembershipStatus, Role,
    context::member_view_by_id,
    policy::{Action, CalendarRef, Footprint, MemberView, Object, authorize},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const ORGANISATIONS: u64 = 16;
const STEPS: usize = 14;

struct Org<'a> {
    app: &'a TestApp,
    org: String,
    locations: Vec<String>,
    teams: Vec<String>,
    /// Members who can act (signed in), by membership id.
    clients: Vec<(String, Client<'a>)>,
}

/// Everything of the organisation a right can be about, written here apart from the server's
/// own rule: the organisation, each location, each calendar, clients through each location
/// and calendar, and members of each role working nowhere, anywhere, or in one location.
#[derive(Clone, Debug)]
enum Thing {
    Org,
    Location(String),
    Calendar(String, String),
    ClientsIn(String),
    ClientsOf(String),
    People(Role, Footprint),
}

fn allowed(m: &MemberView, action: Action, t: &Thing) -> bool {
    let one = match t {
        Thing::ClientsIn(x) | Thing::ClientsOf(x) => vec![x.clone()],
        _ => vec![],
    };
    let object = match t {
        Thing::Org => Object::Org,
        Thing::Location(id) => Object::Location { id },
        Thing::Calendar(id, location_id) => Object::Calendar(CalendarRef { id, location_id, owner_member_id: None }),
        Thing::ClientsIn(_) => Object::Client { location_ids: &one, calendar_ids: &[] },
        Thing::ClientsOf(_) => Object::Client { location_ids: &[], calendar_ids: &one },
        Thing::People(role, footprint) => Object::Member { membership_id: "", role: *role, footprint },
    };
    authorize(m, action, object).allowed
}

impl Org<'_> {
    async fn things(&self) -> Vec<Thing> {
        let mut out = vec![Thing::Org];
        let cals: Vec<(String, String)> = sqlx::query_as("SELECT id, location_id FROM calendars WHERE org_id = $1")
            .bind(&self.org)
            .fetch_all(self.app.state.db.pool())
            .await
            .unwrap();
        let mut footprints = vec![Footprint::default(), Footprint { org: true, locations: vec![] }];
        for l in &self.locations {
            out.push(Thing::Location(l.clone()));
            out.push(Thing::ClientsIn(l.clone()));
            footprints.push(Footprint { org: false, locations: vec![l.clone()] });
        }
        for (id, l) in cals {
            out.push(Thing::ClientsOf(id.clone()));
            out.push(Thing::Calendar(id, l));
        }
        for role in Role::ALL {
            for f in &footprints {
                out.push(Thing::People(role, f.clone()));
            }
        }
        out
    }

    /// Each member's view as the server loads it, for those who hold their rights (active
    /// or invited: accepting needs nobody's consent); others hold nothing.
    async fn views(&self) -> BTreeMap<String, Option<MemberView>> {
        let ids: Vec<(String, String)> = sqlx::query_as("SELECT id, status FROM memberships WHERE org_id = $1")
            .bind(&self.org)
            .fetch_all(self.app.state.db.pool())
            .await
            .unwrap();
        let mut out = BTreeMap::new();
        for (id, status) in ids {
            let v = member_view_by_id(&self.app.state, &self.org, &id).await.unwrap().map(|mut v| {
                v.status = MembershipStatus::Active;
                v
            });
            out.insert(id, v.filter(|_| status == "active" || status == "invited"));
        }
        out
    }

    async fn dump(&self) -> String {
        let mut s = String::new();
        for sql in [
            "SELECT id || role || status || toggles FROM memberships WHERE org_id = $1 ORDER BY id",
            "SELECT subject_id || scope || COALESCE(location_id, '') || COALESCE(calendar_id, '') || level FROM grants WHERE org_id = $1 ORDER BY 1",
            "SELECT tm.team_id || tm.member_id FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE t.org_id = $1 ORDER BY 1",
            "SELECT id || location_id || COALESCE(member_id, '') || status FROM calendars WHERE org_id = $1 ORDER BY 1",
        ] {
            let rows: Vec<(String,)> =
                sqlx::query_as(sql).bind(&self.org).fetch_all(self.app.state.db.pool()).await.unwrap();
            for (r,) in rows {
                s.push_str(&r);
                s.push('\n');
            }
        }
        s
    }

    async fn member_ids(&self) -> Vec<String> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM memberships WHERE org_id = $1 AND status <> 'removed' ORDER BY id")
                .bind(&self.org)
                .fetch_all(self.app.state.db.pool())
                .await
                .unwrap();
        rows.into_iter().map(|(id,)| id).collect()
    }

    async fn calendar_ids(&self) -> Vec<String> {
        calendar_ids(self.app, &self.org).await
    }
}

async fn calendar_ids(app: &TestApp, org: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM calendars WHERE org_id = $1 ORDER BY id")
        .bind(org)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

fn random_grants(rng: &mut StdRng, locations: &[String], calendars: &[String]) -> Value {
    let mut out = Vec::new();
    for _ in 0..rng.gen_range(0..3) {
        let level = *["view", "book", "manage"].choose(rng).unwrap();
        out.push(match rng.gen_range(0..4) {
            0 => json!({"scope": "org", "level": level}),
            1 | 2 => json!({"scope": "location", "location_id": locations.choose(rng).unwrap(), "level": level}),
            _ => match calendars.choose(rng) {
                Some(c) => json!({"scope": "calendar", "calendar_id": c, "level": level}),
                None => json!({"scope": "org", "level": level}),
            },
        });
    }
    Value::Array(out)
}

const TOGGLES: [&str; 8] = [
    "all_bookings",
    "client_list",
    "business_settings",
    "statistics",
    "promotion",
    "user_management",
    "api_integrations",
    "audit_log",
];

fn random_toggles(rng: &mut StdRng) -> Value {
    let mut t = serde_json::Map::new();
    for name in TOGGLES {
        if rng.gen_bool(0.35) {
            t.insert(name.into(), Value::Bool(rng.gen_bool(0.6)));
        }
    }
    Value::Object(t)
}

/// Toggles a role may hold at all (the rest is refused as invalid input, not as a right).
fn fit_toggles(role: &str, toggles: &mut Value) {
    let never = |t: &str| match role {
        "staff" => matches!(t, "user_management" | "api_integrations"),
        "assistant" => t != "client_list",
        _ => false,
    };
    if let Some(map) = toggles.as_object_mut() {
        map.retain(|k, _| !never(k));
    }
}

async fn organisation<'a>(app: &'a TestApp, rng: &mut StdRng, n: u64) -> Org<'a> {
    let (owner, org) = owner_with_org(app, &format!("owner{n}@rule.test"), "Règle").await;
    let mut locations = Vec::new();
    for i in 0..rng.gen_range(2..4) {
        let l = owner.org_post(&org, "/locations", json!({"name": format!("Lieu {i}")}), StatusCode::CREATED).await;
        let id = l["id"].as_str().unwrap().to_string();
        owner
            .org_post(&org, "/calendars", json!({"location_id": id, "name": format!("Salle {i}")}), StatusCode::CREATED)
            .await;
        locations.push(id);
    }
    let me = owner.org_get(&org, "/me").await.json()["id"].as_str().unwrap().to_string();
    let mut clients = vec![(me, owner)];
    for i in 0..rng.gen_range(3..6) {
        let role = *["administrator", "manager", "manager", "staff", "staff", "assistant"].choose(rng).unwrap();
        let calendars = calendar_ids(app, &org).await;
        let mut toggles = random_toggles(rng);
        fit_toggles(role, &mut toggles);
        let mut body = json!({"role": role, "toggles": toggles, "grants": random_grants(rng, &locations, &calendars)});
        if role != "assistant" && rng.gen_bool(0.7) {
            body["calendar_location_id"] = json!(locations.choose(rng).unwrap());
        }
        let (c, id) = clients[0].1.join(&org, &format!("m{n}-{i}@rule.test"), body).await;
        clients.push((id, c));
    }
    let mut teams = Vec::new();
    for i in 0..2 {
        let calendars = calendar_ids(app, &org).await;
        let members: Vec<&String> = clients.iter().map(|(id, _)| id).filter(|_| rng.gen_bool(0.3)).collect::<Vec<_>>();
        let t = clients[0]
            .1
            .org_post(
                &org,
                "/teams",
                json!({"name": format!("Équipe {i}"), "grants": random_grants(rng, &locations, &calendars), "member_ids": members}),
                StatusCode::CREATED,
            )
            .await;
        teams.push(t["id"].as_str().unwrap().to_string());
    }
    Org { app, org, locations, teams, clients }
}

/// One random change of who holds what, by `actor`; the status it was answered with.
async fn random_change(o: &Org<'_>, rng: &mut StdRng, actor: &Client<'_>, step: usize) -> (String, StatusCode) {
    let org = &o.org;
    let members = o.member_ids().await;
    let calendars = o.calendar_ids().await;
    let member = members.choose(rng).unwrap().clone();
    let base = format!("/api/v1/orgs/{org}");
    let (what, r) = match rng.gen_range(0..9) {
        0 => {
            let team = o.teams.choose(rng).unwrap();
            let ids: Vec<&String> = members.iter().filter(|_| rng.gen_bool(0.4)).collect();
            ("team members", actor.patch_json(&format!("{base}/teams/{team}"), json!({"member_ids": ids})).await)
        }
        1 => {
            let team = o.teams.choose(rng).unwrap();
            let grants = random_grants(rng, &o.locations, &calendars);
            ("team grants", actor.patch_json(&format!("{base}/teams/{team}"), json!({"grants": grants})).await)
        }
        2 => {
            let grants = random_grants(rng, &o.locations, &calendars);
            (
                "member grants",
                actor.put_json(&format!("{base}/members/{member}/grants"), json!({"grants": grants})).await,
            )
        }
        3 => {
            let toggles = random_toggles(rng);
            ("toggles", actor.patch_json(&format!("{base}/members/{member}"), json!({"toggles": toggles})).await)
        }
        4 => {
            let role = *["administrator", "manager", "staff"].choose(rng).unwrap();
            ("role", actor.patch_json(&format!("{base}/members/{member}"), json!({"role": role})).await)
        }
        5 => {
            let cal = calendars.choose(rng).unwrap();
            ("calendar owner", actor.patch_json(&format!("{base}/calendars/{cal}"), json!({"member_id": member})).await)
        }
        6 => {
            let verb = if rng.gen_bool(0.5) { "block" } else { "unblock" };
            (verb, actor.post_json(&format!("{base}/members/{member}/{verb}"), json!({})).await)
        }
        7 => {
            let role = *["manager", "staff", "assistant"].choose(rng).unwrap();
            let mut toggles = random_toggles(rng);
            fit_toggles(role, &mut toggles);
            let mut body = json!({"email": format!("new{step}-{}@rule.test", rng.r#gen::<u32>()), "first_name": "N",
                "last_name": "M", "role": role, "toggles": toggles, "grants": random_grants(rng, &o.locations, &calendars)});
            if role != "assistant" && rng.gen_bool(0.5) {
                body["calendar_location_id"] = json!(o.locations.choose(rng).unwrap());
            }
            ("invite", actor.post_json(&format!("{base}/members"), body).await)
        }
        _ => {
            let body = json!({"location_id": o.locations.choose(rng).unwrap(), "name": format!("C{step}"), "member_id": member});
            ("new calendar", actor.post_json(&format!("{base}/calendars"), body).await)
        }
    };
    assert!(r.status.as_u16() < 500, "{what}: {} {}", r.status, r.text());
    (what.to_string(), r.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_ends_up_holding_what_the_actor_could_not_grant() {
    let (mut changes, mut accepted, mut refused_by_rule, mut rights_checked) = (0u64, 0u64, 0u64, 0u64);
    let mut kinds: BTreeSet<String> = BTreeSet::new();
    for n in 0..ORGANISATIONS {
        let app = TestApp::sqlite().await;
        let mut rng = StdRng::seed_from_u64(0xC0FFEE + n);
        let o = organisation(&app, &mut rng, n).await;
        for step in 0..STEPS {
            // Any active member may try; most attempts come from those who manage something.
            let active: Vec<(String, String)> =
                sqlx::query_as("SELECT id, status FROM memberships WHERE org_id = $1 AND status = 'active'")
                    .bind(&o.org)
                    .fetch_all(app.state.db.pool())
                    .await
                    .unwrap();
            let candidates: Vec<&(String, Client<'_>)> =
                o.clients.iter().skip(1).filter(|(id, _)| active.iter().any(|(a, _)| a == id)).collect();
            let Some((actor_id, actor)) =
                (if rng.gen_bool(0.1) { Some(&o.clients[0]) } else { candidates.choose(&mut rng).copied() })
            else {
                continue;
            };
            let before = o.views().await;
            let before_dump = o.dump().await;
            let things_before = o.things().await;
            let (what, status) = random_change(&o, &mut rng, actor, step).await;
            changes += 1;
            let after = o.views().await;
            if !status.is_success() {
                assert_eq!(o.dump().await, before_dump, "seed {n} step {step}: a refused {what} wrote something");
                if status == StatusCode::FORBIDDEN {
                    refused_by_rule += 1;
                }
                continue;
            }
            accepted += 1;
            kinds.insert(what.clone());
            let actor_view = before.get(actor_id).cloned().flatten().expect("the actor was active");
            let mut things = o.things().await;
            things.extend(things_before);
            for (id, now) in &after {
                let Some(now) = now else { continue };
                let was = before.get(id).cloned().flatten();
                for t in &things {
                    for action in Action::ALL {
                        rights_checked += 1;
                        if allowed(now, action, t)
                            && !was.as_ref().is_some_and(|w| allowed(w, action, t))
                            && !allowed(&actor_view, action, t)
                        {
                            panic!(
                                "seed {n} step {step}: {what} by {actor_id} gave {id} {action:?} on {t:?}, which the actor did not hold"
                            );
                        }
                    }
                }
            }
        }
    }
    println!(
        "rights rule: {ORGANISATIONS} organisations, {changes} changes ({accepted} accepted, {refused_by_rule} refused with 403), {rights_checked} rights checked; accepted kinds: {kinds:?}"
    );
    assert!(accepted > 20 && refused_by_rule > 20, "the run must exercise both outcomes");
    assert!(kinds.len() >= 6, "most kinds of change were accepted at least once: {kinds:?}");
}
