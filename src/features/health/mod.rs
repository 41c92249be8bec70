//! Liveness and readiness for load balancers and orchestrators.

use crate::{
    error::AppResult,
    http::routes::{Guard, Routes},
    state::AppState,
};
use axum::{extract::State, http::Method};

pub fn routes() -> Routes {
    Routes::default().api(Method::GET, "/healthz", Guard::Public, healthz).api(
        Method::GET,
        "/readyz",
        Guard::Public,
        readyz,
    )
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> AppResult<&'static str> {
    state.db.ping().await?;
    Ok("ready")
}
