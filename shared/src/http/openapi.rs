//! The OpenAPI 3.1 document, generated from the code: the paths from each handler's
//! `#[utoipa::path]`, the schemas from the typed commands, views, enums and value types.
//! `make openapi` writes it to docs/openapi.yaml; a test fails when the file differs.
use super::handlers::{
    api_tokens, attachments, auth, automations, comments, groups, macros, orgs, original_mail, reports,
    satisfaction, schedules, search, sla_policies, suspended_mails, tickets, triggers, users, views,
    webhooks,
};
use super::views::{Message, ValidationError};
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Help desk API",
        version = "1.0.0",
        description = "The HTTP API of the help desk (see ../shared/API.md and docs/api.md). Generated from the code (`make openapi`).",
        license(name = "Proprietary")
    ),
    servers((url = "http://127.0.0.1:3000", description = "make dev")),
    security(("bearer" = [])),
    modifiers(&Bearer),
    components(schemas(Message, ValidationError)),
    paths(
        auth::register, auth::login, auth::logout, auth::me, auth::update_me, auth::verify_email, auth::forgot_password,
        auth::reset_password,
        users::list, users::agents, users::show, users::assign,
        orgs::list, orgs::create, orgs::show, orgs::update,
        groups::list, groups::create, groups::show, groups::update, groups::delete,
        groups::memberships, groups::add_member, groups::remove_member,
        macros::list, macros::create, macros::show, macros::update, macros::delete, macros::preview, macros::apply,
        views::list, views::create, views::show, views::update, views::delete, views::tickets, views::count,
        views::count_many, views::preview,
        triggers::list, triggers::create, triggers::show, triggers::update, triggers::delete, triggers::reorder,
        automations::list, automations::create, automations::show, automations::update, automations::delete,
        automations::reorder,
        webhooks::list, webhooks::create, webhooks::show, webhooks::update, webhooks::delete,
        suspended_mails::list, suspended_mails::recover, suspended_mails::delete,
        tickets::list, tickets::create, tickets::show, tickets::update, tickets::delete,
        tickets::assign, tickets::status, tickets::viewers, tickets::mark_viewed,
        comments::list, comments::create,
        attachments::create, attachments::show,
        search::search, original_mail::show,
        schedules::list, schedules::create, schedules::show, schedules::update, schedules::delete,
        sla_policies::list, sla_policies::create, sla_policies::show, sla_policies::update, sla_policies::delete,
        sla_policies::reorder,
        satisfaction::create, satisfaction::list, reports::summary,
        api_tokens::list, api_tokens::create, api_tokens::delete,
    )
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
        // A PATCH without a body is `{}`: nothing to change, the object back (200).
        for item in openapi.paths.paths.values_mut() {
            if let Some(body) = item.patch.as_mut().and_then(|op| op.request_body.as_mut()) {
                body.required = Some(utoipa::openapi::Required::False);
            }
        }
        // Every body passes the same size limit before any handler sees it, so every
        // operation that takes one can answer 413.
        let too_large = E413::responses();
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for op in operations.into_iter().flatten().filter(|op| op.request_body.is_some()) {
                for (status, response) in &too_large {
                    op.responses.responses.entry(status.clone()).or_insert_with(|| response.clone());
                }
            }
        }
    }
}

/// The document as YAML, with a header saying where it comes from.
pub fn yaml() -> String {
    let body = ApiDoc::openapi().to_yaml().expect("the document serialises");
    format!("# Generated from the code by `make openapi` (helpdesk-openapi). Do not edit by hand.\n{body}")
}

// ---- the error responses every route documents ------------------------------------------

#[derive(IntoResponses)]
pub enum E400 {
    #[response(status = 400, description = "The body is not JSON, or not an object.",
        example = json!({"message": "The request body is not valid JSON."}))]
    BadRequest(Message),
}

#[derive(IntoResponses)]
pub enum E401 {
    #[response(status = 401, description = "Missing, malformed, expired or revoked token.",
        example = json!({"message": "Unauthenticated."}))]
    Unauthenticated(Message),
}

#[derive(IntoResponses)]
pub enum E403 {
    #[response(status = 403, description = "Authenticated but not allowed.",
        example = json!({"message": "This action is unauthorized."}))]
    Forbidden(Message),
}

#[derive(IntoResponses)]
pub enum E404 {
    #[response(status = 404, description = "No such resource, or one the caller may not know exists.",
        example = json!({"message": "Not found."}))]
    NotFound(Message),
}

#[derive(IntoResponses)]
pub enum E409 {
    #[response(status = 409, description = "A stale `updated_stamp`, or an Idempotency-Key used with another body.",
        example = json!({"message": "The ticket was changed by someone else. Reload and try again."}))]
    Conflict(Message),
}

#[derive(IntoResponses)]
pub enum E413 {
    #[response(status = 413, description = "Body over 256 KiB.",
        example = json!({"message": "The request body may not be greater than 256 kilobytes."}))]
    TooLarge(Message),
}

#[derive(IntoResponses)]
pub enum E429 {
    #[response(status = 429, description = "Throttled: try again after `Retry-After` seconds.",
        headers(("Retry-After" = u32, description = "Seconds until the limit's window ends")),
        example = json!({"message": "Too Many Attempts."}))]
    Throttled(Message),
}

#[derive(IntoResponses)]
pub enum E422 {
    #[response(status = 422, description = "Validation failed: every message, by field.",
        example = json!({"message": "The subject field is required.", "errors": {"subject": ["The subject field is required."]}}))]
    Invalid(ValidationError),
}

// ---- examples ---------------------------------------------------------------------------

/// Example values for the document (each is checked against its schema by a test).
pub mod examples {
    use super::*;

    pub const AGENT: &str = "0190f3a4-0000-7000-8000-0000000000a1";
    pub const CUSTOMER: &str = "0190f3a4-0000-7000-8000-0000000000c1";
    pub const TICKET: &str = "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506";
    pub const ATTACHMENT: &str = "0190f3a4-aaaa-7000-8000-000000000002";
    const NOW: &str = "2026-11-26T15:04:05.123Z";

    pub fn user() -> Value {
        json!({"id": AGENT, "name": "Alan Agent", "email": "agent@example.com", "role": "agent", "avatar_url": null,
               "organization_id": null, "notify_email": true, "email_verified": true, "is_online": true, "last_seen": NOW,
               "created_at": NOW, "updated_at": NOW})
    }

    pub fn customer() -> Value {
        let mut u = user();
        u["id"] = json!(CUSTOMER);
        u["name"] = json!("Grace Customer");
        u["email"] = json!("customer@example.com");
        u["role"] = json!("customer");
        u
    }

    pub fn token() -> Value {
        json!({"user": user(), "token": "eyJ0eXAiOiJKV1Qi.eyJzdWIiOi.sig", "token_type": "Bearer", "expires_at": NOW})
    }

    pub fn user_envelope() -> Value {
        json!({"user": user()})
    }

    pub fn group() -> Value {
        json!({"id": "0190f3a4-9999-7000-8000-000000000009", "name": "Billing", "description": "Invoices and refunds",
               "is_default": false, "created_at": NOW, "updated_at": NOW})
    }

    pub fn membership() -> Value {
        json!({"group_id": "0190f3a4-9999-7000-8000-000000000009", "user_id": AGENT, "number": 3, "is_default": true,
               "created_at": NOW, "user": user()})
    }

    pub fn macro_() -> Value {
        json!({"id": "0190f3a4-8888-7000-8000-000000000008", "title": "Close and thank", "description": "",
               "active": true, "position": 0, "restriction": null,
               "actions": [{"field": "status", "value": "solved"}, {"field": "comment", "value": {"body": "Thanks {{ticket.requester.first_name}}!", "public": true}}],
               "usage_count": 3, "created_at": NOW, "updated_at": NOW})
    }

    pub fn view() -> Value {
        json!({"id": "0190f3a4-7777-7000-8000-000000000007", "title": "Your unsolved tickets", "active": true,
               "position": 0, "restriction": null,
               "conditions": {"all": [{"field": "status", "operator": "less_than", "value": "solved"},
                                      {"field": "assignee_id", "operator": "is", "value": "current_user"}]},
               "execution": {"sort_by": "updated_at", "sort_order": "desc", "columns": ["ticket_number", "subject", "requester", "status", "updated_at"]},
               "created_at": NOW, "updated_at": NOW})
    }

    pub fn trigger() -> Value {
        json!({"id": "0190f3a4-6666-7000-8000-000000000006", "title": "Notify requester of solved request",
               "description": "", "active": true, "position": 2,
               "conditions": {"all": [{"field": "status", "operator": "changed_to", "value": "solved"}]},
               "actions": [{"field": "notify_user", "value": {"to": "requester", "subject": "[{{ticket.ticket_number}}] {{ticket.subject}}", "body": "Your request has been solved."}}],
               "created_at": NOW, "updated_at": NOW})
    }

    pub fn automation() -> Value {
        json!({"id": "0190f3a4-5555-7000-8000-000000000005", "title": "Close ticket 4 days after it is solved",
               "description": "", "active": true, "position": 0,
               "conditions": {"all": [{"field": "status", "operator": "is", "value": "solved"}, {"field": "hours_since_solved", "operator": "greater_than", "value": 96}]},
               "actions": [{"field": "status", "value": "closed"}],
               "created_at": NOW, "updated_at": NOW})
    }

    pub fn webhook() -> Value {
        json!({"id": "0190f3a4-4444-7000-8000-000000000004", "name": "CRM", "endpoint": "https://crm.example.com/hooks/helpdesk",
               "status": "active", "created_at": NOW, "updated_at": NOW})
    }

    pub fn suspended_mail() -> Value {
        json!({"id": "0190f3a4-2222-7000-8000-000000000002", "from": "someone@mail.example", "from_name": "Someone",
               "subject": "Re: [TKT-000042] Printer on fire", "text": "Me too!", "reason": "the sender is neither the requester nor staff",
               "ticket_id": "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", "created_at": NOW})
    }

    pub fn organization() -> Value {
        json!({"id": "0190f3a4-eeee-7000-8000-000000000005", "name": "Acme", "domain": "acme.example",
               "settings": {"sla": "gold"}, "created_at": NOW, "updated_at": NOW})
    }

    pub fn ticket() -> Value {
        json!({"id": TICKET, "ticket_number": "TKT-000042", "subject": "Printer on fire", "description": "Smoke everywhere",
               "status": "open", "priority": "high", "satisfaction": "unoffered", "requester_id": CUSTOMER,
               "assignee_id": AGENT, "organization_id": null, "group_id": null, "due_date": null, "tags": ["hardware"],
               "custom_fields": {"floor": 3}, "created_at": NOW, "updated_at": NOW,
               "updated_stamp": "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f599", "requester": customer(), "assignee": user()})
    }

    pub fn attachment() -> Value {
        json!({"id": ATTACHMENT, "ticket_id": TICKET, "comment_id": "0190f3a4-cccc-7000-8000-000000000003",
               "filename": "photo.jpg", "file_size": 52311, "mime_type": "image/jpeg", "uploaded_by": CUSTOMER, "created_at": NOW})
    }

    pub fn comment() -> Value {
        json!({"id": "0190f3a4-cccc-7000-8000-000000000003", "ticket_id": TICKET, "author_id": AGENT,
               "content": "We are on it.", "is_internal": false, "attachments": [attachment()],
               "created_at": NOW, "updated_at": NOW, "author": user()})
    }

    pub fn change() -> Value {
        json!({"id": "0190f3a4-dddd-7000-8000-000000000004", "ticket_id": TICKET, "agent_id": AGENT, "field_name": "status",
               "old_value": "new", "new_value": "open", "action": "Status changed from new to open", "via": "web",
               "created_at": NOW, "agent": user()})
    }

    pub fn ticket_page() -> Value {
        let mut t = ticket();
        t["comments"] = json!([comment()]);
        t["changes"] = json!([change()]);
        t
    }

    pub fn viewers() -> Value {
        json!({"data": [{"ticket_id": TICKET, "user_id": AGENT, "last_viewed": NOW, "user": user()}]})
    }

    pub fn page(item: Value, path: &str) -> Value {
        json!({"data": [item], "path": path, "per_page": 25, "next_cursor": "eyJzIjoi.x1Y",
               "next_page_url": format!("{path}?cursor=eyJzIjoi.x1Y"), "prev_cursor": null, "prev_page_url": null})
    }

    pub fn schedule() -> Value {
        json!({"id": "0190f3a4-5c5c-7000-8000-00000000005c", "name": "Berlin office", "time_zone": "Europe/Berlin",
               "intervals": [{"start_time": 1980, "end_time": 2460}, {"start_time": 3420, "end_time": 3900}],
               "holidays": [{"name": "New Year", "start_date": "2027-01-01", "end_date": "2027-01-01"}],
               "created_at": NOW, "updated_at": NOW})
    }

    pub fn summary() -> Value {
        let sla = json!({"first_reply_time": {"achieved": 40, "breached": 2}, "next_reply_time": {"achieved": 12, "breached": 1},
                         "requester_wait_time": {"achieved": 30, "breached": 0}, "resolution_time": {"achieved": 28, "breached": 3}});
        let day = json!({"date": "2026-11-26", "created": 12, "solved": 9, "reopened": 1,
                         "first_reply_minutes": {"median": 35, "p90": 140}, "resolution_minutes": {"median": 600, "p90": 2880},
                         "sla": sla, "satisfaction": {"good": 4, "bad": 1, "score": 80}});
        json!({"from": "2026-11-26", "to": "2026-11-26", "group_id": null, "created": 12, "solved": 9, "reopened": 1,
               "backlog": {"new": 3, "open": 14, "pending": 5, "on-hold": 1},
               "first_reply_minutes": {"median": 35, "p90": 140}, "resolution_minutes": {"median": 600, "p90": 2880},
               "sla": sla, "satisfaction": {"good": 4, "bad": 1, "score": 80}, "by_day": [day]})
    }

    pub fn rating() -> Value {
        json!({"id": "0190f3a4-5e5e-7000-8000-00000000005e", "ticket_id": TICKET, "requester_id": CUSTOMER,
               "assignee_id": AGENT, "group_id": null, "score": "good", "comment": "Quick and kind.",
               "reason": null, "created_at": NOW, "updated_at": NOW})
    }

    pub fn sla_policy() -> Value {
        json!({"id": "0190f3a4-5a5a-7000-8000-00000000005a", "title": "Urgent first", "description": "", "position": 0,
               "filter": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []},
               "schedule_id": "0190f3a4-5c5c-7000-8000-00000000005c",
               "policy_metrics": [{"priority": "urgent", "metric": "first_reply_time", "target": 30, "business_hours": false},
                                  {"priority": "urgent", "metric": "resolution_time", "target": 480, "business_hours": true}],
               "created_at": NOW, "updated_at": NOW})
    }

    pub fn search_page() -> Value {
        let mut hit = ticket();
        hit["result_type"] = json!("ticket");
        let mut page = page(hit, "/search");
        page["next_page_url"] = json!("/search?query=printer&cursor=eyJzIjoi.x1Y");
        page["count"] = json!(1);
        page["count_exact"] = json!(true);
        page["sort_by"] = json!("created_at");
        page["sort_order"] = json!("desc");
        page
    }

    pub fn ticket_message(message: &str) -> Value {
        json!({"message": message, "ticket": ticket()})
    }

    pub fn upload() -> Value {
        let mut a = attachment();
        a["comment_id"] = Value::Null;
        json!({"attachment": a, "upload_url": "https://bucket.s3.amazonaws.com/attachments/x/y/photo.jpg?X-Amz-Signature=abc",
               "upload_method": "PUT", "upload_headers": {"content-type": "image/jpeg", "content-length": "52311"},
               "expires_at": NOW})
    }
}
