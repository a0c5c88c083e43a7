//! The `/api/v2` route table. A route whose operation the native API has is served by that
//! operation's function (API Gateway routes both paths to it, `function` names it); the others
//! have functions of their own (`zendesk-*`). Each route whose last segment is not a parameter
//! is also routed with `.json` after it ([`super::json_twin`]).
use super::{business, history, incremental, jobs, orgs, requests, search, tags, tickets, users};
use crate::http::routes::Route;
use crate::http::Shared;
use axum::routing::{on, MethodRouter};

macro_rules! v2_routes {
    ($($name:ident = $method:literal $path:literal => $function:literal;)+) => {
        $(pub const $name: Route = Route { method: $method, path: $path, function: $function };)+
        pub const V2_ROUTES: &[Route] = &[$($name),+];
    };
}

v2_routes! {
    TICKETS_LIST = "GET" "/api/v2/tickets" => "tickets-list";
    TICKETS_CREATE = "POST" "/api/v2/tickets" => "tickets-create";
    TICKETS_SHOW_MANY = "GET" "/api/v2/tickets/show_many" => "zendesk-tickets-show-many";
    TICKETS_CREATE_MANY = "POST" "/api/v2/tickets/create_many" => "zendesk-tickets-create-many";
    TICKETS_UPDATE_MANY = "PUT" "/api/v2/tickets/update_many" => "zendesk-tickets-update-many";
    TICKETS_MERGE = "POST" "/api/v2/tickets/{id}/merge" => "zendesk-tickets-merge";
    JOB_STATUSES = "GET" "/api/v2/job_statuses" => "zendesk-job-statuses";
    JOB_STATUSES_SHOW = "GET" "/api/v2/job_statuses/{id}" => "zendesk-job-statuses-show";
    JOB_STATUSES_SHOW_MANY = "GET" "/api/v2/job_statuses/show_many" => "zendesk-job-statuses-show-many";
    TICKETS_SHOW = "GET" "/api/v2/tickets/{id}" => "tickets-show";
    TICKETS_UPDATE = "PUT" "/api/v2/tickets/{id}" => "tickets-update";
    TICKETS_DELETE = "DELETE" "/api/v2/tickets/{id}" => "tickets-delete";
    TICKET_COMMENTS = "GET" "/api/v2/tickets/{id}/comments" => "comments-list";
    TICKET_AUDITS = "GET" "/api/v2/tickets/{id}/audits" => "zendesk-ticket-audits";
    SATISFACTION_RATINGS = "GET" "/api/v2/satisfaction_ratings" => "satisfaction-list";
    TAGS_LIST = "GET" "/api/v2/tickets/{id}/tags" => "zendesk-tags-list";
    TAGS_SET = "POST" "/api/v2/tickets/{id}/tags" => "zendesk-tags-set";
    TAGS_ADD = "PUT" "/api/v2/tickets/{id}/tags" => "zendesk-tags-add";
    TAGS_REMOVE = "DELETE" "/api/v2/tickets/{id}/tags" => "zendesk-tags-remove";
    USERS_ME = "GET" "/api/v2/users/me" => "auth-me";
    USERS_LIST = "GET" "/api/v2/users" => "users-list";
    USERS_CREATE = "POST" "/api/v2/users" => "zendesk-users-create";
    USERS_CREATE_OR_UPDATE = "POST" "/api/v2/users/create_or_update" => "zendesk-users-create-or-update";
    USERS_SEARCH = "GET" "/api/v2/users/search" => "zendesk-users-search";
    USERS_SHOW_MANY = "GET" "/api/v2/users/show_many" => "zendesk-users-show-many";
    USERS_SHOW = "GET" "/api/v2/users/{id}" => "users-show";
    USERS_UPDATE = "PUT" "/api/v2/users/{id}" => "zendesk-users-update";
    USERS_TICKETS_REQUESTED = "GET" "/api/v2/users/{id}/tickets/requested" => "zendesk-users-tickets-requested";
    USERS_TICKETS_ASSIGNED = "GET" "/api/v2/users/{id}/tickets/assigned" => "zendesk-users-tickets-assigned";
    ORGS_LIST = "GET" "/api/v2/organizations" => "orgs-list";
    ORGS_CREATE = "POST" "/api/v2/organizations" => "orgs-create";
    ORGS_AUTOCOMPLETE = "GET" "/api/v2/organizations/autocomplete" => "zendesk-orgs-autocomplete";
    ORGS_SEARCH = "GET" "/api/v2/organizations/search" => "zendesk-orgs-search";
    ORGS_SHOW = "GET" "/api/v2/organizations/{id}" => "orgs-show";
    ORGS_UPDATE = "PUT" "/api/v2/organizations/{id}" => "orgs-update";
    ORGS_TICKETS = "GET" "/api/v2/organizations/{id}/tickets" => "zendesk-orgs-tickets";
    GROUPS_LIST = "GET" "/api/v2/groups" => "groups-list";
    GROUP_MEMBERSHIPS = "GET" "/api/v2/groups/{id}/memberships" => "groups-memberships";
    ALL_MEMBERSHIPS = "GET" "/api/v2/group_memberships" => "zendesk-group-memberships";
    MEMBERSHIPS_CREATE = "POST" "/api/v2/group_memberships" => "groups-add-member";
    MEMBERSHIPS_SHOW = "GET" "/api/v2/group_memberships/{id}" => "zendesk-group-memberships-show";
    MEMBERSHIPS_DELETE = "DELETE" "/api/v2/group_memberships/{id}" => "groups-remove-member";
    USER_MEMBERSHIPS = "GET" "/api/v2/users/{id}/group_memberships" => "zendesk-users-group-memberships";
    REQUESTS_LIST = "GET" "/api/v2/requests" => "zendesk-requests-list";
    REQUESTS_CREATE = "POST" "/api/v2/requests" => "zendesk-requests-create";
    REQUESTS_SHOW = "GET" "/api/v2/requests/{id}" => "zendesk-requests-show";
    REQUESTS_UPDATE = "PUT" "/api/v2/requests/{id}" => "zendesk-requests-update";
    REQUESTS_COMMENTS = "GET" "/api/v2/requests/{id}/comments" => "zendesk-requests-comments";
    SEARCH = "GET" "/api/v2/search" => "search";
    SEARCH_COUNT = "GET" "/api/v2/search/count" => "zendesk-search-count";
    VIEWS_LIST = "GET" "/api/v2/views" => "views-list";
    VIEWS_COUNT_MANY = "GET" "/api/v2/views/count_many" => "views-count-many";
    VIEWS_SHOW = "GET" "/api/v2/views/{id}" => "views-show";
    VIEWS_TICKETS = "GET" "/api/v2/views/{id}/tickets" => "views-tickets";
    VIEWS_EXECUTE = "GET" "/api/v2/views/{id}/execute" => "zendesk-views-execute";
    VIEWS_COUNT = "GET" "/api/v2/views/{id}/count" => "views-count";
    VIEWS_DELETE = "DELETE" "/api/v2/views/{id}" => "views-delete";
    MACROS_LIST = "GET" "/api/v2/macros" => "macros-list";
    MACROS_SHOW = "GET" "/api/v2/macros/{id}" => "macros-show";
    MACROS_DELETE = "DELETE" "/api/v2/macros/{id}" => "macros-delete";
    MACROS_APPLY = "GET" "/api/v2/tickets/{id}/macros/{macro_id}/apply" => "macros-preview";
    TRIGGERS_LIST = "GET" "/api/v2/triggers" => "triggers-list";
    TRIGGERS_CREATE = "POST" "/api/v2/triggers" => "triggers-create";
    TRIGGERS_SHOW = "GET" "/api/v2/triggers/{id}" => "triggers-show";
    TRIGGERS_UPDATE = "PUT" "/api/v2/triggers/{id}" => "triggers-update";
    TRIGGERS_DELETE = "DELETE" "/api/v2/triggers/{id}" => "triggers-delete";
    AUTOMATIONS_LIST = "GET" "/api/v2/automations" => "automations-list";
    AUTOMATIONS_CREATE = "POST" "/api/v2/automations" => "automations-create";
    AUTOMATIONS_SHOW = "GET" "/api/v2/automations/{id}" => "automations-show";
    AUTOMATIONS_UPDATE = "PUT" "/api/v2/automations/{id}" => "automations-update";
    AUTOMATIONS_DELETE = "DELETE" "/api/v2/automations/{id}" => "automations-delete";
    INCREMENTAL_CURSOR = "GET" "/api/v2/incremental/tickets/cursor" => "zendesk-incremental-cursor";
    INCREMENTAL_TIME = "GET" "/api/v2/incremental/tickets" => "zendesk-incremental-time";
}

/// Every v2 route with its handler (the local stack and the tests).
pub fn all() -> Vec<(Route, MethodRouter<Shared>)> {
    let r = |route: Route, m: MethodRouter<Shared>| (route, m);
    vec![
        r(TICKETS_LIST, on(TICKETS_LIST.filter(), tickets::list)),
        r(TICKETS_CREATE, on(TICKETS_CREATE.filter(), tickets::create)),
        r(TICKETS_SHOW_MANY, on(TICKETS_SHOW_MANY.filter(), tickets::show_many)),
        r(TICKETS_CREATE_MANY, on(TICKETS_CREATE_MANY.filter(), jobs::create_many)),
        r(TICKETS_UPDATE_MANY, on(TICKETS_UPDATE_MANY.filter(), jobs::update_many)),
        r(TICKETS_MERGE, on(TICKETS_MERGE.filter(), jobs::merge)),
        r(JOB_STATUSES, on(JOB_STATUSES.filter(), jobs::list)),
        r(JOB_STATUSES_SHOW, on(JOB_STATUSES_SHOW.filter(), jobs::show)),
        r(JOB_STATUSES_SHOW_MANY, on(JOB_STATUSES_SHOW_MANY.filter(), jobs::show_many)),
        r(TICKETS_SHOW, on(TICKETS_SHOW.filter(), tickets::show)),
        r(TICKETS_UPDATE, on(TICKETS_UPDATE.filter(), tickets::update)),
        r(TICKETS_DELETE, on(TICKETS_DELETE.filter(), tickets::delete)),
        r(TICKET_COMMENTS, on(TICKET_COMMENTS.filter(), tickets::comments)),
        r(TICKET_AUDITS, on(TICKET_AUDITS.filter(), history::audits)),
        r(SATISFACTION_RATINGS, on(SATISFACTION_RATINGS.filter(), history::ratings)),
        r(TAGS_LIST, on(TAGS_LIST.filter(), tags::list)),
        r(TAGS_SET, on(TAGS_SET.filter(), tags::set)),
        r(TAGS_ADD, on(TAGS_ADD.filter(), tags::add)),
        r(TAGS_REMOVE, on(TAGS_REMOVE.filter(), tags::remove)),
        r(USERS_ME, on(USERS_ME.filter(), users::me)),
        r(USERS_LIST, on(USERS_LIST.filter(), users::list)),
        r(USERS_CREATE, on(USERS_CREATE.filter(), users::create)),
        r(USERS_CREATE_OR_UPDATE, on(USERS_CREATE_OR_UPDATE.filter(), users::create_or_update)),
        r(USERS_SEARCH, on(USERS_SEARCH.filter(), users::search)),
        r(USERS_SHOW_MANY, on(USERS_SHOW_MANY.filter(), users::show_many)),
        r(USERS_SHOW, on(USERS_SHOW.filter(), users::show)),
        r(USERS_UPDATE, on(USERS_UPDATE.filter(), users::update)),
        r(USERS_TICKETS_REQUESTED, on(USERS_TICKETS_REQUESTED.filter(), tickets::requested)),
        r(USERS_TICKETS_ASSIGNED, on(USERS_TICKETS_ASSIGNED.filter(), tickets::assigned)),
        r(ORGS_LIST, on(ORGS_LIST.filter(), orgs::list)),
        r(ORGS_CREATE, on(ORGS_CREATE.filter(), orgs::create)),
        r(ORGS_AUTOCOMPLETE, on(ORGS_AUTOCOMPLETE.filter(), orgs::autocomplete)),
        r(ORGS_SEARCH, on(ORGS_SEARCH.filter(), orgs::search)),
        r(ORGS_SHOW, on(ORGS_SHOW.filter(), orgs::show)),
        r(ORGS_UPDATE, on(ORGS_UPDATE.filter(), orgs::update)),
        r(ORGS_TICKETS, on(ORGS_TICKETS.filter(), tickets::organization_tickets)),
        r(GROUPS_LIST, on(GROUPS_LIST.filter(), orgs::groups)),
        r(GROUP_MEMBERSHIPS, on(GROUP_MEMBERSHIPS.filter(), orgs::memberships)),
        r(ALL_MEMBERSHIPS, on(ALL_MEMBERSHIPS.filter(), orgs::all_memberships)),
        r(MEMBERSHIPS_CREATE, on(MEMBERSHIPS_CREATE.filter(), orgs::membership_create)),
        r(MEMBERSHIPS_SHOW, on(MEMBERSHIPS_SHOW.filter(), orgs::membership_show)),
        r(MEMBERSHIPS_DELETE, on(MEMBERSHIPS_DELETE.filter(), orgs::membership_delete)),
        r(USER_MEMBERSHIPS, on(USER_MEMBERSHIPS.filter(), orgs::user_memberships)),
        r(REQUESTS_LIST, on(REQUESTS_LIST.filter(), requests::list)),
        r(REQUESTS_CREATE, on(REQUESTS_CREATE.filter(), requests::create)),
        r(REQUESTS_SHOW, on(REQUESTS_SHOW.filter(), requests::show)),
        r(REQUESTS_UPDATE, on(REQUESTS_UPDATE.filter(), requests::update)),
        r(REQUESTS_COMMENTS, on(REQUESTS_COMMENTS.filter(), requests::comments)),
        r(SEARCH, on(SEARCH.filter(), search::search)),
        r(SEARCH_COUNT, on(SEARCH_COUNT.filter(), search::count)),
        r(VIEWS_LIST, on(VIEWS_LIST.filter(), business::views)),
        r(VIEWS_COUNT_MANY, on(VIEWS_COUNT_MANY.filter(), business::view_count_many)),
        r(VIEWS_SHOW, on(VIEWS_SHOW.filter(), business::view)),
        r(VIEWS_TICKETS, on(VIEWS_TICKETS.filter(), business::view_tickets)),
        r(VIEWS_EXECUTE, on(VIEWS_EXECUTE.filter(), business::view_tickets)),
        r(VIEWS_COUNT, on(VIEWS_COUNT.filter(), business::view_count)),
        r(VIEWS_DELETE, on(VIEWS_DELETE.filter(), business::view_delete)),
        r(MACROS_LIST, on(MACROS_LIST.filter(), business::macros)),
        r(MACROS_SHOW, on(MACROS_SHOW.filter(), business::macro_show)),
        r(MACROS_DELETE, on(MACROS_DELETE.filter(), business::macro_delete)),
        r(MACROS_APPLY, on(MACROS_APPLY.filter(), business::macro_apply)),
        r(TRIGGERS_LIST, on(TRIGGERS_LIST.filter(), business::triggers)),
        r(TRIGGERS_CREATE, on(TRIGGERS_CREATE.filter(), business::trigger_create)),
        r(TRIGGERS_SHOW, on(TRIGGERS_SHOW.filter(), business::trigger)),
        r(TRIGGERS_UPDATE, on(TRIGGERS_UPDATE.filter(), business::trigger_update)),
        r(TRIGGERS_DELETE, on(TRIGGERS_DELETE.filter(), business::trigger_delete)),
        r(AUTOMATIONS_LIST, on(AUTOMATIONS_LIST.filter(), business::automations)),
        r(AUTOMATIONS_CREATE, on(AUTOMATIONS_CREATE.filter(), business::automation_create)),
        r(AUTOMATIONS_SHOW, on(AUTOMATIONS_SHOW.filter(), business::automation)),
        r(AUTOMATIONS_UPDATE, on(AUTOMATIONS_UPDATE.filter(), business::automation_update)),
        r(AUTOMATIONS_DELETE, on(AUTOMATIONS_DELETE.filter(), business::automation_delete)),
        r(INCREMENTAL_CURSOR, on(INCREMENTAL_CURSOR.filter(), incremental::cursor)),
        r(INCREMENTAL_TIME, on(INCREMENTAL_TIME.filter(), incremental::time_based)),
    ]
}

/// The v2 route a function also serves, if any.
pub fn twin_of(function: &str) -> Option<&'static Route> {
    V2_ROUTES.iter().find(|r| r.function == function)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn v2_routes_are_unique_served_and_each_function_serves_at_most_one() {
        let mut seen = HashSet::new();
        let mut functions = HashSet::new();
        for r in V2_ROUTES {
            assert!(r.path.starts_with("/api/v2/"));
            assert!(seen.insert((r.method, r.path)), "duplicate route {} {}", r.method, r.path);
            assert!(functions.insert(r.function), "function {} serves two v2 routes", r.function);
            if let Some(native) = crate::http::routes::Route::of_function(r.function) {
                assert_eq!(native.function, r.function);
            } else {
                assert!(r.function.starts_with("zendesk-"), "{} has no native twin", r.function);
            }
        }
        let served: Vec<Route> = all().into_iter().map(|(r, _)| r).collect();
        assert_eq!(served, V2_ROUTES.to_vec());
        assert_eq!(super::super::json_twin("/api/v2/tickets").as_deref(), Some("/api/v2/tickets.json"));
        assert_eq!(super::super::json_twin("/api/v2/tickets/{id}"), None);
    }
}
