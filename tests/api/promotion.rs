//! Promotion (issue 13, item 8): each location's link, a link per service, a QR code and the
//! widget; the booking page alone may be framed, and its form works inside a frame on the
//! business's site; only whoever holds the promotion toggle for a location sees any of it.

use crate::helpers::{TestApp, dual, owner_with_org};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::json;

dual!(
    the_promotion_page_gives_links_a_qr_code_and_a_widget,
    only_the_booking_page_may_be_framed,
    the_business_chooses_its_colour_and_which_sites_frame_its_page,
    the_business_puts_its_logo_on_its_booking_page,
);

async fn the_promotion_page_gives_links_a_qr_code_and_a_widget(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@promo.fr", "Promo").await;
    let lyon = owner.paris(&org, "Lyon", json!({"slug": "promo-lyon"})).await;
    let nice = owner.paris(&org, "Nice", json!({"slug": "promo-nice"})).await;
    let cal = owner.calendar(&org, &lyon, "Camille", json!({})).await;
    let svc = owner.create(&org, "/services", json!({"name": "Coupe"})).await;
    let unoffered = owner.create(&org, "/services", json!({"name": "Ailleurs"})).await;
    owner.offer(&org, &svc, &cal).await;
    let base = &app.state.config.base_url;
    let html = owner.get("/promotion").await.text();
    assert!(html.contains(&format!("href=\"{base}/book/promo-lyon\"")), "the full link: {html}");
    assert!(html.contains("Tous les sites peuvent l&#39;afficher."));
    assert!(html.contains(&format!("{base}/book/promo-lyon?service={svc}")), "a link per offered service");
    assert!(!html.contains(&unoffered), "a service Lyon does not offer has no link there");
    assert!(html.contains("<svg role=\"img\""), "the QR code inline");
    // Escaped as text in the page, as the browser shows it to be copied.
    let shown = html.replace("&#34;", "\"").replace("&#60;", "<");
    assert!(shown.contains(&format!("<iframe src=\"{base}/book/promo-lyon\"")), "the widget's code: {html}");
    assert!(!html.contains("<iframe"), "shown, not run");
    let qr = owner.get(&format!("/promotion/{lyon}/qr.svg")).await;
    qr.assert(StatusCode::OK);
    assert_eq!(qr.header("content-type"), Some("image/svg+xml"));
    assert!(qr.text().contains("<svg"));
    // A manager of Nice (promotion on by default for managers) sees Nice only.
    let grant = json!({"role": "manager", "grants": [{"scope": "location", "location_id": nice, "level": "manage"}]});
    let (mgr, _) = owner.join(&org, "mgr@promo.fr", grant).await;
    let html = mgr.get("/promotion").await.text();
    assert!(html.contains("promo-nice") && !html.contains("promo-lyon"), "{html}");
    assert!(!html.contains("href=\"/settings#frame_origins\""), "not theirs to change");
    mgr.get(&format!("/promotion/{lyon}/qr.svg")).await.assert(StatusCode::NOT_FOUND);
    // Staff (no promotion toggle): no section.
    let (staff, _) = owner.join(&org, "staff@promo.fr", json!({"role": "staff"})).await;
    staff.get("/promotion").await.assert(StatusCode::FORBIDDEN);
    assert!(!staff.get("/agenda").await.text().contains("href=\"/promotion\""));
    // Another organisation: not found.
    let (stranger, _) = owner_with_org(&app, "owner@ailleurs-promo.fr", "Ailleurs").await;
    stranger.get(&format!("/promotion/{lyon}/qr.svg")).await.assert(StatusCode::NOT_FOUND);
}

async fn only_the_booking_page_may_be_framed(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@frame.fr", "Cadre").await;
    let loc = owner.paris(&org, "Lyon", json!({"slug": "cadre-lyon"})).await;
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    owner.open_weekdays(&org, &cal, "09:00", "18:00").await;
    let svc = owner.create(&org, "/services", json!({"name": "Coupe", "length_min": 30, "min_notice_min": 0})).await;
    owner.offer(&org, &svc, &cal).await;
    let visitor = app.client();
    let page = visitor.get("/book/cadre-lyon").await;
    let csp = page.header("content-security-policy").unwrap().to_string();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(page.header("x-frame-options").is_none());
    for path in ["/login".to_string(), "/agenda".into(), "/promotion".into()] {
        let r = owner.get(&path).await;
        assert!(r.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
    }
    // Inside a third-party frame the browser keeps no cookie of ours; the form still books,
    // on the browser's word that it comes from our page.
    let form = |csrf: &str, start: &str, email: &str| {
        format!(
            "_csrf={csrf}&service_id={svc}&person={cal}&start={}&first_name=Zo%C3%A9&last_name=Martin&email={email}",
            crate::helpers::enc(start)
        )
    };
    let framed = |body: String, fetch_site: Option<&str>| {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri("/book/cadre-lyon")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = fetch_site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(Body::from(body)).unwrap()
    };
    let cookieless = app.client();
    let r = cookieless
        .send(framed(form("from-the-page", "2026-03-03T10:00:00+01:00", "zoe%40frame.fr"), Some("same-origin")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.header("content-security-policy").unwrap().contains("frame-ancestors *"));
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 1);
    // Without that word, or with another site's, the double submit still decides: refused.
    for site in [None, Some("cross-site"), Some("same-site")] {
        let other = app.client();
        let r = other.send(framed(form("forged", "2026-03-03T11:00:00+01:00", "x%40frame.fr"), site)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{site:?}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM bookings").await, 1, "no forged booking");
    // Any other form keeps the double submit, whatever the browser says.
    let r = app
        .client()
        .send({
            let mut req = framed("_csrf=forged&email=a%40b.fr&password=x".into(), Some("same-origin"));
            *req.uri_mut() = "/login".parse().unwrap();
            req
        })
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The settings' booking-page part: a colour (dark enough for white text) that the booking
/// page's own stylesheet sets, and the websites that may frame it instead of any.
async fn the_business_chooses_its_colour_and_which_sites_frame_its_page(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@couleur.fr", "Salon Camille").await;
    owner.paris(&org, "Lyon", json!({"slug": "couleur-lyon"})).await;
    let visitor = app.client();
    let page = visitor.get("/book/couleur-lyon").await.text();
    assert!(page.contains("<span class=\"brand\">Salon Camille</span>"), "the business in the header: {page}");
    assert!(!page.contains("theme.css"), "no colour chosen: Creneau's own");
    let settings = |colour: &'static str, origins: &'static str| {
        [("name", "Salon Camille"), ("time_zone", "Europe/Paris"), ("brand_colour", colour), ("frame_origins", origins)]
    };
    // Refused in French, as typed: a colour too light for white text, an address that is
    // not a website's, a header injection.
    for (colour, origins, said) in [
        ("#ffff00", "", "Choisissez une couleur plus foncée"),
        ("violet", "", "Indiquez une couleur comme #7c3aed."),
        ("", "www.salon.fr", "www.salon.fr n&#39;est pas l&#39;adresse d&#39;un site"),
        ("", "https://salon.fr/reserver", "https://salon.fr/reserver n&#39;est pas"),
        ("", "https://a.fr;script-src", "n&#39;est pas l&#39;adresse d&#39;un site"),
    ] {
        let r = owner.post_form("/settings", &settings(colour, origins)).await;
        r.assert(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(said), "{colour} {origins}: {}", r.text());
    }
    let csp = visitor.get("/book/couleur-lyon").await.header("content-security-policy").unwrap().to_string();
    assert!(csp.ends_with("frame-ancestors *"), "nothing refused was kept: {csp}");
    // Kept in one form: lowercase colour, origins without their slash.
    let typed = settings("#7C3AED", "https://www.salon-camille.fr/\nhttps://partenaire.fr");
    owner.post_form("/settings", &typed).await.redirected("/settings?done=saved");
    let s = owner.org_get(&org, "").await.json();
    assert_eq!(s["brand_colour"], "#7c3aed");
    assert_eq!(s["frame_origins"], "https://www.salon-camille.fr https://partenaire.fr");
    let html = owner.get("/settings").await.text();
    assert!(html.contains("https://www.salon-camille.fr\nhttps://partenaire.fr</textarea>"), "one a line: {html}");
    let promo = owner.get("/promotion").await.text();
    assert!(
        promo.contains("Seuls ces sites peuvent l&#39;afficher : https://www.salon-camille.fr, https://partenaire.fr.")
    );
    assert!(promo.contains("href=\"/settings#frame_origins\""));
    // The booking page adds its stylesheet and may be framed by those sites only.
    let r = visitor.get("/book/couleur-lyon").await;
    let csp = r.header("content-security-policy").unwrap().to_string();
    assert!(csp.ends_with("frame-ancestors https://www.salon-camille.fr https://partenaire.fr"), "{csp}");
    assert!(r.header("x-frame-options").is_none());
    assert!(r.text().contains("<link rel=\"stylesheet\" href=\"/book/couleur-lyon/theme.css?v=7c3aed\">"));
    let css = visitor.get("/book/couleur-lyon/theme.css?v=7c3aed").await;
    css.assert(StatusCode::OK);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.header("cache-control").unwrap().starts_with("public"));
    assert_eq!(css.text(), ":root { --accent:#7c3aed; }\n");
    visitor.get("/book/nowhere/theme.css").await.assert(StatusCode::NOT_FOUND);
    // Staff pages still may be framed by no one.
    assert!(owner.get("/agenda").await.header("content-security-policy").unwrap().ends_with("frame-ancestors 'none'"));
    // The API takes them too, under the same rules; clearing gives any site back.
    let api = format!("/api/v1/orgs/{org}");
    let r = owner.patch_json(&api, json!({"frame_origins": "ftp://a.fr"})).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    owner.patch_json(&api, json!({"frame_origins": "", "brand_colour": ""})).await.assert(StatusCode::OK);
    let r = visitor.get("/book/couleur-lyon").await;
    assert!(r.header("content-security-policy").unwrap().ends_with("frame-ancestors *"));
    assert!(!r.text().contains("theme.css"));
    // Only whoever holds the settings changes them: a manager cannot.
    let (mgr, _) = owner.join(&org, "mgr@couleur.fr", json!({"role": "manager"})).await;
    mgr.patch_json(&api, json!({"frame_origins": "https://evil.fr"})).await.assert(StatusCode::FORBIDDEN);
    assert_eq!(owner.org_get(&org, "").await.json()["frame_origins"], "");
}

/// A PNG's signature and a little more: what the logo's type is read from.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

async fn the_business_puts_its_logo_on_its_booking_page(app: TestApp) {
    let (owner, org) = owner_with_org(&app, "owner@logo.fr", "Salon Camille").await;
    owner.paris(&org, "Lyon", json!({"slug": "logo-lyon"})).await;
    let visitor = app.client();
    visitor.get("/book/logo-lyon/logo").await.assert(StatusCode::NOT_FOUND);
    assert!(owner.get("/settings").await.text().contains("enctype=\"multipart/form-data\""));
    // Not an image we take (an SVG can carry script), or too big: refused in French.
    let r = owner.post_file("/settings/logo", None, "logo", b"<svg xmlns='http://www.w3.org/2000/svg'/>").await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Choisissez une image PNG, JPEG ou WebP."), "{}", r.text());
    let big = [PNG, &vec![0u8; 210 * 1024]].concat();
    let r = owner.post_file("/settings/logo", None, "logo", &big).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("200 Ko au plus."), "{}", r.text());
    // Without the form's token: refused, nothing kept.
    let r = owner.post_file("/settings/logo", Some("forged-token-forged-token-forged-token"), "logo", PNG).await;
    r.assert(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM org_logos").await, 0);
    // A PNG is kept and shown on the booking page beside the business's name.
    owner.post_file("/settings/logo", None, "logo", PNG).await.redirected("/settings?done=logo");
    let html = owner.get("/settings?done=logo").await.text();
    assert!(html.contains("Logo enregistré") && html.contains("src=\"/settings/logo?v="), "{html}");
    let preview = owner.get("/settings/logo").await;
    assert_eq!((preview.status, preview.header("content-type")), (StatusCode::OK, Some("image/png")));
    let page = visitor.get("/book/logo-lyon").await.text();
    let src =
        page.split("<img class=\"logo\" src=\"").nth(1).expect("the logo in the header").split('"').next().unwrap();
    assert!(src.starts_with("/book/logo-lyon/logo?v="), "{src}");
    assert!(page.contains("alt=\"\">Salon Camille</span>"), "the name beside it");
    let img = visitor.get(src).await;
    img.assert(StatusCode::OK);
    assert_eq!(img.header("content-type"), Some("image/png"));
    assert_eq!(img.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(&img.body[..], PNG);
    // Audited in words.
    assert!(owner.get("/audit").await.text().contains("a changé le logo de l&#39;organisation"));
    // Staff may not change it, nor see the settings' preview; another organisation neither.
    let (staff, _) = owner.join(&org, "staff@logo.fr", json!({"role": "staff"})).await;
    staff.post_file("/settings/logo", None, "logo", PNG).await.assert(StatusCode::FORBIDDEN);
    staff.get("/settings/logo").await.assert(StatusCode::FORBIDDEN);
    staff.post_form("/settings/logo/delete", &[]).await.assert(StatusCode::FORBIDDEN);
    let (stranger, _) = owner_with_org(&app, "owner@autre-logo.fr", "Autre").await;
    stranger.get("/settings/logo").await.assert(StatusCode::NOT_FOUND);
    stranger.post_form("/settings/logo/delete", &[]).await.redirected("/settings?done=logo_removed");
    assert_eq!(app.count("SELECT COUNT(*) FROM org_logos").await, 1, "another's removal touched nothing of ours");
    // The manage link's page wears the same look.
    let loc = owner.org_get(&org, "/locations").await.json()[0]["id"].as_str().unwrap().to_string();
    let cal = owner.calendar(&org, &loc, "Camille", json!({})).await;
    owner.open_weekdays(&org, &cal, "09:00", "18:00").await;
    let svc = owner.create(&org, "/services", json!({"name": "Coupe", "length_min": 30, "min_notice_min": 0})).await;
    owner.offer(&org, &svc, &cal).await;
    let b = json!({"service_id": svc, "calendar_id": cal, "start": "2026-03-03T10:00:00+01:00",
        "first_name": "Zoé", "last_name": "Martin", "email": "zoe@logo.fr"});
    visitor.post_json("/api/v1/book/logo-lyon/bookings", b).await.assert(StatusCode::CREATED);
    let token = crate::helpers::link_token(&app.last_mail_to("zoe@logo.fr").await, "/manage/");
    let manage = visitor.get(&format!("/manage/{token}")).await.text();
    assert!(manage.contains(&format!("<img class=\"logo\" src=\"{src}\"")), "{manage}");
    assert!(manage.contains("alt=\"\">Salon Camille</span>"));
    // The API: the image as the body, the same rules.
    let api = format!("/api/v1/orgs/{org}/logo");
    let put = |bytes: &'static [u8]| {
        Request::builder()
            .method(Method::PUT)
            .uri(&api)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes))
            .unwrap()
    };
    owner.send(put(b"GIF89a")).await.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let jpeg: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
    owner.send(put(jpeg)).await.assert(StatusCode::NO_CONTENT);
    let got = owner.get(&api).await;
    assert_eq!((got.header("content-type"), &got.body[..]), (Some("image/jpeg"), jpeg));
    staff.send(put(jpeg)).await.assert(StatusCode::FORBIDDEN);
    stranger.get(&api).await.assert(StatusCode::NOT_FOUND);
    // Removed: the page shows the name alone.
    owner.post_form("/settings/logo/delete", &[]).await.redirected("/settings?done=logo_removed");
    assert!(!visitor.get("/book/logo-lyon").await.text().contains("class=\"logo\""));
    visitor.get("/book/logo-lyon/logo").await.assert(StatusCode::NOT_FOUND);
}
