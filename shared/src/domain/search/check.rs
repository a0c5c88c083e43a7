//! A query after the planner resolved its names (`assignee:me`, `group:Billing`) to ids: the
//! checks every candidate document must pass, and the index terms each check can be driven by.
use super::doc::{field_term, id_value, prefix_term, word_term, Scope, SearchDoc};
use super::query::{Range, TimeField};
use super::{driving_prefix, is_postable};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
    /// A field value the document carries (`status:open`).
    Term(String),
    /// One of these field values (`status<solved`).
    AnyTerm(Vec<String>),
    Time(TimeField, Range),
    /// A name or address that is no one's: matches no document.
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub negated: bool,
    pub check: Check,
}

impl Check {
    pub fn field(name: &str, id: Option<uuid::Uuid>) -> Check {
        Check::Term(field_term(name, &id_value(id)))
    }

    /// Whether `doc` passes, as a reader who sees internal notes (`staff`) or not.
    pub fn holds(&self, doc: &SearchDoc, staff: bool) -> bool {
        match self {
            Check::Word(w) => doc.word_set(staff).contains(w.as_str()),
            Check::Prefix(stem) => doc.word_set(staff).iter().any(|w| w.starts_with(stem.as_str())),
            Check::Phrase(ws) => {
                let needle = format!(" {} ", ws.join(" "));
                doc.texts(staff).any(|t| format!(" {t} ").contains(&needle))
            }
            Check::Term(t) => doc.field_terms().contains(t),
            Check::AnyTerm(ts) => {
                let have = doc.field_terms();
                ts.iter().any(|t| have.contains(t))
            }
            Check::Time(field, range) => {
                let at = match field {
                    TimeField::Created => Some(doc.created_at),
                    TimeField::Updated => Some(doc.updated_at),
                    TimeField::Solved => doc.ticket.as_ref().and_then(|t| t.solved_at),
                };
                at.is_some_and(|t| range.contains(t.0))
            }
            Check::Nothing => false,
        }
    }

    /// The posting lists that hold every document passing this check, in `scope`, as
    /// alternatives: each entry is a union of terms (one term, or several for `status<solved`).
    /// Empty when the check cannot drive (times; fields and prefixes in a requester's scope,
    /// which posts words only).
    pub fn drivers(&self, scope: Scope) -> Vec<Vec<String>> {
        let desk_wide = !matches!(scope, Scope::Requester(_));
        match self {
            Check::Word(w) if is_postable(w) => vec![vec![word_term(w)]],
            Check::Phrase(ws) => ws.iter().filter(|w| is_postable(w)).map(|w| vec![word_term(w)]).collect(),
            Check::Prefix(stem) if desk_wide => vec![vec![prefix_term(&driving_prefix(stem))]],
            Check::Term(t) if desk_wide => vec![vec![t.clone()]],
            Check::AnyTerm(ts) if desk_wide => vec![ts.clone()],
            _ => Vec::new(),
        }
    }
}

/// Whether `doc` passes every check.
pub fn matches(checks: &[Planned], doc: &SearchDoc, staff: bool) -> bool {
    checks.iter().all(|p| p.check.holds(doc, staff) != p.negated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::doc::tests::ticket_doc;

    #[test]
    fn checks_see_internal_notes_for_staff_only() {
        let mut doc = ticket_doc("Printer on fire", uuid::Uuid::nil());
        doc.add_comment(uuid::Uuid::now_v7(), "escalate to vendor", true);
        let pass = |c: Check, staff| matches(&[Planned { negated: false, check: c }], &doc, staff);
        assert!(pass(Check::Word("printer".into()), false));
        assert!(pass(Check::Word("vendor".into()), true));
        assert!(!pass(Check::Word("vendor".into()), false));
        assert!(pass(Check::Prefix("escal".into()), true) && !pass(Check::Prefix("escal".into()), false));
        assert!(pass(Check::Phrase(vec!["on".into(), "fire".into()]), false));
        assert!(!pass(Check::Phrase(vec!["fire".into(), "on".into()]), false));
        assert!(!pass(Check::Phrase(vec!["fire".into(), "escalate".into()]), true), "not across texts");
        assert!(pass(Check::Term("status:open".into()), false));
        assert!(pass(Check::AnyTerm(vec!["status:new".into(), "status:open".into()]), false));
        assert!(!pass(Check::Nothing, true));
        let negated = Planned { negated: true, check: Check::Word("printer".into()) };
        assert!(!matches(&[negated], &doc, true));
    }

    #[test]
    fn a_requesters_scope_is_driven_by_words_only() {
        let own = Scope::Requester(uuid::Uuid::nil());
        assert_eq!(Check::Word("printer".into()).drivers(own), [["w:printer"]]);
        assert!(Check::Prefix("prin".into()).drivers(own).is_empty());
        assert_eq!(Check::Prefix("printers".into()).drivers(Scope::Tickets), [["p:printe"]]);
        assert!(Check::Term("status:open".into()).drivers(own).is_empty());
        assert!(Check::Word("a".into()).drivers(Scope::Tickets).is_empty(), "one letter is not posted");
    }
}
