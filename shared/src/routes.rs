//! The HTTP route table: the one list that template.yaml, the local stack and the OpenAPI
//! document are checked against, and the dispatcher from a route to its handler.
use crate::handlers::{attachments, auth, comments, orgs, tickets, users, HandlerResult};
use crate::{ApiError, AppState};
use lambda_http::{Body, Request, Response};
use std::time::Instant;

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// One handler per Lambda function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Handler {
    AuthRegister,
    AuthLogin,
    AuthLogout,
    AuthMe,
    AuthUpdateMe,
    UsersList,
    UsersAgents,
    UsersShow,
    UsersAssign,
    OrgsList,
    OrgsCreate,
    OrgsShow,
    OrgsUpdate,
    TicketsList,
    TicketsCreate,
    TicketsShow,
    TicketsUpdate,
    TicketsDelete,
    TicketsAssign,
    TicketsStatus,
    TicketsViewers,
    TicketsView,
    CommentsList,
    CommentsCreate,
    AttachmentsCreate,
    AttachmentsShow,
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
    Route { method: "GET", path: "/users", function: "users-list", handler: Handler::UsersList },
    Route { method: "GET", path: "/users/agents", function: "users-agents", handler: Handler::UsersAgents },
    Route { method: "GET", path: "/users/{id}", function: "users-show", handler: Handler::UsersShow },
    Route {
        method: "PATCH",
        path: "/users/{id}/assign",
        function: "users-assign",
        handler: Handler::UsersAssign,
    },
    Route { method: "GET", path: "/organizations", function: "orgs-list", handler: Handler::OrgsList },
    Route { method: "POST", path: "/organizations", function: "orgs-create", handler: Handler::OrgsCreate },
    Route { method: "GET", path: "/organizations/{id}", function: "orgs-show", handler: Handler::OrgsShow },
    Route {
        method: "PATCH",
        path: "/organizations/{id}",
        function: "orgs-update",
        handler: Handler::OrgsUpdate,
    },
    Route { method: "GET", path: "/tickets", function: "tickets-list", handler: Handler::TicketsList },
    Route { method: "POST", path: "/tickets", function: "tickets-create", handler: Handler::TicketsCreate },
    Route { method: "GET", path: "/tickets/{id}", function: "tickets-show", handler: Handler::TicketsShow },
    Route {
        method: "PATCH",
        path: "/tickets/{id}",
        function: "tickets-update",
        handler: Handler::TicketsUpdate,
    },
    Route {
        method: "DELETE",
        path: "/tickets/{id}",
        function: "tickets-delete",
        handler: Handler::TicketsDelete,
    },
    Route {
        method: "POST",
        path: "/tickets/{id}/assign",
        function: "tickets-assign",
        handler: Handler::TicketsAssign,
    },
    Route {
        method: "POST",
        path: "/tickets/{id}/status",
        function: "tickets-status",
        handler: Handler::TicketsStatus,
    },
    Route {
        method: "GET",
        path: "/tickets/{id}/viewers",
        function: "tickets-viewers",
        handler: Handler::TicketsViewers,
    },
    Route {
        method: "POST",
        path: "/tickets/{id}/view",
        function: "tickets-view",
        handler: Handler::TicketsView,
    },
    Route {
        method: "GET",
        path: "/tickets/{id}/comments",
        function: "comments-list",
        handler: Handler::CommentsList,
    },
    Route {
        method: "POST",
        path: "/tickets/{id}/comments",
        function: "comments-create",
        handler: Handler::CommentsCreate,
    },
    Route {
        method: "POST",
        path: "/attachments",
        function: "attachments-create",
        handler: Handler::AttachmentsCreate,
    },
    Route {
        method: "GET",
        path: "/attachments/{id}",
        function: "attachments-show",
        handler: Handler::AttachmentsShow,
    },
];

impl Handler {
    pub fn route(self) -> &'static Route {
        ROUTES.iter().find(|r| r.handler == self).expect("every handler has a route in ROUTES")
    }

    /// The handler's future, boxed: one frame per request instead of the largest handler's
    /// state inlined into every caller (debug builds would otherwise need deep stacks).
    fn run<'a>(self, state: &'a AppState, req: Request) -> BoxFuture<'a, HandlerResult> {
        match self {
            Handler::AuthRegister => Box::pin(auth::register(state, req)),
            Handler::AuthLogin => Box::pin(auth::login(state, req)),
            Handler::AuthLogout => Box::pin(auth::logout(state, req)),
            Handler::AuthMe => Box::pin(auth::me(state, req)),
            Handler::AuthUpdateMe => Box::pin(auth::update_me(state, req)),
            Handler::UsersList => Box::pin(users::list(state, req)),
            Handler::UsersAgents => Box::pin(users::agents(state, req)),
            Handler::UsersShow => Box::pin(users::show(state, req)),
            Handler::UsersAssign => Box::pin(users::assign(state, req)),
            Handler::OrgsList => Box::pin(orgs::list(state, req)),
            Handler::OrgsCreate => Box::pin(orgs::create(state, req)),
            Handler::OrgsShow => Box::pin(orgs::show(state, req)),
            Handler::OrgsUpdate => Box::pin(orgs::update(state, req)),
            Handler::TicketsList => Box::pin(tickets::list(state, req)),
            Handler::TicketsCreate => Box::pin(tickets::create(state, req)),
            Handler::TicketsShow => Box::pin(tickets::show(state, req)),
            Handler::TicketsUpdate => Box::pin(tickets::update(state, req)),
            Handler::TicketsDelete => Box::pin(tickets::delete(state, req)),
            Handler::TicketsAssign => Box::pin(tickets::assign(state, req)),
            Handler::TicketsStatus => Box::pin(tickets::status(state, req)),
            Handler::TicketsViewers => Box::pin(tickets::viewers(state, req)),
            Handler::TicketsView => Box::pin(tickets::mark_viewed(state, req)),
            Handler::CommentsList => Box::pin(comments::list(state, req)),
            Handler::CommentsCreate => Box::pin(comments::create(state, req)),
            Handler::AttachmentsCreate => Box::pin(attachments::create(state, req)),
            Handler::AttachmentsShow => Box::pin(attachments::show(state, req)),
        }
    }

    /// Runs the handler, maps its error to the API shape and logs one line per request.
    pub async fn handle(self, state: &AppState, req: Request) -> Response<Body> {
        let started = Instant::now();
        let route = self.route();
        let request_id = request_id(&req);
        let (result, metrics) = crate::telemetry::measured(self.run(state, req)).await;
        let response = result.unwrap_or_else(ApiError::into_response);
        // One line per request; never the token, the body or a password.
        tracing::info!(
            request_id = %request_id,
            method = route.method,
            route = route.path,
            function = route.function,
            user_id = metrics.user_id().map(|u| u.to_string()).unwrap_or_default(),
            status = response.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            dynamodb_calls = metrics.dynamodb_calls(),
            "request"
        );
        response
    }
}

/// The Lambda request id, else API Gateway's, else a fresh one (local stack).
fn request_id(req: &Request) -> String {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    if let Some(ctx) = req.lambda_context_ref() {
        return ctx.request_id.clone();
    }
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.request_id.clone().unwrap_or_default(),
        _ => uuid::Uuid::new_v4().to_string(),
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
