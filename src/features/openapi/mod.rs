//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::{
    app::{Guard, Routes},
    error::{FieldError, Problem},
    features::{accounts::api as accounts, orgs::api as orgs},
};
use axum::{http::Method, response::IntoResponse};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Creneau API", description = "Appointment scheduling for teams. Errors are RFC 9457 problem documents."),
    paths(
        accounts::signup, accounts::verify, accounts::resend_verification, accounts::login, accounts::logout,
        accounts::forgot, accounts::reset, accounts::me, accounts::update_me, accounts::change_password,
        accounts::sessions, accounts::revoke_session, accounts::revoke_others, accounts::totp_setup,
        accounts::totp_enable, accounts::totp_disable,
        orgs::list, orgs::create, orgs::switch,
    ),
    components(schemas(Problem, FieldError)),
    tags((name = "auth", description = "Sign-up, login, password reset"),
         (name = "me", description = "The signed-in account"),
         (name = "orgs", description = "Organisations"))
)]
pub struct ApiDoc;

pub fn routes() -> Routes {
    Routes::default().api(Method::GET, "/api/v1/openapi.json", Guard::Public, document)
}

async fn document() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
