//! `/organizations`: read by staff, written by admins.
use crate::cursor::per_page;
use crate::http::extract::{Admin, Command, FromJson, Params, Staff};
use crate::http::views::{Organization as OrgView, OrganizationEnvelope, Page};
use crate::http::{created, ok, HandlerResult, Shared};
use crate::store::orgs::Organization;
use crate::validation::{Input, ValidationErrors};
use crate::{clock, ApiError};
use axum::extract::{Path, State};
use serde_json::{Map, Value};
use uuid::Uuid;

fn parse_domain(raw: &str) -> Option<String> {
    let d = raw.trim().to_lowercase();
    let ok = d.len() <= 253
        && d.split('.').count() >= 2
        && d.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    ok.then_some(d)
}

/// The body of `PATCH /organizations/{id}`: an absent field is left alone.
#[derive(utoipa::ToSchema)]
pub struct OrgFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub name: Option<String>,
    /// A domain name; `null` or `""` clears it.
    #[schema(max_length = 253)]
    pub domain: Option<Option<String>>,
    /// Any object, up to 16 KiB as JSON.
    pub settings: Option<Map<String, Value>>,
}

/// The body of `POST /organizations`: a name is required.
#[derive(utoipa::ToSchema)]
pub struct NewOrg {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[schema(max_length = 253)]
    pub domain: Option<String>,
    /// Any object, up to 16 KiB as JSON; absent or `null` is `{}`.
    #[schema(required = false)]
    pub settings: Option<Map<String, Value>>,
}

impl FromJson for NewOrg {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        let fields = parse(body, true)?;
        match fields.name {
            Some(name) => Ok(NewOrg { name, domain: fields.domain.flatten(), settings: fields.settings }),
            None => Err(Input::new(Map::new()).required_missing("name")),
        }
    }
}

impl FromJson for OrgFields {
    fn from_json(body: &Map<String, Value>) -> Result<Self, ValidationErrors> {
        parse(body, false)
    }
}

/// Validated name/domain/settings; `create` requires the name.
fn parse(map: &Map<String, Value>, create: bool) -> Result<OrgFields, ValidationErrors> {
    let mut input = Input::new(map.clone());
    let mut name = None;
    if create || input.has("name") {
        if let Some(n) = input.required_string("name") {
            // The limit applies to the value as sent (the documented maxLength), not the trimmed one.
            let too_long = n.chars().count() > 255;
            let n = n.trim().to_owned();
            if too_long {
                input.error("name", "The name field must not be greater than 255 characters.");
            } else if n.is_empty() {
                input.error("name", "The name field is required.");
            } else if n.chars().any(char::is_control) || crate::domain::has_deceptive_chars(&n) {
                input.error(
                    "name",
                    "The name field must not contain control, invisible or text-direction characters.",
                );
            } else {
                name = Some(n);
            }
        }
    }
    let domain = match input.nullable_string("domain") {
        None => None,
        Some(None) => Some(None),
        Some(Some(d)) if d.trim().is_empty() => Some(None),
        Some(Some(d)) => match parse_domain(&d) {
            Some(d) => Some(Some(d)),
            None => {
                input.error("domain", "The domain field must be a valid domain name.");
                None
            }
        },
    };
    let settings = match map.get("settings") {
        None | Some(Value::Null) => None,
        Some(Value::Object(s)) if Value::Object(s.clone()).to_string().len() <= 16 * 1024 => Some(s.clone()),
        Some(Value::Object(_)) => {
            input.error("settings", "The settings field is too large.");
            None
        }
        Some(_) => {
            input.error("settings", "The settings field must be an object.");
            None
        }
    };
    input.into_result(OrgFields { name, domain, settings })
}

fn org_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// `GET /organizations`: by name, paginated.
#[utoipa::path(
    get,
    path = "/organizations",
    operation_id = "get_organizations",
    tag = "orgs",
    summary = "Organizations (staff)",
    params(("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Default 25"), ("cursor" = Option<String>, Query, description = "Opaque, tamper-evident; bound to the list and its filters")),
    responses((status = 200, description = "A page of organizations by name.", body = crate::http::views::Page<crate::http::views::Organization>, example = json!(crate::http::openapi::examples::page(crate::http::openapi::examples::organization(), "/organizations"))), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn list(State(state): State<Shared>, _: Staff, query: Params) -> HandlerResult {
    let per_page = per_page(query.present("per_page").as_deref())?;
    let after = match query.one("cursor") {
        Some(c) => Some(state.cursors.decode("organizations", &c)?),
        None => None,
    };
    let (rows, more) = state.store.list_orgs(after.as_deref(), per_page).await?;
    let next = more.then(|| rows.last().map(|(s, _)| state.cursors.encode("organizations", s))).flatten();
    let data: Vec<OrgView> = rows.iter().map(|(_, o)| OrgView::of(o)).collect();
    Ok(ok(&Page::new(data, "/organizations", per_page, next, &query.without_cursor())))
}

/// `POST /organizations` (admin).
#[utoipa::path(
    post,
    path = "/organizations",
    operation_id = "post_organizations",
    tag = "orgs",
    summary = "Create an organization (admin)",
    request_body(content = NewOrg, example = json!({"name": "Acme", "domain": "acme.example", "settings": {}})),
    responses((status = 201, description = "Created.", body = crate::http::views::OrganizationEnvelope, example = json!({"organization": crate::http::openapi::examples::organization()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E422)
)]
pub async fn create(State(state): State<Shared>, _: Admin, body: Command<NewOrg>) -> HandlerResult {
    let NewOrg { name, domain, settings } = body.command;
    let now = clock::Timestamp::now();
    let mut org = Organization {
        id: Uuid::now_v7(),
        number: None,
        name,
        domain,
        settings: settings.unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    state.store.create_org(&mut org).await?;
    Ok(created(&OrganizationEnvelope { organization: OrgView::of(&org) }))
}

/// `GET /organizations/{id}` (staff).
#[utoipa::path(
    get,
    path = "/organizations/{id}",
    operation_id = "get_organizations_id",
    tag = "orgs",
    summary = "An organization (staff)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    responses((status = 200, description = "The organization.", body = crate::http::views::OrganizationEnvelope, example = json!({"organization": crate::http::openapi::examples::organization()})), crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404)
)]
pub async fn show(State(state): State<Shared>, _: Staff, Path(raw): Path<String>) -> HandlerResult {
    let org = state.store.get_org(org_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    Ok(ok(&OrganizationEnvelope { organization: OrgView::of(&org) }))
}

/// `PATCH /organizations/{id}` (admin).
#[utoipa::path(
    patch,
    path = "/organizations/{id}",
    operation_id = "patch_organizations_id",
    tag = "orgs",
    summary = "Update an organization (admin)",
    params(("id" = String, Path, description = "A UUID (tickets: also the ticket number, `TKT-000042`)")),
    request_body(content = OrgFields, example = json!({"name": "Acme Inc"})),
    responses((status = 200, description = "Updated.", body = crate::http::views::OrganizationEnvelope, example = json!({"organization": crate::http::openapi::examples::organization()})), crate::http::openapi::E400, crate::http::openapi::E401, crate::http::openapi::E403, crate::http::openapi::E404, crate::http::openapi::E422)
)]
pub async fn update(
    State(state): State<Shared>,
    _: Admin,
    Path(raw): Path<String>,
    body: Command<OrgFields>,
) -> HandlerResult {
    let mut org = state.store.get_org(org_id(&raw)?).await?.ok_or(ApiError::NotFound)?;
    let OrgFields { name, domain, settings } = body.command;
    if let Some(n) = name {
        org.name = n;
    }
    if let Some(d) = domain {
        org.domain = d;
    }
    if let Some(s) = settings {
        org.settings = s;
    }
    org.updated_at = clock::Timestamp::now();
    state.store.put_org(&org).await?;
    Ok(ok(&OrganizationEnvelope { organization: OrgView::of(&org) }))
}
