//! The `/api/v2` OpenAPI document (docs/zendesk-openapi.json), generated from the v2 route
//! table so it lists exactly the routes served (a test compares them, and the committed file
//! with this output). Shapes are Zendesk's (docs/zendesk.md); the error schema is exact.
use super::routes::V2_ROUTES;
use serde_json::{json, Map, Value};

/// What a route does, for its `summary`.
fn summary(method: &str, path: &str) -> String {
    let p = path.trim_start_matches("/api/v2/");
    let what = match (method, p) {
        ("GET", "users/me") => "The caller",
        ("GET", "tickets/{id}/macros/{macro_id}/apply") => {
            "What a macro would do to a ticket (writes nothing)"
        }
        ("GET", "incremental/tickets/cursor") => "Incremental ticket export, cursor-based",
        ("GET", "incremental/tickets") => "Incremental ticket export, time-based",
        ("POST", "tickets/create_many") => "Create up to 100 tickets (a job status)",
        ("POST", "tickets/{id}/merge") => "Merge up to 5 tickets into this one (a job status)",
        ("PUT", "tickets/update_many") => "Update up to 100 tickets (a job status)",
        ("PUT", "tickets/{id}/tags") => "Add tags",
        ("POST", "tickets/{id}/tags") => "Set tags",
        ("DELETE", "tickets/{id}/tags") => "Remove tags",
        (_, other) => return format!("{method} {other}"),
    };
    what.to_owned()
}

fn parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if path.starts_with("/api/v2/job_statuses") {
                json!({"type": "string", "pattern": "^[0-9a-f]{32}(\\.json)?$"})
            } else {
                json!({"type": "string", "pattern": "^[0-9]+(\\.json)?$", "description": "A numeric id; `.json` may follow"})
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .chain(query_parameters(path))
        .collect()
}

/// The query parameters a route cannot do without, and those that shape what it answers.
/// (The list pages' `page`, `per_page`, `sort_order` and `page[size]` are in docs/zendesk.md.)
fn query_parameters(path: &str) -> Vec<Value> {
    let q = |name: &str, required: bool, schema: Value, description: &str| json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description});
    let per_page = || {
        q(
            "per_page",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": super::incremental::MAX_PER_PAGE}),
            "Tickets per page",
        )
    };
    let unix_time = json!({"type": "integer", "minimum": 0});
    match path.trim_start_matches("/api/v2/") {
        "incremental/tickets" => vec![
            q("start_time", true, unix_time, "Unix seconds, not in the future (400 otherwise)"),
            per_page(),
        ],
        "incremental/tickets/cursor" => vec![
            q(
                "start_time",
                false,
                unix_time,
                "Unix seconds, for the first page: this or `cursor` (400 without either)",
            ),
            q("cursor", false, json!({"type": "string"}), "The `after_cursor` of the page before"),
            per_page(),
        ],
        "organizations/search" => vec![
            q("name", false, json!({"type": "string"}), "This or `external_id` (400 without either)"),
            q("external_id", false, json!({"type": "string"}), "This or `name`"),
        ],
        "search" | "search/count" => vec![
            q(
                "query",
                true,
                json!({"type": "string", "minLength": 1}),
                "Zendesk's search syntax (docs/search.md); 422 when it cannot be read",
            ),
            q(
                "sort_by",
                false,
                json!({"type": "string"}),
                "`created_at` or `updated_at`; any other order falls back to created_at",
            ),
            q("sort_order", false, json!({"type": "string"}), "`asc`, else descending"),
        ],
        "organizations/autocomplete" => vec![q(
            "name",
            true,
            json!({"type": "string", "minLength": 2}),
            "The start of the name, at least 2 characters besides spaces (422 otherwise)",
        )],
        "users/search" => vec![
            q(
                "query",
                false,
                json!({"type": "string"}),
                "An email finds its user exactly; other words search",
            ),
            q("email", false, json!({"type": "string"}), "Instead of query"),
        ],
        "views/count_many" => vec![q(
            "ids",
            true,
            json!({"type": "string", "pattern": "^[1-9][0-9]{0,18}(,[1-9][0-9]{0,18}){0,19}$"}),
            "1 to 20 view ids, comma-separated",
        )],
        _ => Vec::new(),
    }
}

/// The body a route takes: Zendesk's envelope, `{"ticket": {...}}` and the like (a body
/// without it is a 400 `InvalidParameter`, as Zendesk answers), and what goes inside it as
/// far as a schema can say (its types, lengths, enumerations and required fields); what a
/// schema cannot say (a referenced record exists, a status may follow another) the handler
/// checks: 422 `RecordInvalid`. `None` for a route that takes no body.
fn request_body(method: &str, path: &str) -> Option<Value> {
    let p = path.trim_start_matches("/api/v2/");
    let envelope = |key: &str, schema: &str| json!({"type": "object", "required": [key], "properties": {key: {"$ref": format!("#/components/schemas/{schema}")}}});
    // Each item of a bulk body is checked as the single route checks its ticket, and a bad one
    // fails in the job's results (Zendesk's behaviour), not the request: the items are
    // described, not constrained.
    let bulk = |item: &str| {
        json!({"type": "object", "required": ["tickets"], "properties": {"tickets": {
            "type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "object",
                "description": format!("A ticket as {item} describes it; one that breaks its rules fails in the job's results")}}}})
    };
    Some(match (method, p) {
        ("POST", "tickets") => envelope("ticket", "NewTicket"),
        ("PUT", "tickets/{id}") => envelope("ticket", "TicketChange"),
        ("POST", "tickets/create_many") => bulk("NewTicket"),
        // (`?ids=1,2` with `{"ticket": {...}}` applies one change to each: the query says so,
        // which a body schema cannot; documented in docs/zendesk.md.)
        ("PUT", "tickets/update_many") => bulk("TicketChange"),
        ("POST" | "PUT" | "DELETE", "tickets/{id}/tags") => json!({"type": "object", "required": ["tags"],
            "properties": {"tags": {"$ref": "#/components/schemas/TagWords"}}}),
        ("POST", "users") => envelope("user", "NewUser"),
        ("POST", "users/create_or_update") => envelope("user", "UserUpsert"),
        ("PUT", "users/{id}") => envelope("user", "UserChange"),
        ("POST", "organizations") => envelope("organization", "NewOrganization"),
        ("PUT", "organizations/{id}") => envelope("organization", "OrganizationChange"),
        ("POST", "requests") => envelope("request", "NewRequest"),
        ("PUT", "requests/{id}") => envelope("request", "RequestChange"),
        ("POST", "triggers") => envelope("trigger", "NewRule"),
        ("PUT", "triggers/{id}") => envelope("trigger", "RuleChange"),
        ("POST", "automations") => envelope("automation", "NewRule"),
        ("PUT", "automations/{id}") => envelope("automation", "RuleChange"),
        ("POST", "group_memberships") => envelope("group_membership", "NewGroupMembership"),
        ("POST", "tickets/{id}/merge") => json!({"type": "object", "required": ["ids"], "properties": {
            "ids": {"type": "array", "minItems": 1, "maxItems": 5, "items": {"type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]+$"},
                "description": "The tickets to merge into this one (not closed, not this one, each once)"},
            "target_comment": {"type": "string", "maxLength": 65535}, "source_comment": {"type": "string", "maxLength": 65535},
            "target_comment_is_public": {"type": "boolean"}, "source_comment_is_public": {"type": "boolean"}}}),
        ("POST" | "PUT", _) => json!({"type": "object"}),
        _ => return None,
    })
}

/// The objects inside the bodies ([`request_body`]): what the handlers check by type, length
/// or enumeration (`null` where a handler reads it as absent).
fn body_schemas() -> Value {
    let id = json!({"type": ["integer", "string", "null"], "minimum": 1, "pattern": "^[0-9]+$",
        "description": "A numeric id (a string of digits is read as one); null clears it"});
    let tag_words = json!({"description": "A list of tags, or one string of tags separated by spaces",
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {"type": "null"}]});
    let comment = json!({"type": "object", "description": "`body` (or `html_body`) is the text, not blank; `public: false` makes an internal note.",
        "properties": {"body": {"type": ["string", "null"]}, "html_body": {"type": ["string", "null"]}, "public": {"type": ["boolean", "null"]}}});
    let priority = json!({"type": "string", "enum": ["low", "normal", "high", "urgent"]});
    let nullable_priority =
        json!({"type": ["string", "null"], "enum": ["low", "normal", "high", "urgent", null]});
    let ticket = || {
        json!({"type": "object", "properties": {
            "subject": {"type": "string", "minLength": 1, "maxLength": 255, "description": "On create, the comment's first line when absent"},
            "comment": comment,
            "description": {"type": ["string", "null"], "description": "On create, the text when there is no comment"},
            "priority": priority,
            "status": {"type": "string", "enum": ["new", "open", "pending", "hold", "on-hold", "solved", "closed"],
                "description": "Zendesk's transitions (docs/api.md); solving needs an assignee; `on-hold`, the native name, is `hold` too"},
            "tags": {"type": ["array", "null"], "maxItems": 20, "items": {"type": "string", "maxLength": 50}},
            "additional_tags": tag_words,
            "remove_tags": tag_words,
            "requester_id": id,
            "requester": {"type": ["object", "null"], "description": "Staff: the user with this email, else a new end user", "required": ["email"],
                "properties": {"name": {"type": ["string", "null"]}, "email": {"type": "string", "format": "email"}}},
            "assignee_id": id,
            "group_id": id,
            "organization_id": id,
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "custom_fields": {"type": ["array", "null"], "items": {"type": "object", "required": ["id"],
                "properties": {"id": {"type": ["integer", "string"]}, "value": {"type": ["string", "number", "boolean", "null"]}}}},
            "safe_update": {"type": ["boolean", "null"], "description": "With `updated_stamp`: 409 when the ticket changed since"},
            "updated_stamp": {"type": ["string", "null"], "format": "date-time"},
        }})
    };
    let rule = |required: &[&str]| {
        let condition = json!({"type": "object", "required": ["field", "operator"], "properties": {
            "field": {"type": "string"}, "operator": {"type": "string"}, "value": {}}});
        json!({"type": "object", "required": required, "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": {"type": "string", "maxLength": 1000},
            "active": {"type": "boolean"},
            "position": {"type": "integer", "minimum": 0, "maximum": 100000},
            "conditions": {"type": "object", "description": "`{\"all\": [...], \"any\": [...]}` in Zendesk's condition language (docs/api.md)",
                "properties": {"all": {"type": "array", "items": condition}, "any": {"type": "array", "items": condition}}},
            "actions": {"type": "array", "items": {"type": "object", "required": ["field"], "properties": {"field": {"type": "string"}, "value": {}}}},
        }})
    };
    let role = json!({"type": ["string", "null"], "enum": ["end-user", "agent", "admin", null]});
    let name = json!({"type": "string", "minLength": 1, "maxLength": 255});
    let organization = |required: &[&str]| {
        json!({"type": "object", "required": required, "properties": {
            "name": name,
            "domain_names": {"type": ["array", "null"], "description": "The first is the organization's domain (at most 253 characters); the others are not kept"},
            "organization_fields": {"type": ["object", "null"]}}})
    };
    json!({
        "NewTicket": {"allOf": [ticket(), {"anyOf": [{"required": ["comment"]}, {"required": ["description"]}]}]},
        "TicketChange": ticket(),
        "TagWords": tag_words,
        "NewUser": {"type": "object", "required": ["name", "email"], "properties": {
            "name": name, "email": {"type": "string", "format": "email"}, "role": role}},
        "UserUpsert": {"type": "object", "required": ["email"], "description": "The user with this email is updated (200: as `UserChange`), else made (201: as `NewUser`, `name` then required)",
            "properties": {"name": {"type": ["string", "null"], "minLength": 1, "maxLength": 255}, "email": {"type": "string", "format": "email"}, "role": role,
                "organization_id": {"type": ["integer", "null"], "minimum": 1}}},
        "UserChange": {"type": "object", "properties": {
            "name": name, "role": role, "organization_id": {"type": ["integer", "null"], "minimum": 1}}},
        "NewOrganization": organization(&["name"]),
        "OrganizationChange": organization(&[]),
        "NewRequest": {"type": "object", "required": ["comment"], "properties": {
            "subject": {"type": ["string", "null"], "minLength": 1, "maxLength": 255}, "comment": comment,
            "priority": nullable_priority}},
        "RequestChange": {"type": "object", "properties": {"comment": comment, "solved": {"type": ["boolean", "null"]}}},
        "NewRule": rule(&["title", "conditions", "actions"]),
        "RuleChange": rule(&[]),
        "NewGroupMembership": {"type": "object", "required": ["user_id", "group_id"], "properties": {
            "user_id": {"type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]+$", "description": "An agent or admin"},
            "group_id": {"type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]+$"},
            "default": {"type": ["boolean", "null"]}}},
    })
}

/// The schema of a route's success body, where its records are one of the shapes described
/// in [`record_schemas`] (`None`: an object, the shape written in docs/zendesk.md).
fn response_schema(method: &str, path: &str) -> Option<Value> {
    let p = path.trim_start_matches("/api/v2/");
    let one = |key: &str, schema: &str| json!({"type": "object", "required": [key], "properties": {key: {"$ref": format!("#/components/schemas/{schema}")}}});
    let many = |key: &str, schema: &str| json!({"type": "object", "required": [key], "properties": {key: {"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}}}});
    Some(match (method, p) {
        ("GET" | "PUT", "tickets/{id}") | ("POST", "tickets") => one("ticket", "Ticket"),
        (
            "GET",
            "tickets"
            | "tickets/show_many"
            | "views/{id}/tickets"
            | "incremental/tickets"
            | "incremental/tickets/cursor"
            | "users/{id}/tickets/requested"
            | "users/{id}/tickets/assigned"
            | "organizations/{id}/tickets",
        ) => many("tickets", "Ticket"),
        ("GET" | "PUT", "users/{id}")
        | ("GET", "users/me")
        | ("POST", "users" | "users/create_or_update") => one("user", "User"),
        ("GET", "users" | "users/search" | "users/show_many") => many("users", "User"),
        ("GET" | "PUT", "organizations/{id}") | ("POST", "organizations") => {
            one("organization", "Organization")
        }
        ("GET", "organizations" | "organizations/autocomplete" | "organizations/search") => {
            many("organizations", "Organization")
        }
        ("GET", "groups") => many("groups", "Group"),
        ("GET", "group_memberships/{id}") | ("POST", "group_memberships") => {
            one("group_membership", "GroupMembership")
        }
        ("GET", "group_memberships" | "groups/{id}/memberships" | "users/{id}/group_memberships") => {
            many("group_memberships", "GroupMembership")
        }
        ("GET" | "POST" | "PUT", "tickets/{id}/tags") => json!({"type": "object", "required": ["tags"],
            "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}),
        ("GET", "search/count") => {
            json!({"type": "object", "required": ["count"], "properties": {"count": {"type": "integer", "minimum": 0}}})
        }
        _ => return None,
    })
}

/// The records the answers carry, as [`super::shapes`] writes them.
fn record_schemas() -> Value {
    let number = json!({"type": ["integer", "null"], "minimum": 1, "description": "Null only until the backfill numbers an older record"});
    let time = json!({"type": "string", "format": "date-time"});
    let url = json!({"type": "string"});
    let numbers = json!({"type": "array", "items": {"type": "integer"}});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    json!({
        "Ticket": {"type": "object", "required": ["id", "url", "subject", "description", "priority", "status", "requester_id",
            "assignee_id", "organization_id", "group_id", "tags", "custom_fields", "satisfaction_rating", "via", "created_at", "updated_at"],
            "properties": {
                "id": number, "url": url, "external_id": {"type": "null"}, "type": {"type": "null"},
                "subject": {"type": "string"}, "raw_subject": {"type": "string"}, "description": {"type": "string"},
                "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
                "status": {"type": "string", "enum": ["new", "open", "pending", "hold", "solved", "closed"]},
                "recipient": {"type": "null"},
                "requester_id": number, "submitter_id": number, "assignee_id": number, "organization_id": number,
                "group_id": {"type": ["integer", "null"], "minimum": 1, "description": "Null for end users"},
                "collaborator_ids": numbers, "follower_ids": numbers, "email_cc_ids": numbers,
                "has_incidents": {"type": "boolean"}, "is_public": {"type": "boolean"},
                "due_at": {"type": ["string", "null"], "format": "date-time"},
                "tags": strings,
                "custom_fields": {"type": "array", "items": {"type": "object", "required": ["id", "value"], "properties": {
                    "id": {"type": "string"}, "value": {"type": ["string", "number", "boolean", "null"]}}}},
                "satisfaction_rating": {"type": "object", "required": ["score"], "properties": {
                    "score": {"type": "string", "enum": ["unoffered", "offered", "good", "bad"]}}},
                "via": {"type": "object", "required": ["channel"], "properties": {
                    "channel": {"type": "string", "enum": ["web", "email", "api", "macro", "rule", "system"]}}},
                "allow_attachments": {"type": "boolean"},
                "created_at": time, "updated_at": time,
            }},
        "User": {"type": "object", "required": ["id", "url", "name", "email", "role", "organization_id", "verified", "created_at", "updated_at"],
            "properties": {
                "id": number, "url": url, "name": {"type": "string"}, "email": {"type": "string"},
                "role": {"type": "string", "enum": ["end-user", "agent", "admin"]},
                "organization_id": number, "active": {"type": "boolean"}, "verified": {"type": "boolean"},
                "suspended": {"type": "boolean"}, "locale": {"type": "string"}, "time_zone": {"type": "string"},
                "tags": strings, "user_fields": {"type": "object"}, "photo": {"type": "null"},
                "last_login_at": {"type": ["string", "null"], "format": "date-time"},
                "created_at": time, "updated_at": time,
            }},
        "Organization": {"type": "object", "required": ["id", "url", "name", "domain_names", "organization_fields", "created_at", "updated_at"],
            "properties": {
                "id": number, "url": url, "name": {"type": "string"}, "domain_names": strings,
                "details": {"type": "string"}, "notes": {"type": "string"}, "group_id": {"type": "null"},
                "shared_tickets": {"type": "boolean"}, "shared_comments": {"type": "boolean"}, "tags": strings,
                "organization_fields": {"type": "object"}, "created_at": time, "updated_at": time,
            }},
        "Group": {"type": "object", "required": ["id", "url", "name", "default", "created_at", "updated_at"],
            "properties": {
                "id": number, "url": url, "name": {"type": "string"}, "description": {"type": "string"},
                "default": {"type": "boolean"}, "deleted": {"type": "boolean"}, "created_at": time, "updated_at": time,
            }},
        "GroupMembership": {"type": "object", "required": ["id", "url", "user_id", "group_id", "default", "created_at", "updated_at"],
            "properties": {
                "id": number, "url": {"type": ["string", "null"]}, "user_id": number, "group_id": number,
                "default": {"type": "boolean"}, "created_at": time, "updated_at": time,
            }},
    })
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ZendeskError"}}}})
}

/// The document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in V2_ROUTES {
        let method = r.method.to_lowercase();
        // (A job's answer is a 200, as is an update by create_or_update, which creates with 201.)
        let success = match r.method {
            "POST"
                if !r.path.ends_with("/tags")
                    && !r.path.ends_with("create_many")
                    && !r.path.ends_with("/merge")
                    && !r.path.ends_with("create_or_update") =>
            {
                "201"
            }
            "DELETE" if !r.path.ends_with("/tags") => "204",
            _ => "200",
        };
        let mut responses = Map::new();
        if r.path.ends_with("create_or_update") {
            responses.insert(
                "201".into(),
                json!({"description": "Made: Zendesk's envelope (docs/zendesk.md).", "content": {"application/json": {
                    "schema": response_schema(r.method, r.path).unwrap_or_else(|| json!({"type": "object"}))}}}),
            );
        }
        responses.insert(
            success.into(),
            if success == "204" {
                json!({"description": "Done."})
            } else {
                json!({"description": "Zendesk's envelope (docs/zendesk.md).", "content": {"application/json": {
                    "schema": response_schema(r.method, r.path).unwrap_or_else(|| json!({"type": "object"}))}}})
            },
        );
        for (status, what) in [
            ("400", "InvalidParameter (bad paging, bad body shape)"),
            ("401", "Couldn't authenticate you"),
            ("403", "Forbidden"),
            ("404", "RecordNotFound (also for a record the caller may not see)"),
            ("409", "UpdateConflict (a stale safe update)"),
            ("422", "RecordInvalid, with field details"),
            ("429", "TooManyRequests, with Retry-After"),
        ] {
            responses.insert(status.into(), error(what));
        }
        let mut op = json!({
            "operationId": format!("zendesk_{}_{}", r.method.to_lowercase(), r.path.trim_start_matches("/api/v2/").replace(['/', '{', '}'], "_").trim_end_matches('_')),
            "summary": summary(r.method, r.path),
            "tags": ["zendesk"],
            "x-function": r.function,
            "parameters": parameters(r.path),
            "responses": responses,
        });
        if let Some(schema) = request_body(r.method, r.path) {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": schema}}});
        }
        let item = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        item[method] = op;
    }
    let mut schemas = body_schemas();
    if let (Value::Object(all), Value::Object(records)) = (&mut schemas, record_schemas()) {
        all.extend(records);
    }
    schemas["ZendeskError"] = error_schema();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Help desk — Zendesk Support API v2 subset",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Zendesk-compatible routes over the same data as the native API (docs/openapi.yaml). Every path also answers with `.json` after it. Every answer carries `X-Rate-Limit` and `X-Rate-Limit-Remaining`. What is supported and every known difference: docs/zendesk.md.",
        },
        "servers": [{"url": "/"}],
        "security": [{"basic": []}, {"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic", "description": "`email:password` or `email/token:<api token>`"},
                "bearer": {"type": "http", "scheme": "bearer", "description": "A session token, as an OAuth token"},
            },
            "schemas": schemas,
        },
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "description": {"type": "string"},
            "details": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {"description": {"type": "string"}, "error": {"type": "string"}}}}},
        },
    })
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn json_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}
