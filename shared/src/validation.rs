//! Field-by-field validation of a JSON object, collecting Laravel-style messages.
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Messages per field, in the order they were found (the first one becomes `message`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ValidationErrors {
    order: Vec<String>,
    fields: BTreeMap<String, Vec<String>>,
}

impl ValidationErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.fields.contains_key(field) {
            self.order.push(field.to_owned());
        }
        self.fields.entry(field.to_owned()).or_default().push(message.into());
    }

    /// Adds every message of `other`, in its order.
    pub fn absorb(&mut self, other: ValidationErrors) {
        for field in &other.order {
            for m in &other.fields[field] {
                self.add(field, m.clone());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    pub fn fields(&self) -> &BTreeMap<String, Vec<String>> {
        &self.fields
    }

    /// Laravel's summary: the first message, plus "(and N more errors)".
    pub fn message(&self) -> String {
        let total: usize = self.fields.values().map(Vec::len).sum();
        let first = self
            .order
            .first()
            .and_then(|f| self.fields[f].first())
            .cloned()
            .unwrap_or_else(|| "The given data was invalid.".into());
        match total {
            0 | 1 => first,
            2 => format!("{first} (and 1 more error)"),
            n => format!("{first} (and {} more errors)", n - 1),
        }
    }
}

/// "current_password" → "current password", as Laravel names fields in messages.
pub fn label(field: &str) -> String {
    field.replace('_', " ")
}

pub fn required_message(field: &str) -> String {
    format!("The {} field is required.", label(field))
}

/// A request body being validated: typed getters record an error instead of failing.
pub struct Input {
    map: Map<String, Value>,
    errors: ValidationErrors,
}

impl Input {
    pub fn new(map: Map<String, Value>) -> Self {
        Self { map, errors: ValidationErrors::default() }
    }

    /// True when the field is present (even as `null`).
    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    /// A string that must be present and not blank (trimmed).
    pub fn required_string(&mut self, field: &str) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => {
                self.error(field, required_message(field));
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.error(field, required_message(field));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(field, format!("The {} field must be a string.", label(field)));
                None
            }
        }
    }

    /// `None` when absent; `Some(None)` when explicitly `null`; `Some(Some(s))` for a string.
    pub fn nullable_string(&mut self, field: &str) -> Option<Option<String>> {
        match self.map.get(field) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) => Some(Some(s.clone())),
            Some(_) => {
                self.error(field, format!("The {} field must be a string.", label(field)));
                None
            }
        }
    }

    /// A boolean if present; `null` counts as absent.
    pub fn optional_bool(&mut self, field: &str) -> Option<bool> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(field, format!("The {} field must be true or false.", label(field)));
                None
            }
        }
    }

    /// True while no message was recorded.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The messages recorded so far (for a parse whose required values are missing).
    pub fn into_errors(self) -> ValidationErrors {
        self.errors
    }

    /// `value` when nothing was wrong, else every recorded message.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }

    /// The "required" message of `field`, alone.
    pub fn required_missing(mut self, field: &str) -> ValidationErrors {
        self.error(field, required_message(field));
        self.errors
    }

    /// Adds messages found outside this input.
    pub fn merge(&mut self, other: ValidationErrors) {
        for field in other.order.clone() {
            for m in &other.fields[&field] {
                self.errors.add(&field, m.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: Value) -> Input {
        Input::new(v.as_object().unwrap().clone())
    }

    #[test]
    fn summary_counts_the_rest() {
        let mut i = input(json!({"name": 3}));
        i.required_string("email");
        i.required_string("name");
        i.required_string("password");
        let Err(e) = i.into_result(()) else { panic!("expected 422") };
        assert_eq!(e.message(), "The email field is required. (and 2 more errors)");
        assert_eq!(e.fields()["name"], vec!["The name field must be a string."]);
    }

    #[test]
    fn blank_is_missing_and_labels_use_spaces() {
        let mut i = input(json!({"current_password": "   "}));
        assert_eq!(i.required_string("current_password"), None);
        let Err(e) = i.into_result(()) else { panic!("expected 422") };
        assert_eq!(e.message(), "The current password field is required.");
    }

    #[test]
    fn nullable_distinguishes_absent_and_null() {
        let mut i = input(json!({"avatar_url": null}));
        assert_eq!(i.nullable_string("avatar_url"), Some(None));
        assert_eq!(i.nullable_string("other"), None);
        assert!(i.into_result(()).is_ok());
    }
}
