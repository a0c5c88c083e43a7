#!/usr/bin/env python3
"""Writes docs/openapi.yaml (OpenAPI 3.1) for the help desk's HTTP API.

The document is generated so that its shapes are written once, here; `make openapi` rewrites it.
tests/api/openapi.rs checks that its routes are exactly those of shared/src/routes.rs and
template.yaml, and that every example validates against its schema.
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
UUID = {"type": "string", "format": "uuid"}
TS = {"type": "string", "format": "date-time", "description": "RFC 3339 UTC with milliseconds and Z"}
NULL_TS = {"type": ["string", "null"], "format": "date-time"}
NULL_UUID = {"type": ["string", "null"], "format": "uuid"}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props, required=None, extra=False):
    return {"type": "object", "properties": props, "required": required if required is not None else list(props), "additionalProperties": extra}


def nullable(schema):
    return {"oneOf": [schema, {"type": "null"}]}


A = "0190f3a4-0000-7000-8000-0000000000a1"  # agent
C = "0190f3a4-0000-7000-8000-0000000000c1"  # customer
T = "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506"  # ticket
NOW = "2026-11-26T15:04:05.123Z"

USER_EX = {"id": A, "name": "Alan Agent", "email": "agent@example.com", "role": "agent", "avatar_url": None, "organization_id": None,
           "notify_email": True, "is_online": True, "last_seen": NOW, "created_at": NOW, "updated_at": NOW}
CUSTOMER_EX = dict(USER_EX, id=C, name="Grace Customer", email="customer@example.com", role="customer")
TICKET_EX = {"id": T, "ticket_number": "TKT-000042", "subject": "Printer on fire", "description": "Smoke everywhere", "status": "open",
             "priority": "high", "satisfaction": "unoffered", "requester_id": C, "assignee_id": A, "organization_id": None,
             "due_date": None, "tags": ["hardware"], "custom_fields": {"floor": 3}, "created_at": NOW, "updated_at": NOW,
             "updated_stamp": "0190f3a4-5b6c-7d8e-9fa0-b1c2d3e4f599", "requester": CUSTOMER_EX, "assignee": USER_EX}
ATT_EX = {"id": "0190f3a4-aaaa-7000-8000-000000000002", "ticket_id": T, "comment_id": "0190f3a4-cccc-7000-8000-000000000003",
          "filename": "photo.jpg", "file_size": 52311, "mime_type": "image/jpeg", "uploaded_by": C, "created_at": NOW}
COMMENT_EX = {"id": "0190f3a4-cccc-7000-8000-000000000003", "ticket_id": T, "author_id": A, "content": "We are on it.", "is_internal": False,
              "attachments": [ATT_EX], "created_at": NOW, "updated_at": NOW, "author": USER_EX}
CHANGE_EX = {"id": "0190f3a4-dddd-7000-8000-000000000004", "ticket_id": T, "agent_id": A, "field_name": "status", "old_value": "new",
             "new_value": "open", "action": "Status changed from new to open", "via": "web", "created_at": NOW, "agent": USER_EX}
ORG_EX = {"id": "0190f3a4-eeee-7000-8000-000000000005", "name": "Acme", "domain": "acme.example", "settings": {"sla": "gold"},
          "created_at": NOW, "updated_at": NOW}
VIEWER_EX = {"ticket_id": T, "user_id": A, "last_viewed": NOW, "user": USER_EX}


def page(item_schema, item_example, path):
    return (obj({"data": {"type": "array", "items": item_schema}, "path": {"type": "string"}, "per_page": {"type": "integer"},
                 "next_cursor": {"type": ["string", "null"]}, "next_page_url": {"type": ["string", "null"]},
                 "prev_cursor": {"type": "null"}, "prev_page_url": {"type": "null"}}),
            {"data": [item_example], "path": path, "per_page": 25, "next_cursor": "eyJzIjoi.x1Y", "next_page_url": f"{path}?cursor=eyJzIjoi.x1Y",
             "prev_cursor": None, "prev_page_url": None})


SCHEMAS = {
    "User": obj({"id": UUID, "name": {"type": "string"}, "email": {"type": "string", "format": "email"},
                 "role": {"enum": ["admin", "agent", "customer"]}, "avatar_url": {"type": ["string", "null"]}, "organization_id": NULL_UUID,
                 "notify_email": {"type": "boolean"}, "is_online": {"type": "boolean"}, "last_seen": NULL_TS, "created_at": TS, "updated_at": TS}),
    "PublicUser": obj({"id": UUID, "name": {"type": "string"}, "avatar_url": {"type": ["string", "null"]}, "role": {"enum": ["admin", "agent", "customer"]}}),
    "AnyUser": {"oneOf": [ref("User"), ref("PublicUser")], "description": "Customers see only the public fields of other users."},
    "Organization": obj({"id": UUID, "name": {"type": "string"}, "domain": {"type": ["string", "null"]}, "settings": {"type": "object"},
                         "created_at": TS, "updated_at": TS}),
    "Ticket": obj({"id": UUID, "ticket_number": {"type": "string", "pattern": "^TKT-[0-9]{6,}$"}, "subject": {"type": "string"},
                   "description": {"type": "string"}, "status": {"enum": ["new", "open", "pending", "on-hold", "solved", "closed"]},
                   "priority": {"enum": ["low", "normal", "high", "urgent"]}, "satisfaction": {"enum": ["offered", "unoffered", "good", "bad"]},
                   "requester_id": UUID, "assignee_id": NULL_UUID, "organization_id": NULL_UUID, "due_date": NULL_TS,
                   "tags": {"type": "array", "items": {"type": "string"}}, "custom_fields": {"type": "object"}, "created_at": TS, "updated_at": TS,
                   "updated_stamp": {"type": "string"}, "requester": nullable(ref("AnyUser")), "assignee": nullable(ref("AnyUser"))}),
    "Attachment": obj({"id": UUID, "ticket_id": UUID, "comment_id": NULL_UUID, "filename": {"type": "string"}, "file_size": {"type": "integer", "minimum": 1},
                       "mime_type": {"type": "string"}, "uploaded_by": UUID, "created_at": TS}),
    "Comment": obj({"id": UUID, "ticket_id": UUID, "author_id": UUID, "content": {"type": "string"}, "is_internal": {"type": "boolean"},
                    "attachments": {"type": "array", "items": ref("Attachment")}, "created_at": TS, "updated_at": TS, "author": nullable(ref("AnyUser"))}),
    "Change": obj({"id": UUID, "ticket_id": UUID, "agent_id": NULL_UUID, "field_name": {"type": "string"}, "old_value": {"type": ["string", "null"]},
                   "new_value": {"type": ["string", "null"]}, "action": {"type": "string"},
                   "via": {"type": "string", "enum": ["web", "mail", "api", "macro", "trigger", "automation"]}, "created_at": TS, "agent": nullable(ref("User"))}),
    "Viewer": obj({"ticket_id": UUID, "user_id": UUID, "last_viewed": TS, "user": nullable(ref("User"))}),
    "TicketPage": None,  # the Ticket plus comments (and changes), below
    "Message": obj({"message": {"type": "string"}}),
    "ValidationError": obj({"message": {"type": "string"}, "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}),
    "TokenResponse": obj({"user": ref("User"), "token": {"type": "string"}, "token_type": {"const": "Bearer"}, "expires_at": TS}),
}
SCHEMAS["TicketPage"] = obj(
    dict(SCHEMAS["Ticket"]["properties"], comments={"type": "array", "items": ref("Comment")}, changes={"type": "array", "items": ref("Change")}),
    SCHEMAS["Ticket"]["required"] + ["comments"],
)
SCHEMAS["TicketPage"]["description"] = "Customers get public comments only and no changes."
SCHEMAS["TicketList"], TICKET_LIST_EX = page(ref("Ticket"), TICKET_EX, "/tickets")
SCHEMAS["UserList"], USER_LIST_EX = page(ref("User"), USER_EX, "/users")
SCHEMAS["OrganizationList"], ORG_LIST_EX = page(ref("Organization"), ORG_EX, "/organizations")
SCHEMAS["CommentList"], COMMENT_LIST_EX = page(ref("Comment"), COMMENT_EX, f"/tickets/{T}/comments")

ERRORS = {
    "400": ("The body is not JSON, or not an object.", "Message", {"message": "The request body is not valid JSON."}),
    "401": ("Missing, malformed, expired or revoked token.", "Message", {"message": "Unauthenticated."}),
    "403": ("Authenticated but not allowed.", "Message", {"message": "This action is unauthorized."}),
    "404": ("No such resource, or one the caller may not know exists.", "Message", {"message": "Not found."}),
    "409": ("Write conflict.", "Message", {"message": "The ticket was changed by someone else. Reload and try again."}),
    "413": ("Body over 256 KiB.", "Message", {"message": "The request body may not be greater than 256 kilobytes."}),
    "422": ("Validation failed.", "ValidationError", {"message": "The subject field is required.", "errors": {"subject": ["The subject field is required."]}}),
}


def resp(desc, schema, example):
    return {"description": desc, "content": {"application/json": {"schema": schema, "examples": {"example": {"value": example}}}}}


def errors(*codes):
    return {c: resp(ERRORS[c][0], ref(ERRORS[c][1]), ERRORS[c][2]) for c in codes}


def body(props, required=(), example=None):
    schema = {"type": "object", "properties": props, "required": list(required)}
    return {"required": True, "content": {"application/json": {"schema": schema, "examples": {"example": {"value": example or {}}}}}}


ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "UUID (tickets: or ticket number)"}
PAGING = [{"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "Opaque, tamper-evident; bound to the list's filters."}]
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 255},
               "description": "A retry with the same key and body returns the first result; another body is 409."}

TICKET_FIELDS = {"subject": {"type": "string", "maxLength": 255}, "description": {"type": "string"}, "priority": {"enum": ["low", "normal", "high", "urgent"]},
                 "tags": {"type": "array", "items": {"type": "string"}}, "custom_fields": {"type": "object"}, "due_date": {"type": ["string", "null"]},
                 "requester_id": UUID, "assignee_id": NULL_UUID, "organization_id": NULL_UUID,
                 "status": {"enum": ["new", "open", "pending", "on-hold", "solved", "closed"]}}

OPS = [
    ("post", "/auth/register", "Register a customer", False, body({"name": {"type": "string"}, "email": {"type": "string"}, "password": {"type": "string", "minLength": 8}}, ["name", "email", "password"], {"name": "Grace Customer", "email": "customer@example.com", "password": "correct-horse"}), {"201": resp("Registered and signed in.", ref("TokenResponse"), {"user": CUSTOMER_EX, "token": "eyJ0eXAiOiJKV1Qi.eyJzdWIiOi.sig", "token_type": "Bearer", "expires_at": NOW})}, ["400", "413", "422"], []),
    ("post", "/auth/login", "Sign in", False, body({"email": {"type": "string"}, "password": {"type": "string"}}, ["email", "password"], {"email": "agent@example.com", "password": "helpdesk-demo"}), {"200": resp("Signed in.", ref("TokenResponse"), {"user": USER_EX, "token": "eyJ0eXAiOiJKV1Qi.eyJzdWIiOi.sig", "token_type": "Bearer", "expires_at": NOW})}, ["400", "401", "422"], []),
    ("post", "/auth/logout", "Sign out (this token dies)", True, None, {"200": resp("Signed out.", ref("Message"), {"message": "Logged out."})}, ["401"], []),
    ("get", "/auth/me", "The caller", True, None, {"200": resp("The caller.", obj({"user": ref("User")}), {"user": USER_EX})}, ["401"], []),
    ("patch", "/auth/me", "Update the caller's profile", True, body({"name": {"type": "string"}, "avatar_url": {"type": ["string", "null"]}, "notify_email": {"type": "boolean"}, "password": {"type": "string"}, "current_password": {"type": "string"}}, [], {"notify_email": False}), {"200": resp("Updated.", obj({"user": ref("User")}), {"user": dict(USER_EX, notify_email=False)})}, ["400", "401", "403", "422"], []),
    ("get", "/users", "Users (staff)", True, None, {"200": resp("A page of users by name.", ref("UserList"), USER_LIST_EX)}, ["401", "403", "422"], [{"name": "role", "in": "query", "schema": {"enum": ["admin", "agent", "customer"]}}, {"name": "search", "in": "query", "schema": {"type": "string"}, "description": "Name or email prefix."}] + PAGING),
    ("get", "/users/agents", "Agents and admins with presence (staff)", True, None, {"200": resp("Every agent and admin.", obj({"data": {"type": "array", "items": ref("User")}}), {"data": [USER_EX]})}, ["401", "403"], []),
    ("get", "/users/{id}", "A user (staff, or oneself)", True, None, {"200": resp("The user.", obj({"user": ref("User")}), {"user": USER_EX})}, ["401", "404"], [ID_PARAM]),
    ("patch", "/users/{id}/assign", "Assign a role or organization (admin)", True, body({"role": {"enum": ["admin", "agent", "customer"]}, "organization_id": NULL_UUID}, [], {"role": "agent"}), {"200": resp("Assigned (audited).", obj({"user": ref("User")}), {"user": USER_EX})}, ["401", "403", "404", "409", "422"], [ID_PARAM]),
    ("get", "/organizations", "Organizations (staff)", True, None, {"200": resp("A page of organizations by name.", ref("OrganizationList"), ORG_LIST_EX)}, ["401", "403", "422"], PAGING),
    ("post", "/organizations", "Create an organization (admin)", True, body({"name": {"type": "string"}, "domain": {"type": ["string", "null"]}, "settings": {"type": "object"}}, ["name"], {"name": "Acme", "domain": "acme.example"}), {"201": resp("Created.", obj({"organization": ref("Organization")}), {"organization": ORG_EX})}, ["400", "401", "403", "422"], []),
    ("get", "/organizations/{id}", "An organization (staff)", True, None, {"200": resp("The organization.", obj({"organization": ref("Organization")}), {"organization": ORG_EX})}, ["401", "403", "404"], [ID_PARAM]),
    ("patch", "/organizations/{id}", "Update an organization (admin)", True, body({"name": {"type": "string"}, "domain": {"type": ["string", "null"]}, "settings": {"type": "object"}}, [], {"name": "Acme Inc"}), {"200": resp("Updated.", obj({"organization": ref("Organization")}), {"organization": dict(ORG_EX, name="Acme Inc")})}, ["400", "401", "403", "404", "422"], [ID_PARAM]),
    ("get", "/tickets", "Tickets, newest update first (customers: their own)", True, None, {"200": resp("A page of tickets.", ref("TicketList"), TICKET_LIST_EX)}, ["401", "422"],
     [{"name": "status[]", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
      {"name": "priority[]", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
      {"name": "assignee_id", "in": "query", "schema": {"type": "string"}, "description": "A user id, or `none`."},
      {"name": "requester_id", "in": "query", "schema": UUID}, {"name": "organization_id", "in": "query", "schema": UUID},
      {"name": "tag", "in": "query", "schema": {"type": "string"}}, {"name": "search", "in": "query", "schema": {"type": "string"}, "description": "Words of subject and description, or a ticket number."}] + PAGING),
    ("post", "/tickets", "Open a ticket", True, body(TICKET_FIELDS, ["subject", "description"], {"subject": "Printer on fire", "description": "Smoke everywhere", "priority": "high"}), {"201": resp("Created.", ref("Ticket"), TICKET_EX)}, ["400", "401", "403", "409", "413", "422"], [IDEMPOTENCY]),
    ("get", "/tickets/{id}", "A ticket page: ticket, comments, changes", True, None, {"200": resp("The ticket with its comments (and changes, for staff).", ref("TicketPage"), dict(TICKET_EX, comments=[COMMENT_EX], changes=[CHANGE_EX]))}, ["401", "404"], [ID_PARAM]),
    ("patch", "/tickets/{id}", "Update a ticket (staff; customers: satisfaction only)", True, body(dict(TICKET_FIELDS, satisfaction={"enum": ["good", "bad"]}, updated_stamp={"type": "string", "description": "Makes the update safe: 409 if the ticket changed since."}), [], {"priority": "urgent"}), {"200": resp("Updated (each changed field audited).", ref("Ticket"), dict(TICKET_EX, priority="urgent"))}, ["400", "401", "403", "404", "409", "422"], [ID_PARAM]),
    ("delete", "/tickets/{id}", "Delete a ticket and everything under it (admin)", True, None, {"204": {"description": "Deleted."}}, ["401", "403", "404"], [ID_PARAM]),
    ("post", "/tickets/{id}/assign", "Assign (staff)", True, body({"assignee_id": NULL_UUID}, ["assignee_id"], {"assignee_id": A}), {"200": resp("Assigned.", obj({"message": {"type": "string"}, "ticket": ref("Ticket")}), {"message": "Ticket assigned successfully.", "ticket": TICKET_EX})}, ["400", "401", "403", "404", "409", "422"], [ID_PARAM]),
    ("post", "/tickets/{id}/status", "Change status (staff)", True, body({"status": TICKET_FIELDS["status"]}, ["status"], {"status": "pending"}), {"200": resp("Changed.", obj({"message": {"type": "string"}, "ticket": ref("Ticket")}), {"message": "Ticket status updated successfully.", "ticket": dict(TICKET_EX, status="pending")})}, ["400", "401", "403", "404", "409", "422"], [ID_PARAM]),
    ("get", "/tickets/{id}/viewers", "Who viewed the ticket in the last 5 minutes (staff)", True, None, {"200": resp("Viewers.", obj({"data": {"type": "array", "items": ref("Viewer")}}), {"data": [VIEWER_EX]})}, ["401", "403", "404"], [ID_PARAM]),
    ("post", "/tickets/{id}/view", "Mark the ticket viewed (staff)", True, None, {"200": resp("Recorded.", ref("Message"), {"message": "Marked as viewed."})}, ["401", "403", "404"], [ID_PARAM]),
    ("get", "/tickets/{id}/comments", "Comments, oldest first (customers: public only)", True, None, {"200": resp("A page of comments.", ref("CommentList"), COMMENT_LIST_EX)}, ["401", "404", "422"], [ID_PARAM] + PAGING),
    ("post", "/tickets/{id}/comments", "Reply or add an internal note", True, body({"content": {"type": "string"}, "is_internal": {"type": "boolean"}, "attachment_ids": {"type": "array", "items": UUID, "maxItems": 10}}, ["content"], {"content": "We are on it.", "attachment_ids": [ATT_EX["id"]]}), {"201": resp("Created.", ref("Comment"), COMMENT_EX)}, ["400", "401", "403", "404", "409", "413", "422"], [ID_PARAM, IDEMPOTENCY]),
    ("post", "/attachments", "Start an upload: a presigned PUT URL", True, body({"ticket_id": UUID, "filename": {"type": "string"}, "mime_type": {"type": "string"}, "file_size": {"type": "integer", "minimum": 1}}, ["ticket_id", "filename", "mime_type", "file_size"], {"ticket_id": T, "filename": "photo.jpg", "mime_type": "image/jpeg", "file_size": 52311}),
     {"201": resp("Upload with exactly these headers before expires_at.", obj({"attachment": ref("Attachment"), "upload_url": {"type": "string", "format": "uri"}, "upload_method": {"const": "PUT"}, "upload_headers": {"type": "object", "additionalProperties": {"type": "string"}}, "expires_at": TS}),
                  {"attachment": dict(ATT_EX, comment_id=None), "upload_url": "https://bucket.s3.amazonaws.com/attachments/x/y/photo.jpg?X-Amz-Signature=abc", "upload_method": "PUT", "upload_headers": {"content-type": "image/jpeg", "content-length": "52311"}, "expires_at": NOW})},
     ["400", "401", "404", "422"], []),
    ("get", "/attachments/{id}", "Download: a redirect to a short-lived URL", True, None, {"302": {"description": "To a presigned GET URL (Content-Disposition: attachment).", "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}}}, ["401", "404"], [ID_PARAM]),
]

paths = {}
for method, path, summary, auth, req_body, ok, errs, params in OPS:
    op = {"summary": summary, "operationId": f"{method}{path.replace('/', '_').replace('{', '').replace('}', '')}", "responses": dict(ok, **errors(*errs))}
    if not auth:
        op["security"] = []
    if params:
        op["parameters"] = params
    if req_body:
        op["requestBody"] = req_body
    paths.setdefault(path, {})[method] = op

doc = {
    "openapi": "3.1.0",
    "info": {"title": "Help desk API", "version": "1.0.0",
             "description": "The HTTP API of the help desk (see ../shared/API.md and docs/api.md). Generated by infra/openapi/generate.py."},
    "servers": [{"url": "http://127.0.0.1:3000", "description": "make dev"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}, "schemas": SCHEMAS},
}
out = ROOT / "docs" / "openapi.yaml"
try:
    import yaml  # PyYAML: in infra/bootstrap.sh's venv (moto and cfn-lint depend on it)

    text = yaml.safe_dump(json.loads(json.dumps(doc)), sort_keys=False, allow_unicode=True, width=120)
except ImportError:  # JSON is valid YAML 1.2
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
out.write_text("# Generated by infra/openapi/generate.py (make openapi). Do not edit by hand.\n" + text)
print(f"wrote {out.relative_to(ROOT)} ({len(OPS)} operations)")
