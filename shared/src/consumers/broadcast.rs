//! The broadcaster: turns ticket, comment and viewer items from the table's stream into frames
//! and posts them, concurrently, to every subscribed connection that may see them. Customers get
//! only their own tickets, never internal comments, audit changes or viewers; what a subscriber
//! gets follows its session and role now. It also enforces access changes on open connections:
//! a session leaving the table closes its connections, a role change drops the subscriptions
//! the new role may not hold. Connections that are gone (410) are forgotten. A record whose posts fail is reported as a batch item failure.
use crate::domain::comment::{Comment, Viewer};
use crate::domain::ticket::Ticket;
use crate::store::keys::{self, entity};
use crate::store::realtime::Subscription;
use crate::ws::{close, frame, post, Delivery, TICKETS_CHANNEL};
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;
use serde_json::{json, Map, Value};

/// Fields whose change is not news (every write changes them).
const BOOKKEEPING: [&str; 2] = ["updated_at", "updated_stamp"];

fn entity_of(image: &serde_dynamo::Item) -> Option<&str> {
    match image.get(keys::ENTITY) {
        Some(serde_dynamo::AttributeValue::S(e)) => Some(e.as_str()),
        _ => None,
    }
}

/// What changed between two versions of a ticket: `{field: {"old", "new"}}`.
fn ticket_changes(old: &Ticket, new: &Ticket) -> Value {
    let (Value::Object(o), Value::Object(n)) = (json!(old), json!(new)) else { return json!({}) };
    let mut changes = Map::new();
    for (field, new_value) in &n {
        let old_value = o.get(field).cloned().unwrap_or(Value::Null);
        if !BOOKKEEPING.contains(&field.as_str()) && old_value != *new_value {
            changes.insert(field.clone(), json!({"old": old_value, "new": new_value}));
        }
    }
    Value::Object(changes)
}

/// The ticket as a customer may see it in a frame: without the staff-only SLA clocks and
/// the reply bookkeeping that drives them.
fn for_customer(t: &Ticket) -> Ticket {
    let mut t = t.clone();
    t.sla = None;
    t.times.replied_at = None;
    t.times.awaiting_reply_since = None;
    t
}

/// One message for the staff, and (when customers may see the event) one for the requester.
struct Outgoing {
    ticket_id: String,
    requester: uuid::Uuid,
    staff: Value,
    customer: Option<Value>,
    /// Also to the `tickets` channel.
    channel: bool,
}

fn outgoing(record: &EventRecord) -> Result<Option<Outgoing>, BoxError> {
    let new = &record.change.new_image;
    let old = &record.change.old_image;
    let kind = entity_of(new).or_else(|| entity_of(old));
    Ok(match (kind, record.event_name.as_str()) {
        (Some(entity::TICKET), "INSERT") => {
            let t: Ticket = serde_dynamo::from_item(new.clone())?;
            let f = frame("ticket.created", Some(&t.id.to_string()), json!(t), None);
            let customer = frame("ticket.created", Some(&t.id.to_string()), json!(for_customer(&t)), None);
            Some(Outgoing {
                ticket_id: t.id.to_string(),
                requester: t.requester_id,
                customer: Some(customer),
                staff: f,
                channel: true,
            })
        }
        (Some(entity::TICKET), "MODIFY") => {
            let before: Ticket = serde_dynamo::from_item(old.clone())?;
            let t: Ticket = serde_dynamo::from_item(new.clone())?;
            let id = t.id.to_string();
            let staff = frame("ticket.updated", Some(&id), json!(t), Some(ticket_changes(&before, &t)));
            // Customers see neither the SLA clocks nor that only they moved (a breach).
            let (seen_before, seen) = (for_customer(&before), for_customer(&t));
            let news = ticket_changes(&seen_before, &seen).as_object().is_some_and(|c| !c.is_empty());
            let customer = news.then(|| frame("ticket.updated", Some(&id), json!(seen), None));
            Some(Outgoing { ticket_id: id, requester: t.requester_id, staff, customer, channel: true })
        }
        (Some(entity::TICKET), "REMOVE") => {
            let t: Ticket = serde_dynamo::from_item(old.clone())?;
            let id = t.id.to_string();
            let f = frame(
                "ticket.deleted",
                Some(&id),
                json!({"id": t.id, "ticket_number": t.ticket_number}),
                None,
            );
            Some(Outgoing {
                ticket_id: id,
                requester: t.requester_id,
                customer: Some(f.clone()),
                staff: f,
                channel: true,
            })
        }
        (Some(entity::COMMENT), "INSERT") => {
            let c: Comment = serde_dynamo::from_item(new.clone())?;
            let id = c.ticket_id.to_string();
            let f = frame("comment.created", Some(&id), json!(c), None);
            let customer = (!c.is_internal).then(|| f.clone());
            // The requester is looked up by the caller (see `recipients`).
            Some(Outgoing { ticket_id: id, requester: uuid::Uuid::nil(), staff: f, customer, channel: true })
        }
        (Some(entity::VIEWER), "INSERT" | "MODIFY") => {
            let v: Viewer = serde_dynamo::from_item(new.clone())?;
            let id = v.ticket_id.to_string();
            let f = frame("viewers.changed", Some(&id), json!(v), None);
            Some(Outgoing {
                ticket_id: id,
                requester: uuid::Uuid::nil(),
                staff: f,
                customer: None,
                channel: false,
            })
        }
        _ => None,
    })
}

/// Delivers one record's frames. Each subscriber is judged now, not at subscribe time: its
/// session must still be live (else its connection is closed and forgotten) and what it gets
/// follows its user's current role. Errors when some post failed for another reason than 410.
async fn broadcast_record(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    if let Some(fate) = access_change(record)? {
        return enforce(state, fate).await;
    }
    let Some(mut out) = outgoing(record)? else { return Ok(()) };
    if out.requester.is_nil() && out.customer.is_some() {
        // A public comment: who the requester is comes from the ticket.
        let id = out.ticket_id.parse()?;
        out.requester = state.store.get_ticket(id).await?.map(|t| t.requester_id).unwrap_or_default();
    }
    let mut subscribers: Vec<Subscription> = state.store.subscribers(&out.ticket_id).await?;
    if out.channel {
        subscribers.extend(state.store.subscribers(TICKETS_CHANNEL).await?);
    }
    let mut seen = std::collections::HashSet::new();
    subscribers.retain(|s| seen.insert(s.connection_id.clone()));
    let pairs: Vec<(uuid::Uuid, uuid::Uuid)> =
        subscribers.iter().map(|s| (s.session_id, s.user_id)).collect();
    let (sessions, users) = state.store.sessions_and_users(&pairs).await?;
    let now = crate::clock::now().unix_timestamp();
    let mut dead = Vec::new();
    let sends = subscribers.iter().filter_map(|s| {
        let live = sessions
            .get(&s.session_id)
            .zip(users.get(&s.user_id))
            .filter(|(session, user)| session.is_live_for(user, now));
        let Some((_, user)) = live else {
            dead.push(s.connection_id.clone());
            return None;
        };
        let message = if user.user.role.is_staff() {
            Some(&out.staff)
        } else if s.user_id == out.requester {
            out.customer.as_ref()
        } else {
            None
        };
        message.map(|m| async move { (s.connection_id.clone(), post(state, &s.connection_id, m).await) })
    });
    let results = futures::future::join_all(sends.collect::<Vec<_>>()).await;
    for connection in dead {
        close(state, &connection).await?;
    }
    let mut failed = 0;
    for (connection, delivery) in results {
        match delivery {
            Ok(Delivery::Sent) => {}
            Ok(Delivery::Gone) => state.store.delete_connection(&connection).await?,
            Err(e) => {
                tracing::warn!(error = %e, connection = %connection, "post to connection failed");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} posts failed").into());
    }
    Ok(())
}

/// A change to who a user's open connections speak for.
enum AccessChange {
    /// A session left the table (logout, revocation, expiry): its connections close.
    SessionEnded { user_id: uuid::Uuid, session_id: uuid::Uuid },
    /// A user's role or session epoch changed: connections of dead sessions close, and
    /// subscriptions the current role may not hold are dropped.
    UserChanged { user_id: uuid::Uuid },
}

fn access_change(record: &EventRecord) -> Result<Option<AccessChange>, BoxError> {
    let new = &record.change.new_image;
    let old = &record.change.old_image;
    Ok(match (entity_of(old).or_else(|| entity_of(new)), record.event_name.as_str()) {
        (Some(entity::SESSION), "REMOVE") => {
            let s: crate::store::sessions::Session = serde_dynamo::from_item(old.clone())?;
            Some(AccessChange::SessionEnded { user_id: s.user_id, session_id: s.id })
        }
        (Some(entity::USER), "MODIFY") => {
            let before: crate::store::users::UserRecord = serde_dynamo::from_item(old.clone())?;
            let after: crate::store::users::UserRecord = serde_dynamo::from_item(new.clone())?;
            let changed = before.user.role != after.user.role || before.session_epoch != after.session_epoch;
            changed.then_some(AccessChange::UserChanged { user_id: after.user.id })
        }
        _ => None,
    })
}

async fn enforce(state: &AppState, change: AccessChange) -> Result<(), BoxError> {
    let (user_id, ended) = match change {
        AccessChange::SessionEnded { user_id, session_id } => (user_id, Some(session_id)),
        AccessChange::UserChanged { user_id } => (user_id, None),
    };
    let connections = state.store.connections_of(user_id).await?;
    if connections.is_empty() {
        return Ok(());
    }
    let pairs: Vec<_> = connections.iter().map(|c| (c.session_id, c.user_id)).collect();
    let (sessions, users) = state.store.sessions_and_users(&pairs).await?;
    let now = crate::clock::now().unix_timestamp();
    for conn in connections {
        let user = users.get(&user_id);
        let live = Some(conn.session_id) != ended
            && sessions.get(&conn.session_id).zip(user).is_some_and(|(s, u)| s.is_live_for(u, now));
        let Some(user) = user.filter(|_| live) else {
            close(state, &conn.id).await?;
            continue;
        };
        if user.user.role.is_staff() {
            continue;
        }
        // A customer now: only their own tickets, never the staff channel.
        for sub in state.store.subscriptions_of(&conn.id).await? {
            let allowed = match sub.topic.parse::<uuid::Uuid>() {
                Ok(ticket) => {
                    state.store.get_ticket(ticket).await?.is_some_and(|t| t.requester_id == user_id)
                }
                Err(_) => false,
            };
            if !allowed {
                state.store.unsubscribe(&conn.id, &sub.topic).await?;
            }
        }
    }
    Ok(())
}

/// The Lambda handler's body. Each record is delivered on its own; the first failing record is
/// reported, so Lambda retries from it (a retry may repeat frames to some subscribers: delivery
/// is at least once).
pub async fn handle(state: &AppState, event: &Event) -> DynamoDbEventResponse {
    crate::consumers::each_record(event, "broadcaster", |record| broadcast_record(state, record)).await
}

/// [`handle`], boxed, for [`super::lambda::run_stream`].
pub fn boxed<'a>(
    state: &'a crate::AppState,
    event: &'a aws_lambda_events::dynamodb::Event,
) -> super::lambda::BoxFuture<'a, aws_lambda_events::streams::DynamoDbEventResponse> {
    Box::pin(handle(state, event))
}
