//! A searchable document: what the stream indexer keeps per ticket, user and organization
//! (its fields as the filters need them, and its text as word sequences), and the index terms
//! it posts. Pure: the store writes what [`SearchDoc::postings`] lists.
use super::{is_postable, prefixes, words};
use crate::clock::Timestamp;
use crate::domain::ticket::{Priority, Status, Via};
use crate::domain::ticket::{Ticket, TicketNumber};
use crate::domain::user::{Role, User};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Text kept per document part, in characters of its word sequence; words past it are not
/// searchable (a ticket's subject and description are far below it; a very long thread is not).
pub const BASE_TEXT_CHARS: usize = 8_000;
pub const COMMENT_TEXT_CHARS: usize = 24_000;
/// Comment ids remembered (so a redelivered comment is not appended twice).
pub const MAX_COMMENT_IDS: usize = 2_000;
/// Separates comments in a text: never a word, so a phrase cannot span two comments.
const SEPARATOR: &str = " | ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Ticket,
    User,
    Organization,
}

impl DocKind {
    pub const ALL: [DocKind; 3] = [DocKind::Ticket, DocKind::User, DocKind::Organization];
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Ticket => "ticket",
            DocKind::User => "user",
            DocKind::Organization => "organization",
        }
    }
}

/// Which postings a reader may read: staff read the desk-wide ticket, user and organization
/// scopes; a customer reads only the scope of their own tickets (public words only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Tickets,
    Requester(Uuid),
    Users,
    Organizations,
}

impl Scope {
    pub fn key(self) -> String {
        match self {
            Scope::Tickets => "t".into(),
            Scope::Requester(id) => format!("r:{id}"),
            Scope::Users => "u".into(),
            Scope::Organizations => "o".into(),
        }
    }

    pub fn of_kind(kind: DocKind) -> Scope {
        match kind {
            DocKind::Ticket => Scope::Tickets,
            DocKind::User => Scope::Users,
            DocKind::Organization => Scope::Organizations,
        }
    }
}

/// The term every document of a scope posts: the driver of a search with no other postable part.
pub const ALL_TERM: &str = "all";

pub fn word_term(word: &str) -> String {
    format!("w:{word}")
}
pub fn prefix_term(prefix: &str) -> String {
    format!("p:{prefix}")
}
pub fn field_term(field: &str, value: &str) -> String {
    format!("{field}:{value}")
}
pub fn id_value(id: Option<Uuid>) -> String {
    id.map_or_else(|| "none".to_owned(), |u| u.to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketFields {
    pub number: u64,
    pub status: Status,
    pub priority: Priority,
    pub requester_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub via: Via,
    pub solved_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserFields {
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub email: String,
}

/// One searchable object, as the index last saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: Uuid,
    pub kind: DocKind,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub ticket: Option<TicketFields>,
    #[serde(default)]
    pub user: Option<UserFields>,
    /// Words of the subject and description (a user's name and email, an organization's name
    /// and domain), space-separated.
    pub base: String,
    /// Words of public comments, comments separated by `|`.
    #[serde(default)]
    pub public: String,
    /// Words of internal notes: matched for staff only, never posted in a requester's scope.
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub comment_ids: Vec<Uuid>,
    /// How many times the index wrote it (the counters' exactly-once marker follows it).
    #[serde(default)]
    pub version: u64,
}

/// A text's word sequence, space-joined and cut to `cap` characters at a word boundary.
pub fn sequence(text: &str, cap: usize) -> String {
    let mut out = String::new();
    for w in words(text) {
        if out.len() + w.len() + 1 > cap {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w);
    }
    out
}

impl SearchDoc {
    /// The document a ticket image makes, keeping the comment text `old` already holds.
    pub fn of_ticket(ticket: &Ticket, old: Option<&SearchDoc>) -> SearchDoc {
        SearchDoc {
            id: ticket.id,
            kind: DocKind::Ticket,
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            ticket: Some(TicketFields {
                number: TicketNumber::parse(&ticket.ticket_number).map_or(0, |n| n.0),
                status: ticket.status,
                priority: ticket.priority,
                requester_id: ticket.requester_id,
                assignee_id: ticket.assignee_id,
                group_id: ticket.group_id,
                organization_id: ticket.organization_id,
                tags: ticket.tags.clone(),
                via: ticket.via,
                solved_at: ticket.times.solved_at,
            }),
            user: None,
            base: sequence(&format!("{} {}", ticket.subject, ticket.description), BASE_TEXT_CHARS),
            public: old.map(|d| d.public.clone()).unwrap_or_default(),
            staff: old.map(|d| d.staff.clone()).unwrap_or_default(),
            comment_ids: old.map(|d| d.comment_ids.clone()).unwrap_or_default(),
            version: old.map_or(0, |d| d.version),
        }
    }

    pub fn of_user(user: &User) -> SearchDoc {
        SearchDoc {
            id: user.id,
            kind: DocKind::User,
            created_at: user.created_at,
            updated_at: user.updated_at,
            ticket: None,
            user: Some(UserFields {
                role: user.role,
                organization_id: user.organization_id,
                email: user.email.clone(),
            }),
            base: sequence(&format!("{} {}", user.name, user.email), BASE_TEXT_CHARS),
            public: String::new(),
            staff: String::new(),
            comment_ids: Vec::new(),
            version: 0,
        }
    }

    /// Adds a comment's words (once per comment id). Returns false when it was already in.
    pub fn add_comment(&mut self, id: Uuid, content: &str, internal: bool) -> bool {
        if self.comment_ids.contains(&id) {
            return false;
        }
        if self.comment_ids.len() < MAX_COMMENT_IDS {
            self.comment_ids.push(id);
        }
        let text = if internal { &mut self.staff } else { &mut self.public };
        let room = COMMENT_TEXT_CHARS.saturating_sub(text.len() + SEPARATOR.len());
        let seq = sequence(content, room);
        if !seq.is_empty() {
            if !text.is_empty() {
                text.push_str(SEPARATOR);
            }
            text.push_str(&seq);
        }
        true
    }

    /// The texts a reader may match: staff all three, customers the base and public ones.
    pub fn texts(&self, staff: bool) -> impl Iterator<Item = &str> {
        let staff_text = staff.then_some(self.staff.as_str());
        [Some(self.base.as_str()), Some(self.public.as_str()), staff_text].into_iter().flatten()
    }

    /// The distinct words a reader may match.
    pub fn word_set(&self, staff: bool) -> BTreeSet<&str> {
        self.texts(staff).flat_map(|t| t.split(' ')).filter(|w| !w.is_empty() && *w != "|").collect()
    }

    /// Every (scope, term) this document posts. Tickets post words, prefixes and field values
    /// desk-wide, and their public words again in their requester's scope; users and
    /// organizations post words, prefixes and fields in their own scope.
    pub fn postings(&self) -> BTreeSet<(Scope, String)> {
        let scope = Scope::of_kind(self.kind);
        let mut out = BTreeSet::new();
        out.insert((scope, ALL_TERM.to_owned()));
        for w in self.word_set(true).into_iter().filter(|w| is_postable(w)) {
            out.insert((scope, word_term(w)));
            for p in prefixes(w) {
                out.insert((scope, prefix_term(&p)));
            }
        }
        if let Some(t) = &self.ticket {
            let own = Scope::Requester(t.requester_id);
            out.insert((own, ALL_TERM.to_owned()));
            for w in self.word_set(false).into_iter().filter(|w| is_postable(w)) {
                out.insert((own, word_term(w)));
            }
        }
        for term in self.field_terms() {
            out.insert((scope, term));
        }
        out
    }

    /// The field values this document carries, as index terms (`status:open`, `tags:vip`).
    pub fn field_terms(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = &self.ticket {
            let fields = [
                ("number", t.number.to_string()),
                ("status", t.status.as_str().to_owned()),
                ("priority", t.priority.as_str().to_owned()),
                ("requester", t.requester_id.to_string()),
                ("assignee", id_value(t.assignee_id)),
                ("group", id_value(t.group_id)),
                ("organization", id_value(t.organization_id)),
                ("via", t.via.as_str().to_owned()),
            ];
            for (f, v) in fields {
                out.push(field_term(f, &v));
            }
            for tag in &t.tags {
                out.push(field_term("tags", tag));
            }
        }
        if let Some(u) = &self.user {
            out.push(field_term("role", u.role.as_str()));
            out.push(field_term("organization", &id_value(u.organization_id)));
            out.push(field_term("email", &u.email.to_lowercase()));
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn ticket_doc(subject: &str, requester: Uuid) -> SearchDoc {
        SearchDoc {
            id: Uuid::now_v7(),
            kind: DocKind::Ticket,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
            ticket: Some(TicketFields {
                number: 7,
                status: Status::Open,
                priority: Priority::High,
                requester_id: requester,
                assignee_id: None,
                group_id: None,
                organization_id: None,
                tags: vec!["vip".into()],
                via: Via::Email,
                solved_at: None,
            }),
            user: None,
            base: sequence(subject, BASE_TEXT_CHARS),
            public: String::new(),
            staff: String::new(),
            comment_ids: Vec::new(),
            version: 0,
        }
    }

    #[test]
    fn a_ticket_posts_words_prefixes_and_fields_and_public_words_for_its_requester() {
        let requester = Uuid::now_v7();
        let mut doc = ticket_doc("Printer on fire", requester);
        assert!(doc.add_comment(Uuid::nil(), "Secret escalation", true));
        assert!(!doc.add_comment(Uuid::nil(), "Secret escalation", true), "once per comment id");
        let postings = doc.postings();
        let has = |scope: Scope, term: &str| postings.contains(&(scope, term.to_owned()));
        assert!(has(Scope::Tickets, "w:printer") && has(Scope::Tickets, "p:print"));
        assert!(has(Scope::Tickets, "w:secret"), "staff find internal-note words");
        assert!(has(Scope::Requester(requester), "w:printer"));
        assert!(!has(Scope::Requester(requester), "w:secret"), "never in the requester's scope");
        assert!(!has(Scope::Requester(requester), "p:print"));
        assert!(has(Scope::Tickets, "status:open") && has(Scope::Tickets, "assignee:none"));
        assert!(has(Scope::Tickets, "tags:vip") && has(Scope::Tickets, "via:email"));
        assert!(has(Scope::Tickets, "number:7") && has(Scope::Tickets, ALL_TERM));
    }

    #[test]
    fn texts_are_capped_at_a_word_boundary() {
        assert_eq!(sequence("alpha beta gamma", 10), "alpha beta");
        let mut doc = ticket_doc("x", Uuid::nil());
        doc.add_comment(Uuid::now_v7(), "one two", false);
        doc.add_comment(Uuid::now_v7(), "three", false);
        assert_eq!(doc.public, "one two | three");
        assert!(!doc.word_set(true).contains("|"));
    }
}
