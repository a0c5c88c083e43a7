//! The fields every workspace object (a macro, a view) has in a request body: `title`, `active`,
//! `position` and `restriction`, parsed the same way for both.
use crate::store::macros::Restriction;
use crate::validation::Input;
use serde_json::{Map, Value};

#[derive(Debug, Default)]
pub struct Common {
    pub title: Option<String>,
    pub active: Option<bool>,
    pub position: Option<u32>,
    /// `Some(None)`: no restriction (every agent).
    pub restriction: Option<Option<Restriction>>,
}

impl Common {
    /// Parses what the body holds; problems are recorded on `input`.
    pub fn parse(body: &Map<String, Value>, input: &mut Input) -> Common {
        let mut c = Common::default();
        if input.has("title") {
            if let Some(t) = input.required_string("title") {
                // The limit applies to the value as sent (the documented maxLength), not the trimmed one.
                let too_long = t.chars().count() > 255;
                let t = t.trim().to_owned();
                if t.is_empty() || too_long {
                    input.error("title", "The title must be 1 to 255 characters.");
                } else {
                    c.title = Some(t);
                }
            }
        }
        match body.get("active") {
            None => {}
            Some(Value::Bool(b)) => c.active = Some(*b),
            Some(_) => input.error("active", "The active field must be true or false."),
        }
        match body.get("position") {
            None => {}
            Some(v) => match v.as_u64().filter(|p| *p <= 100_000) {
                Some(p) => c.position = Some(p as u32),
                None => input.error("position", "The position must be a whole number from 0 to 100000."),
            },
        }
        match body.get("restriction") {
            None => {}
            Some(Value::Null) => c.restriction = Some(None),
            Some(v) => match serde_json::from_value::<Restriction>(v.clone()) {
                Ok(r) => c.restriction = Some(Some(r)),
                Err(_) => input.error(
                    "restriction",
                    "The restriction must be null or {\"type\": \"user\"|\"group\", \"id\"}.",
                ),
            },
        }
        c
    }
}
