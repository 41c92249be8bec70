//! Access management end to end: the seed scenarios, invitations, escalation attempts,
//! immediate effect of changes, explain-access.

use crate::helpers::{
    PASSWORD, TestApp, dual, id_where, in_calendar, in_location, link_token, owner_with_org, role_with,
};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    staff_sees_own_calendar_until_all_bookings_and_client_list,
    manager_is_limited_to_one_branch_and_revocation_is_immediate,
    assistant_works_on_two_granted_calendars,
    advisor_created_inactive_then_activated,
    member_assigned_one_location_and_two_of_its_calendars,
    invitations_work_for_existing_and_new_accounts,
    invitation_tokens_are_single_use_expiring_and_revocable,
    nobody_grants_more_than_they_hold,
    owners_are_protected_and_the_last_owner_stays,
    requests_carrying_foreign_ids_are_refused,
    blocked_and_removed_members_lose_access_at_once,
    two_owners_removing_each_other_at_once_leave_one_owner,
    an_undecodable_organisation_in_the_path_is_not_the_sessions_organisation,
);

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
}

async fn location(c: &crate::helpers::Client<'_>, org: &str, name: &str) -> String {
    c.create(org, "/locations", json!({"name": name})).await
}

async fn resource(c: &crate::helpers::Client<'_>, org: &str, loc: &str, name: &str) -> String {
    c.create(org, "/calendars", json!({"location_id": loc, "name": name})).await
}

async fn staff_sees_own_calendar_until_all_bookings_and_client_list(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@salon.fr", "Salon").await;
    let loc = location(&owner, &org, "Centre").await;
    let (sam, sam_id) = owner.join(&org, "sam@salon.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let (_tom, _) = owner.join(&org, "tom@salon.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let all = owner.org_get(&org, "/calendars").await.json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let sam_cal = id_where(&all, "member_id", &sam_id);
    let tom_cal = all.as_array().unwrap().iter().find(|c| c["member_id"] != sam_id.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Only their own calendar, with manage access.
    let mine = sam.org_get(&org, "/calendars").await.json();
    assert_eq!(ids(&mine), [sam_cal.as_str()]);
    assert_eq!(mine[0]["access"], "manage");
    sam.org_get(&org, &format!("/calendars/{tom_cal}")).await.problem(StatusCode::NOT_FOUND, "not-found");
    sam.patch_json(&format!("/api/v1/orgs/{org}/calendars/{tom_cal}"), json!({"name": "x"}))
        .await
        .problem(StatusCode::NOT_FOUND, "not-found");
    sam.org_get(&org, "/members").await.problem(StatusCode::FORBIDDEN, "forbidden");
    let explain = |action: &str, t: &str, id: &str| {
        format!("/members/{sam_id}/explain?action={action}&object_type={t}&object_id={id}")
    };
    let e = owner.org_get(&org, &explain("view_bookings", "calendar", &tom_cal)).await.json();
    assert_eq!(e["decision"]["allowed"], false);
    assert_eq!(e["decision"]["reason"]["kind"], "not_in_scope");
    let e = owner.org_get(&org, &explain("export_clients", "location", &loc)).await.json();
    assert_eq!(e["decision"]["allowed"], false);
    assert_eq!(e["decision"]["reason"]["kind"], "toggle_off");

    // The owner switches on "all bookings" and "client list": effective on the next request.
    let r = owner
        .patch_json(
            &format!("/api/v1/orgs/{org}/members/{sam_id}"),
            json!({"toggles": {"all_bookings": true, "client_list": true}}),
        )
        .await;
    r.assert(StatusCode::OK);
    assert_eq!(r.json()["rights"]["all_bookings"], true);
    let now = sam.org_get(&org, "/calendars").await.json();
    assert_eq!(now.as_array().unwrap().len(), 2);
    let e = owner.org_get(&org, &explain("delete_booking", "calendar", &tom_cal)).await.json();
    assert_eq!(e["decision"]["allowed"], true, "{e}");
    assert_eq!(e["decision"]["reason"]["kind"], "all_bookings_in_location");
    assert!(
        e["text"].as_str().unwrap().contains("Toutes les réservations")
            || e["text"].as_str().unwrap().contains("All bookings")
    );
    let e = owner.org_get(&org, &explain("export_clients", "location", &loc)).await.json();
    assert_eq!(e["decision"]["allowed"], true, "{e}");
    // Still not a manager of the business.
    sam.patch_json(&format!("/api/v1/orgs/{org}/locations/{loc}"), json!({"name": "Renamed"}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // Every change was audited with its actor.
    let n = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE org_id = '{org}' AND action = 'member.updated'"))
        .await;
    assert_eq!(n, 1);
}

async fn manager_is_limited_to_one_branch_and_revocation_is_immediate(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@chain.fr", "Chain").await;
    let paris = location(&owner, &org, "Paris").await;
    let lyon = location(&owner, &org, "Lyon").await;
    let lyon_cal = resource(&owner, &org, &lyon, "Lyon room").await;
    let (mgr, mgr_id) =
        owner.join(&org, "manager@chain.fr", role_with("manager", [in_location(&paris, "manage")])).await;
    assert_eq!(ids(&mgr.org_get(&org, "/locations").await.json()), [paris.as_str()]);
    mgr.org_get(&org, &format!("/locations/{lyon}")).await.problem(StatusCode::NOT_FOUND, "not-found");
    mgr.org_get(&org, &format!("/calendars/{lyon_cal}")).await.assert(StatusCode::NOT_FOUND);
    mgr.patch_json(&format!("/api/v1/orgs/{org}/locations/{lyon}"), json!({"name": "Mine now"}))
        .await
        .assert(StatusCode::NOT_FOUND);
    mgr.patch_json(&format!("/api/v1/orgs/{org}/locations/{paris}"), json!({"address": "1 rue de Rivoli"}))
        .await
        .assert(StatusCode::OK);
    let paris_cal = resource(&mgr, &org, &paris, "Paris room").await;
    let r =
        mgr.post_json(&format!("/api/v1/orgs/{org}/calendars"), json!({"location_id": lyon, "name": "Sneaky"})).await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Managers cannot create locations (organisation-wide business settings).
    mgr.post_json(&format!("/api/v1/orgs/{org}/locations"), json!({"name": "Marseille"}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // Revoking the grant stops the very next request.
    owner
        .put_json(&format!("/api/v1/orgs/{org}/members/{mgr_id}/grants"), json!({"grants": []}))
        .await
        .assert(StatusCode::OK);
    mgr.org_get(&org, &format!("/locations/{paris}")).await.assert(StatusCode::NOT_FOUND);
    mgr.org_get(&org, &format!("/calendars/{paris_cal}")).await.assert(StatusCode::NOT_FOUND);
    assert_eq!(mgr.org_get(&org, "/locations").await.json(), json!([]));
}

async fn assistant_works_on_two_granted_calendars(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@cabinet.fr", "Cabinet").await;
    let loc = location(&owner, &org, "Cabinet").await;
    let (_dr_a, dr_a) = owner.join(&org, "a@cabinet.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let (_dr_b, _) = owner.join(&org, "b@cabinet.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let (_dr_c, _) = owner.join(&org, "c@cabinet.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    let cals = owner.org_get(&org, "/calendars").await.json();
    let cal_ids = ids(&cals);
    let (c1, c2, c3) = (&cal_ids[0], &cal_ids[1], &cal_ids[2]);
    // An assistant has no calendar of their own.
    owner
        .post_json(
            &format!("/api/v1/orgs/{org}/members"),
            json!({"email": "x@cabinet.fr", "first_name": "X", "last_name": "Y", "role": "assistant", "calendar_location_id": loc}),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let (sec, sec_id) = owner
        .join(&org, "secretaire@cabinet.fr", role_with("assistant", [in_calendar(c1, "book"), in_calendar(c2, "book")]))
        .await;
    let seen = sec.org_get(&org, "/calendars").await.json();
    let mut seen_ids = ids(&seen);
    seen_ids.sort();
    let mut want = vec![c1.clone(), c2.clone()];
    want.sort();
    assert_eq!(seen_ids, want);
    assert!(seen.as_array().unwrap().iter().all(|c| c["access"] == "book"));
    sec.org_get(&org, &format!("/calendars/{c3}")).await.assert(StatusCode::NOT_FOUND);
    // Book, yes; manage the calendar's settings, no.
    sec.patch_json(&format!("/api/v1/orgs/{org}/calendars/{c1}"), json!({"day_start": "07:00"}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let e = owner
        .org_get(&org, &format!("/members/{sec_id}/explain?action=create_booking&object_type=calendar&object_id={c1}"))
        .await
        .json();
    assert_eq!(e["decision"]["allowed"], true);
    assert_eq!(e["decision"]["reason"]["kind"], "grant");
    let e = owner
        .org_get(&org, &format!("/members/{sec_id}/explain?action=create_booking&object_type=calendar&object_id={c3}"))
        .await
        .json();
    assert_eq!(e["decision"]["allowed"], false);
    // The staff member whose calendar it is still manages it.
    let e = owner
        .org_get(&org, &format!("/members/{dr_a}/explain?action=manage_calendar&object_type=calendar&object_id={c1}"))
        .await
        .json();
    assert_eq!(e["decision"]["allowed"], true, "{e}");
    assert_eq!(e["decision"]["reason"]["kind"], "own_calendar");
    // Preview: exactly what the assistant sees, as the policy computes it.
    let preview = owner.org_get(&org, &format!("/members/{sec_id}/preview")).await.json();
    let mut seen: Vec<String> =
        preview["calendars"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    seen.sort();
    let mut want = vec![c1.clone(), c2.clone()];
    want.sort();
    assert_eq!(seen, want);
    assert!(preview["calendars"].as_array().unwrap().iter().all(|c| c["access"] == "book"));
    assert_eq!(preview["rights"]["client_list"], false);
    assert_eq!(preview["locations"].as_array().unwrap().len(), 1);
    sec.org_get(&org, &format!("/members/{sec_id}/preview")).await.assert(StatusCode::OK);
    sec.org_get(&org, &format!("/members/{dr_a}/preview")).await.problem(StatusCode::FORBIDDEN, "forbidden");
    // An assistant can never be given business settings.
    owner
        .patch_json(&format!("/api/v1/orgs/{org}/members/{sec_id}"), json!({"toggles": {"business_settings": true}}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
}

async fn advisor_created_inactive_then_activated(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@bank.fr", "Banque").await;
    let agency = location(&owner, &org, "Agence Nord").await;
    let m = owner
        .org_post(
            &org,
            "/members",
            json!({"email": "advisor@bank.fr", "first_name": "Alex", "last_name": "Conseil", "role": "staff",
                   "send_invitation": false, "calendar_location_id": agency}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(m["status"], "inactive");
    assert!(app.mails_to("advisor@bank.fr").await.is_empty(), "no email for an inactive member");
    // Their calendar exists already (bookable set-up before they log in).
    assert_eq!(m["calendars"].as_array().unwrap().len(), 1);
    let id = m["id"].as_str().unwrap();
    owner.org_post(&org, &format!("/members/{id}/resend"), json!({}), StatusCode::CONFLICT).await;
    let r = owner.org_post(&org, &format!("/members/{id}/activate"), json!({}), StatusCode::OK).await;
    assert_eq!(r["status"], "invited");
    let token = link_token(&app.last_mail_to("advisor@bank.fr").await, "/invitations/accept?token=");
    let info = app.client().post_json("/api/v1/invitations/lookup", json!({"token": token})).await.json();
    assert_eq!((info["org_name"].as_str(), info["account_exists"].as_bool()), (Some("Banque"), Some(false)));
    let c = app.client();
    c.post_json(
        "/api/v1/invitations/register",
        json!({"token": token, "password": PASSWORD, "first_name": "Alexandra"}),
    )
    .await
    .assert(StatusCode::CREATED);
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["active_org"]["id"], org.as_str());
    assert_eq!(me["first_name"], "Alexandra");
    assert_eq!(c.org_get(&org, "/calendars").await.json().as_array().unwrap().len(), 1);
    assert_eq!(owner.org_get(&org, &format!("/members/{id}")).await.json()["status"], "active");
}

async fn member_assigned_one_location_and_two_of_its_calendars(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@duo.fr", "Duo").await;
    let l1 = location(&owner, &org, "Nord").await;
    let l2 = location(&owner, &org, "Sud").await;
    let a = resource(&owner, &org, &l1, "A").await;
    let b = resource(&owner, &org, &l1, "B").await;
    let _c = resource(&owner, &org, &l1, "C").await;
    let _d = resource(&owner, &org, &l2, "D").await;
    let (m, _) =
        owner.join(&org, "m@duo.fr", role_with("staff", [in_calendar(&a, "view"), in_calendar(&b, "manage")])).await;
    let mut seen = ids(&m.org_get(&org, "/calendars").await.json());
    seen.sort();
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(seen, want);
    assert_eq!(ids(&m.org_get(&org, "/locations").await.json()), [l1.as_str()]);
    m.org_get(&org, &format!("/locations/{l2}")).await.assert(StatusCode::NOT_FOUND);
    m.patch_json(&format!("/api/v1/orgs/{org}/calendars/{a}"), json!({"split": "12:30"}))
        .await
        .assert(StatusCode::FORBIDDEN);
    m.patch_json(&format!("/api/v1/orgs/{org}/calendars/{b}"), json!({"split": "12:30"})).await.assert(StatusCode::OK);
}

async fn invitations_work_for_existing_and_new_accounts(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@inv.fr", "Inv").await;
    // 1. Someone who registered before being invited.
    let early = app.user("early@inv.fr").await;
    let token = owner
        .invite(&org, json!({"email": "EARLY@inv.fr", "first_name": "E", "last_name": "R", "role": "staff"}))
        .await;
    let info = app.client().post_json("/api/v1/invitations/lookup", json!({"token": token})).await.json();
    assert_eq!(info["account_exists"], true);
    // Registering over an existing account is refused; its password stays.
    app.client()
        .post_json("/api/v1/invitations/register", json!({"token": token, "password": "hijacked password"}))
        .await
        .problem(StatusCode::CONFLICT, "account-exists");
    app.client().login("early@inv.fr", "hijacked password").await.assert(StatusCode::UNAUTHORIZED);
    // Another signed-in account cannot take the invitation.
    let other = app.user("other@inv.fr").await;
    other
        .post_json("/api/v1/invitations/accept", json!({"token": token}))
        .await
        .problem(StatusCode::FORBIDDEN, "invitation-for-another-address");
    early.post_json("/api/v1/invitations/accept", json!({"token": token})).await.assert(StatusCode::OK);
    let orgs = early.get("/api/v1/orgs").await.json();
    assert_eq!(orgs[0]["id"], org.as_str());
    assert_eq!(orgs[0]["role"], "staff");
    // No duplicate account.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE email_norm = 'early@inv.fr'").await, 1);
    // 2. An existing account invited afterwards into a second organisation keeps its password.
    let (owner2, org2) = owner_with_org(&app, "owner2@inv.fr", "Inv Two").await;
    let token2 = owner2
        .invite(&org2, json!({"email": "early@inv.fr", "first_name": "E", "last_name": "R", "role": "assistant"}))
        .await;
    early.post_json("/api/v1/invitations/accept", json!({"token": token2})).await.assert(StatusCode::OK);
    assert_eq!(early.get("/api/v1/orgs").await.json().as_array().unwrap().len(), 2);
    app.client().login("early@inv.fr", PASSWORD).await.assert(StatusCode::OK);
    // Inviting an address that is already a member is a conflict, not a duplicate.
    owner
        .post_json(
            &format!("/api/v1/orgs/{org}/members"),
            json!({"email": "early@inv.fr", "first_name": "E", "last_name": "R", "role": "staff"}),
        )
        .await
        .problem(StatusCode::CONFLICT, "already-member");
}

async fn invitation_tokens_are_single_use_expiring_and_revocable(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@tok.fr", "Tok").await;
    let invite = |email: &str| json!({"email": email, "first_name": "T", "last_name": "K", "role": "staff"});
    let m = owner.org_post(&org, "/members", invite("once@tok.fr"), StatusCode::CREATED).await;
    let first = link_token(&app.last_mail_to("once@tok.fr").await, "/invitations/accept?token=");
    owner.org_post(&org, &format!("/members/{}/resend", m["id"].as_str().unwrap()), json!({}), StatusCode::OK).await;
    let second = link_token(&app.last_mail_to("once@tok.fr").await, "/invitations/accept?token=");
    let reg = |t: &str| json!({"token": t, "password": PASSWORD});
    app.client()
        .post_json("/api/v1/invitations/register", reg(&first))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
    app.client().post_json("/api/v1/invitations/register", reg(&second)).await.assert(StatusCode::CREATED);
    app.client()
        .post_json("/api/v1/invitations/register", reg(&second))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");

    let m = owner.org_post(&org, "/members", invite("revoked@tok.fr"), StatusCode::CREATED).await;
    let t = link_token(&app.last_mail_to("revoked@tok.fr").await, "/invitations/accept?token=");
    owner.org_post(&org, &format!("/members/{}/revoke", m["id"].as_str().unwrap()), json!({}), StatusCode::OK).await;
    app.client()
        .post_json("/api/v1/invitations/register", reg(&t))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");

    let t = owner.invite(&org, invite("late@tok.fr")).await;
    app.advance(jiff::SignedDuration::from_hours(24 * 8));
    app.client()
        .post_json("/api/v1/invitations/register", reg(&t))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-token");
    // Resending is rate limited.
    let m = owner.org_post(&org, "/members", invite("spam@tok.fr"), StatusCode::CREATED).await;
    let path = format!("/api/v1/orgs/{org}/members/{}/resend", m["id"].as_str().unwrap());
    let mut last = StatusCode::OK;
    for _ in 0..7 {
        last = owner.post_json(&path, json!({})).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

async fn nobody_grants_more_than_they_hold(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@esc.fr", "Esc").await;
    let paris = location(&owner, &org, "Paris").await;
    let lyon = location(&owner, &org, "Lyon").await;
    let (mgr, mgr_id) = owner
        .join(
            &org,
            "mgr@esc.fr",
            json!({"role": "manager", "toggles": {"user_management": true},
               "grants": [{"scope": "location", "location_id": paris, "level": "book"}]}),
        )
        .await;
    let inv = |role: &str, grants: Value, toggles: Value| {
        json!({"email": format!("{role}-{}@esc.fr", grants.to_string().len() + toggles.to_string().len()), "first_name": "N", "last_name": "M",
               "role": role, "grants": grants, "toggles": toggles})
    };
    let members = format!("/api/v1/orgs/{org}/members");
    // Roles at or above their own: refused.
    for role in ["manager", "administrator", "owner"] {
        mgr.post_json(&members, inv(role, json!([]), json!({}))).await.problem(StatusCode::FORBIDDEN, "forbidden");
    }
    // More than they hold: another location, a higher level, the organisation, a right they lack.
    mgr.post_json(
        &members,
        inv("staff", json!([{"scope": "location", "location_id": lyon, "level": "view"}]), json!({})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    mgr.post_json(
        &members,
        inv("staff", json!([{"scope": "location", "location_id": paris, "level": "manage"}]), json!({})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    mgr.post_json(&members, inv("staff", json!([{"scope": "org", "level": "view"}]), json!({})))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    mgr.post_json(&members, inv("manager", json!([]), json!({"api_integrations": true})))
        .await
        .assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM memberships WHERE org_id = '{org}'")).await, 2);
    // Within their rights: fine.
    let ok = mgr
        .post_json(
            &members,
            inv(
                "staff",
                json!([{"scope": "location", "location_id": paris, "level": "view"}]),
                json!({"client_list": true}),
            ),
        )
        .await;
    ok.assert(StatusCode::CREATED);
    let staff_id = ok.json()["id"].as_str().unwrap().to_string();
    // Nor change their own rights.
    mgr.patch_json(&format!("{members}/{mgr_id}"), json!({"toggles": {"api_integrations": true}}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    mgr.put_json(&format!("{members}/{mgr_id}/grants"), json!({"grants": [{"scope": "org", "level": "manage"}]}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // Nor promote someone above staff.
    mgr.patch_json(&format!("{members}/{staff_id}"), json!({"role": "administrator"}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // Mass assignment: fields outside the contract are refused.
    mgr.patch_json(&format!("{members}/{staff_id}"), json!({"org_id": "x"}))
        .await
        .problem(StatusCode::BAD_REQUEST, "invalid-body");
    mgr.patch_json(&format!("{members}/{staff_id}"), json!({"account_id": "x", "status": "active"}))
        .await
        .assert(StatusCode::BAD_REQUEST);
    // A staff member has no user management at all.
    let (staff, _) = owner.join(&org, "plain@esc.fr", json!({"role": "staff"})).await;
    staff.post_json(&members, inv("assistant", json!([]), json!({}))).await.problem(StatusCode::FORBIDDEN, "forbidden");
}

async fn owners_are_protected_and_the_last_owner_stays(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@own.fr", "Own").await;
    let owner_id = owner.org_get(&org, "/me").await.json()["id"].as_str().unwrap().to_string();
    let (admin, admin_id) = owner.join(&org, "admin@own.fr", json!({"role": "administrator"})).await;
    let m = format!("/api/v1/orgs/{org}/members/{owner_id}");
    admin.patch_json(&m, json!({"role": "staff"})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    admin.post_json(&format!("{m}/block"), json!({})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    admin.delete(&m).await.problem(StatusCode::FORBIDDEN, "forbidden");
    admin
        .post_json(&format!("/api/v1/orgs/{org}/ownership"), json!({"member_id": admin_id}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // The only owner cannot leave, and cannot change their own membership.
    owner.post_json(&format!("/api/v1/orgs/{org}/leave"), json!({})).await.problem(StatusCode::CONFLICT, "last-owner");
    owner.patch_json(&m, json!({"role": "staff"})).await.problem(StatusCode::FORBIDDEN, "forbidden");
    // Transfer: the new owner is owner, the old one administrator.
    owner
        .post_json(&format!("/api/v1/orgs/{org}/ownership"), json!({"member_id": admin_id}))
        .await
        .assert(StatusCode::OK);
    assert_eq!(admin.org_get(&org, "/me").await.json()["role"], "owner");
    assert_eq!(owner.org_get(&org, "/me").await.json()["role"], "administrator");
    // Now the former owner can leave; the sole remaining owner cannot.
    admin.post_json(&format!("/api/v1/orgs/{org}/leave"), json!({})).await.problem(StatusCode::CONFLICT, "last-owner");
    owner.post_json(&format!("/api/v1/orgs/{org}/leave"), json!({})).await.assert(StatusCode::OK);
    owner.org_get(&org, "/me").await.assert(StatusCode::NOT_FOUND);
}

async fn requests_carrying_foreign_ids_are_refused(app: TestApp) {
    let (a, org_a) = owner_with_org(&app, "a@one.fr", "One").await;
    let (b, org_b) = owner_with_org(&app, "b@two.fr", "Two").await;
    let loc_b = location(&b, &org_b, "B place").await;
    let cal_b = resource(&b, &org_b, &loc_b, "B room").await;
    let loc_a = location(&a, &org_a, "A place").await;
    // A's owner names B's location or calendar in bodies: refused as unknown, nothing written.
    a.post_json(&format!("/api/v1/orgs/{org_a}/calendars"), json!({"location_id": loc_b, "name": "x"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let r = a
        .post_json(
            &format!("/api/v1/orgs/{org_a}/members"),
            json!({"email": "n@one.fr", "first_name": "N", "last_name": "O", "role": "staff",
                   "grants": [{"scope": "calendar", "calendar_id": cal_b, "level": "manage"}]}),
        )
        .await;
    r.problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.json()["errors"][0]["code"], "unknown-target");
    a.post_json(
        &format!("/api/v1/orgs/{org_a}/members"),
        json!({"email": "n@one.fr", "first_name": "N", "last_name": "O", "role": "staff", "calendar_location_id": loc_b}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Addressing B's objects through A's organisation path: 404, like a missing id.
    let missing = a.org_get(&org_a, "/calendars/01a20000-0000-7000-8000-000000000000").await;
    let foreign = a.org_get(&org_a, &format!("/calendars/{cal_b}")).await;
    assert_eq!((foreign.status, &foreign.body), (missing.status, &missing.body));
    a.patch_json(&format!("/api/v1/orgs/{org_a}/locations/{loc_b}"), json!({"name": "Mine"}))
        .await
        .assert(StatusCode::NOT_FOUND);
    a.delete(&format!("/api/v1/orgs/{org_a}/locations/{loc_b}")).await.assert(StatusCode::NOT_FOUND);
    // And through B's path: not a member, 404.
    a.org_get(&org_b, "/locations").await.problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(b.org_get(&org_b, &format!("/locations/{loc_b}")).await.json()["name"], "B place");
    let _ = loc_a;
}

async fn blocked_and_removed_members_lose_access_at_once(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@blk.fr", "Blk").await;
    let loc = location(&owner, &org, "L").await;
    let (s, sid) = owner.join(&org, "s@blk.fr", json!({"role": "staff", "calendar_location_id": loc})).await;
    s.org_get(&org, "/calendars").await.assert(StatusCode::OK);
    owner.org_post(&org, &format!("/members/{sid}/block"), json!({}), StatusCode::OK).await;
    s.org_get(&org, "/calendars").await.problem(StatusCode::FORBIDDEN, "membership-blocked");
    owner.org_post(&org, &format!("/members/{sid}/unblock"), json!({}), StatusCode::OK).await;
    assert_eq!(s.org_get(&org, "/calendars").await.json().as_array().unwrap().len(), 1);
    owner.delete(&format!("/api/v1/orgs/{org}/members/{sid}")).await.assert(StatusCode::NO_CONTENT);
    s.org_get(&org, "/calendars").await.assert(StatusCode::NOT_FOUND);
    assert!(s.get("/api/v1/me").await.json()["active_org"].is_null());
    // History stays attributed: the membership row and its calendar remain.
    let m = owner.org_get(&org, &format!("/members/{sid}")).await.json();
    assert_eq!(m["status"], "removed");
    assert_eq!(m["email"], "s@blk.fr");
    assert_eq!(owner.org_get(&org, "/calendars").await.json().as_array().unwrap().len(), 1);
}

/// Two owners remove (or demote, or leave) each other at the same instant, ten times over:
/// the organisation always keeps an owner. On PostgreSQL the organisation row is locked for
/// member changes; on SQLite writers are serialised.
async fn two_owners_removing_each_other_at_once_leave_one_owner(app: TestApp) {
    let (a, org) = owner_with_org(&app, "a@race.fr", "Race").await;
    let a_id = a.org_get(&org, "/me").await.json()["id"].as_str().unwrap().to_string();
    let mut round = 0;
    let (mut a, mut a_id) = (a, a_id);
    while round < 10 {
        let (b, b_id) = a.join(&org, &format!("b{round}@race.fr"), json!({"role": "owner"})).await;
        let (pa, pb) = (format!("/api/v1/orgs/{org}/members/{b_id}"), format!("/api/v1/orgs/{org}/members/{a_id}"));
        let leave = format!("/api/v1/orgs/{org}/leave");
        let (ra, rb) = match round % 3 {
            0 => tokio::join!(a.delete(&pa), b.delete(&pb)),
            1 => tokio::join!(a.patch_json(&pa, json!({"role": "staff"})), b.patch_json(&pb, json!({"role": "staff"}))),
            _ => tokio::join!(a.post_json(&leave, json!({})), b.post_json(&leave, json!({}))),
        };
        let ok = [&ra, &rb].iter().filter(|r| r.status.is_success()).count();
        let owners = app
            .count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE org_id = '{org}' AND role = 'owner' AND status = 'active'"
            ))
            .await;
        assert_eq!(owners, 1, "round {round}: {} {} / {} {}", ra.status, ra.text(), rb.status, rb.text());
        assert_eq!(ok, 1, "round {round}: exactly one of the two changes went through");
        // Carry on with whoever is still the owner.
        let a_still = a.org_get(&org, "/me").await;
        if !(a_still.status == StatusCode::OK && a_still.json()["role"] == "owner") {
            (a, a_id) = (b, b_id);
        }
        round += 1;
    }
}

/// SECURITY (tenant isolation): `/api/v1/orgs/%FF/…` must not quietly mean "the organisation
/// of my session".
async fn an_undecodable_organisation_in_the_path_is_not_the_sessions_organisation(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@path.fr", "Path").await;
    location(&owner, &org, "Visible").await;
    assert_eq!(owner.get("/api/v1/me").await.json()["active_org"]["id"], json!(org));
    for bad in ["%FF", "%C3%28", "%FF%FE"] {
        let r = owner.get(&format!("/api/v1/orgs/{bad}/locations")).await;
        assert!(!r.text().contains("Visible"), "{bad} reached the session's organisation: {}", r.text());
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
        let r = owner.post_json(&format!("/api/v1/orgs/{bad}/locations"), json!({"name": "Sneaky"})).await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM locations WHERE name = 'Sneaky'").await, 0);
}
