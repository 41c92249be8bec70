//! Static files compiled into the binary (one binary, nothing to deploy beside it).

use crate::http::routes::{Guard, Routes, get};
use axum::{http::header, response::IntoResponse};

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");

pub fn routes() -> Routes {
    Routes::default().page("/static/app.css", Guard::Public, get(css)).page("/static/app.js", Guard::Public, get(js))
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
}
