//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::{
    error::{FieldError, Problem},
    features::{
        accounts::api as accounts, api_keys::api as api_keys, audit_log::api as audit,
        availability::api as availability, bookings::api as bookings, calendars::api as calendars,
        clients::api as clients, locations::api as locations, members::api as members,
        notifications::api as notifications, orgs::api as orgs, public::api as public, services::api as services,
        statistics::api as statistics, teams::api as teams, webhooks::api as webhooks,
    },
    http::routes::{Guard, Routes, get},
};
use axum::{http::header, response::IntoResponse};
use std::sync::LazyLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Creneau API", description = "Appointment scheduling for teams. Errors are RFC 9457 problem documents."),
    paths(
        accounts::signup, accounts::verify, accounts::resend_verification, accounts::login, accounts::logout,
        accounts::forgot, accounts::reset, accounts::me, accounts::update_me, accounts::change_password,
        accounts::sessions, accounts::revoke_session, accounts::revoke_others, accounts::totp_setup,
        accounts::totp_enable, accounts::totp_disable,
        orgs::list, orgs::create, orgs::switch, orgs::get_settings, orgs::update_settings, orgs::get_logo, orgs::set_logo, orgs::remove_logo,
        locations::list, locations::create, locations::get, locations::update, locations::delete,
        calendars::list, calendars::create, calendars::get, calendars::update, calendars::delete,
        members::roles, members::list, members::invite, members::get, members::update, members::remove,
        members::set_grants, members::activate, members::resend, members::revoke, members::block, members::unblock,
        members::explain, members::preview, members::me, members::transfer_ownership, members::leave,
        members::lookup_invitation, members::accept_invitation, members::register_with_invitation,
        notifications::get_mine, notifications::set_mine,
        teams::list, teams::create, teams::get, teams::update, teams::delete,
        audit::list, audit::export,
        bookings::list, bookings::search, bookings::export, bookings::create, bookings::get, bookings::update, bookings::cancel,
        bookings::get_hours, bookings::set_hours, bookings::list_unavailability, bookings::add_unavailability,
        bookings::remove_unavailability, bookings::update_unavailability, bookings::no_show,
        services::list, services::create, services::get, services::update, services::delete,
        services::offer, services::withdraw, availability::availability,
        clients::list, clients::create, clients::get, clients::update, clients::merge, clients::export, clients::erase,
        public::page, public::availability, public::book, public::manage, public::cancel, public::reschedule,
        statistics::statistics, statistics::export,
        api_keys::list, api_keys::create, api_keys::get, api_keys::regenerate, api_keys::revoke,
        webhooks::list, webhooks::create, webhooks::get, webhooks::update, webhooks::delete, webhooks::messages,
        webhooks::ping, webhooks::resend,
    ),
    modifiers(&Security, &Problems),
    components(schemas(Problem, FieldError)),
    tags((name = "auth", description = "Sign-up, login, password reset"),
         (name = "me", description = "The signed-in account"),
         (name = "orgs", description = "Organisations"),
         (name = "locations", description = "Locations (branches)"),
         (name = "calendars", description = "Calendars (agendas)"),
         (name = "members", description = "Members, roles, rights and explain-access"),
         (name = "invitations", description = "Accepting an invitation"),
         (name = "teams", description = "Teams, usable as grant targets"),
         (name = "audit", description = "Who did what: the audit trail"),
         (name = "bookings", description = "Bookings and working hours"),
         (name = "services", description = "Services (appointment types)"),
         (name = "availability", description = "Free times of services on calendars"),
         (name = "clients", description = "Clients, history, merge, export and erasure"),
         (name = "public", description = "The public booking page and manage links"),
         (name = "statistics", description = "Bookings per week, location, calendar and service; rates, busiest hours, utilisation"),
         (name = "api_keys", description = "API keys: made by people, for part of what they hold"),
         (name = "webhooks", description = "Webhooks: signed messages when bookings, clients or members change"))
)]
pub struct ApiDoc;

/// Error answers as they are sent: every problem document is `application/problem+json`,
/// and every operation documents the errors any request may meet before or beside its own
/// logic (a malformed path or query, no or a refused credential, something not found, a
/// field refused, the caller's rate limit; for a body, too large or not JSON).
struct Problems;

impl utoipa::Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, RefOr, Response, schema::Ref};
        const PROBLEM: &str = "application/problem+json";
        let problem = |what: &str| {
            let mut r = Response::new(what);
            r.content.insert(PROBLEM.into(), Content::new(Some(Ref::from_schema_name("Problem"))));
            r
        };
        let common = [
            ("400", "The path, the query or the body could not be read."),
            ("401", "No credential, or one refused (an API key unknown, revoked, expired or misplaced)."),
            ("403", "Not allowed (the policy's reason in the problem)."),
            ("404", "Not found, or not visible to the caller."),
            ("422", "A field was refused (the problem lists them)."),
            ("429", "Too many requests; `Retry-After` says when to come back."),
        ];
        let with_body = [("413", "The body is too large."), ("415", "The body is not JSON.")];
        for item in openapi.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for op in ops.into_iter().flatten() {
                for r in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = r
                        && let Some(c) = r.content.get("application/json")
                        && matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem"))
                    {
                        let c = r.content.shift_remove("application/json").unwrap_or_else(|| Content::new(None::<Ref>));
                        r.content.insert(PROBLEM.into(), c);
                    }
                }
                let extra = if op.request_body.is_some() { &with_body[..] } else { &[] };
                for (status, what) in common.iter().chain(extra) {
                    op.responses.responses.entry((*status).into()).or_insert_with(|| RefOr::T(problem(what)));
                }
            }
        }
    }
}

/// How a caller proves who they are: an API key as a bearer token (integrations), or the
/// browser's session cookie (the pages' own calls).
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API key (crn_…) made on the API and integrations page, in `Authorization: Bearer`."))
            .build();
        c.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        c.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("creneau_session"))));
        openapi.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

pub fn routes() -> Routes {
    Routes::default().api("/api/v1/openapi.json", Guard::Public, get(document))
}

/// The document as JSON text, built once. utoipa's generated builder has very large stack
/// frames in unoptimised builds, so it runs on a thread with a roomy stack.
pub fn json() -> &'static str {
    static DOC: LazyLock<String> = LazyLock::new(|| {
        std::thread::Builder::new()
            .stack_size(16 * 1024 * 1024)
            .spawn(|| serde_json::to_string(&ApiDoc::openapi()).unwrap_or_default())
            .ok()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    });
    &DOC
}

async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "public, max-age=300")], json())
}
