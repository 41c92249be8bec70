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

    /// An organisation's collection at `path` (`/api/v1/orgs/{org_id}/…`): `GET` lists it,
    /// `POST` adds to it.
    pub fn org_collection<L, Tl, C, Tc>(self, path: &'static str, list: L, create: C) -> Self
    where
        L: Handler<Tl, AppState>,
        Tl: 'static,
        C: Handler<Tc, AppState>,
        Tc: 'static,
    {
        self.api(Method::GET, path, Guard::Org, list).api(Method::POST, path, Guard::Org, create)
    }

    /// One item of an organisation's collection at `path` (`/api/v1/orgs/{org_id}/…/{id}`):
    /// `GET` reads it, `PATCH` changes it, `DELETE` removes it.
    pub fn org_item<G, Tg, U, Tu, D, Td>(self, path: &'static str, get: G, update: U, delete: D) -> Self
    where
        G: Handler<Tg, AppState>,
        Tg: 'static,
        U: Handler<Tu, AppState>,
        Tu: 'static,
        D: Handler<Td, AppState>,
        Td: 'static,
    {
        self.api(Method::GET, path, Guard::Org, get).api(Method::PATCH, path, Guard::Org, update).api(
            Method::DELETE,
            path,
            Guard::Org,
            delete,
        )
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
