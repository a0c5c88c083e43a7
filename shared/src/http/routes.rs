//! The HTTP route table: the one list that template.yaml, the local stack, the OpenAPI
//! document and every function's `main` are checked against.
use super::handlers::{
    api_tokens, attachments, auth, automations, comments, groups, macros, orgs, original_mail, reports,
    satisfaction, schedules, search, sla_policies, suspended_mails, tickets, triggers, users, views,
    webhooks,
};
use super::Shared;
use axum::routing::{on, MethodFilter, MethodRouter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// API Gateway (and axum) syntax: `/tickets/{id}`.
    pub path: &'static str,
    /// The function's binary (and crate) name under functions/.
    pub function: &'static str,
}

impl Route {
    pub fn filter(&self) -> MethodFilter {
        match self.method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "PATCH" => MethodFilter::PATCH,
            "DELETE" => MethodFilter::DELETE,
            other => panic!("route table method {other} is not served"),
        }
    }

    /// The table entry of a function.
    pub fn of_function(function: &str) -> Option<&'static Route> {
        ROUTES.iter().find(|r| r.function == function)
    }
}

macro_rules! routes {
    ($($name:ident = $method:literal $path:literal => $function:literal;)+) => {
        $(pub const $name: Route = Route { method: $method, path: $path, function: $function };)+
        pub const ROUTES: &[Route] = &[$($name),+];
    };
}

routes! {
    AUTH_REGISTER = "POST" "/auth/register" => "auth-register";
    AUTH_LOGIN = "POST" "/auth/login" => "auth-login";
    AUTH_LOGOUT = "POST" "/auth/logout" => "auth-logout";
    AUTH_ME = "GET" "/auth/me" => "auth-me";
    AUTH_UPDATE_ME = "PATCH" "/auth/me" => "auth-update-me";
    AUTH_VERIFY_EMAIL = "POST" "/auth/verify-email" => "auth-verify-email";
    AUTH_FORGOT_PASSWORD = "POST" "/auth/forgot-password" => "auth-forgot-password";
    AUTH_RESET_PASSWORD = "POST" "/auth/reset-password" => "auth-reset-password";
    USERS_LIST = "GET" "/users" => "users-list";
    USERS_AGENTS = "GET" "/users/agents" => "users-agents";
    USERS_SHOW = "GET" "/users/{id}" => "users-show";
    USERS_ASSIGN = "PATCH" "/users/{id}/assign" => "users-assign";
    ORGS_LIST = "GET" "/organizations" => "orgs-list";
    ORGS_CREATE = "POST" "/organizations" => "orgs-create";
    ORGS_SHOW = "GET" "/organizations/{id}" => "orgs-show";
    ORGS_UPDATE = "PATCH" "/organizations/{id}" => "orgs-update";
    GROUPS_LIST = "GET" "/groups" => "groups-list";
    GROUPS_CREATE = "POST" "/groups" => "groups-create";
    GROUPS_SHOW = "GET" "/groups/{id}" => "groups-show";
    GROUPS_UPDATE = "PATCH" "/groups/{id}" => "groups-update";
    GROUPS_DELETE = "DELETE" "/groups/{id}" => "groups-delete";
    GROUPS_MEMBERSHIPS = "GET" "/groups/{id}/memberships" => "groups-memberships";
    GROUPS_ADD_MEMBER = "POST" "/groups/{id}/memberships" => "groups-add-member";
    GROUPS_REMOVE_MEMBER = "DELETE" "/groups/{id}/memberships/{user_id}" => "groups-remove-member";
    MACROS_LIST = "GET" "/macros" => "macros-list";
    MACROS_CREATE = "POST" "/macros" => "macros-create";
    MACROS_SHOW = "GET" "/macros/{id}" => "macros-show";
    MACROS_UPDATE = "PATCH" "/macros/{id}" => "macros-update";
    MACROS_DELETE = "DELETE" "/macros/{id}" => "macros-delete";
    MACROS_PREVIEW = "GET" "/tickets/{id}/macros/{macro_id}/apply" => "macros-preview";
    MACROS_APPLY = "POST" "/tickets/{id}/macros/{macro_id}/apply" => "macros-apply";
    VIEWS_LIST = "GET" "/views" => "views-list";
    VIEWS_CREATE = "POST" "/views" => "views-create";
    VIEWS_SHOW = "GET" "/views/{id}" => "views-show";
    VIEWS_UPDATE = "PATCH" "/views/{id}" => "views-update";
    VIEWS_DELETE = "DELETE" "/views/{id}" => "views-delete";
    VIEWS_TICKETS = "GET" "/views/{id}/tickets" => "views-tickets";
    VIEWS_COUNT = "GET" "/views/{id}/count" => "views-count";
    VIEWS_COUNT_MANY = "GET" "/views/count_many" => "views-count-many";
    VIEWS_PREVIEW = "POST" "/views/preview" => "views-preview";
    SEARCH = "GET" "/search" => "search";
    TICKETS_ORIGINAL_MAIL = "GET" "/tickets/{id}/original-mail" => "tickets-original-mail";
    SCHEDULES_LIST = "GET" "/schedules" => "schedules-list";
    SCHEDULES_CREATE = "POST" "/schedules" => "schedules-create";
    SCHEDULES_SHOW = "GET" "/schedules/{id}" => "schedules-show";
    SCHEDULES_UPDATE = "PATCH" "/schedules/{id}" => "schedules-update";
    SCHEDULES_DELETE = "DELETE" "/schedules/{id}" => "schedules-delete";
    SLA_POLICIES_LIST = "GET" "/sla-policies" => "sla-policies-list";
    SLA_POLICIES_CREATE = "POST" "/sla-policies" => "sla-policies-create";
    SLA_POLICIES_SHOW = "GET" "/sla-policies/{id}" => "sla-policies-show";
    SLA_POLICIES_UPDATE = "PATCH" "/sla-policies/{id}" => "sla-policies-update";
    SLA_POLICIES_DELETE = "DELETE" "/sla-policies/{id}" => "sla-policies-delete";
    SLA_POLICIES_REORDER = "PUT" "/sla-policies/reorder" => "sla-policies-reorder";
    SATISFACTION_CREATE = "POST" "/tickets/{id}/satisfaction" => "satisfaction-create";
    SATISFACTION_LIST = "GET" "/satisfaction-ratings" => "satisfaction-list";
    REPORTS_SUMMARY = "GET" "/reports/summary" => "reports-summary";
    API_TOKENS_LIST = "GET" "/api-tokens" => "api-tokens-list";
    API_TOKENS_CREATE = "POST" "/api-tokens" => "api-tokens-create";
    API_TOKENS_DELETE = "DELETE" "/api-tokens/{id}" => "api-tokens-delete";
    TRIGGERS_LIST = "GET" "/triggers" => "triggers-list";
    TRIGGERS_CREATE = "POST" "/triggers" => "triggers-create";
    TRIGGERS_SHOW = "GET" "/triggers/{id}" => "triggers-show";
    TRIGGERS_UPDATE = "PATCH" "/triggers/{id}" => "triggers-update";
    TRIGGERS_DELETE = "DELETE" "/triggers/{id}" => "triggers-delete";
    TRIGGERS_REORDER = "PUT" "/triggers/reorder" => "triggers-reorder";
    AUTOMATIONS_LIST = "GET" "/automations" => "automations-list";
    AUTOMATIONS_CREATE = "POST" "/automations" => "automations-create";
    AUTOMATIONS_SHOW = "GET" "/automations/{id}" => "automations-show";
    AUTOMATIONS_UPDATE = "PATCH" "/automations/{id}" => "automations-update";
    AUTOMATIONS_DELETE = "DELETE" "/automations/{id}" => "automations-delete";
    AUTOMATIONS_REORDER = "PUT" "/automations/reorder" => "automations-reorder";
    WEBHOOKS_LIST = "GET" "/webhooks" => "webhooks-list";
    WEBHOOKS_CREATE = "POST" "/webhooks" => "webhooks-create";
    WEBHOOKS_SHOW = "GET" "/webhooks/{id}" => "webhooks-show";
    WEBHOOKS_UPDATE = "PATCH" "/webhooks/{id}" => "webhooks-update";
    WEBHOOKS_DELETE = "DELETE" "/webhooks/{id}" => "webhooks-delete";
    SUSPENDED_MAILS_LIST = "GET" "/suspended-mails" => "suspended-mails-list";
    SUSPENDED_MAILS_RECOVER = "POST" "/suspended-mails/{id}/recover" => "suspended-mails-recover";
    SUSPENDED_MAILS_DELETE = "DELETE" "/suspended-mails/{id}" => "suspended-mails-delete";
    TICKETS_LIST = "GET" "/tickets" => "tickets-list";
    TICKETS_CREATE = "POST" "/tickets" => "tickets-create";
    TICKETS_SHOW = "GET" "/tickets/{id}" => "tickets-show";
    TICKETS_UPDATE = "PATCH" "/tickets/{id}" => "tickets-update";
    TICKETS_DELETE = "DELETE" "/tickets/{id}" => "tickets-delete";
    TICKETS_ASSIGN = "POST" "/tickets/{id}/assign" => "tickets-assign";
    TICKETS_STATUS = "POST" "/tickets/{id}/status" => "tickets-status";
    TICKETS_VIEWERS = "GET" "/tickets/{id}/viewers" => "tickets-viewers";
    TICKETS_VIEW = "POST" "/tickets/{id}/view" => "tickets-view";
    COMMENTS_LIST = "GET" "/tickets/{id}/comments" => "comments-list";
    COMMENTS_CREATE = "POST" "/tickets/{id}/comments" => "comments-create";
    ATTACHMENTS_CREATE = "POST" "/attachments" => "attachments-create";
    ATTACHMENTS_SHOW = "GET" "/attachments/{id}" => "attachments-show";
}

/// Every route with its handler. Only the local stack and the tests call this; a function
/// binary names its own handler (see [`super::lambda::serve`]), so it links only that one.
pub fn all() -> Vec<(Route, MethodRouter<Shared>)> {
    let r = |route: Route, m: MethodRouter<Shared>| (route, m);
    vec![
        r(AUTH_REGISTER, on(AUTH_REGISTER.filter(), auth::register)),
        r(AUTH_LOGIN, on(AUTH_LOGIN.filter(), auth::login)),
        r(AUTH_LOGOUT, on(AUTH_LOGOUT.filter(), auth::logout)),
        r(AUTH_ME, on(AUTH_ME.filter(), auth::me)),
        r(AUTH_UPDATE_ME, on(AUTH_UPDATE_ME.filter(), auth::update_me)),
        r(AUTH_VERIFY_EMAIL, on(AUTH_VERIFY_EMAIL.filter(), auth::verify_email)),
        r(AUTH_FORGOT_PASSWORD, on(AUTH_FORGOT_PASSWORD.filter(), auth::forgot_password)),
        r(AUTH_RESET_PASSWORD, on(AUTH_RESET_PASSWORD.filter(), auth::reset_password)),
        r(USERS_LIST, on(USERS_LIST.filter(), users::list)),
        r(USERS_AGENTS, on(USERS_AGENTS.filter(), users::agents)),
        r(USERS_SHOW, on(USERS_SHOW.filter(), users::show)),
        r(USERS_ASSIGN, on(USERS_ASSIGN.filter(), users::assign)),
        r(ORGS_LIST, on(ORGS_LIST.filter(), orgs::list)),
        r(ORGS_CREATE, on(ORGS_CREATE.filter(), orgs::create)),
        r(ORGS_SHOW, on(ORGS_SHOW.filter(), orgs::show)),
        r(ORGS_UPDATE, on(ORGS_UPDATE.filter(), orgs::update)),
        r(GROUPS_LIST, on(GROUPS_LIST.filter(), groups::list)),
        r(GROUPS_CREATE, on(GROUPS_CREATE.filter(), groups::create)),
        r(GROUPS_SHOW, on(GROUPS_SHOW.filter(), groups::show)),
        r(GROUPS_UPDATE, on(GROUPS_UPDATE.filter(), groups::update)),
        r(GROUPS_DELETE, on(GROUPS_DELETE.filter(), groups::delete)),
        r(GROUPS_MEMBERSHIPS, on(GROUPS_MEMBERSHIPS.filter(), groups::memberships)),
        r(GROUPS_ADD_MEMBER, on(GROUPS_ADD_MEMBER.filter(), groups::add_member)),
        r(GROUPS_REMOVE_MEMBER, on(GROUPS_REMOVE_MEMBER.filter(), groups::remove_member)),
        r(MACROS_LIST, on(MACROS_LIST.filter(), macros::list)),
        r(MACROS_CREATE, on(MACROS_CREATE.filter(), macros::create)),
        r(MACROS_SHOW, on(MACROS_SHOW.filter(), macros::show)),
        r(MACROS_UPDATE, on(MACROS_UPDATE.filter(), macros::update)),
        r(MACROS_DELETE, on(MACROS_DELETE.filter(), macros::delete)),
        r(MACROS_PREVIEW, on(MACROS_PREVIEW.filter(), macros::preview)),
        r(MACROS_APPLY, on(MACROS_APPLY.filter(), macros::apply)),
        r(VIEWS_LIST, on(VIEWS_LIST.filter(), views::list)),
        r(VIEWS_CREATE, on(VIEWS_CREATE.filter(), views::create)),
        r(VIEWS_SHOW, on(VIEWS_SHOW.filter(), views::show)),
        r(VIEWS_UPDATE, on(VIEWS_UPDATE.filter(), views::update)),
        r(VIEWS_DELETE, on(VIEWS_DELETE.filter(), views::delete)),
        r(VIEWS_TICKETS, on(VIEWS_TICKETS.filter(), views::tickets)),
        r(VIEWS_COUNT, on(VIEWS_COUNT.filter(), views::count)),
        r(VIEWS_COUNT_MANY, on(VIEWS_COUNT_MANY.filter(), views::count_many)),
        r(VIEWS_PREVIEW, on(VIEWS_PREVIEW.filter(), views::preview)),
        r(SEARCH, on(SEARCH.filter(), search::search)),
        r(TICKETS_ORIGINAL_MAIL, on(TICKETS_ORIGINAL_MAIL.filter(), original_mail::show)),
        r(SCHEDULES_LIST, on(SCHEDULES_LIST.filter(), schedules::list)),
        r(SCHEDULES_CREATE, on(SCHEDULES_CREATE.filter(), schedules::create)),
        r(SCHEDULES_SHOW, on(SCHEDULES_SHOW.filter(), schedules::show)),
        r(SCHEDULES_UPDATE, on(SCHEDULES_UPDATE.filter(), schedules::update)),
        r(SCHEDULES_DELETE, on(SCHEDULES_DELETE.filter(), schedules::delete)),
        r(SLA_POLICIES_LIST, on(SLA_POLICIES_LIST.filter(), sla_policies::list)),
        r(SLA_POLICIES_CREATE, on(SLA_POLICIES_CREATE.filter(), sla_policies::create)),
        r(SLA_POLICIES_SHOW, on(SLA_POLICIES_SHOW.filter(), sla_policies::show)),
        r(SLA_POLICIES_UPDATE, on(SLA_POLICIES_UPDATE.filter(), sla_policies::update)),
        r(SLA_POLICIES_DELETE, on(SLA_POLICIES_DELETE.filter(), sla_policies::delete)),
        r(SLA_POLICIES_REORDER, on(SLA_POLICIES_REORDER.filter(), sla_policies::reorder)),
        r(SATISFACTION_CREATE, on(SATISFACTION_CREATE.filter(), satisfaction::create)),
        r(SATISFACTION_LIST, on(SATISFACTION_LIST.filter(), satisfaction::list)),
        r(REPORTS_SUMMARY, on(REPORTS_SUMMARY.filter(), reports::summary)),
        r(API_TOKENS_LIST, on(API_TOKENS_LIST.filter(), api_tokens::list)),
        r(API_TOKENS_CREATE, on(API_TOKENS_CREATE.filter(), api_tokens::create)),
        r(API_TOKENS_DELETE, on(API_TOKENS_DELETE.filter(), api_tokens::delete)),
        r(TRIGGERS_LIST, on(TRIGGERS_LIST.filter(), triggers::list)),
        r(TRIGGERS_CREATE, on(TRIGGERS_CREATE.filter(), triggers::create)),
        r(TRIGGERS_SHOW, on(TRIGGERS_SHOW.filter(), triggers::show)),
        r(TRIGGERS_UPDATE, on(TRIGGERS_UPDATE.filter(), triggers::update)),
        r(TRIGGERS_DELETE, on(TRIGGERS_DELETE.filter(), triggers::delete)),
        r(TRIGGERS_REORDER, on(TRIGGERS_REORDER.filter(), triggers::reorder)),
        r(AUTOMATIONS_LIST, on(AUTOMATIONS_LIST.filter(), automations::list)),
        r(AUTOMATIONS_CREATE, on(AUTOMATIONS_CREATE.filter(), automations::create)),
        r(AUTOMATIONS_SHOW, on(AUTOMATIONS_SHOW.filter(), automations::show)),
        r(AUTOMATIONS_UPDATE, on(AUTOMATIONS_UPDATE.filter(), automations::update)),
        r(AUTOMATIONS_DELETE, on(AUTOMATIONS_DELETE.filter(), automations::delete)),
        r(AUTOMATIONS_REORDER, on(AUTOMATIONS_REORDER.filter(), automations::reorder)),
        r(WEBHOOKS_LIST, on(WEBHOOKS_LIST.filter(), webhooks::list)),
        r(WEBHOOKS_CREATE, on(WEBHOOKS_CREATE.filter(), webhooks::create)),
        r(WEBHOOKS_SHOW, on(WEBHOOKS_SHOW.filter(), webhooks::show)),
        r(WEBHOOKS_UPDATE, on(WEBHOOKS_UPDATE.filter(), webhooks::update)),
        r(WEBHOOKS_DELETE, on(WEBHOOKS_DELETE.filter(), webhooks::delete)),
        r(SUSPENDED_MAILS_LIST, on(SUSPENDED_MAILS_LIST.filter(), suspended_mails::list)),
        r(SUSPENDED_MAILS_RECOVER, on(SUSPENDED_MAILS_RECOVER.filter(), suspended_mails::recover)),
        r(SUSPENDED_MAILS_DELETE, on(SUSPENDED_MAILS_DELETE.filter(), suspended_mails::delete)),
        r(TICKETS_LIST, on(TICKETS_LIST.filter(), tickets::list)),
        r(TICKETS_CREATE, on(TICKETS_CREATE.filter(), tickets::create)),
        r(TICKETS_SHOW, on(TICKETS_SHOW.filter(), tickets::show)),
        r(TICKETS_UPDATE, on(TICKETS_UPDATE.filter(), tickets::update)),
        r(TICKETS_DELETE, on(TICKETS_DELETE.filter(), tickets::delete)),
        r(TICKETS_ASSIGN, on(TICKETS_ASSIGN.filter(), tickets::assign)),
        r(TICKETS_STATUS, on(TICKETS_STATUS.filter(), tickets::status)),
        r(TICKETS_VIEWERS, on(TICKETS_VIEWERS.filter(), tickets::viewers)),
        r(TICKETS_VIEW, on(TICKETS_VIEW.filter(), tickets::mark_viewed)),
        r(COMMENTS_LIST, on(COMMENTS_LIST.filter(), comments::list)),
        r(COMMENTS_CREATE, on(COMMENTS_CREATE.filter(), comments::create)),
        r(ATTACHMENTS_CREATE, on(ATTACHMENTS_CREATE.filter(), attachments::create)),
        r(ATTACHMENTS_SHOW, on(ATTACHMENTS_SHOW.filter(), attachments::show)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn routes_and_functions_are_unique_and_all_served() {
        let mut seen = HashSet::new();
        let mut functions = HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "duplicate route {} {}", r.method, r.path);
            assert!(functions.insert(r.function), "function {} serves two routes", r.function);
            assert_eq!(Route::of_function(r.function), Some(r));
            let _ = r.filter();
        }
        let served: Vec<Route> = all().into_iter().map(|(r, _)| r).collect();
        assert_eq!(served, ROUTES.to_vec());
    }
}
