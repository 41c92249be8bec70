//! Server-rendered pages: the shared frame, error pages and form helpers.

use super::Ctx;
use crate::{
    access::Identity,
    access::{
        OrgScope,
        policy::{Action, Object},
    },
    error::AppError,
    i18n::Tr,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Form, FromRequest, Request},
    http::{StatusCode, Uri, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use jiff::tz::TimeZone;
use serde::{Deserialize, de::DeserializeOwned};

/// What every page's frame needs.
#[derive(Clone, Debug)]
pub struct PageCtx {
    pub t: Tr,
    pub csrf: String,
    pub user: Option<NavUser>,
    pub flash: Option<String>,
    /// A business's public page (booking, manage link): its visitors see the business, not
    /// Creneau's sign-in links.
    pub public_site: bool,
    /// On a business's booking page: its name in the header, its colour's stylesheet and
    /// its logo.
    pub business: Option<String>,
    pub theme: Option<String>,
    pub logo: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NavUser {
    pub name: String,
    pub email: String,
    pub active_org: Option<String>,
    pub orgs: Vec<NavOrg>,
    /// The sections of the active organisation this member may open (empty without one).
    pub org_nav: Vec<NavLink>,
}

/// A link of the organisation navigation.
#[derive(Clone, Debug)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The organisation sections, each shown when the policy lets the member in.
fn org_links(t: Tr, scope: &OrgScope) -> Vec<NavLink> {
    let holds = |toggle| scope.member().capability(toggle).0;
    let sections: [(&'static str, &'static str, bool); 13] = [
        ("/agenda", t.get("nav.agenda"), true),
        ("/bookings", t.get("nav.bookings"), true),
        // Held somewhere: the directory narrows to the clients of those places.
        ("/clients", t.get("nav.clients"), holds(crate::access::policy::Toggle::ClientList)),
        ("/locations", t.get("nav.locations"), true),
        ("/services", t.get("nav.services"), true),
        ("/team", t.get("nav.team"), scope.check(Action::ViewMembers, Object::Org).allowed),
        ("/teams", t.get("nav.teams"), scope.check(Action::ManageTeams, Object::Org).allowed),
        ("/audit", t.get("nav.audit"), scope.check(Action::ViewAuditLog, Object::Org).allowed),
        // Held somewhere: the page narrows to the locations where it applies.
        ("/statistics", t.get("nav.statistics"), holds(crate::access::policy::Toggle::Statistics)),
        ("/promotion", t.get("nav.promotion"), holds(crate::access::policy::Toggle::Promotion)),
        // One's own notifications: every member.
        ("/notifications", t.get("nav.notifications"), true),
        ("/integrations", t.get("nav.integrations"), scope.check(Action::ManageApiKeys, Object::Org).allowed),
        ("/settings", t.get("nav.settings"), scope.check(Action::ManageOrgSettings, Object::Org).allowed),
    ];
    sections
        .into_iter()
        .filter(|(_, _, shown)| *shown)
        .map(|(href, label, _)| NavLink { href, label, current: false })
        .collect()
}

#[derive(Clone, Debug)]
pub struct NavOrg {
    pub id: String,
    pub name: String,
    pub active: bool,
}

impl PageCtx {
    pub fn anonymous(ctx: &Ctx) -> PageCtx {
        PageCtx {
            t: Tr(ctx.lang),
            csrf: ctx.csrf.clone(),
            user: None,
            flash: None,
            public_site: false,
            business: None,
            theme: None,
            logo: None,
        }
    }

    /// The frame of a business's public page: its language switch, no sign-in links.
    pub fn public_site(ctx: &Ctx) -> PageCtx {
        PageCtx { public_site: true, ..PageCtx::anonymous(ctx) }
    }

    /// The frame of a location's booking page: the business's name in the header and, when
    /// it chose a colour, the stylesheet that sets it (a URL that changes with the colour,
    /// so browsers may keep it).
    pub fn business_site(ctx: &Ctx, site: &crate::access::tenant::PublicSite, slug: &str) -> PageCtx {
        let theme = Some(site.brand_colour.trim_start_matches('#'))
            .filter(|c| !c.is_empty())
            .map(|c| format!("/book/{slug}/theme.css?v={c}"));
        let logo = site.logo_at.map(|v| format!("/book/{slug}/logo?v={v}"));
        PageCtx { business: Some(site.org_name.clone()), theme, logo, ..PageCtx::public_site(ctx) }
    }

    /// The frame for a signed-in account, with its organisations for the switcher and the
    /// sections of the active organisation that the member may open.
    pub async fn for_user(state: &AppState, ctx: &Ctx, who: &Identity) -> Result<PageCtx, AppError> {
        let mut p = Self::frame(state, ctx, who).await?;
        if let (Some(org_id), Some(u)) = (who.active_org_id.as_deref(), p.user.as_mut())
            && u.active_org.is_some()
        {
            // A membership that cannot be entered (blocked, second factor missing) simply
            // shows no sections; the pages themselves say why.
            match crate::access::context::org_scope(state, who, org_id).await {
                Ok(scope) => u.org_nav = org_links(p.t, &scope),
                Err(AppError::NotFound | AppError::Forbidden { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(p)
    }

    /// The frame for a page of the active organisation, whose scope the guard already built;
    /// `current` is the section's path, marked for assistive technology.
    pub async fn for_org(
        state: &AppState,
        ctx: &Ctx,
        who: &Identity,
        scope: &OrgScope,
        current: &str,
    ) -> Result<PageCtx, AppError> {
        let mut p = Self::frame(state, ctx, who).await?;
        if let Some(u) = p.user.as_mut() {
            u.org_nav = org_links(p.t, scope);
            for l in &mut u.org_nav {
                l.current = l.href == current;
            }
        }
        Ok(p)
    }

    async fn frame(state: &AppState, ctx: &Ctx, who: &Identity) -> Result<PageCtx, AppError> {
        let orgs = crate::access::identity::my_orgs(state, &who.account_id).await?;
        let active = who.active_org_id.as_deref();
        let active_org = orgs.iter().find(|o| Some(o.id.as_str()) == active).map(|o| o.name.clone());
        Ok(PageCtx {
            t: Tr(ctx.lang),
            csrf: ctx.csrf.clone(),
            user: Some(NavUser {
                name: format!("{} {}", who.first_name, who.last_name).trim().to_string(),
                email: who.email.clone(),
                active_org,
                orgs: orgs
                    .into_iter()
                    .map(|o| NavOrg { active: Some(o.id.as_str()) == active, id: o.id, name: o.name })
                    .collect(),
                org_nav: Vec::new(),
            }),
            flash: None,
            public_site: false,
            business: None,
            theme: None,
            logo: None,
        })
    }

    pub fn with_flash(mut self, message: impl Into<String>) -> Self {
        self.flash = Some(message.into());
        self
    }
}

/// An image answer (a stored logo) of this type, kept by browsers as `cache` says.
pub fn image(content_type: String, bytes: Vec<u8>, cache: &'static str) -> Response {
    let mut res = Response::new(axum::body::Body::from(bytes));
    let h = res.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
    res
}

pub fn render<T: Template>(page: &T) -> Response {
    render_status(StatusCode::OK, page)
}

pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// A page that says one thing: a title, a sentence and at most one button (`href`, label).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub p: PageCtx,
    pub title: String,
    pub message: String,
    pub link: Option<(String, String)>,
}

impl MessagePage {
    /// The page from keys of `p`'s language: the title, the message and the button's label.
    pub fn of(p: PageCtx, title_key: &str, message_key: &str, link: Option<(&str, &str)>) -> Self {
        let t = p.t;
        MessagePage {
            title: t.get(title_key).into(),
            message: t.get(message_key).into(),
            link: link.map(|(href, label_key)| (href.to_string(), t.get(label_key).to_string())),
            p,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub p: PageCtx,
    pub message: String,
    pub status: u16,
}

/// A readable page for a domain error. Internal details stay in the log.
pub fn error_page(ctx: Option<&Ctx>, err: &AppError) -> Response {
    err.log_if_internal();
    let t = Tr(ctx.map(|c| c.lang).unwrap_or_default());
    let message = match err {
        AppError::Validation(v) => {
            // Words the files have for a field's error (such as a date out of range) say
            // what to change; without any, the general sentence.
            let known: Vec<String> = v.iter().filter_map(|e| t.field_words(e)).collect();
            if known.is_empty() { err.text(t) } else { known.join(" ") }
        }
        other => other.text(t),
    };
    status_page(ctx, err.status(), message)
}

/// The error page with this status and message (for answers no `AppError` stands for).
pub fn status_page(ctx: Option<&Ctx>, status: StatusCode, message: String) -> Response {
    let t = Tr(ctx.map(|c| c.lang).unwrap_or_default());
    let page = ErrorPage {
        p: PageCtx {
            t,
            csrf: ctx.map(|c| c.csrf.clone()).unwrap_or_default(),
            // A signed-in person keeps their header (the page is drawn without the database,
            // so without the organisation switcher).
            user: ctx.and_then(|c| c.signed_in.clone()).map(|(name, email)| NavUser {
                name,
                email,
                active_org: None,
                orgs: Vec::new(),
                org_nav: Vec::new(),
            }),
            flash: None,
            public_site: false,
            business: None,
            theme: None,
            logo: None,
        },
        message,
        status: status.as_u16(),
    };
    render_status(status, &page)
}

/// A page-surface error: renders `error.html` with the right status.
pub struct PageError(pub AppError, pub Option<Box<Ctx>>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.1.as_deref(), &self.0)
    }
}

pub type PageResult = Result<Response, PageError>;

pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| PageError(e, Some(Box::new(ctx.clone()))))
    }
}

/// A form body; a malformed one is a readable 400 page (one holding NUL never gets here:
/// `csrf::protect` reads every form first and refuses it).
pub struct PageForm<T>(pub T);

impl<S, T> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let ctx = req.extensions().get::<Ctx>().cloned();
        match Form::<T>::from_request(req, state).await {
            Ok(Form(v)) => Ok(PageForm(v)),
            Err(_) => {
                Err(error_page(ctx.as_ref(), &AppError::bad_request("invalid-form", "The form could not be read.")))
            }
        }
    }
}

pub fn redirect_to_login(uri: &Uri) -> Response {
    let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut target = String::from("/login?next=");
    for b in next.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            target.push(b as char);
        } else {
            target.push_str(&format!("%{b:02X}"));
        }
    }
    Redirect::to(&target).into_response()
}

/// Only same-site relative paths are followed after login (no open redirect): a single
/// leading slash, then path characters only (no control bytes, spaces or backslashes that
/// browsers would strip or fold into "//host").
pub fn safe_next(next: Option<&str>) -> String {
    let ok = |n: &str| {
        let b = n.as_bytes();
        b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/') | Some(b'\\'))
            && b.iter().all(|&c| c.is_ascii_alphanumeric() || b"/-._~?=&%+".contains(&c))
    };
    match next {
        Some(n) if ok(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_is_always_local() {
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "/\t/evil.com",
            "/ /evil.com",
            "https://evil.com",
            "evil.com",
            "/x\r\nSet-Cookie:a",
        ] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(super::safe_next(Some("/orgs?x=1")), "/orgs?x=1");
    }
}

/// 303 See Other after a successful POST.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Field errors keyed by field name, for templates.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(pub Vec<crate::error::FieldError>);

impl FormErrors {
    pub fn from_error(e: &AppError) -> Option<FormErrors> {
        match e {
            AppError::Validation(v) => Some(FormErrors(v.clone())),
            _ => None,
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// The error of `field` in the page's language (`Tr::field_message`).
    pub fn text(&self, t: &Tr, field: &str) -> Option<String> {
        self.0.iter().find(|e| e.field == field).map(|e| t.field_message(e))
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Errors about fields the form does not show next to an input (such as `grants[0]`),
    /// as "field: message" lines for a summary, in the page's language.
    pub fn others(&self, t: &Tr, shown: &[&str]) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| !shown.contains(&e.field.as_str()))
            .map(|e| format!("{}: {}", e.field, t.field_message(e)))
            .collect()
    }
}

/// A form body as its list of fields, for forms whose names repeat (checkbox groups) or are
/// built from ids (`level_{id}`). A malformed body is a readable 400 page.
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("")
    }

    /// The value of `name` when present and not blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// Every non-blank value of `name` (a checkbox group), in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string()).collect()
    }

    /// A checkbox: present with any value.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        PageForm::<Vec<(String, String)>>::from_request(req, state).await.map(|PageForm(v)| FormFields(v))
    }
}

/// A page under an organisation that cannot be entered: no active organisation sends the
/// visitor to the organisation list; anything else is an error page.
pub fn org_error(ctx: Option<&Ctx>, e: AppError) -> Response {
    match e {
        AppError::NotFound if ctx.is_some() => see_other("/orgs"),
        other => error_page(ctx, &other),
    }
}

// ---- helpers shared by the features' pages ----

/// An `<option>`: value and label.
#[derive(Clone, Debug)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt { value: value.into(), label: label.into() }
    }
}

/// `?done=…` after a successful POST: the confirmation to show (only known words).
#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

pub fn done_flash(t: Tr, done: Option<&str>) -> Option<&'static str> {
    done.and_then(|d| t.done(d))
}

pub fn with_done(p: PageCtx, done: Option<&str>) -> PageCtx {
    match done_flash(p.t, done) {
        Some(f) => p.with_flash(f),
        None => p,
    }
}

pub fn local_time(ms: i64, zone: &TimeZone) -> String {
    crate::clock::from_ms(ms).to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// `a=1&b=x%20y`: the pairs with a value, each value percent-encoded.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")
}

/// Percent-encode a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A refused form that the page shows next to the form (with this status) instead of
/// leaving it: invalid fields, a conflict, a right the member lacks, too many attempts.
pub fn inline_error(t: Tr, e: &AppError) -> Option<(StatusCode, String)> {
    match e {
        AppError::Validation(_)
        | AppError::Conflict { .. }
        | AppError::Forbidden { .. }
        | AppError::RateLimited { .. } => Some((e.status(), e.text(t))),
        _ => None,
    }
}

/// Time zones offered in the pickers (any IANA name may be typed).
pub const ZONES: &[&str] = &[
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Lisbon",
    "Africa/Casablanca",
    "Africa/Abidjan",
    "Africa/Dakar",
    "America/Montreal",
    "America/New_York",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Pacific/Auckland",
    "UTC",
];
