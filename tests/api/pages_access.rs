//! The access-management pages (team, invitations, locations, calendars, teams, audit,
//! agenda) driven like a browser: forms with the CSRF token, redirects, readable errors.
//! They call the same services as the API, so the API is used here to set up and to check.

use crate::helpers::{Client, PASSWORD, TestApp, dual, in_calendar, in_location, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    owner_invites_through_the_form,
    invitee_registers_through_the_invitation_page,
    existing_account_accepts_through_the_invitation_page,
    staff_without_user_management_gets_403_on_the_team_page,
    manager_of_one_location_sees_only_that_location,
    agenda_lists_exactly_the_visible_calendars,
    audit_page_shows_filters_and_pages_rows,
    audit_page_says_who_did_what_in_words,
    explain_form_says_allowed_or_denied,
    member_page_changes_role_toggles_grants_and_status,
    locations_calendars_and_teams_through_forms,
    wrong_tenant_ids_are_not_found,
);

async fn location(c: &Client<'_>, org: &str, name: &str) -> String {
    c.create(org, "/locations", json!({"name": name})).await
}

async fn resource(c: &Client<'_>, org: &str, loc: &str, name: &str) -> String {
    c.create(org, "/calendars", json!({"location_id": loc, "name": name})).await
}

/// The option values of the `<select id="…">` in `html`.
fn options_of(html: &str, select_id: &str) -> Vec<String> {
    let start = html.find(&format!("<select id=\"{select_id}\"")).unwrap_or_else(|| panic!("no select {select_id}"));
    let end = start + html[start..].find("</select>").unwrap();
    html[start..end].split("<option value=\"").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
}

async fn membership_status(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar::<_, String>("SELECT status FROM memberships WHERE email_norm = $1")
        .bind(email)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn owner_invites_through_the_form(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@form.fr", "Form").await;
    let loc = location(&owner, &org, "Centre").await;
    let room = resource(&owner, &org, &loc, "Room").await;
    let form = owner.page("/team/invite").await;
    assert!(form.contains("name=\"_csrf\""));
    assert_eq!(options_of(&form, "role"), ["owner", "administrator", "manager", "staff", "assistant"]);
    assert_eq!(form.matches("name=\"toggle_").count(), 8, "one checkbox per toggle");
    // Invalid input comes back with messages and keeps what was typed.
    let r =
        owner.post_form("/team/invite", &[("email", "not an address"), ("first_name", "Sam"), ("role", "staff")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("aria-invalid=\"true\"") && text.contains("value=\"Sam\""), "{text}");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 1);
    // A real invitation: role, a toggle, a location grant, a calendar grant, sent now.
    let r = owner
        .post_form(
            "/team/invite",
            &[
                ("email", "sam@form.fr"),
                ("first_name", "Sam"),
                ("last_name", "Staff"),
                ("role", "staff"),
                ("toggle_statistics", "on"),
                ("grant_location", &loc),
                ("grant_location_level", "view"),
                ("grant_calendar", &room),
                (&format!("grant_calendar_level_{room}"), "book"),
                ("send_invitation", "on"),
            ],
        )
        .await;
    let to = r.redirected("/team/");
    let detail = owner.page(&to).await;
    assert!(detail.contains("sam@form.fr") && detail.contains("role=\"status\""), "confirmation shown");
    assert!(owner.page("/team").await.contains("sam@form.fr"));
    let mail = app.last_mail_to("sam@form.fr").await;
    assert!(mail.text.contains("/invitations/accept?token="));
    let members = owner.org_get(&org, "/members").await.json();
    let sam = members.as_array().unwrap().iter().find(|m| m["email"] == "sam@form.fr").unwrap();
    assert_eq!(sam["status"], "invited");
    assert_eq!(sam["toggles"], json!({"statistics": true}));
    let sam = owner.org_get(&org, &format!("/members/{}", sam["id"].as_str().unwrap())).await.json();
    let grants = sam["grants"].as_array().unwrap();
    assert!(
        grants.iter().any(|g| g["scope"] == "location" && g["location_id"] == loc.as_str() && g["level"] == "view")
    );
    assert!(
        grants.iter().any(|g| g["scope"] == "calendar" && g["calendar_id"] == room.as_str() && g["level"] == "book")
    );
    // Unchecked "send now": created inactive, no email.
    let before = app.outbox().await.len();
    let r = owner
        .post_form(
            "/team/invite",
            &[("email", "later@form.fr"), ("first_name", "Lou"), ("last_name", "Later"), ("role", "assistant")],
        )
        .await;
    r.redirected("/team/");
    assert_eq!(membership_status(&app, "later@form.fr").await, "inactive");
    assert_eq!(app.outbox().await.len(), before, "no email for an inactive member");
    // The same address twice: a readable conflict on the form, nothing created.
    let r = owner
        .post_form(
            "/team/invite",
            &[("email", "sam@form.fr"), ("first_name", "S"), ("last_name", "S"), ("role", "staff")],
        )
        .await;
    r.assert(StatusCode::CONFLICT);
    assert!(r.text().contains("role=\"alert\""));
}

async fn invitee_registers_through_the_invitation_page(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@reg.fr", "Régie").await;
    let token = owner
        .invite(&org, json!({"email": "new@reg.fr", "first_name": "Nina", "last_name": "Neuve", "role": "staff"}))
        .await;
    let visitor = app.client_from("203.0.113.77");
    let accounts = app.count("SELECT COUNT(*) FROM accounts").await;
    // Following the link shows the invitation and a registration form, and changes nothing.
    for _ in 0..2 {
        let text = visitor.page(&format!("/invitations/accept?token={token}")).await;
        assert!(text.contains("Régie") && text.contains("new@reg.fr"), "{text}");
        assert!(text.contains("action=\"/invitations/register\"") && text.contains("value=\"Nina\""));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, accounts);
    assert_eq!(membership_status(&app, "new@reg.fr").await, "invited");
    // Passwords that differ: the form again, nothing created.
    let r = visitor
        .post_form(
            "/invitations/register",
            &[
                ("token", &token),
                ("first_name", "Nina"),
                ("last_name", "Neuve"),
                ("password", PASSWORD),
                ("password_confirm", "something else entirely"),
            ],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, accounts);
    let r = visitor
        .post_form(
            "/invitations/register",
            &[
                ("token", &token),
                ("first_name", "Nina"),
                ("last_name", "Neuve"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.redirected("/"), "/");
    assert!(r.header("set-cookie").unwrap().contains("creneau_session="), "logged in");
    let home = visitor.page("/").await;
    assert!(home.contains("Nina Neuve") && home.contains("Régie"), "{home}");
    assert!(home.contains("href=\"/agenda\""), "the organisation's sections are in the navigation");
    assert_eq!(membership_status(&app, "new@reg.fr").await, "active");
    // The link is used up: a readable 400.
    let again = app.client().get(&format!("/invitations/accept?token={token}")).await;
    again.assert(StatusCode::BAD_REQUEST);
    assert!(again.header("content-type").unwrap().starts_with("text/html"));
    app.client().get("/invitations/accept?token=nonsense").await.assert(StatusCode::BAD_REQUEST);
}

async fn existing_account_accepts_through_the_invitation_page(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@acc.fr", "Acc").await;
    let bea = app.user_named("bea@acc.fr", "Béa", "Existing").await;
    let other = app.user("other@acc.fr").await;
    let token = owner
        .invite(&org, json!({"email": "bea@acc.fr", "first_name": "Béa", "last_name": "E", "role": "assistant"}))
        .await;
    let link = format!("/invitations/accept?token={token}");
    // Not signed in: log in first, and come back to the link.
    let anon = app.client().page(&link).await;
    assert!(anon.contains("/login?next=%2Finvitations%2Faccept%3Ftoken%3D"), "{anon}");
    assert!(!anon.contains("action=\"/invitations/register\""));
    // Signed in with another address: explained, with a way to log out.
    let wrong = other.page(&link).await;
    assert!(wrong.contains("other@acc.fr") && wrong.contains("action=\"/logout\""), "{wrong}");
    assert!(!wrong.contains("action=\"/invitations/accept\""));
    other.post_form("/invitations/accept", &[("token", &token)]).await.assert(StatusCode::FORBIDDEN);
    // The invited account accepts.
    let mine = bea.page(&link).await;
    assert!(mine.contains("action=\"/invitations/accept\""));
    assert_eq!(membership_status(&app, "bea@acc.fr").await, "invited", "GET changed nothing");
    let r = bea.post_form("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(r.redirected("/"), "/");
    assert_eq!(membership_status(&app, "bea@acc.fr").await, "active");
    assert!(bea.page("/").await.contains("Acc"));
}

async fn staff_without_user_management_gets_403_on_the_team_page(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@staff.fr", "Staff").await;
    let (sam, sam_id) = owner.join(&org, "sam@staff.fr", json!({"role": "staff"})).await;
    for path in ["/team", "/team/invite", "/teams", "/audit"] {
        let r = sam.get(path).await;
        r.assert(StatusCode::FORBIDDEN);
        assert!(r.header("content-type").unwrap().starts_with("text/html"), "{path}: a readable page");
    }
    let r = sam
        .post_form(
            "/team/invite",
            &[("email", "x@staff.fr"), ("first_name", "X"), ("last_name", "Y"), ("role", "staff")],
        )
        .await;
    r.assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 2, "nothing created");
    // The sections they may not open are not offered.
    let home = sam.page("/agenda").await;
    assert!(
        home.contains("href=\"/locations\"") && !home.contains("href=\"/team\"") && !home.contains("href=\"/audit\"")
    );
    // Their own page opens, read-only.
    let me = sam.page(&format!("/team/{sam_id}")).await;
    assert!(me.contains("sam@staff.fr") && !me.contains(&format!("action=\"/team/{sam_id}/grants\"")));
    // And the owner's page sees everything.
    let owners = owner.page("/team").await;
    assert!(owners.contains("href=\"/team/invite\"") && owners.contains("sam@staff.fr"));
}

async fn manager_of_one_location_sees_only_that_location(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@chain.fr", "Chain").await;
    let paris = location(&owner, &org, "Paris").await;
    let lyon = location(&owner, &org, "Lyon").await;
    let (mia, _) = owner.join(&org, "mia@chain.fr", role_with("manager", [in_location(&paris, "manage")])).await;
    let list = mia.page("/locations").await;
    assert!(list.contains(&format!("/locations/{paris}")) && !list.contains(&format!("/locations/{lyon}")));
    assert!(!list.contains("Lyon"), "{list}");
    assert!(!list.contains("action=\"/locations\""), "no creation form without the organisation-wide right");
    let own = mia.page(&format!("/locations/{paris}")).await;
    assert!(own.contains(&format!("action=\"/locations/{paris}\"")), "the manager edits their location");
    let other = mia.get(&format!("/locations/{lyon}")).await;
    other.assert(StatusCode::NOT_FOUND);
    assert!(other.header("content-type").unwrap().starts_with("text/html"));
    mia.post_form(&format!("/locations/{lyon}"), &[("name", "Taken over")]).await.assert(StatusCode::NOT_FOUND);
    let lyon_now = owner.org_get(&org, &format!("/locations/{lyon}")).await.json();
    assert_eq!(lyon_now["name"], "Lyon");
    // The owner sees both and may create.
    let all = owner.page("/locations").await;
    assert!(all.contains("Paris") && all.contains("Lyon") && all.contains("action=\"/locations\""));
}

async fn agenda_lists_exactly_the_visible_calendars(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@agenda.fr", "Agenda").await;
    let a = location(&owner, &org, "A").await;
    let b = location(&owner, &org, "B").await;
    let a1 = resource(&owner, &org, &a, "A one").await;
    let a2 = resource(&owner, &org, &a, "A two").await;
    let b1 = resource(&owner, &org, &b, "B one").await;
    let (asa, _) = owner
        .join(&org, "asa@agenda.fr", role_with("assistant", [in_calendar(&a2, "book"), in_calendar(&b1, "view")]))
        .await;
    for (who, want) in [(&owner, vec![&a1, &a2, &b1]), (&asa, vec![&a2, &b1])] {
        let html = who.page("/agenda").await;
        let shown = options_of(&html, "agenda-calendar");
        let api = ids(&who.org_get(&org, "/calendars").await.json());
        assert_eq!(shown, api, "the drop-down is the API's list");
        let mut want: Vec<String> = want.into_iter().cloned().collect();
        want.sort();
        let mut sorted = shown.clone();
        sorted.sort();
        assert_eq!(sorted, want);
        assert!(html.contains("data-autosubmit") && html.contains("class=\"js-hide\""), "works with and without JS");
    }
    let chosen = asa.page(&format!("/agenda?calendar={b1}")).await;
    assert!(chosen.contains("B one") && chosen.contains("consultation"), "name and access level: {chosen}");
    asa.get(&format!("/agenda?calendar={a1}")).await.assert(StatusCode::NOT_FOUND);
    asa.get(&format!("/calendars/{a1}")).await.assert(StatusCode::NOT_FOUND);
    let settings = asa.page(&format!("/calendars/{a2}")).await;
    assert!(!settings.contains(&format!("action=\"/calendars/{a2}\"")), "booking access does not manage settings");
}

async fn audit_page_shows_filters_and_pages_rows(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@log.fr", "Log").await;
    let loc = location(&owner, &org, "Siège").await;
    for i in 0..52 {
        resource(&owner, &org, &loc, &format!("Room {i}")).await;
    }
    let first = owner.page("/audit").await;
    // In words: who by name, what as a sentence, the object by name and linked.
    assert!(first.contains("a créé l&#39;agenda") && first.contains("Olivia Owner"), "{first}");
    assert!(first.contains(">Room 51</a>"), "the object by name, linked to its page");
    assert_eq!(first.matches("<td class=\"change\">").count(), 50, "one page of 50 rows");
    assert!(first.contains(&format!("/api/v1/orgs/{org}/audit.csv")), "CSV export link");
    let older = first.split("href=\"/audit?before=").nth(1).expect("an older-rows link");
    let cursor: String = older.chars().take_while(|c| c.is_ascii_digit()).collect();
    let second = owner.page(&format!("/audit?before={cursor}")).await;
    assert!(second.contains("a créé le lieu") && second.contains("a créé l&#39;organisation"), "the oldest rows");
    let filtered = owner.page("/audit?action=location.created").await;
    assert_eq!(filtered.matches("<td class=\"change\">").count(), 1);
    assert!(filtered.contains("audit.csv?action=location.created"), "the export keeps the filters");
    let dated = owner.page("/audit?from=2026-03-02&to=2026-03-02").await;
    assert_eq!(dated.matches("<td class=\"change\">").count(), 50);
    assert!(dated.contains("from=2026-03-01T23%3A00%3A00Z"), "dates in the viewer's zone (Paris)");
    let empty = owner.page("/audit?from=2026-04-01").await;
    assert_eq!(empty.matches("<td class=\"change\">").count(), 0);
    // A wrong date is said, not fatal.
    assert!(owner.page("/audit?from=yesterday").await.contains("aria-invalid=\"true\""));
    // The CSV link works for the same session.
    let csv = owner.get(&format!("/api/v1/orgs/{org}/audit.csv?action=location.created")).await;
    csv.assert(StatusCode::OK);
    assert_eq!(csv.text().lines().count(), 2);
}

async fn explain_form_says_allowed_or_denied(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@why.fr", "Why").await;
    let loc = location(&owner, &org, "L").await;
    let cal = resource(&owner, &org, &loc, "Cabine").await;
    let other = resource(&owner, &org, &loc, "Hidden").await;
    let (_, asa) = owner.join(&org, "asa@why.fr", role_with("assistant", [in_calendar(&cal, "book")])).await;
    let detail = owner.page(&format!("/team/{asa}")).await;
    assert!(options_of(&detail, "explain-object").contains(&format!("calendar:{cal}")));
    assert_eq!(options_of(&detail, "explain-action").len(), 32);
    let yes = owner.page(&format!("/team/{asa}?action=create_booking&object=calendar:{cal}")).await;
    assert!(yes.contains("Autorisé") && !yes.contains("Refusé"), "{yes}");
    let no = owner.page(&format!("/team/{asa}?action=delete_booking&object=calendar:{cal}")).await;
    assert!(no.contains("Refusé") && !no.contains("Autorisé"), "{no}");
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let en = owner.page(&format!("/team/{asa}?action=view_calendar&object=calendar:{other}")).await;
    assert!(en.contains("Denied") && en.contains("nothing this member holds covers this object"), "{en}");
    let en = owner.page(&format!("/team/{asa}?action=view_location&object=location:{loc}")).await;
    assert!(en.contains("Allowed"), "{en}");
    // Preview: exactly the calendar the assistant sees.
    let preview = en.split("id=\"preview-h\"").nth(1).unwrap();
    assert!(preview.contains("Cabine") && !preview.contains("Hidden"), "{preview}");
    // An unknown object is said on the page.
    let odd = owner.page(&format!("/team/{asa}?action=view_calendar&object=calendar:nope")).await;
    assert!(odd.contains("not visible to you"), "{odd}");
}

async fn member_page_changes_role_toggles_grants_and_status(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@edit.fr", "Edit").await;
    let loc = location(&owner, &org, "L").await;
    let cal = resource(&owner, &org, &loc, "Desk").await;
    let (_, id) = owner.join(&org, "eve@edit.fr", json!({"role": "staff"})).await;
    let detail = owner.page(&format!("/team/{id}")).await;
    assert!(
        detail.contains(&format!("action=\"/team/{id}/block\""))
            && detail.contains(&format!("action=\"/team/{id}/remove\""))
    );
    assert!(!detail.contains(&format!("action=\"/team/{id}/activate\"")));
    // Role and tri-state toggles.
    let r = owner
        .post_form(
            &format!("/team/{id}"),
            &[("role", "manager"), ("toggle_statistics", "off"), ("toggle_user_management", "on")],
        )
        .await;
    r.redirected(&format!("/team/{id}?done=saved"));
    let m = owner.org_get(&org, &format!("/members/{id}")).await.json();
    assert_eq!(m["role"], "manager");
    assert_eq!(m["toggles"], json!({"statistics": false, "user_management": true}));
    // A right the role can never have: refused on the page, nothing changed.
    let r = owner.post_form(&format!("/team/{id}"), &[("role", "assistant"), ("toggle_statistics", "on")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("role=\"alert\""));
    assert_eq!(owner.org_get(&org, &format!("/members/{id}")).await.json()["role"], "manager");
    // Grants editor.
    let r = owner
        .post_form(
            &format!("/team/{id}/grants"),
            &[(&format!("grant_loc_{loc}"), "manage"), (&format!("grant_cal_{cal}"), "")],
        )
        .await;
    r.redirected(&format!("/team/{id}?done=grants"));
    let grants = owner.org_get(&org, &format!("/members/{id}")).await.json()["grants"].clone();
    assert_eq!(grants.as_array().unwrap().len(), 1);
    assert_eq!(grants[0]["location_id"], loc.as_str());
    assert_eq!(grants[0]["level"], "manage");
    assert!(owner.page(&format!("/team/{id}")).await.contains("<option value=\"manage\" selected>"));
    // Block, unblock, remove.
    owner.post_form(&format!("/team/{id}/block"), &[]).await.redirected(&format!("/team/{id}?done=blocked"));
    assert_eq!(membership_status(&app, "eve@edit.fr").await, "blocked");
    let blocked = owner.page(&format!("/team/{id}")).await;
    assert!(blocked.contains(&format!("action=\"/team/{id}/unblock\"")));
    // Blocking twice is a readable conflict.
    owner.post_form(&format!("/team/{id}/block"), &[]).await.assert(StatusCode::CONFLICT);
    owner.post_form(&format!("/team/{id}/unblock"), &[]).await.redirected(&format!("/team/{id}?done=unblocked"));
    owner.post_form(&format!("/team/{id}/remove"), &[]).await.redirected(&format!("/team/{id}?done=removed"));
    assert_eq!(membership_status(&app, "eve@edit.fr").await, "removed");
    // The owner cannot demote themselves (the last owner), said on the page.
    let me = owner.org_get(&org, "/me").await.json()["id"].as_str().unwrap().to_string();
    owner.post_form(&format!("/team/{me}"), &[("role", "staff")]).await.assert(StatusCode::FORBIDDEN);
    // Inactive member: activate sends the invitation.
    let inactive = owner
        .create(&org, "/members", json!({"email": "ina@edit.fr", "first_name": "I", "last_name": "N", "role": "staff", "send_invitation": false})).await;
    assert!(app.mails_to("ina@edit.fr").await.is_empty());
    owner.post_form(&format!("/team/{inactive}/activate"), &[]).await.redirected("/team/");
    assert_eq!(app.mails_to("ina@edit.fr").await.len(), 1);
    owner.post_form(&format!("/team/{inactive}/resend"), &[]).await.redirected("/team/");
    assert_eq!(app.mails_to("ina@edit.fr").await.len(), 2);
    owner.post_form(&format!("/team/{inactive}/revoke"), &[]).await.redirected("/team/");
    assert_eq!(membership_status(&app, "ina@edit.fr").await, "removed");
}

async fn locations_calendars_and_teams_through_forms(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@forms.fr", "Forms").await;
    // Location: create, rename, archive.
    let r = owner.post_form("/locations", &[("name", ""), ("slug", ""), ("time_zone", "Europe/Paris")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        owner.post_form("/locations", &[("name", "Rive gauche"), ("slug", ""), ("time_zone", "Europe/Paris")]).await;
    let to = r.redirected("/locations/");
    let loc = to.trim_start_matches("/locations/").split('?').next().unwrap().to_string();
    let r = owner
        .post_form(
            &format!("/locations/{loc}"),
            &[
                ("name", "Rive droite"),
                ("slug", "rive-droite"),
                ("time_zone", "Europe/Paris"),
                ("address", "1 rue X"),
                ("status", "archived"),
            ],
        )
        .await;
    r.redirected(&format!("/locations/{loc}?done=saved"));
    let l = owner.org_get(&org, &format!("/locations/{loc}")).await.json();
    assert_eq!(
        (l["name"].as_str(), l["slug"].as_str(), l["status"].as_str()),
        (Some("Rive droite"), Some("rive-droite"), Some("archived"))
    );
    // A calendar in it, then its settings.
    let r =
        owner.post_form(&format!("/locations/{loc}/calendars"), &[("name", "Fauteuil"), ("kind", "resource")]).await;
    let to = r.redirected("/calendars/");
    let cal = to.trim_start_matches("/calendars/").split('?').next().unwrap().to_string();
    assert!(owner.page(&format!("/locations/{loc}")).await.contains(&format!("/calendars/{cal}")));
    let r = calendar_settings(&owner, &cal, "30", "18:00").await;
    r.redirected(&format!("/calendars/{cal}?done=saved"));
    let c = owner.org_get(&org, &format!("/calendars/{cal}")).await.json();
    assert_eq!((c["default_length_min"].as_i64(), c["split"].as_str()), (Some(30), Some("12:30")));
    let r = calendar_settings(&owner, &cal, "x", "18:00").await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let r = calendar_settings(&owner, &cal, "30", "08:00").await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("aria-describedby=\"end-hint end-err\""));
    // A location with calendars is not deleted; an empty one is.
    owner.post_form(&format!("/locations/{loc}/delete"), &[]).await.assert(StatusCode::CONFLICT);
    let empty = location(&owner, &org, "Vide").await;
    owner.post_form(&format!("/locations/{empty}/delete"), &[]).await.redirected("/locations?done=deleted");
    // Teams: create, fill, grant, delete.
    let (asa, asa_id) = owner.join(&org, "asa@forms.fr", json!({"role": "assistant"})).await;
    let r = owner.post_form("/teams", &[("name", "Accueil")]).await;
    let to = r.redirected("/teams/");
    let team = to.trim_start_matches("/teams/").split('?').next().unwrap().to_string();
    let r = owner
        .post_form(
            &format!("/teams/{team}"),
            &[("name", "Accueil"), ("member", &asa_id), (&format!("grant_cal_{cal}"), "book")],
        )
        .await;
    r.redirected(&format!("/teams/{team}?done=saved"));
    assert_eq!(ids(&asa.org_get(&org, "/calendars").await.json()), std::slice::from_ref(&cal));
    let member_page = owner.page(&format!("/team/{asa_id}")).await;
    assert!(member_page.contains("Accueil"), "the grant shows the team it comes through");
    assert!(owner.page("/teams").await.contains("Accueil"));
    owner.post_form(&format!("/teams/{team}/delete"), &[]).await.redirected("/teams?done=deleted");
    assert!(asa.org_get(&org, "/calendars").await.json().as_array().unwrap().is_empty());
}

/// The settings form of the calendar `cal` ("Fauteuil 1", Paris) saved with this default
/// length and end of day.
async fn calendar_settings(owner: &Client<'_>, cal: &str, length: &str, day_end: &str) -> crate::helpers::Resp {
    let fields = [
        ("name", "Fauteuil 1"),
        ("time_zone", "Europe/Paris"),
        ("default_length_min", length),
        ("day_start", "09:00"),
        ("day_end", day_end),
        ("split", "12:30"),
        ("status", "active"),
    ];
    owner.post_form(&format!("/calendars/{cal}"), &fields).await
}

async fn wrong_tenant_ids_are_not_found(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@a.fr", "A").await;
    let loc = location(&owner, &org, "A1").await;
    let cal = resource(&owner, &org, &loc, "Room").await;
    let (_, member) = owner.join(&org, "staff@a.fr", json!({"role": "staff"})).await;
    let team = owner.create(&org, "/teams", json!({"name": "T"})).await;
    let (stranger, _) = owner_with_org(&app, "owner@b.fr", "B").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    for path in [
        format!("/team/{member}"),
        format!("/locations/{loc}"),
        format!("/calendars/{cal}"),
        format!("/teams/{team}"),
        format!("/agenda?calendar={cal}"),
    ] {
        let r = stranger.get(&path).await;
        r.assert(StatusCode::NOT_FOUND);
        assert!(r.header("content-type").unwrap().starts_with("text/html"), "{path}");
    }
    for path in [
        format!("/team/{member}/remove"),
        format!("/team/{member}/block"),
        format!("/locations/{loc}/delete"),
        format!("/teams/{team}/delete"),
    ] {
        stranger.post_form(&path, &[]).await.assert(StatusCode::NOT_FOUND);
    }
    stranger.post_form(&format!("/team/{member}"), &[("role", "assistant")]).await.assert(StatusCode::NOT_FOUND);
    stranger
        .post_form(&format!("/calendars/{cal}"), &[("name", "Mine"), ("default_length_min", "15")])
        .await
        .assert(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit, "another tenant changed nothing");
}

async fn audit_page_says_who_did_what_in_words(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "camille@mots.fr", "Mots").await;
    let lyon = location(&owner, &org, "Lyon").await;
    owner
        .invite(
            &org,
            json!({"email": "manon@mots.fr", "first_name": "Manon", "last_name": "Petit", "role": "staff",
            "grants": [{"scope": "location", "location_id": lyon, "level": "book"}]}),
        )
        .await;
    let manon = owner.org_get(&org, "/members").await.json();
    let manon = crate::helpers::id_where(&manon, "email", "manon@mots.fr");
    let html = owner.page("/audit").await;
    // "Olivia Owner a invité Manon Petit comme collaborateur", the member linked.
    let row = html.split("<tr>").find(|r| r.contains("<td>a invité</td>")).unwrap_or_else(|| panic!("{html}"));
    assert!(row.contains("Olivia Owner"), "{row}");
    assert!(row.contains(&format!("<a href=\"/team/{manon}\">Manon Petit</a>")), "{row}");
    assert!(row.contains("comme collaborateur"), "{row}");
    // Times in the viewer's zone, in words; the person filter is a picker of names.
    assert!(html.contains("lundi 2 mars 2026 à 10:00"), "{html}");
    assert!(html.contains(">Olivia Owner</option>") && html.contains("<select id=\"f-actor\""));
    // In English, English words.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let html = owner.page("/audit").await;
    let row = html.split("<tr>").find(|r| r.contains("<td>invited</td>")).unwrap_or_else(|| panic!("{html}"));
    assert!(row.contains("as staff") && row.contains("Manon Petit"), "{row}");
    // The CSV keeps the raw values.
    let csv = owner.get(&format!("/api/v1/orgs/{org}/audit.csv?action=member.invited")).await.text();
    assert!(csv.contains("member.invited") && csv.contains("membership"), "{csv}");
}
