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
        .collect()
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ZendeskError"}}}})
}

/// The document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in V2_ROUTES {
        let method = r.method.to_lowercase();
        let success = match r.method {
            "POST" if !r.path.ends_with("/tags") && !r.path.ends_with("create_many") => "201",
            "DELETE" if !r.path.ends_with("/tags") => "204",
            _ => "200",
        };
        let mut responses = Map::new();
        responses.insert(
            success.into(),
            if success == "204" {
                json!({"description": "Done."})
            } else {
                json!({"description": "Zendesk's envelope (docs/zendesk.md).", "content": {"application/json": {"schema": {"type": "object"}}}})
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
        if matches!(r.method, "POST" | "PUT") || (r.method == "DELETE" && r.path.ends_with("/tags")) {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let item = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        item[method] = op;
    }
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
            "schemas": {
                "ZendeskError": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string"},
                        "description": {"type": "string"},
                        "details": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {"description": {"type": "string"}, "error": {"type": "string"}}}}},
                    },
                },
            },
        },
    })
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn json_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}
