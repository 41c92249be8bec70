//! One voice (issue 13, item 12): every page, rendered in French and in English, holds no
//! sentence of the other language's catalogue — errors and refused forms included. The
//! catalogues are the translation files themselves; a sentence counts when both languages
//! word it differently.

use crate::helpers::{Client, PASSWORD, TestApp, dual, link_token, owner_with_org};
use axum::http::StatusCode;
use serde_json::json;
use std::collections::HashMap;

dual!(no_page_speaks_the_other_language);

/// `id → text` of one language's files, each placeable's text left out: the literal
/// fragments of 12 characters or more with a space (sentences, not single words).
fn catalogue(lang: &str) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut id = String::new();
        for line in text.lines() {
            let (key, value) = if let Some((k, v)) = line.split_once(" = ").filter(|_| !line.starts_with(' ')) {
                id = k.trim().to_string();
                (id.clone(), v)
            } else if let Some(rest) = line.trim_start().strip_prefix('.') {
                match rest.split_once(" = ") {
                    Some((attr, v)) => (format!("{id}.{attr}"), v),
                    None => continue,
                }
            } else {
                continue;
            };
            let fragments: Vec<String> = value
                .split(['{', '}'])
                .step_by(2)
                .map(str::trim)
                .filter(|f| f.chars().count() >= 12 && f.contains(' '))
                .map(str::to_string)
                .collect();
            if !fragments.is_empty() {
                out.insert(key, fragments);
            }
        }
    }
    out
}

/// The sentences of `other` that `mine` words differently (or not at all).
fn foreign(mine: &HashMap<String, Vec<String>>, other: &HashMap<String, Vec<String>>) -> Vec<String> {
    let all_mine: Vec<&String> = mine.values().flatten().collect();
    let mut out: Vec<String> = other
        .iter()
        .filter(|(k, v)| mine.get(*k) != Some(v))
        .flat_map(|(_, v)| v.iter().cloned())
        .filter(|s| !all_mine.iter().any(|m| m.contains(s.as_str())))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The page as a reader meets it: entities decoded.
fn readable(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
}

async fn no_page_speaks_the_other_language(app: TestApp) {
    // A business with something on every page.
    let (owner, org) = owner_with_org(&app, "owner@voix.fr", "Salon Voix").await;
    let loc = owner.paris(&org, "Lyon", json!({"slug": "salon-voix", "address": "2 rue Mercière, Lyon"})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    owner.open_weekdays(&org, &cal, "09:00", "18:00").await;
    let svc = owner
        .create(&org, "/services", json!({"name": "Coupe", "length_min": 30, "price_cents": 2500, "min_notice_min": 0}))
        .await;
    owner.offer(&org, &svc, &cal).await;
    let client = owner
        .create(&org, "/clients", json!({"first_name": "Zoé", "last_name": "Martin", "email": "zoe@voix.fr"}))
        .await;
    let booking = owner
        .create(
            &org,
            "/bookings",
            json!({"calendar_id": cal, "service_id": svc, "client_id": client, "start": "2026-03-03T09:00:00Z"}),
        )
        .await;
    owner
        .post_json(
            &format!("/api/v1/orgs/{org}/calendars/{cal}/unavailability"),
            json!({"start": "2026-03-09T00:00:00+01:00", "end": "2026-03-10T00:00:00+01:00", "reason": "Congés"}),
        )
        .await
        .assert(StatusCode::CREATED);
    let (_, member) = owner.join(&org, "manon@voix.fr", json!({"role": "staff"})).await;
    let team = owner.create(&org, "/teams", json!({"name": "Accueil"})).await;
    let visitor = app.client();
    visitor
        .post_json(
            "/api/v1/book/salon-voix/bookings",
            json!({"service_id": svc, "calendar_id": cal, "start": "2026-03-04T10:00:00+01:00", "first_name": "Léa", "last_name": "Roux", "email": "lea@voix.fr"}),
        )
        .await
        .assert(StatusCode::CREATED);
    let token = link_token(&app.last_mail_to("lea@voix.fr").await, "/manage/");
    let signed_in = [
        "/".to_string(),
        "/agenda".into(),
        "/bookings?from=2026-03-01".into(),
        format!("/bookings/{booking}"),
        "/clients".into(),
        format!("/clients/{client}"),
        "/services".into(),
        format!("/services/{svc}"),
        "/locations".into(),
        format!("/locations/{loc}"),
        format!("/locations/{loc}/day?date=2026-03-03"),
        format!("/calendars/{cal}"),
        format!("/calendars/{cal}/hours"),
        format!("/calendars/{cal}/absences"),
        format!("/calendars/{cal}/week?date=2026-03-02"),
        format!("/calendars/{cal}/day?date=2026-03-03"),
        format!("/calendars/{cal}/bookings/new?date=2026-03-05&time=10:00"),
        "/team".into(),
        format!("/team/{member}"),
        "/team/invite".into(),
        "/teams".into(),
        format!("/teams/{team}"),
        "/audit".into(),
        "/statistics?from=2026-03-01&to=2026-03-31".into(),
        "/notifications".into(),
        "/settings".into(),
        "/integrations".into(),
        "/promotion".into(),
        "/orgs".into(),
        "/account/profile".into(),
        "/account/security".into(),
        "/account/sessions".into(),
        "/bookings/no-such-booking".into(),
    ];
    let public = [
        "/book/salon-voix".to_string(),
        format!("/book/salon-voix?service={svc}&person={cal}&date=2026-03-05"),
        format!("/manage/{token}"),
        "/login".into(),
        "/signup".into(),
        "/forgot".into(),
        "/no-such-page".into(),
    ];
    let (fr, en) = (catalogue("fr"), catalogue("en"));
    let mut heard = Vec::new();
    for (lang, theirs, ours) in
        [("fr", foreign(&fr, &en), foreign(&en, &fr)), ("en", foreign(&en, &fr), foreign(&fr, &en))]
    {
        assert!(theirs.len() > 200, "the catalogue read only {} sentences", theirs.len());
        owner.patch_json("/api/v1/me", json!({"language": lang})).await.assert(StatusCode::OK);
        let anonymous = app.client();
        anonymous.post_form("/language", &[("lang", lang)]).await;
        let mut pages: Vec<(String, String)> = Vec::new();
        for path in &signed_in {
            pages.push((path.clone(), owner.get(path).await.text()));
        }
        for path in &public {
            pages.push((path.clone(), anonymous.get(path).await.text()));
        }
        // Refused forms: their errors in the page's language.
        let bad = [("name", "Coupe"), ("length_min", "deux"), ("price", "cher"), ("currency", "EUR")];
        pages.push(("POST /services".into(), owner.post_form("/services", &bad).await.text()));
        let hours = [("d1_start", "12:00"), ("d1_end", "09:00")];
        pages.push(("POST hours".into(), owner.post_form(&format!("/calendars/{cal}/hours"), &hours).await.text()));
        let login = [("email", "owner@voix.fr"), ("password", "not the password")];
        pages.push(("POST /login".into(), anonymous.post_form("/login", &login).await.text()));
        let mut own_heard = std::collections::BTreeSet::new();
        for (path, html) in &pages {
            assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{path} is not in {lang}");
            let text = readable(html);
            for s in &theirs {
                if text.contains(s.as_str()) {
                    heard.push(format!("{lang} page {path}: «{s}»"));
                }
            }
            own_heard.extend(ours.iter().filter(|s| text.contains(s.as_str())).cloned());
        }
        // The reading works: the pages are full of their own language's sentences.
        assert!(own_heard.len() > 80, "only {} {lang} sentences found on {lang} pages", own_heard.len());
    }
    assert!(heard.is_empty(), "the other language is heard:\n{}", heard.join("\n"));
    let _ = PASSWORD;
    let _: Option<&Client<'_>> = None;
}
