//! Rights gained sideways (issue 11's findings): team membership, calendar ownership, a
//! client shared between branches, user management limited to a branch, "all bookings" and
//! a booking's client. Each write that changes who holds what is judged like a grant.

use crate::helpers::{Client, TestApp, dual, id, id_where, owner_with_org};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    a_manager_cannot_join_or_fill_a_team_that_holds_more,
    a_view_grant_does_not_become_manage_by_taking_the_calendar,
    a_branch_manager_sees_only_their_branch_of_a_shared_client,
    user_management_is_limited_to_the_branch,
    all_bookings_is_about_bookings_not_calendar_settings,
    a_bookings_client_is_one_the_booker_may_see,
    activating_or_unblocking_is_judged_like_a_grant,
);

/// Two branches, Nord and Sud, each with a staff member's own calendar, and one client with
/// a booking in each (the Sud one with a note).
struct Chain<'a> {
    owner: Client<'a>,
    org: String,
    nord: String,
    sud: String,
    nord_cal: String,
    sud_cal: String,
    nord_staff: String,
    sud_staff: String,
    client: String,
    nord_booking: String,
    sud_booking: String,
}

async fn chain(app: &TestApp) -> Chain<'_> {
    let (owner, org) = owner_with_org(app, "owner@chain.fr", "Chaîne").await;
    let nord = owner.create(&org, "/locations", json!({"name": "Nord"})).await;
    let sud = owner.create(&org, "/locations", json!({"name": "Sud"})).await;
    let (_, nord_staff) = owner
        .join(&org, "nora@chain.fr", json!({"role": "staff", "calendar_location_id": nord, "first_name": "Nora"}))
        .await;
    let (_, sud_staff) = owner
        .join(&org, "sami@chain.fr", json!({"role": "staff", "calendar_location_id": sud, "first_name": "Sami"}))
        .await;
    let cals = owner.org_get(&org, "/calendars").await.json();
    let cal_of = |member: &str| id_where(&cals, "member_id", member);
    let (nord_cal, sud_cal) = (cal_of(&nord_staff), cal_of(&sud_staff));
    let client = owner
        .create(&org, "/clients", json!({"first_name": "Karine", "last_name": "Partagée", "email": "karine@example.fr", "phone": "+33612345678"})).await;
    let book = |cal: String, start: &'static str, notes: &'static str| json!({"calendar_id": cal, "start": start, "end": null, "client_id": client, "notes": notes, "override_hours": true});
    let nord_booking =
        owner.create(&org, "/bookings", book(nord_cal.clone(), "2026-03-04T09:00:00+01:00", "coupe")).await;
    let sud_booking = owner
        .create(&org, "/bookings", book(sud_cal.clone(), "2026-03-05T09:00:00+01:00", "note du Sud confidentielle"))
        .await;
    Chain { owner, org, nord, sud, nord_cal, sud_cal, nord_staff, sud_staff, client, nord_booking, sud_booking }
}

impl<'a> Chain<'a> {
    /// Someone the owner invites (role, toggles, grants… in `body`), signed in.
    async fn join(&self, email: &str, body: Value) -> (Client<'a>, String) {
        self.owner.join(&self.org, email, body).await
    }

    /// A manager of Nord at `level`, with these `toggles`, signed in.
    async fn nord_manager(&self, email: &str, toggles: Value, level: &str) -> (Client<'a>, String) {
        self.join(email, json!({"role": "manager", "toggles": toggles, "grants": self.in_nord(level)})).await
    }

    /// A grant on the Nord location at `level`.
    fn in_nord(&self, level: &str) -> Value {
        json!([{"scope": "location", "location_id": self.nord, "level": level}])
    }
}

async fn a_manager_cannot_join_or_fill_a_team_that_holds_more(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    let team = c
        .owner
        .create(org, "/teams", json!({"name": "Direction", "grants": [{"scope": "org", "level": "manage"}]}))
        .await;
    let (mgr, mgr_id) = c.nord_manager("manon@chain.fr", json!({"user_management": true}), "manage").await;
    let team_path = format!("/api/v1/orgs/{org}/teams/{team}");
    let sud_booking = format!("/bookings/{}", c.sud_booking);
    mgr.org_get(org, &sud_booking).await.assert(StatusCode::NOT_FOUND);
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    // Joining it herself: refused, nothing written, the Sud booking still unseen.
    mgr.patch_json(&team_path, json!({"member_ids": [mgr_id]}))
        .await
        .problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    // Putting a Nord staff member in it: refused too (they would hold the organisation).
    mgr.patch_json(&team_path, json!({"member_ids": [c.nord_staff]}))
        .await
        .problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    // A Sud staff member is not hers to move at all.
    mgr.patch_json(&team_path, json!({"member_ids": [c.sud_staff]}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // The team page form does the same (its grants as they are, one member more)…
    let team_page = format!("/teams/{team}");
    let page = mgr.post_form(&team_page, &[("name", "Direction"), ("grant_org", "manage"), ("member", &mgr_id)]).await;
    page.assert(StatusCode::FORBIDDEN);
    assert!(page.text().contains("Direction"), "the refusal is shown on the team page");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM team_members WHERE team_id = '{team}'")).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit_before, "refusals write nothing");
    // … while the same form without her is no gain for anyone, and is saved.
    mgr.post_form(&team_page, &[("name", "Direction"), ("grant_org", "manage")]).await.assert(StatusCode::SEE_OTHER);
    mgr.org_get(org, &sud_booking).await.assert(StatusCode::NOT_FOUND);
    // A team within her own rights is hers to fill.
    let nord_team = mgr
        .create(
            org,
            "/teams",
            json!({"name": "Nord", "grants": c.in_nord("view"),
                   "member_ids": [c.nord_staff]}),
        )
        .await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM team_members WHERE team_id = '{nord_team}'")).await, 1);
    // The owner holds all of it: she may put the manager in Direction.
    c.owner.patch_json(&team_path, json!({"member_ids": [mgr_id]})).await.assert(StatusCode::OK);
    mgr.org_get(org, &sud_booking).await.assert(StatusCode::OK);
}

async fn a_view_grant_does_not_become_manage_by_taking_the_calendar(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    // A manager who sees Nord's bookings but does not manage them.
    let (viewer, viewer_id) = c.nord_manager("victor@chain.fr", json!({"all_bookings": false}), "view").await;
    let booking = format!("/api/v1/orgs/{org}/bookings/{}", c.nord_booking);
    let cal = format!("/api/v1/orgs/{org}/calendars/{}", c.nord_cal);
    viewer.post_json(&format!("{booking}/cancel"), json!({})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    viewer.patch_json(&cal, json!({"member_id": viewer_id})).await.problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    let moved = json!({"start": "2026-03-04T11:00:00+01:00", "override_hours": true});
    viewer.patch_json(&booking, moved.clone()).await.problem(StatusCode::FORBIDDEN, "forbidden");
    let owner_now = c.owner.org_get(org, &format!("/calendars/{}", c.nord_cal)).await.json();
    assert_eq!(owner_now["member_id"], c.nord_staff.as_str());
    // Nor a new calendar of her own in Nord (it would be hers to manage).
    viewer
        .post_json(
            &format!("/api/v1/orgs/{org}/calendars"),
            json!({"location_id": c.nord, "name": "Mine", "member_id": viewer_id}),
        )
        .await
        .problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    // A resource calendar with no owner hands nobody anything new: fine.
    viewer
        .post_json(&format!("/api/v1/orgs/{org}/calendars"), json!({"location_id": c.nord, "name": "Salle"}))
        .await
        .assert(StatusCode::CREATED);

    // A staff member with business settings and a view grant on someone's calendar.
    let (staff, staff_id) = c
        .join(
            "stella@chain.fr",
            json!({"role": "staff", "calendar_location_id": c.nord, "toggles": {"business_settings": true},
               "grants": [{"scope": "calendar", "calendar_id": c.nord_cal, "level": "view"}]}),
        )
        .await;
    staff.post_json(&format!("{booking}/cancel"), json!({})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    staff.patch_json(&cal, json!({"member_id": staff_id})).await.problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    staff.patch_json(&booking, moved).await.problem(StatusCode::FORBIDDEN, "forbidden");
    let b = c.owner.org_get(org, &format!("/bookings/{}", c.nord_booking)).await.json();
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["start"], "2026-03-04T08:00:00Z");
    // The owner may hand the calendar over.
    c.owner.patch_json(&cal, json!({"member_id": staff_id})).await.assert(StatusCode::OK);
    staff.post_json(&format!("{booking}/cancel"), json!({})).await.assert(StatusCode::OK);
}

async fn a_branch_manager_sees_only_their_branch_of_a_shared_client(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    let (mgr, _) = c.join("nadia@chain.fr", json!({"role": "manager", "grants": c.in_nord("manage")})).await;
    let detail = mgr.org_get(org, &format!("/clients/{}", c.client)).await;
    detail.assert(StatusCode::OK);
    let history: Vec<String> =
        detail.json()["history"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(history, [c.nord_booking.as_str()], "only the Nord booking");
    assert_eq!(detail.json()["visit_count"], 0, "no past visit yet");
    let export = mgr.org_get(org, &format!("/clients/{}/export", c.client)).await;
    export.assert(StatusCode::OK);
    let text = export.text();
    assert!(!text.contains("confidentielle") && !text.contains(&c.sud_booking), "{text}");
    assert!(text.contains(&c.nord_booking));
    // Merging rewrites Sud's bookings too: not for a Nord manager.
    let dup = c.owner.create(org, "/clients", json!({"first_name": "Karine", "last_name": "Doublon"})).await;
    c.owner
        .org_post(
            org,
            "/bookings",
            json!({"calendar_id": c.nord_cal, "start": "2026-03-06T09:00:00+01:00", "client_id": dup, "override_hours": true}),
            StatusCode::CREATED,
        )
        .await;
    mgr.post_json(&format!("/api/v1/orgs/{org}/clients/{dup}/merge"), json!({"duplicate_id": c.client}))
        .await
        .problem(StatusCode::FORBIDDEN, "client-beyond-scope");
    // The owner sees the whole history.
    let all = c.owner.org_get(org, &format!("/clients/{}", c.client)).await.json();
    assert_eq!(all["history"].as_array().unwrap().len(), 2);
    assert!(c.owner.org_get(org, &format!("/clients/{}/export", c.client)).await.text().contains("confidentielle"));
}

async fn user_management_is_limited_to_the_branch(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    let (mgr, mgr_id) = c.nord_manager("marc@chain.fr", json!({"user_management": true}), "manage").await;
    let list = mgr.org_get(org, "/members").await.json();
    let mut seen: Vec<String> = list.as_array().unwrap().iter().map(id).collect();
    seen.sort();
    let mut want = vec![mgr_id.clone(), c.nord_staff.clone()];
    want.sort();
    assert_eq!(seen, want, "herself and Nord's staff; not Sud's, not the owner");
    assert!(!list.to_string().contains("sami@chain.fr") && !list.to_string().contains("owner@chain.fr"));
    let members = format!("/api/v1/orgs/{org}/members");
    let sud = &c.sud_staff;
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    mgr.org_get(org, &format!("/members/{sud}")).await.assert(StatusCode::NOT_FOUND);
    mgr.post_json(&format!("{members}/{sud}/block"), json!({})).await.assert(StatusCode::NOT_FOUND);
    mgr.patch_json(&format!("{members}/{sud}"), json!({"toggles": {"client_list": true}}))
        .await
        .assert(StatusCode::NOT_FOUND);
    mgr.org_get(org, &format!("/members/{sud}/preview")).await.assert(StatusCode::NOT_FOUND);
    mgr.org_get(org, &format!("/members/{sud}/explain?action=view_bookings&object_type=org"))
        .await
        .assert(StatusCode::NOT_FOUND);
    // Inviting someone to work in Sud: refused.
    mgr.post_json(
        &members,
        json!({"email": "new@chain.fr", "first_name": "N", "last_name": "S", "role": "staff",
               "grants": [{"scope": "location", "location_id": c.sud, "level": "view"}]}),
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    // The pages answer the same.
    let team = mgr.get("/team").await;
    team.assert(StatusCode::OK);
    assert!(team.text().contains("nora@chain.fr") && !team.text().contains("sami@chain.fr"));
    mgr.get(&format!("/team/{sud}")).await.assert(StatusCode::NOT_FOUND);
    mgr.post_form(&format!("/team/{sud}/block"), &[]).await.assert(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit_before, "refusals write nothing");
    let s = c.owner.org_get(org, &format!("/members/{sud}")).await.json();
    assert_eq!(s["status"], "active");
    // A team with members she does not see: saving its page keeps them.
    let mixte = c
        .owner
        .create(
            org,
            "/teams",
            json!({"name": "Mixte", "grants": c.in_nord("view"),
                       "member_ids": [sud]}),
        )
        .await;
    let field = format!("grant_loc_{}", c.nord);
    mgr.post_form(&format!("/teams/{mixte}"), &[("name", "Mixte"), (&field, "view"), ("member", &c.nord_staff)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let mut kept = c.owner.org_get(org, &format!("/teams/{mixte}")).await.json()["member_ids"].clone();
    kept.as_array_mut().unwrap().sort_by_key(|v| v.to_string());
    let mut want = json!([c.nord_staff, sud]);
    want.as_array_mut().unwrap().sort_by_key(|v| v.to_string());
    assert_eq!(kept, want);
    // She sees only the members she may see, in the API as on the page…
    let hers = mgr.org_get(org, &format!("/teams/{mixte}")).await.json();
    assert_eq!(hers["member_ids"], json!([c.nord_staff]));
    assert!(!mgr.org_get(org, "/teams").await.text().contains(sud.as_str()));
    // … and emptying the team through the API takes out only those.
    mgr.patch_json(&format!("/api/v1/orgs/{org}/teams/{mixte}"), json!({"member_ids": []}))
        .await
        .assert(StatusCode::OK);
    let left = c.owner.org_get(org, &format!("/teams/{mixte}")).await.json();
    assert_eq!(left["member_ids"], json!([sud]));
    // Nord's staff member is hers to manage.
    mgr.post_json(&format!("{members}/{}/block", c.nord_staff), json!({})).await.assert(StatusCode::OK);
}

async fn all_bookings_is_about_bookings_not_calendar_settings(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    let owner_me = c.owner.org_get(org, "/me").await.json();
    let owner_member = id(&owner_me);
    let owner_cal = c
        .owner
        .create(org, "/calendars", json!({"location_id": c.nord, "name": "Agenda d'Olivia", "member_id": owner_member}))
        .await;
    let b = c
        .owner
        .create(
            org,
            "/bookings",
            json!({"calendar_id": owner_cal, "start": "2026-03-04T15:00:00+01:00", "override_hours": true}),
        )
        .await;
    let (staff, _) = c
        .join(
            "alex@chain.fr",
            json!({"role": "staff", "calendar_location_id": c.nord, "toggles": {"all_bookings": true}}),
        )
        .await;
    let cal = format!("/api/v1/orgs/{org}/calendars/{owner_cal}");
    staff.patch_json(&cal, json!({"name": "Renamed"})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    staff.put_json(&format!("{cal}/hours"), json!({"weekly": []})).await.assert(StatusCode::FORBIDDEN);
    let form = [
        ("name", "Renamed"),
        ("time_zone", "Europe/Paris"),
        ("default_length_min", "15"),
        ("day_start", "08:00"),
        ("day_end", "19:00"),
        ("split", "13:00"),
        ("status", "active"),
    ];
    staff.post_form(&format!("/calendars/{owner_cal}"), &form).await.assert(StatusCode::FORBIDDEN);
    let now = c.owner.org_get(org, &format!("/calendars/{owner_cal}")).await.json();
    assert_eq!(now["name"], "Agenda d'Olivia");
    // Bookings, yes: move and cancel the owner's booking.
    let booking = format!("/api/v1/orgs/{org}/bookings/{b}");
    staff
        .patch_json(&booking, json!({"start": "2026-03-04T16:00:00+01:00", "override_hours": true}))
        .await
        .assert(StatusCode::OK);
    staff.post_json(&format!("{booking}/cancel"), json!({})).await.assert(StatusCode::OK);
}

async fn a_bookings_client_is_one_the_booker_may_see(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    let (staff, _) = c.join("bea@chain.fr", json!({"role": "staff", "calendar_location_id": c.nord})).await;
    let own_cal = {
        let cals = staff.org_get(org, "/calendars").await.json();
        id(cals.as_array().unwrap().iter().find(|x| x["access"] == "manage").unwrap())
    };
    let mails_before = app.mails_to("karine@example.fr").await.len();
    let bookings = format!("/api/v1/orgs/{org}/bookings");
    staff
        .post_json(
            &bookings,
            json!({"calendar_id": own_cal, "start": "2026-03-04T10:00:00+01:00", "client_id": c.client, "override_hours": true}),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(app.mails_to("karine@example.fr").await.len(), mails_before, "the client heard nothing");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM bookings WHERE client_id = '{}'", c.client)).await, 2);
    // A client given by name and contact in the booking: a new client, named on the booking.
    let made = staff
        .post_json(
            &bookings,
            json!({"calendar_id": own_cal, "start": "2026-03-04T10:00:00+01:00", "override_hours": true,
                   "client": {"first_name": "Paul", "last_name": "Nouveau", "phone": "+33698765432", "email": "paul@example.fr"}}),
        )
        .await;
    made.assert(StatusCode::CREATED);
    let b = made.json();
    assert_ne!(b["client"]["id"], c.client.as_str());
    let new_client = b["client"]["id"].as_str().unwrap();
    let audited =
        format!("SELECT COUNT(*) FROM audit_log WHERE action = 'client.created' AND object_id = '{new_client}'");
    assert_eq!(app.count(&audited).await, 1, "the new client is in the audit trail");
    // Without the client-list right: the name and phone of who is coming, not the email.
    assert_eq!(b["client"]["last_name"], "Nouveau");
    assert_eq!(b["client"]["phone"], "+33698765432");
    assert!(b["client"]["email"].is_null(), "{b}");
    staff
        .org_get(org, &format!("/clients/{}", b["client"]["id"].as_str().unwrap()))
        .await
        .assert(StatusCode::FORBIDDEN);
    // With the client list in Nord, Nord's clients may be chosen.
    let (mgr, _) = c.join("nico@chain.fr", json!({"role": "manager", "grants": c.in_nord("manage")})).await;
    mgr.post_json(
        &bookings,
        json!({"calendar_id": c.nord_cal, "start": "2026-03-04T14:00:00+01:00", "client_id": c.client, "override_hours": true}),
    )
    .await
    .assert(StatusCode::CREATED);
    let _ = c.sud_cal;
}

async fn activating_or_unblocking_is_judged_like_a_grant(app: TestApp) {
    let c = chain(&app).await;
    let org = &c.org;
    // A manager who books in Nord (no more: neither "all bookings" nor business settings)
    // and manages its staff.
    let (mgr, _) = c
        .nord_manager(
            "mila@chain.fr",
            json!({"user_management": true, "all_bookings": false, "business_settings": false}),
            "book",
        )
        .await;
    // The owner prepared, without sending it, a Nord member who will manage Nord.
    let prepared = c
        .owner
        .org_post(
            org,
            "/members",
            json!({"email": "paul@chain.fr", "first_name": "Paul", "last_name": "Prêt", "role": "staff",
                   "send_invitation": false,
                   "grants": c.in_nord("manage")}),
            StatusCode::CREATED,
        )
        .await;
    let id = id(&prepared);
    let members = format!("/api/v1/orgs/{org}/members");
    mgr.post_json(&format!("{members}/{id}/activate"), json!({}))
        .await
        .problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    assert!(app.mails_to("paul@chain.fr").await.is_empty(), "no invitation went out");
    c.owner.org_post(org, &format!("/members/{id}/activate"), json!({}), StatusCode::OK).await;
    // Blocking takes rights away: hers to do; unblocking gives them back: not hers.
    c.owner
        .put_json(&format!("{members}/{}/grants", c.nord_staff), json!({"grants": c.in_nord("manage")}))
        .await
        .assert(StatusCode::OK);
    mgr.post_json(&format!("{members}/{}/block", c.nord_staff), json!({})).await.assert(StatusCode::OK);
    mgr.post_json(&format!("{members}/{}/unblock", c.nord_staff), json!({}))
        .await
        .problem(StatusCode::FORBIDDEN, "exceeds-own-rights");
    let s = c.owner.org_get(org, &format!("/members/{}", c.nord_staff)).await.json();
    assert_eq!(s["status"], "blocked");
    c.owner.post_json(&format!("{members}/{}/unblock", c.nord_staff), json!({})).await.assert(StatusCode::OK);
}
