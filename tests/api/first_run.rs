//! First run from a person's chair (issue 13, item 1): sign up on the page, confirm the
//! address from the same browser and land signed in on the home page's checklist; each step
//! done through the pages alone (no API call) ticks it, until the booking link to share works
//! and a visitor sees times on it.

use crate::helpers::{Client, PASSWORD, TestApp, dual, in_calendar, link_token, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::json;

dual!(
    a_new_owner_opens_the_business_from_the_checklist,
    the_checklist_is_only_for_who_may_set_up,
    the_home_page_shows_the_day_within_what_the_member_sees,
);

/// The id in `/kind/{id}?…`.
fn id_in(to: &str, kind: &str) -> String {
    to.trim_start_matches(kind).split(['?', '/']).next().unwrap().to_string()
}

/// The checklist's steps as (label, done), in order.
fn steps(html: &str) -> Vec<(String, bool)> {
    let Some(start) = html.find("<ol class=\"steps-list\">") else { return Vec::new() };
    let end = start + html[start..].find("</ol>").unwrap();
    html[start..end]
        .split("<li class=\"")
        .skip(1)
        .map(|li| {
            let done = li.starts_with("done");
            let a = li.split("<a href=\"").nth(1).unwrap();
            let label = a.split_once("\">").unwrap().1.split('<').next().unwrap().to_string();
            (label, done)
        })
        .collect()
}

fn ticked(html: &str) -> Vec<bool> {
    steps(html).into_iter().map(|(_, d)| d).collect()
}

async fn home(c: &Client<'_>) -> String {
    let r = c.get("/").await;
    r.assert(StatusCode::OK);
    r.text()
}

async fn a_new_owner_opens_the_business_from_the_checklist(app: TestApp) {
    let c = app.client();
    let signup =
        [("first_name", "Camille"), ("last_name", "Dupont"), ("email", "camille@salon.fr"), ("password", PASSWORD)];
    c.post_form("/signup", &signup).await.assert(StatusCode::OK);
    let token = link_token(&app.last_mail_to("camille@salon.fr").await, "/verify?token=");
    // Confirming from the same browser signs in and lands on the checklist.
    let to = c.post_form("/verify", &[("token", &token)]).await.redirected("/?done=welcome");
    let html = c.get(&to).await.text();
    assert!(html.contains("Adresse confirmée : bienvenue !"), "{html}");
    let labels: Vec<String> = steps(&html).into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        labels,
        [
            "Créer votre organisation",
            "Ajouter un lieu",
            "Créer un agenda",
            "Indiquer les horaires d&#39;ouverture",
            "Créer une prestation",
            "Choisir les agendas qui la proposent",
            "Partager votre lien de réservation"
        ]
    );
    assert_eq!(ticked(&html), [false; 7]);
    assert!(html.contains("href=\"/orgs\""));
    // 1. The organisation.
    c.post_form("/orgs", &[("name", "Salon Camille"), ("slug", "")]).await.redirected("/");
    let html = home(&c).await;
    assert_eq!(ticked(&html), [true, false, false, false, false, false, false]);
    assert!(html.contains("1 étape(s) faite(s) sur 7."));
    // 2. A location.
    let loc = [
        ("name", "Lyon"),
        ("slug", "salon-camille-lyon"),
        ("time_zone", "Europe/Paris"),
        ("address", "2 rue Mercière, Lyon"),
    ];
    let to = c.post_form("/locations", &loc).await.redirected("/locations/");
    let loc = id_in(&to, "/locations/");
    let html = home(&c).await;
    assert_eq!(ticked(&html)[..3], [true, true, false]);
    assert!(html.contains(&format!("href=\"/locations/{loc}\"")), "the calendar step links to the location");
    // 3. A calendar.
    let new_calendar = [("name", "Camille"), ("kind", "resource")];
    let to = c.post_form(&format!("/locations/{loc}/calendars"), &new_calendar).await.redirected("/calendars/");
    let cal = id_in(&to, "/calendars/");
    let html = home(&c).await;
    assert_eq!(ticked(&html)[..4], [true, true, true, false]);
    assert!(html.contains(&format!("href=\"/calendars/{cal}/hours\"")));
    // 4. Working hours, Tuesday to Saturday.
    let mut week = Vec::new();
    for d in ["d2", "d3", "d4", "d5", "d6"] {
        week.push((format!("{d}_start"), "09:00"));
        week.push((format!("{d}_end"), "18:00"));
    }
    let week: Vec<(&str, &str)> = week.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    c.post_form(&format!("/calendars/{cal}/hours"), &week).await.redirected("/calendars/");
    assert_eq!(ticked(&home(&c).await)[..5], [true, true, true, true, false]);
    // 5. A service.
    let svc = [("name", "Coupe femme"), ("length_min", "45"), ("price", "45"), ("currency", "EUR")];
    let to = c.post_form("/services", &svc).await.redirected("/services/");
    let svc = id_in(&to, "/services/");
    let html = home(&c).await;
    assert_eq!(ticked(&html)[..6], [true, true, true, true, true, false]);
    assert!(html.contains(&format!("href=\"/services/{svc}\"")));
    // 6. Offered on the calendar: every step is done, the checklist gives way to the link.
    c.post_form(&format!("/services/{svc}/calendars"), &[("calendar", &cal)]).await.redirected("/services/");
    let html = home(&c).await;
    assert!(steps(&html).is_empty(), "the checklist is gone once done");
    let link = format!("{}/book/salon-camille-lyon", app.state.config.base_url);
    assert!(html.contains(&format!("href=\"{link}\"")), "the full link to share: {html}");
    // 7. The link works: a visitor sees the service, its price in French, and times.
    let visitor = app.client();
    let page = visitor.get("/book/salon-camille-lyon").await;
    page.assert(StatusCode::OK);
    assert!(page.text().contains("Coupe femme") && page.text().contains("45,00\u{a0}€"));
    let times =
        visitor.get(&format!("/book/salon-camille-lyon?service={svc}&person={cal}&date=2026-03-03")).await.text();
    assert!(times.contains("09:00") && times.contains("17:15"), "{times}");
    // No API call was made by the owner: every step above was a page.
}

async fn the_checklist_is_only_for_who_may_set_up(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@check.fr", "Check").await;
    assert_eq!(ticked(&home(&owner).await).len(), 7);
    let (staff, _) = owner.join(&org, "staff@check.fr", json!({"role": "staff"})).await;
    let html = home(&staff).await;
    assert!(steps(&html).is_empty(), "staff do not set the business up: {html}");
    // Signed out: the welcome, no checklist.
    let html = home(&app.client()).await;
    assert!(steps(&html).is_empty() && html.contains("href=\"/signup\""));
}

async fn the_home_page_shows_the_day_within_what_the_member_sees(app: TestApp) {
    // The test clock: Monday 2 March 2026, 10:00 in Paris.
    let (owner, org) = owner_with_org(&app, "owner@day.fr", "Day").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let mine = owner.calendar(&org, &loc, "Manon", json!({})).await;
    let other = owner.calendar(&org, &loc, "Paul", json!({})).await;
    let book = |cal: &str, start: &str, first: &str| {
        let body = json!({"calendar_id": cal, "start": start, "override_hours": true,
            "client": {"first_name": first, "last_name": "Client"}});
        let (owner, org) = (&owner, &org);
        async move { owner.create(org, "/bookings", body).await }
    };
    let today_mine = book(&mine, "2026-03-02T14:00:00Z", "Alice").await;
    let today_other = book(&other, "2026-03-02T15:00:00Z", "Bruno").await;
    let thursday = book(&mine, "2026-03-05T08:00:00Z", "Chloé").await;
    let next_month = book(&mine, "2026-04-02T08:00:00Z", "Denis").await;
    owner
        .post_json(
            &format!("/api/v1/orgs/{org}/calendars/{mine}/unavailability"),
            json!({"start": "2026-03-09T00:00:00+01:00", "end": "2026-03-14T00:00:00+01:00", "reason": "Congés"}),
        )
        .await
        .assert(StatusCode::CREATED);
    owner.invite(&org, json!({"email": "pending@day.fr", "first_name": "P", "last_name": "D", "role": "staff"})).await;
    let html = home(&owner).await;
    assert!(html.contains("Aujourd&#39;hui, lundi 2 mars 2026"), "{html}");
    for id in [&today_mine, &today_other, &thursday] {
        assert!(html.contains(&format!("/bookings/{id}")), "the owner sees {id}");
    }
    assert!(!html.contains(&next_month), "a month ahead is not this week");
    assert!(html.contains("Congés") && html.contains("Absences à venir"));
    assert!(html.contains("Une invitation attend une réponse"));
    // Staff who see their own calendar only: their day, no one else's, no invitations.
    let (staff, _) = owner.join(&org, "manon@day.fr", role_with("staff", [in_calendar(&mine, "book")])).await;
    let html = home(&staff).await;
    assert!(html.contains(&format!("/bookings/{today_mine}")) && html.contains(&format!("/bookings/{thursday}")));
    assert!(!html.contains(&today_other) && !html.contains("Bruno"), "a colleague's booking stays hidden");
    assert!(!html.contains("invitation"));
}
