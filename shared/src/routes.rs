//! The HTTP route table: the one list that template.yaml, the local stack and the OpenAPI
//! document are checked against, and the dispatcher from a route to its handler.
use crate::handlers::{auth, HandlerResult};
use crate::{ApiError, AppState};
use lambda_http::{Body, Request, Response};
use std::time::Instant;

/// One handler per Lambda function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Handler {
    AuthRegister,
    AuthLogin,
    AuthLogout,
    AuthMe,
    AuthUpdateMe,
}

#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    /// API Gateway syntax: `/tickets/{id}`.
    pub path: &'static str,
    /// The function's binary (and crate) name under functions/.
    pub function: &'static str,
    pub handler: Handler,
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        path: "/auth/register",
        function: "auth-register",
        handler: Handler::AuthRegister,
    },
    Route { method: "POST", path: "/auth/login", function: "auth-login", handler: Handler::AuthLogin },
    Route { method: "POST", path: "/auth/logout", function: "auth-logout", handler: Handler::AuthLogout },
    Route { method: "GET", path: "/auth/me", function: "auth-me", handler: Handler::AuthMe },
    Route { method: "PATCH", path: "/auth/me", function: "auth-update-me", handler: Handler::AuthUpdateMe },
];

impl Handler {
    pub fn route(self) -> &'static Route {
        ROUTES.iter().find(|r| r.handler == self).expect("every handler has a route in ROUTES")
    }

    async fn run(self, state: &AppState, req: Request) -> HandlerResult {
        match self {
            Handler::AuthRegister => auth::register(state, req).await,
            Handler::AuthLogin => auth::login(state, req).await,
            Handler::AuthLogout => auth::logout(state, req).await,
            Handler::AuthMe => auth::me(state, req).await,
            Handler::AuthUpdateMe => auth::update_me(state, req).await,
        }
    }

    /// Runs the handler, maps its error to the API shape and logs one line per request.
    pub async fn handle(self, state: &AppState, req: Request) -> Response<Body> {
        let started = Instant::now();
        let route = self.route();
        let response = self.run(state, req).await.unwrap_or_else(ApiError::into_response);
        tracing::info!(
            method = route.method,
            route = route.path,
            function = route.function,
            status = response.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn routes_and_functions_are_unique() {
        let mut seen = HashSet::new();
        let mut functions = HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "duplicate route {} {}", r.method, r.path);
            assert!(functions.insert(r.function), "function {} serves two routes", r.function);
            assert_eq!(r.handler.route().function, r.function);
        }
    }
}
