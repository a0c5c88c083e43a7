//! Condition and action values that name a record (an assignee, a requester, a group, an
//! organization, a notification's user or group), in Zendesk's form: the record's numeric id.
//! The native rules hold UUIDs; the v2 routes read numbers in (a UUID is accepted too) and
//! write numbers out, as strings of digits, as Zendesk writes them.
use super::ZdError;
use crate::store::numbers::Numbered;
use crate::AppState;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Most values read in one body: a rule's 50 `all` and 50 `any` conditions and 30 actions. A
/// body with more is left as it is, for the rule's own check to refuse its counts, so a body
/// never costs more than this many lookups.
const MAX_NAMED: usize = 2 * crate::domain::conditions::MAX_CONDITIONS + crate::domain::actions::MAX_ACTIONS;

/// Which record a condition's or action's `field` names by its value.
fn named_by(field: &str) -> Option<Numbered> {
    match field {
        "assignee_id" | "requester_id" => Some(Numbered::User),
        "group_id" => Some(Numbered::Group),
        "organization_id" => Some(Numbered::Organization),
        _ => None,
    }
}

/// The values of `object` (a view, macro, trigger or automation) that name records: those of
/// the `{field, value}` items of `conditions.all`, `conditions.any` and `actions`, and the
/// `to` and `group_id` of notifications.
fn named_values(object: &mut Value) -> Vec<(&'static str, Numbered, &mut Value)> {
    let mut out = Vec::new();
    let Value::Object(fields) = object else { return out };
    for (key, v) in fields.iter_mut() {
        match (key.as_str(), v) {
            ("conditions", Value::Object(lists)) => {
                for (which, list) in lists.iter_mut() {
                    if let ("all" | "any", Value::Array(items)) = (which.as_str(), list) {
                        items.iter_mut().for_each(|item| push_named("conditions", item, &mut out));
                    }
                }
            }
            ("actions", Value::Array(items)) => {
                items.iter_mut().for_each(|item| push_named("actions", item, &mut out))
            }
            _ => {}
        }
    }
    out
}

fn push_named<'a>(
    place: &'static str,
    item: &'a mut Value,
    out: &mut Vec<(&'static str, Numbered, &'a mut Value)>,
) {
    let Value::Object(item) = item else { return };
    let Some(field) = item.get("field").and_then(Value::as_str).map(str::to_owned) else { return };
    let Some(value) = item.get_mut("value") else { return };
    match (field.as_str(), value) {
        ("notify_user", Value::Object(v)) => {
            out.extend(v.get_mut("to").map(|to| (place, Numbered::User, to)))
        }
        ("notify_group", Value::Object(v)) => {
            out.extend(v.get_mut("group_id").map(|g| (place, Numbered::Group, g)))
        }
        (field, value) => out.extend(named_by(field).map(|kind| (place, kind, value))),
    }
}

fn number_in(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
}

fn kind_name(kind: Numbered) -> &'static str {
    match kind {
        Numbered::User => "user",
        Numbered::Group => "group",
        Numbered::Organization => "organization",
        _ => "record",
    }
}

/// Replaces the numeric ids in a v2 body's object with the records' UUIDs (one lookup per
/// distinct id); an id that names nothing is a 422 on `conditions` or `actions`.
pub async fn uuids_in(state: &AppState, object: &mut Value) -> Result<(), ZdError> {
    let named = named_values(object);
    if named.len() > MAX_NAMED {
        return Ok(());
    }
    let mut found: HashMap<(Numbered, u64), Uuid> = HashMap::new();
    for (place, kind, value) in named {
        let Some(n) = number_in(value) else { continue };
        let id = match found.get(&(kind, n)) {
            Some(id) => *id,
            None => {
                let id = state.store.id_by_number(kind, n).await?.ok_or_else(|| {
                    ZdError::invalid(place, format!("No {} has the id {n}.", kind_name(kind)))
                })?;
                found.insert((kind, n), id);
                id
            }
        };
        *value = json!(id.to_string());
    }
    Ok(())
}

/// Replaces the UUIDs naming records in `objects` with the records' numeric ids (one
/// BatchGetItem per kind of record); a record without a number (or gone) keeps its UUID.
pub async fn numbers_in(state: &AppState, objects: &mut [Value]) -> Result<(), ZdError> {
    let mut wanted: HashMap<Numbered, Vec<Uuid>> = HashMap::new();
    for object in objects.iter_mut() {
        for (_, kind, value) in named_values(object) {
            if let Some(id) = value.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                wanted.entry(kind).or_default().push(id);
            }
        }
    }
    let mut numbers: HashMap<Uuid, u64> = HashMap::new();
    for (kind, mut ids) in wanted {
        ids.sort();
        ids.dedup();
        let pairs: Vec<(Uuid, Option<u64>)> = match kind {
            Numbered::User => {
                state.store.users_by_id(ids).await?.into_values().map(|u| (u.id, u.number)).collect()
            }
            Numbered::Group => {
                state.store.groups_by_id(&ids).await?.into_iter().map(|g| (g.id, g.number)).collect()
            }
            Numbered::Organization => {
                state.store.orgs_by_id(&ids).await?.into_iter().map(|o| (o.id, o.number)).collect()
            }
            _ => Vec::new(),
        };
        numbers.extend(pairs.into_iter().filter_map(|(id, n)| Some((id, n?))));
    }
    for object in objects.iter_mut() {
        for (_, _, value) in named_values(object) {
            let number = value.as_str().and_then(|s| Uuid::parse_str(s).ok()).and_then(|id| numbers.get(&id));
            if let Some(n) = number {
                *value = json!(n.to_string());
            }
        }
    }
    Ok(())
}
