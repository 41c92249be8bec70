//! Liveness and readiness for load balancers and orchestrators.

use crate::{
    error::AppResult,
    http::routes::{Guard, Routes, get},
    state::AppState,
};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::default().api("/healthz", Guard::Public, get(healthz)).api("/readyz", Guard::Public, get(readyz))
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
