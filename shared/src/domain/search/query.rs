//! Zendesk's search syntax, parsed once into typed clauses (API.md part 2, "Search"):
//! words (all must match), `word*`, `"a phrase"`, `-` before anything, `type:`, and field filters
//! with `:`, `<`, `>` (`status<solved`, `created>2026-01-01`, `updated<2days`, `assignee:me`).
//! A token whose key is not a field (`http://x`, `error:404`) is text, as in Zendesk.
use super::doc::DocKind;
use super::words;
use crate::domain::ticket::{Priority, Status, TicketNumber, Via};
use crate::domain::user::Role;
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

/// A query may hold at most this many clauses (`type:` not counted).
pub const MAX_TERMS: usize = 10;
/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// A 422 that names the token it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub token: String,
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.token.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{} (at `{}`)", self.message, self.token)
        }
    }
}

fn err(token: &str, message: impl Into<String>) -> QueryError {
    QueryError { token: token.to_owned(), message: message.into() }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Gt,
}

/// Who a people filter names, before the planner resolves it to an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRef {
    Me,
    None,
    Email(String),
    Id(Uuid),
}

/// A group or organization, before the planner resolves it to an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameRef {
    None,
    Id(Uuid),
    Name(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeField {
    Created,
    Updated,
    Solved,
}

/// A half-open time range `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

impl Range {
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
    Number(u64),
    Status(Cmp, Status),
    Priority(Cmp, Priority),
    Requester(PersonRef),
    Assignee(PersonRef),
    Group(NameRef),
    Organization(NameRef),
    Tag(String),
    Via(Via),
    Role(Role),
    Email(String),
    Time(TimeField, Range),
}

impl What {
    /// The kinds of document this clause can be about.
    pub fn kinds(&self) -> &'static [DocKind] {
        use DocKind::*;
        match self {
            What::Word(_) | What::Prefix(_) | What::Phrase(_) => &[Ticket, User, Organization],
            What::Time(TimeField::Created | TimeField::Updated, _) => &[Ticket, User, Organization],
            What::Organization(_) => &[Ticket, User],
            What::Role(_) | What::Email(_) => &[User],
            _ => &[Ticket],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub negated: bool,
    pub what: What,
    /// The token as typed, for messages.
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The kinds the query can return (`type:` and the fields it uses narrow it).
    pub kinds: Vec<DocKind>,
    pub clauses: Vec<Clause>,
}

/// Splits on whitespace outside double quotes; an unterminated quote is an error.
fn lex(q: &str) -> Result<Vec<String>, QueryError> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err(err(&current, "A quote is not closed."));
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    Ok(tokens)
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s)
}

const FIELDS: &[&str] = &[
    "type",
    "status",
    "priority",
    "assignee",
    "requester",
    "group",
    "organization",
    "tags",
    "tag",
    "via",
    "created",
    "updated",
    "solved",
    "role",
    "email",
];

/// `key`, the operator and the value, when the token is a known field filter.
fn split_field(token: &str) -> Option<(String, Cmp, &str)> {
    let at = token.find([':', '<', '>'])?;
    let key = token[..at].to_ascii_lowercase();
    if !FIELDS.contains(&key.as_str()) {
        return None;
    }
    let op = match token.as_bytes()[at] {
        b':' => Cmp::Eq,
        b'<' => Cmp::Lt,
        _ => Cmp::Gt,
    };
    Some((key, op, &token[at + 1..]))
}

fn person(token: &str, key: &str, value: &str) -> Result<PersonRef, QueryError> {
    let v = value.to_lowercase();
    Ok(match v.as_str() {
        "me" => PersonRef::Me,
        "none" => PersonRef::None,
        v if v.contains('@') => PersonRef::Email(v.to_owned()),
        v => PersonRef::Id(
            Uuid::parse_str(v)
                .map_err(|_| err(token, format!("{key} takes me, none, an email address or a user id.")))?,
        ),
    })
}

fn name_ref(value: &str) -> NameRef {
    match value.to_lowercase().as_str() {
        "none" => NameRef::None,
        v => Uuid::parse_str(v).map_or_else(|_| NameRef::Name(value.to_owned()), NameRef::Id),
    }
}

fn relative(value: &str) -> Option<Duration> {
    let digits = value.chars().take_while(|c| c.is_ascii_digit()).count();
    let n: i64 = value[..digits].parse().ok()?;
    if n > 100_000 {
        return None;
    }
    let unit = value[digits..].to_ascii_lowercase();
    let per = match unit.as_str() {
        "minute" | "minutes" | "min" | "mins" => Duration::minutes(1),
        "hour" | "hours" | "h" => Duration::hours(1),
        "day" | "days" | "d" => Duration::days(1),
        "week" | "weeks" | "w" => Duration::weeks(1),
        "month" | "months" => Duration::days(30),
        "year" | "years" => Duration::days(365),
        _ => return None,
    };
    Some(per * n as i32)
}

/// `created:2026-01-01` is that UTC day; `>` a day is after it, `<` before it. A full RFC 3339
/// time compares to the millisecond. `>2hours` is within the last two hours, `<2hours` longer ago.
fn time_range(token: &str, op: Cmp, value: &str, now: OffsetDateTime) -> Result<Range, QueryError> {
    let day_format = time::macros::format_description!("[year]-[month]-[day]");
    let (start, end) = if let Ok(d) = Date::parse(value, day_format) {
        let start = d.with_time(Time::MIDNIGHT).assume_utc();
        (start, start + Duration::days(1))
    } else if let Some(t) = crate::clock::parse(value) {
        (t, t + Duration::milliseconds(1))
    } else if let Some(ago) = relative(value) {
        let at = now - ago;
        return Ok(match op {
            Cmp::Lt => Range { from: None, to: Some(at) },
            _ => Range { from: Some(at), to: None },
        });
    } else {
        return Err(err(
            token,
            "Dates are YYYY-MM-DD, an RFC 3339 time, or a count of minutes, hours, days, weeks, months or years.",
        ));
    };
    Ok(match op {
        Cmp::Eq => Range { from: Some(start), to: Some(end) },
        Cmp::Gt => Range { from: Some(end), to: None },
        Cmp::Lt => Range { from: None, to: Some(start) },
    })
}

fn field(token: &str, key: &str, op: Cmp, value: &str, now: OffsetDateTime) -> Result<What, QueryError> {
    let value = unquote(value).trim();
    if value.is_empty() {
        return Err(err(token, format!("{key} needs a value.")));
    }
    let ordered = matches!(key, "status" | "priority" | "created" | "updated" | "solved");
    if op != Cmp::Eq && !ordered {
        return Err(err(token, format!("{key} takes `:` only.")));
    }
    let lower = value.to_lowercase();
    Ok(match key {
        "status" => {
            let s = if lower == "hold" { Some(Status::OnHold) } else { Status::parse(&lower) };
            What::Status(op, s.ok_or_else(|| err(token, format!("status is one of {}.", Status::choices())))?)
        }
        "priority" => What::Priority(
            op,
            Priority::parse(&lower)
                .ok_or_else(|| err(token, format!("priority is one of {}.", Priority::choices())))?,
        ),
        "assignee" => What::Assignee(person(token, key, value)?),
        "requester" => What::Requester(person(token, key, value)?),
        "group" => What::Group(name_ref(value)),
        "organization" => What::Organization(name_ref(value)),
        "tags" | "tag" => What::Tag(lower.split_whitespace().collect::<Vec<_>>().join("_")),
        "via" => {
            let v = if lower == "mail" { Some(Via::Email) } else { Via::parse(&lower) };
            What::Via(v.ok_or_else(|| err(token, format!("via is one of {}.", Via::choices())))?)
        }
        "created" => What::Time(TimeField::Created, time_range(token, op, value, now)?),
        "updated" => What::Time(TimeField::Updated, time_range(token, op, value, now)?),
        "solved" => What::Time(TimeField::Solved, time_range(token, op, value, now)?),
        "role" => What::Role(match lower.as_str() {
            "admin" => Role::Admin,
            "agent" => Role::Agent,
            "customer" | "end-user" | "end_user" => Role::Customer,
            _ => return Err(err(token, "role is one of admin, agent, customer.")),
        }),
        "email" => What::Email(lower),
        _ => return Err(err(token, format!("{key} is not a field."))),
    })
}

/// Text: a ticket number, `stem*`, one word, or (several words, as in `fire-drill` or a quoted
/// run) a phrase. `None` for punctuation alone.
fn text(token: &str) -> Result<Option<What>, QueryError> {
    if let Some(n) = TicketNumber::parse(token) {
        return Ok(Some(What::Number(n.0)));
    }
    let quoted = token.starts_with('"');
    let body = unquote(token);
    if !quoted {
        if let Some(stem) = body.strip_suffix('*') {
            let ws: Vec<String> = words(stem).collect();
            return match ws.as_slice() {
                [w] if w.chars().count() >= super::MIN_PREFIX_CHARS && !stem.contains('*') => {
                    Ok(Some(What::Prefix(w.clone())))
                }
                [w] if w.chars().count() < super::MIN_PREFIX_CHARS => {
                    Err(err(token, "A prefix needs at least 2 characters before `*`."))
                }
                _ => Err(err(token, "A prefix is one word followed by `*`.")),
            };
        }
    }
    let ws: Vec<String> = words(body).collect();
    Ok(match ws.len() {
        0 if quoted => return Err(err(token, "A phrase needs at least one word.")),
        0 => None,
        1 => Some(What::Word(ws.into_iter().next().unwrap_or_default())),
        _ => Some(What::Phrase(ws)),
    })
}

/// Parses a query at `now` (relative dates count back from it).
pub fn parse(q: &str, now: OffsetDateTime) -> Result<Query, QueryError> {
    if q.trim().is_empty() {
        return Err(err("", "The query field is required."));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(err("", format!("The query may not be greater than {MAX_QUERY_CHARS} characters.")));
    }
    let mut kinds: Vec<DocKind> = DocKind::ALL.to_vec();
    let mut clauses = Vec::new();
    for token in lex(q)? {
        let (negated, body) = match token.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, token.as_str()),
        };
        let what = match split_field(body) {
            Some((key, op, value)) if key == "type" => {
                if op != Cmp::Eq {
                    return Err(err(&token, "type takes `:` only."));
                }
                let kind = match unquote(value).to_lowercase().as_str() {
                    "ticket" => DocKind::Ticket,
                    "user" => DocKind::User,
                    "organization" | "org" => DocKind::Organization,
                    _ => return Err(err(&token, "type is one of ticket, user, organization.")),
                };
                kinds.retain(|k| (*k == kind) != negated);
                continue;
            }
            Some((key, op, value)) => Some(field(&token, &key, op, value, now)?),
            None => text(body).map_err(|e| QueryError { token: token.clone(), ..e })?,
        };
        let Some(what) = what else { continue };
        if !negated {
            kinds.retain(|k| what.kinds().contains(k));
        } else if what.kinds().len() == 1 {
            // A negated ticket-only filter (`-status:closed`) still means tickets.
            kinds.retain(|k| what.kinds().contains(k));
        }
        clauses.push(Clause { negated, what, token });
        if clauses.len() > MAX_TERMS {
            return Err(err("", format!("A query may have at most {MAX_TERMS} terms.")));
        }
    }
    Ok(Query { kinds, clauses })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-15 12:00 UTC);

    fn whats(q: &str) -> Vec<(bool, What)> {
        parse(q, NOW).unwrap().clauses.into_iter().map(|c| (c.negated, c.what)).collect()
    }

    #[test]
    fn words_prefixes_phrases_and_negation() {
        assert_eq!(
            whats(r#"Printer prin* "on fire" -smoke fire-drill TKT-000042"#),
            [
                (false, What::Word("printer".into())),
                (false, What::Prefix("prin".into())),
                (false, What::Phrase(vec!["on".into(), "fire".into()])),
                (true, What::Word("smoke".into())),
                (false, What::Phrase(vec!["fire".into(), "drill".into()])),
                (false, What::Number(42)),
            ]
        );
        assert_eq!(whats(r#"-"on fire""#), [(true, What::Phrase(vec!["on".into(), "fire".into()]))]);
        assert_eq!(whats("error:404 ..."), [(false, What::Phrase(vec!["error".into(), "404".into()]))]);
    }

    #[test]
    fn fields_with_operators_and_people() {
        assert_eq!(
            whats("status<solved priority>normal status:hold assignee:me requester:A@B.io group:none"),
            [
                (false, What::Status(Cmp::Lt, Status::Solved)),
                (false, What::Priority(Cmp::Gt, Priority::Normal)),
                (false, What::Status(Cmp::Eq, Status::OnHold)),
                (false, What::Assignee(PersonRef::Me)),
                (false, What::Requester(PersonRef::Email("a@b.io".into()))),
                (false, What::Group(NameRef::None)),
            ]
        );
        assert_eq!(
            whats(r#"organization:"Acme Corp" -tags:VIP via:mail"#),
            [
                (false, What::Organization(NameRef::Name("Acme Corp".into()))),
                (true, What::Tag("vip".into())),
                (false, What::Via(Via::Email)),
            ]
        );
    }

    #[test]
    fn dates_are_days_times_or_relative() {
        let day = |q: &str| match &whats(q)[0].1 {
            What::Time(_, r) => *r,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            day("created:2026-01-01"),
            Range { from: Some(datetime!(2026-01-01 0:00 UTC)), to: Some(datetime!(2026-01-02 0:00 UTC)) }
        );
        assert_eq!(day("created>2026-01-01"), Range { from: Some(datetime!(2026-01-02 0:00 UTC)), to: None });
        assert_eq!(day("updated<2026-01-01"), Range { from: None, to: Some(datetime!(2026-01-01 0:00 UTC)) });
        assert_eq!(day("solved>2hours"), Range { from: Some(datetime!(2026-06-15 10:00 UTC)), to: None });
        assert_eq!(day("created<3days"), Range { from: None, to: Some(datetime!(2026-06-12 12:00 UTC)) });
    }

    #[test]
    fn type_and_fields_narrow_the_kinds() {
        assert_eq!(parse("printer", NOW).unwrap().kinds, DocKind::ALL);
        assert_eq!(parse("type:user jane", NOW).unwrap().kinds, [DocKind::User]);
        assert_eq!(parse("status:open", NOW).unwrap().kinds, [DocKind::Ticket]);
        assert_eq!(parse("-status:closed x", NOW).unwrap().kinds, [DocKind::Ticket]);
        assert_eq!(parse("-type:ticket x", NOW).unwrap().kinds, [DocKind::User, DocKind::Organization]);
        assert!(parse("type:user status:open", NOW).unwrap().kinds.is_empty());
    }

    #[test]
    fn bad_tokens_are_named() {
        let e = |q: &str| parse(q, NOW).unwrap_err();
        assert_eq!(e("status:bogus").token, "status:bogus");
        assert_eq!(e("printer priority>nope").token, "priority>nope");
        assert_eq!(e("created>soon").token, "created>soon");
        assert_eq!(e("assignee>me").message, "assignee takes `:` only.");
        assert_eq!(e("assignee:bob").token, "assignee:bob");
        assert_eq!(e("type:ticketz").token, "type:ticketz");
        assert_eq!(e("status:").message, "status needs a value.");
        assert_eq!(e(r#"say "hello"#).message, "A quote is not closed.");
        assert_eq!(e("a*").message, "A prefix needs at least 2 characters before `*`.");
        assert_eq!(e("fire-dr*").message, "A prefix is one word followed by `*`.");
        assert_eq!(e(r#""...""#).message, "A phrase needs at least one word.");
        assert_eq!(e("").message, "The query field is required.");
        assert_eq!(e(&"w ".repeat(11)).message, "A query may have at most 10 terms.");
        assert!(parse(&"w ".repeat(10), NOW).is_ok());
        assert!(e("type:user status:open x y".repeat(1000).as_str()).message.contains("1000"));
    }
}
