//! Route registration. Every route is added through `Routes::add`, which wraps it in its
//! access guard, so a route without a guard cannot exist. Features describe their routes
//! with these types; only the router assembly (`app.rs`) gathers them.

use super::{Ctx, Surface, pages};
use crate::{access::Identity, error::AppError, state::AppState};
use axum::{
    Router,
    extract::Request,
    handler::Handler,
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{MethodFilter, MethodRouter, on},
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

/// The handlers of one path by method, written the way axum's are: `get(list).post(create)`.
#[derive(Default)]
pub struct Methods(Vec<(Method, MethodRouter<AppState>)>);

impl Methods {
    fn on<H, T>(mut self, method: Method, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        self.0.push((method, on(filter, handler)));
        self
    }
}

impl Methods {
    /// These handlers take a file: bodies up to `MAX_UPLOAD` instead of `MAX_BODY`.
    pub fn uploads(self) -> Self {
        let limit = axum::extract::DefaultBodyLimit::max(super::MAX_UPLOAD);
        Methods(self.0.into_iter().map(|(m, r)| (m, r.layer(limit))).collect())
    }
}

/// For each method, `Methods::<name>` adding its handler and a function `<name>` starting a
/// path's handlers with it.
macro_rules! methods {
    ($($name:ident => $method:ident),*) => {
        impl Methods {
            $(pub fn $name<H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self {
                self.on(Method::$method, handler)
            })*
        }
        $(pub fn $name<H: Handler<T, AppState>, T: 'static>(handler: H) -> Methods {
            Methods::default().$name(handler)
        })*
    };
}

methods!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

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
    /// Registers `route` for `method` at `path` behind `guard`: the one way a route is added.
    pub fn add(
        mut self,
        method: Method,
        path: &'static str,
        guard: Guard,
        surface: Surface,
        route: MethodRouter<AppState>,
    ) -> Self {
        let route =
            route.layer(middleware::from_fn(move |req: Request, next: Next| enforce(guard, surface, req, next)));
        self.router = self.router.route(path, route);
        self.list.push(RouteInfo { method, path, guard, surface });
        self
    }

    /// The JSON API's handlers at `path`, each behind `guard`.
    pub fn api(self, path: &'static str, guard: Guard, methods: Methods) -> Self {
        self.at(path, guard, Surface::Api, methods)
    }

    /// The pages' handlers at `path`, each behind `guard`.
    pub fn page(self, path: &'static str, guard: Guard, methods: Methods) -> Self {
        self.at(path, guard, Surface::Page, methods)
    }

    fn at(self, path: &'static str, guard: Guard, surface: Surface, methods: Methods) -> Self {
        methods.0.into_iter().fold(self, |routes, (method, route)| routes.add(method, path, guard, surface, route))
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    pub fn list(&self) -> &[RouteInfo] {
        &self.list
    }

    /// The axum router holding every route added, for the assembly to wrap in middleware.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

async fn enforce(guard: Guard, surface: Surface, req: Request, next: Next) -> Response {
    if guard == Guard::Public {
        return next.run(req).await;
    }
    if req.extensions().get::<Identity>().is_none() {
        return match surface {
            Surface::Api => AppError::Unauthenticated.into_response(),
            Surface::Page => pages::redirect_to_login(req.uri()),
        };
    }
    // An API key reaches its organisation's routes, never its creator's account (password,
    // sessions, second factor, other organisations).
    if guard == Guard::Account && req.extensions().get::<Identity>().is_some_and(|i| i.key.is_some()) {
        return AppError::forbidden("api-key-not-for-accounts", "API keys reach their organisation's routes only.")
            .into_response();
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
                Surface::Page => pages::org_error(parts.extensions.get::<Ctx>(), e),
            };
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(req).await
}
