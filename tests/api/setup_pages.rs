//! The pages a business opens with (issue 13, items 2 and 3): working hours with several
//! intervals a day, copying a day, date overrides; absences with a reason that take times
//! off the offer; services created, priced in the page's language, edited, archived and
//! switched per calendar from both sides. Driven like a browser; the API checks the result.

use crate::helpers::{Client, TestApp, dual, in_calendar, owner_with_org, role_with};
use axum::http::StatusCode;
use serde_json::{Value, json};

dual!(
    working_hours_are_set_from_the_page,
    date_overrides_close_a_day_or_give_it_special_hours,
    absences_take_times_off_the_offer,
    services_are_created_priced_and_offered_from_the_pages,
    set_up_pages_refuse_low_roles_and_other_tenants,
    a_location_gets_a_short_address,
);

/// An organisation with one Paris location and one calendar: (owner, org, calendar).
async fn salon<'a>(app: &'a TestApp, email: &str) -> (Client<'a>, String, String) {
    let (owner, org) = owner_with_org(app, email, "Salon").await;
    let loc = owner.paris(&org, "Lyon", json!({})).await;
    let cal = owner.calendar(&org, &loc, "Fauteuil", json!({})).await;
    (owner, org, cal)
}

fn weekly(v: &Value) -> Vec<(i64, String, String)> {
    let mut out: Vec<_> = v["weekly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (w["weekday"].as_i64().unwrap(), w["start"].as_str().unwrap().into(), w["end"].as_str().unwrap().into())
        })
        .collect();
    out.sort();
    out
}

fn iv(d: i64, s: &str, e: &str) -> (i64, String, String) {
    (d, s.into(), e.into())
}

async fn working_hours_are_set_from_the_page(app: TestApp) {
    let (owner, org, cal) = salon(&app, "owner@hours.fr").await;
    let hours = format!("/calendars/{cal}/hours");
    // A new calendar is closed; the page says so for every day.
    let html = owner.page(&hours).await;
    assert!(html.contains("name=\"d1_start\"") && html.contains("name=\"d7_end\""), "an editor for each weekday");
    // Monday with a lunch break, copied to Tuesday and Thursday in the same submission.
    let fields = [
        ("d1_start", "09:00"),
        ("d1_end", "12:00"),
        ("d1_start", "14:00"),
        ("d1_end", "18:00"),
        ("d1_start", ""),
        ("d1_end", ""),
        ("d6_start", "10:00"),
        ("d6_end", "16:00"),
        ("copy_from", "1"),
        ("copy_to", "2"),
        ("copy_to", "4"),
        ("action", "copy"),
    ];
    owner.post_form(&hours, &fields).await.redirected(&format!("{hours}?done=hours"));
    let api = owner.org_get(&org, &format!("/calendars/{cal}/hours")).await.json();
    assert_eq!(
        weekly(&api),
        [
            iv(1, "09:00", "12:00"),
            iv(1, "14:00", "18:00"),
            iv(2, "09:00", "12:00"),
            iv(2, "14:00", "18:00"),
            iv(4, "09:00", "12:00"),
            iv(4, "14:00", "18:00"),
            iv(6, "10:00", "16:00"),
        ]
    );
    // The calendar page shows the week in words, in French.
    let html = owner.page(&format!("/calendars/{cal}")).await;
    assert!(html.contains("<dt>lundi</dt><dd>09:00–12:00, 14:00–18:00</dd>"), "{html}");
    assert!(html.contains("<dt>mercredi</dt><dd>Fermé</dd>"));
    // The saved rows come back in the editor.
    let html = owner.page(&hours).await;
    assert!(html.contains("value=\"14:00\""));
    // Overlapping intervals and an end before its start are refused where they were typed,
    // in French, and nothing changes.
    let bad = [
        ("d1_start", "09:00"),
        ("d1_end", "12:00"),
        ("d1_start", "11:00"),
        ("d1_end", "13:00"),
        ("d3_start", "10:00"),
        ("d3_end", "09:00"),
    ];
    let r = owner.post_form(&hours, &bad).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("Des plages se chevauchent."), "{html}");
    assert!(html.contains("La fin doit venir après le début."));
    assert!(html.contains("value=\"13:00\""), "what was typed stays in the form");
    assert_eq!(weekly(&owner.org_get(&org, &format!("/calendars/{cal}/hours")).await.json()).len(), 7);
    // A malformed time is a field error too, not a failure.
    let r = owner.post_form(&hours, &[("d1_start", "9h"), ("d1_end", "12:00")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    // The change is audited as the calendar's.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.hours_changed'").await, 1);
    // In English, the page speaks English.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    let html = owner.page(&format!("/calendars/{cal}")).await;
    assert!(html.contains("<dt>Monday</dt><dd>09:00–12:00, 14:00–18:00</dd>"), "{html}");
    assert!(html.contains("<dt>Wednesday</dt><dd>Closed</dd>"));
}

async fn date_overrides_close_a_day_or_give_it_special_hours(app: TestApp) {
    let (owner, org, cal) = salon(&app, "owner@override.fr").await;
    owner.open_weekdays(&org, &cal, "09:00", "18:00").await;
    let add = format!("/calendars/{cal}/hours/overrides");
    owner.post_form(&add, &[("date", "2026-03-10"), ("kind", "closed")]).await.redirected("/calendars/");
    let special = [
        ("date", "2026-03-11"),
        ("kind", "hours"),
        ("o_start", "10:00"),
        ("o_end", "12:00"),
        ("o_start", ""),
        ("o_end", ""),
    ];
    owner.post_form(&add, &special).await.redirected("/calendars/");
    // Special hours without an interval, or a bad date, are refused with the form's words.
    let r = owner.post_form(&add, &[("date", "2026-03-12"), ("kind", "hours")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Indiquez au moins une plage"));
    owner.post_form(&add, &[("date", "12/03/2026"), ("kind", "closed")]).await.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let api = owner.org_get(&org, &format!("/calendars/{cal}/hours")).await.json();
    assert_eq!(weekly(&api).len(), 5, "the weekly hours stay");
    let overrides = api["overrides"].as_array().unwrap();
    assert_eq!(overrides.len(), 2);
    let html = owner.page(&format!("/calendars/{cal}/hours")).await;
    assert!(html.contains("mardi 10 mars 2026</td><td>Fermé"), "{html}");
    assert!(html.contains("mercredi 11 mars 2026</td><td>10:00–12:00"));
    // The staff availability follows: nothing on the 10th, 10:00–12:00 on the 11th.
    let svc = owner
        .create(&org, "/services", json!({"name": "Coupe", "length_min": 60, "step_min": 60, "min_notice_min": 0}))
        .await;
    owner.offer(&org, &svc, &cal).await;
    let starts = |d: &'static str| {
        let owner = &owner;
        let org = &org;
        let svc = &svc;
        let cal = &cal;
        async move {
            let q = format!("/availability?service_id={svc}&calendar_id={cal}&from={d}&to={d}&time_zone=Europe/Paris");
            let v = owner.org_get(org, &q).await.json();
            v.as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()[11..16].to_string()).collect::<Vec<_>>()
        }
    };
    assert!(starts("2026-03-10").await.is_empty());
    assert_eq!(starts("2026-03-11").await, ["10:00", "11:00"]);
    // Removing the override gives the day back.
    let del = format!("/calendars/{cal}/hours/overrides/2026-03-10/delete");
    owner.post_form(&del, &[]).await.redirected("/calendars/");
    assert_eq!(starts("2026-03-10").await.len(), 9);
}

async fn absences_take_times_off_the_offer(app: TestApp) {
    let (owner, org, cal) = salon(&app, "owner@absent.fr").await;
    owner.open_weekdays(&org, &cal, "09:00", "12:00").await;
    let svc = owner
        .create(&org, "/services", json!({"name": "Conseil", "length_min": 60, "step_min": 60, "min_notice_min": 0}))
        .await;
    owner.offer(&org, &svc, &cal).await;
    let slots =
        |d: &str| format!("/availability?service_id={svc}&calendar_id={cal}&from={d}&to={d}&time_zone=Europe/Paris");
    assert_eq!(owner.org_get(&org, &slots("2026-03-04")).await.json().as_array().unwrap().len(), 3);
    let absences = format!("/calendars/{cal}/absences");
    // Whole days (no times), Wednesday to Thursday, sick leave.
    let whole = [
        ("start_date", "2026-03-04"),
        ("start_time", ""),
        ("end_date", "2026-03-05"),
        ("end_time", ""),
        ("reason", "Arrêt maladie"),
    ];
    owner.post_form(&absences, &whole).await.redirected(&format!("{absences}?done=absence"));
    // A training afternoon-morning: Friday 10:00 to 11:00.
    let part = [
        ("start_date", "2026-03-06"),
        ("start_time", "10:00"),
        ("end_date", "2026-03-06"),
        ("end_time", "11:00"),
        ("reason", "Formation"),
    ];
    owner.post_form(&absences, &part).await.redirected(&absences);
    let starts = |v: Value| {
        v.as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()[11..16].to_string()).collect::<Vec<_>>()
    };
    assert!(owner.org_get(&org, &slots("2026-03-04")).await.json().as_array().unwrap().is_empty());
    assert!(owner.org_get(&org, &slots("2026-03-05")).await.json().as_array().unwrap().is_empty());
    assert_eq!(starts(owner.org_get(&org, &slots("2026-03-06")).await.json()), ["09:00", "11:00"]);
    // Listed with their reason, in words, in the calendar's zone.
    let html = owner.page(&absences).await;
    assert!(html.contains("du mercredi 4 mars 2026 au jeudi 5 mars 2026</td><td>Arrêt maladie"), "{html}");
    assert!(html.contains("vendredi 6 mars 2026, de 10:00 à 11:00</td><td>Formation"));
    let api = owner.org_get(&org, &format!("/calendars/{cal}/unavailability")).await.json();
    let sick = api.as_array().unwrap().iter().find(|p| p["reason"] == "Arrêt maladie").unwrap();
    assert_eq!(sick["start"], "2026-03-03T23:00:00Z");
    assert_eq!(sick["end"], "2026-03-05T23:00:00Z");
    // The week view shows them with their reason, apart from closed hours.
    let week = owner.page(&format!("/calendars/{cal}/week?date=2026-03-02")).await;
    assert!(week.contains("<span class=\"cal-away-reason\">Arrêt maladie</span>"), "{week}");
    assert!(week.contains("<span class=\"cal-away-reason\">Formation</span>"));
    assert!(week.contains("cal-closed"), "closed hours keep their own look");
    // An end before the start, or no date, is refused in French.
    let back = [
        ("start_date", "2026-03-06"),
        ("start_time", "10:00"),
        ("end_date", "2026-03-05"),
        ("end_time", ""),
        ("reason", ""),
    ];
    let r = owner.post_form(&absences, &back).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("La fin doit venir après le début."));
    let r = owner.post_form(&absences, &[("start_date", ""), ("end_date", "2026-03-05")]).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Choisissez une date."));
    // The training is changed in place: its form comes filled in as typed, and saving it
    // moves the times offered.
    let training = api.as_array().unwrap().iter().find(|p| p["reason"] == "Formation").unwrap();
    let edit = format!("{absences}/{}", training["id"].as_str().unwrap());
    let html = owner.page(&edit).await;
    assert!(html.contains("Modifier l&#39;absence"), "{html}");
    assert!(html.contains(&format!("action=\"{edit}\"")));
    for (name, value) in [
        ("start_date", "required value=\"2026-03-06\""),
        ("start_time", "value=\"10:00\""),
        ("end_date", "required value=\"2026-03-06\""),
        ("end_time", "value=\"11:00\""),
    ] {
        assert!(html.contains(&format!("name=\"{name}\" {value}")), "{name}: {html}");
    }
    let longer = [
        ("start_date", "2026-03-06"),
        ("start_time", "10:00"),
        ("end_date", "2026-03-06"),
        ("end_time", "12:00"),
        ("reason", "Formation Lyon"),
    ];
    owner.post_form(&edit, &longer).await.redirected(&format!("{absences}?done=absence_changed"));
    assert_eq!(starts(owner.org_get(&org, &slots("2026-03-06")).await.json()), ["09:00"]);
    assert!(owner.page(&absences).await.contains("de 10:00 à 12:00</td><td>Formation Lyon"));
    // A whole-day period comes back without times, its last day as the end.
    let html = owner.page(&format!("{absences}/{}", sick["id"].as_str().unwrap())).await;
    assert!(html.contains("name=\"end_date\" required value=\"2026-03-05\""), "{html}");
    assert!(html.contains("name=\"start_time\" value=\"\""));
    // Refused as typed, in French, nothing changed.
    let r = owner.post_form(&edit, &back).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("La fin doit venir après le début.") && r.text().contains(&format!("action=\"{edit}\"")));
    // The audit log says it in words, the times as dates.
    let audit = owner.page("/audit").await;
    assert!(audit.contains("a modifié une absence de l&#39;agenda"), "{audit}");
    assert!(audit.contains("à 11:00 → vendredi 6 mars 2026 à 12:00"), "{audit}");
    // The API changes it the same way.
    let api_edit = format!("/calendars/{cal}/unavailability/{}", training["id"].as_str().unwrap());
    let b = json!({"start": "2026-03-06T09:00:00Z", "end": "2026-03-06T10:00:00Z", "reason": "Formation"});
    let r = owner.put_json(&format!("/api/v1/orgs/{org}{api_edit}"), b).await;
    r.assert(StatusCode::OK);
    let changed = r.json();
    assert_eq!(changed["end"], "2026-03-06T10:00:00Z");
    assert_eq!(starts(owner.org_get(&org, &slots("2026-03-06")).await.json()), ["09:00", "11:00"]);
    // Removing the sick leave gives Wednesday back.
    let id = sick["id"].as_str().unwrap();
    owner.post_form(&format!("{absences}/{id}/delete"), &[]).await.redirected(&absences);
    assert_eq!(owner.org_get(&org, &slots("2026-03-04")).await.json().as_array().unwrap().len(), 3);
}

async fn services_are_created_priced_and_offered_from_the_pages(app: TestApp) {
    let (owner, org, cal) = salon(&app, "owner@services.fr").await;
    let loc =
        owner.org_get(&org, &format!("/calendars/{cal}")).await.json()["location_id"].as_str().unwrap().to_string();
    let other = owner.calendar(&org, &loc, "Bac", json!({})).await;
    let html = owner.page("/services").await;
    assert!(html.contains("créez la première"), "the empty list says what to do");
    // A French price with a comma; a bad length and a bad price are said in French.
    let r = owner
        .post_form(
            "/services",
            &[("name", "Coupe"), ("length_min", "trente"), ("price", "45 euros"), ("currency", "EUR")],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("Indiquez un nombre entier.") && html.contains("Indiquez un prix tel que 45 ou 45,50."),
        "{html}"
    );
    let r = owner
        .post_form("/services", &[("name", "Coupe"), ("length_min", "2"), ("price", ""), ("currency", "EUR")])
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Entre 5 et 1440."), "the service's range, in French");
    let r = owner
        .post_form("/services", &[("name", "Coupe"), ("length_min", "45"), ("price", "45,50"), ("currency", "EUR")])
        .await;
    let to = r.redirected("/services/");
    let svc = to.trim_start_matches("/services/").split('?').next().unwrap().to_string();
    let api = owner.org_get(&org, &format!("/services/{svc}")).await.json();
    assert_eq!((api["length_min"].as_i64(), api["price_cents"].as_i64()), (Some(45), Some(4550)));
    assert!(owner.page("/services").await.contains("45,50\u{a0}€"));
    // Edit every setting; the description reaches the booking page.
    let edit = [
        ("name", "Coupe femme"),
        ("description", "Shampooing et coupe."),
        ("length_min", "60"),
        ("buffer_before_min", "5"),
        ("buffer_after_min", "10"),
        ("min_notice_min", "120"),
        ("max_advance_days", "60"),
        ("step_min", "30"),
        ("price", "1 200"),
        ("currency", "eur"),
        ("status", "active"),
    ];
    owner.post_form(&format!("/services/{svc}"), &edit).await.redirected(&format!("/services/{svc}?done=saved"));
    let api = owner.org_get(&org, &format!("/services/{svc}")).await.json();
    assert_eq!(api["name"], "Coupe femme");
    assert_eq!(
        [
            "length_min",
            "buffer_before_min",
            "buffer_after_min",
            "min_notice_min",
            "max_advance_days",
            "step_min",
            "price_cents"
        ]
        .map(|k| api[k].as_i64().unwrap()),
        [60, 5, 10, 120, 60, 30, 120_000]
    );
    assert_eq!(api["currency"], "EUR");
    // Offered on one calendar from the service's page, on the other from the calendar's.
    owner.post_form(&format!("/services/{svc}/calendars"), &[("calendar", &cal)]).await.redirected("/services/");
    let ids = |v: &Value| {
        let mut v: Vec<String> =
            v["calendar_ids"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&owner.org_get(&org, &format!("/services/{svc}")).await.json()), std::slice::from_ref(&cal));
    owner.post_form(&format!("/calendars/{other}/services"), &[("service", &svc)]).await.redirected("/calendars/");
    let mut both = vec![cal.clone(), other.clone()];
    both.sort();
    assert_eq!(ids(&owner.org_get(&org, &format!("/services/{svc}")).await.json()), both);
    let html = owner.page(&format!("/calendars/{other}")).await;
    assert!(html.contains(&format!("value=\"{svc}\" checked")), "the calendar's toggle shows it offered");
    // Unticking on the service's page withdraws it.
    owner.post_form(&format!("/services/{svc}/calendars"), &[("calendar", &other)]).await.redirected("/services/");
    assert_eq!(ids(&owner.org_get(&org, &format!("/services/{svc}")).await.json()), std::slice::from_ref(&other));
    // The public page shows the description and the French price.
    let slug = owner.org_get(&org, &format!("/locations/{loc}")).await.json()["slug"].as_str().unwrap().to_string();
    let visitor = app.client();
    let html = visitor.page(&format!("/book/{slug}")).await;
    assert!(html.contains("Shampooing et coupe.") && html.contains("1\u{202f}200,00\u{a0}€"), "{html}");
    // English writes the price its own way.
    owner.patch_json("/api/v1/me", json!({"language": "en"})).await.assert(StatusCode::OK);
    assert!(owner.page("/services").await.contains("€1,200.00"));
    // The API's answer to a toggle is the list after the change (it was the list before).
    let r = owner
        .request(axum::http::Method::PUT, &format!("/api/v1/orgs/{org}/services/{svc}/calendars/{cal}"), None)
        .await;
    assert_eq!(ids(&r.json()), both);
    // Archived from the page; a service with bookings cannot be deleted, an unused one can.
    let mut archived = edit.to_vec();
    archived.retain(|(k, _)| *k != "status");
    archived.push(("status", "archived"));
    owner.post_form(&format!("/services/{svc}"), &archived).await.redirected("/services/");
    assert_eq!(owner.org_get(&org, &format!("/services/{svc}")).await.json()["status"], "archived");
    let unused = owner.create(&org, "/services", json!({"name": "Brushing"})).await;
    owner.post_form(&format!("/services/{unused}/delete"), &[]).await.redirected("/services?done=deleted");
    owner.org_get(&org, &format!("/services/{unused}")).await.assert(StatusCode::NOT_FOUND);
}

async fn set_up_pages_refuse_low_roles_and_other_tenants(app: TestApp) {
    let (owner, org, cal) = salon(&app, "owner@guard.fr").await;
    let svc = owner.create(&org, "/services", json!({"name": "Coupe"})).await;
    let loc =
        owner.org_get(&org, &format!("/calendars/{cal}")).await.json()["location_id"].as_str().unwrap().to_string();
    // Staff with booking access to the calendar: may look, may not change.
    let (staff, _) = owner.join(&org, "staff@guard.fr", role_with("staff", [in_calendar(&cal, "book")])).await;
    let period = json!({"start": "2026-03-10T08:00:00Z", "end": "2026-03-10T09:00:00Z", "reason": "Formation"});
    let away = owner.create(&org, &format!("/calendars/{cal}/unavailability"), period).await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert!(!staff.page(&format!("/calendars/{cal}/absences")).await.contains(&format!("/absences/{away}\"")));
    let html = staff.page(&format!("/calendars/{cal}/hours")).await;
    assert!(!html.contains("name=\"d1_start\""), "no editor without the right to manage the calendar");
    assert!(!staff.page("/services").await.contains("action=\"/services\""), "no creation form");
    for (path, fields) in [
        (format!("/calendars/{cal}/hours"), vec![("d1_start", "09:00"), ("d1_end", "12:00")]),
        (format!("/calendars/{cal}/hours/overrides"), vec![("date", "2026-03-10"), ("kind", "closed")]),
        (format!("/calendars/{cal}/absences"), vec![("start_date", "2026-03-10"), ("end_date", "2026-03-10")]),
        (format!("/calendars/{cal}/absences/{away}"), vec![("start_date", "2026-03-10"), ("end_date", "2026-03-11")]),
        ("/services".to_string(), vec![("name", "Mine"), ("length_min", "30")]),
        (format!("/services/{svc}"), vec![("name", "Mine"), ("length_min", "30")]),
        (format!("/services/{svc}/delete"), vec![]),
        (format!("/services/{svc}/calendars"), vec![("calendar", cal.as_str())]),
        (format!("/calendars/{cal}/services"), vec![("service", svc.as_str())]),
    ] {
        let r = staff.post_form(&path, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit, "a low role changed nothing");
    // Another organisation's owner: every id of this one is "not found".
    let (stranger, _) = owner_with_org(&app, "owner@other.fr", "Other").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    for path in [
        format!("/calendars/{cal}/hours"),
        format!("/calendars/{cal}/absences"),
        format!("/calendars/{cal}/absences/{away}"),
        format!("/services/{svc}"),
    ] {
        stranger.get(&path).await.assert(StatusCode::NOT_FOUND);
    }
    for path in [
        format!("/calendars/{cal}/hours"),
        format!("/calendars/{cal}/hours/overrides"),
        format!("/calendars/{cal}/absences"),
        format!("/calendars/{cal}/absences/{away}"),
        format!("/services/{svc}"),
        format!("/services/{svc}/delete"),
        format!("/services/{svc}/calendars"),
        format!("/calendars/{cal}/services"),
    ] {
        let r = stranger
            .post_form(&path, &[("name", "x"), ("date", "2026-03-10"), ("service", &svc), ("calendar", &cal)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit, "another tenant changed nothing");
    let _ = loc;
}

async fn a_location_gets_a_short_address(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@slug.fr", "Salon Camille").await;
    // Named after the business: not salon-camille-salon-camille-lyon.
    let lyon = owner.create(&org, "/locations", json!({"name": "Salon Camille Lyon"})).await;
    let l = owner.org_get(&org, &format!("/locations/{lyon}")).await.json();
    assert_eq!(l["slug"], "salon-camille-lyon");
    // Another name gets the business's in front.
    let nice = owner.create(&org, "/locations", json!({"name": "Nice"})).await;
    assert_eq!(owner.org_get(&org, &format!("/locations/{nice}")).await.json()["slug"], "salon-camille-nice");
    // Its page shows the full address to share.
    let html = owner.page(&format!("/locations/{lyon}")).await;
    assert!(html.contains(&format!("href=\"{}/book/salon-camille-lyon\"", app.state.config.base_url)), "{html}");
}
