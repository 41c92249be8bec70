//! The router: every feature's routes assembled, with the middleware around them. This
//! module and `main.rs` are the only ones that know the features; every other part sits below
//! them (see ARCHITECTURE.md, "Floors").

pub use crate::http::routes::{Guard, RouteInfo, Routes};
pub use crate::state::AppState;
use crate::{features, http};
use axum::{Router, middleware};

/// Every route of the application, with its guard.
pub fn routes() -> Routes {
    Routes::default()
        .merge(features::health::routes())
        .merge(features::accounts::routes())
        .merge(features::home::routes())
        .merge(features::orgs::routes())
        .merge(features::locations::routes())
        .merge(features::calendars::routes())
        .merge(features::members::routes())
        .merge(features::notifications::routes())
        .merge(features::teams::routes())
        .merge(features::audit_log::routes())
        .merge(features::bookings::routes())
        .merge(features::services::routes())
        .merge(features::availability::routes())
        .merge(features::clients::routes())
        .merge(features::statistics::routes())
        .merge(features::promotion::routes())
        .merge(features::api_keys::routes())
        .merge(features::webhooks::routes())
        .merge(features::public::routes())
        .merge(features::openapi::routes())
        .merge(http::assets::routes())
}

pub fn build_router(state: AppState) -> Router {
    routes()
        .into_router()
        .fallback(http::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), http::csrf::protect))
        .layer(middleware::from_fn_with_state(state.clone(), http::identify))
        .layer(middleware::from_fn(http::refuse_bad_urls))
        .layer(middleware::from_fn(http::problem_bodies))
        .layer(middleware::from_fn_with_state(state.clone(), http::request_context))
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY))
        .layer(middleware::from_fn(http::security_headers))
        .with_state(state)
}

/// Run the server until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = build_router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
