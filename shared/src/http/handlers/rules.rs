//! What triggers and automations share over HTTP (admins only): the body, and CRUD and
//! reorder over one kind of rule. `triggers.rs` and `automations.rs` are the routes.
use super::workspace::Common;
use crate::app::rules::ensure_defaults;
use crate::clock::Timestamp;
use crate::domain::actions::{ActionDialect, Actions};
use crate::domain::conditions::{Conditions, Dialect};
use crate::http::views as out;
use crate::store::rules::{Rule, RuleKind};
use crate::validation::{Input, ValidationErrors};
use crate::{ApiError, AppState};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The body of `POST` and `PATCH` of a trigger or an automation (a create needs `title`,
/// `conditions` and `actions`).
#[derive(Debug, Default, utoipa::ToSchema)]
pub struct RuleFields {
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub title: Option<String>,
    #[schema(max_length = 1000, nullable = false)]
    pub description: Option<String>,
    #[schema(nullable = false)]
    pub active: Option<bool>,
    #[schema(nullable = false, maximum = 100000)]
    pub position: Option<u32>,
    /// `{"all": [...], "any": [...]}`. Triggers add `update_type`, `changed`, `not_changed`,
    /// `changed_to`, `changed_from`, `comment_is_public`, `current_user_role`,
    /// `current_user_id`; at least one condition. Automations: a time condition (`hours_*`) and
    /// an anchor condition in `all`.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub conditions: Option<Value>,
    /// `[{"field", "value"}]`: the macro fields (no comment; `closed` allowed) plus
    /// `notify_user` `{"to", "subject", "body"}`, `notify_group` `{"group_id", "subject", "body"}`,
    /// `notify_webhook` `{"webhook_id", "body"?}`. Automations: one of them must make a condition
    /// false.
    #[schema(value_type = Option<Vec<Object>>, nullable = false)]
    pub actions: Option<Value>,
}

impl RuleFields {
    /// Parses a body for a kind of rule (422 messages keyed by position).
    pub fn parse(body: &Map<String, Value>, kind: RuleKind) -> Result<RuleFields, ValidationErrors> {
        let mut input = Input::new(body.clone());
        let common = Common::parse(body, &mut input);
        if common.restriction.is_some() {
            input.error("restriction", "Rules apply to every ticket; they have no restriction.");
        }
        let mut f = RuleFields {
            title: common.title,
            active: common.active,
            position: common.position,
            ..Default::default()
        };
        match body.get("description") {
            None => {}
            Some(Value::String(d)) if d.chars().count() <= 1000 => f.description = Some(d.trim().to_owned()),
            Some(_) => {
                input.error("description", "The description must be a string of at most 1000 characters.")
            }
        }
        let dialect = match kind {
            RuleKind::Trigger => Dialect::Trigger,
            RuleKind::Automation => Dialect::Ticket,
        };
        let mut errors = ValidationErrors::default();
        let conditions = body.get("conditions").map(|c| (c, Conditions::parse_as(c, dialect)));
        let actions = body.get("actions").map(|a| (a, Actions::parse_as(a, ActionDialect::Rule)));
        match &conditions {
            Some((_, Ok(parsed))) if parsed.all.is_empty() && parsed.any.is_empty() => {
                errors.add("conditions", "A rule needs at least one condition.")
            }
            Some((raw, Ok(_))) => f.conditions = Some((*raw).clone()),
            Some((_, Err(e))) => errors.absorb(e.clone()),
            None => {}
        }
        match &actions {
            Some((raw, Ok(_))) => f.actions = Some((*raw).clone()),
            Some((_, Err(e))) => errors.absorb(e.clone()),
            None => {}
        }
        // An automation is checked whole when a body gives both (a PATCH of one is checked
        // against the stored other by `update`).
        if let (RuleKind::Automation, Some((_, Ok(c))), Some((_, Ok(a)))) = (kind, &conditions, &actions) {
            if errors.is_empty() {
                errors.absorb(crate::domain::automations::validate(c, a));
            }
        }
        input.merge(errors);
        input.into_result(f)
    }
}

fn noun(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Trigger => "trigger",
        RuleKind::Automation => "automation",
    }
}

/// The webhooks, groups and users a rule's notifications name exist (422 on `actions` if not).
async fn check_targets(state: &AppState, actions: &Value) -> Result<(), ApiError> {
    use crate::domain::actions::{Notification, Recipient};
    let parsed = Actions::parse_as(actions, ActionDialect::Rule).map_err(ApiError::Validation)?;
    for n in parsed.notifications() {
        let found = match n {
            Notification::Webhook { webhook_id, .. } => state.store.get_webhook(webhook_id).await?.is_some(),
            Notification::Mail { to: Recipient::Group(g), .. } => state.store.get_group(g).await?.is_some(),
            Notification::Mail { to: Recipient::User(u), .. } => state.store.get_user(u).await?.is_some(),
            Notification::Mail { .. } => true,
        };
        if !found {
            return Err(ApiError::invalid(
                "actions",
                "A notification names a webhook, group or user this desk does not have.",
            ));
        }
    }
    Ok(())
}

pub async fn load(state: &AppState, kind: RuleKind, raw: &str) -> Result<Rule, ApiError> {
    let id = Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)?;
    state.store.get_rule(kind, id).await?.ok_or(ApiError::NotFound)
}

/// Every rule of a kind, by position (a new desk's first read creates the defaults).
pub async fn list(state: &AppState, kind: RuleKind) -> Result<Vec<out::Rule>, ApiError> {
    ensure_defaults(state, kind).await?;
    Ok(state.store.all_rules(kind).await?.iter().map(out::Rule::of).collect())
}

pub async fn create(state: &AppState, kind: RuleKind, f: RuleFields) -> Result<Rule, ApiError> {
    let mut errors = ValidationErrors::default();
    for (field, missing) in [
        ("title", f.title.is_none()),
        ("conditions", f.conditions.is_none()),
        ("actions", f.actions.is_none()),
    ] {
        if missing {
            errors.add(field, format!("The {field} field is required."));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    check_targets(state, f.actions.as_ref().unwrap_or(&Value::Null)).await?;
    // The defaults come first on a new desk.
    ensure_defaults(state, kind).await?;
    let now = Timestamp::now();
    let position = match f.position {
        Some(p) => p,
        None => state.store.all_rules(kind).await?.last().map_or(0, |r| r.position + 1),
    };
    let mut rule = Rule {
        id: Uuid::now_v7(),
        number: None,
        kind,
        title: f.title.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        active: f.active.unwrap_or(true),
        position,
        conditions: f.conditions.unwrap_or_default().to_string(),
        actions: f.actions.unwrap_or_default().to_string(),
        created_at: now,
        updated_at: now,
    };
    state.store.create_rule(&mut rule).await?;
    Ok(rule)
}

/// `conditions` and `actions` are replaced whole; an automation stays valid as a whole.
pub async fn update(state: &AppState, kind: RuleKind, raw: &str, f: RuleFields) -> Result<Rule, ApiError> {
    let mut rule = load(state, kind, raw).await?;
    rule.title = f.title.unwrap_or(rule.title);
    rule.description = f.description.unwrap_or(rule.description);
    rule.active = f.active.unwrap_or(rule.active);
    rule.position = f.position.unwrap_or(rule.position);
    if let Some(c) = f.conditions {
        rule.conditions = c.to_string();
    }
    if let Some(a) = f.actions {
        check_targets(state, &a).await?;
        rule.actions = a.to_string();
    }
    if kind == RuleKind::Automation {
        let c = Conditions::parse(&rule.conditions_json()).map_err(ApiError::Validation)?;
        let a = Actions::parse_as(&rule.actions_json(), ActionDialect::Rule).map_err(ApiError::Validation)?;
        let errors = crate::domain::automations::validate(&c, &a);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    rule.updated_at = Timestamp::now();
    state.store.put_rule(&rule).await?;
    Ok(rule)
}

pub async fn delete(state: &AppState, kind: RuleKind, raw: &str) -> Result<(), ApiError> {
    let rule = load(state, kind, raw).await?;
    state.store.delete_rule(rule.id).await?;
    Ok(())
}

/// `{"ids": [...]}` names every rule of the kind once, in the new order.
pub async fn reorder(
    state: &AppState,
    kind: RuleKind,
    body: &Map<String, Value>,
) -> Result<Vec<out::Rule>, ApiError> {
    let mut rules = state.store.all_rules(kind).await?;
    let known: Vec<Uuid> = rules.iter().map(|r| r.id).collect();
    let ids = crate::http::extract::new_order(body, &known, noun(kind))?;
    let now = Timestamp::now();
    for r in &mut rules {
        r.position = ids.iter().position(|id| *id == r.id).unwrap_or(0) as u32;
        r.updated_at = now;
    }
    rules.sort_by_key(|r| r.position);
    state.store.put_rules(&rules).await?;
    Ok(rules.iter().map(out::Rule::of).collect())
}
