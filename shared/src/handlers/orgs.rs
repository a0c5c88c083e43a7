//! `/organizations`: read by staff, written by admins.
use super::{query_one, query_without_cursor, HandlerResult};
use crate::auth::authenticate;
use crate::cursor::{page_body, per_page};
use crate::store::orgs::Organization;
use crate::validation::Input;
use crate::{clock, web, ApiError, AppState};
use lambda_http::Request;
use serde_json::{json, Map, Value};
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

/// The writable fields of an organization present in a body; `None` leaves one alone.
struct OrgFields {
    name: Option<String>,
    domain: Option<Option<String>>,
    settings: Option<Map<String, Value>>,
}

/// Validated name/domain/settings; `create` requires the name.
fn parse(map: Map<String, Value>, create: bool) -> Result<OrgFields, ApiError> {
    let mut input = Input::new(map.clone());
    let mut name = None;
    if create || input.has("name") {
        if let Some(n) = input.required_string("name") {
            let n = n.trim().to_owned();
            if n.chars().count() > 255 {
                input.error("name", "The name field must not be greater than 255 characters.");
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
    input.finish()?;
    Ok(OrgFields { name, domain, settings })
}

fn org_id(req: &Request) -> Result<Uuid, ApiError> {
    let raw = web::path_param(req, "id").ok_or(ApiError::NotFound)?;
    Uuid::parse_str(&raw).map_err(|_| ApiError::NotFound)
}

/// `GET /organizations`: by name, paginated.
pub async fn list(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_staff()?;
    let per_page = per_page(query_one(&req, "per_page").as_deref())?;
    let after = match query_one(&req, "cursor") {
        Some(c) => Some(state.cursors.decode("organizations", &c)?),
        None => None,
    };
    let (rows, more) = state.store.list_orgs(after.as_deref(), per_page).await?;
    let next = more.then(|| rows.last().map(|(s, _)| state.cursors.encode("organizations", s))).flatten();
    let data: Vec<&Organization> = rows.iter().map(|(_, o)| o).collect();
    Ok(web::ok(&page_body(&data, "/organizations", per_page, next, &query_without_cursor(&req))))
}

/// `POST /organizations` (admin).
pub async fn create(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_admin()?;
    let OrgFields { name, domain, settings } = parse(web::json_object(&req)?, true)?;
    let now = clock::format(clock::now());
    let org = Organization {
        id: Uuid::now_v7(),
        name: name.unwrap_or_default(),
        domain: domain.flatten(),
        settings: settings.unwrap_or_default(),
        created_at: now.clone(),
        updated_at: now,
    };
    state.store.put_org(&org).await?;
    Ok(web::created(&json!({"organization": org})))
}

/// `GET /organizations/{id}` (staff).
pub async fn show(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_staff()?;
    let org = state.store.get_org(org_id(&req)?).await?.ok_or(ApiError::NotFound)?;
    Ok(web::ok(&json!({"organization": org})))
}

/// `PATCH /organizations/{id}` (admin).
pub async fn update(state: &AppState, req: Request) -> HandlerResult {
    let caller = authenticate(state, &req).await?;
    caller.require_admin()?;
    let mut org = state.store.get_org(org_id(&req)?).await?.ok_or(ApiError::NotFound)?;
    let OrgFields { name, domain, settings } = parse(web::json_object(&req)?, false)?;
    if let Some(n) = name {
        org.name = n;
    }
    if let Some(d) = domain {
        org.domain = d;
    }
    if let Some(s) = settings {
        org.settings = s;
    }
    org.updated_at = clock::format(clock::now());
    state.store.put_org(&org).await?;
    Ok(web::ok(&json!({"organization": org})))
}
