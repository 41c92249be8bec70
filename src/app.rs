//! The router: every feature's routes assembled, with the middleware around them. Every route is added through `Routes::add`, which
//! wraps it in its access guard, so a route without a guard cannot exist.

pub use crate::state::AppState;
use crate::{
    error::AppError,
    features,
    http::{self, Identity, Surface},
};
use axum::{
    Router,
    extract::Request,
    handler::Handler,
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{MethodFilter, on},
};

/// Who may reach a route. Decided before the handler runs; handlers narrow further.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, signed in or not (sign-up, login, public pages, health checks).
    Public,
    /// A signed-in, unblocked account.
    Account,
    /// An active member of the organisation named in the path (`{org_id}`) or, for pages,
    /// of the session's active organisation. The guard builds the `OrgScope` itself, so a
    /// handler cannot forget the membership check.
    Org,
}

#[derive(Clone, Debug)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub guard: Guard,
    pub surface: Surface,
}

/// The router under construction plus the list of what it holds.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<RouteInfo>,
}

impl Default for Routes {
    fn default() -> Self {
        Self { router: Router::new(), list: Vec::new() }
    }
}

impl Routes {
    pub fn add<H, T>(mut self, method: Method, path: &'static str, guard: Guard, surface: Surface, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let route = on(filter, handler)
            .layer(middleware::from_fn(move |req: Request, next: Next| enforce(guard, surface, req, next)));
        self.router = self.router.route(path, route);
        self.list.push(RouteInfo { method, path, guard, surface });
        self
    }

    pub fn api<H, T>(self, method: Method, path: &'static str, guard: Guard, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(method, path, guard, Surface::Api, handler)
    }

    pub fn page<H, T>(self, method: Method, path: &'static str, guard: Guard, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(method, path, guard, Surface::Page, handler)
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    pub fn list(&self) -> &[RouteInfo] {
        &self.list
    }
}

async fn enforce(guard: Guard, surface: Surface, req: Request, next: Next) -> Response {
    if guard == Guard::Public {
        return next.run(req).await;
    }
    if req.extensions().get::<Identity>().is_none() {
        return match surface {
            Surface::Api => AppError::Unauthenticated.into_response(),
            Surface::Page => http::pages::redirect_to_login(req.uri()),
        };
    }
    if guard == Guard::Org {
        let Some(state) = req.extensions().get::<AppState>().cloned() else {
            return AppError::internal("state missing").into_response();
        };
        let (mut parts, body) = req.into_parts();
        let scope = <crate::access::OrgScope as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await;
        if let Err(e) = scope {
            return match surface {
                Surface::Api => e.into_response(),
                Surface::Page => http::pages::org_error(parts.extensions.get::<http::Ctx>(), e),
            };
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(req).await
}

/// Every route of the application, with its guard.
pub fn routes() -> Routes {
    Routes::default()
        .merge(features::health::routes())
        .merge(features::accounts::routes())
        .merge(features::orgs::routes())
        .merge(features::locations::routes())
        .merge(features::calendars::routes())
        .merge(features::members::routes())
        .merge(features::notifications::routes())
        .merge(features::teams::routes())
        .merge(features::audit_log::routes())
        .merge(features::bookings::routes())
        .merge(features::services::routes())
        .merge(features::clients::routes())
        .merge(features::public::routes())
        .merge(features::openapi::routes())
        .merge(http::assets::routes())
}

pub fn build_router(state: AppState) -> Router {
    let routes = routes();
    routes
        .router
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
