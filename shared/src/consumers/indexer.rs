//! The stream indexer: keeps the search index (`SDOC#`, `SP#`, `SN#`; docs/search.md) and the per-partition status
//! counters that view counts read (`TCOUNT#<partition>`) in step with tickets, from the table's
//! change stream. Records are handled in order; the first failure is reported as
//! a partial batch failure, so Lambda retries from that record and nothing is skipped.
use crate::domain::comment::Comment;
use crate::domain::search::doc::{sequence, DocKind, SearchDoc, BASE_TEXT_CHARS};
use crate::domain::ticket::{Status, Ticket};
use crate::store::keys::{self, entity};
use crate::store::orgs::Organization;
use crate::store::users::UserRecord;
use crate::store::views::counter_pairs;
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;
use serde::Deserialize;
use uuid::Uuid;

/// The fields of a ticket image the status counters need.
#[derive(Deserialize)]
struct Counted {
    id: Uuid,
    status: Status,
    requester_id: Uuid,
    assignee_id: Option<Uuid>,
    #[serde(default)]
    group_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    updated_stamp: String,
}

impl Counted {
    fn pairs(&self) -> Vec<(String, Status)> {
        counter_pairs(self.status, self.requester_id, self.assignee_id, self.group_id, self.organization_id)
    }
}

fn counted_image(image: &serde_dynamo::Item) -> Result<Option<Counted>, BoxError> {
    let is_ticket = matches!(
        image.get(keys::ENTITY),
        Some(serde_dynamo::AttributeValue::S(e)) if e == entity::TICKET
    );
    if !is_ticket {
        return Ok(None);
    }
    Ok(Some(serde_dynamo::from_item(image.clone())?))
}

/// Moves the ticket between status counters when its status or a list partition changed.
async fn count_record(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    let old = counted_image(&record.change.old_image)?;
    let new = counted_image(&record.change.new_image)?;
    let Some(id) = new.as_ref().or(old.as_ref()).map(|t| t.id) else { return Ok(()) };
    let old_pairs = old.as_ref().map(Counted::pairs).unwrap_or_default();
    let new_pairs = new.as_ref().map(Counted::pairs).unwrap_or_default();
    if old.is_some() && new.is_some() && old_pairs == new_pairs {
        return Ok(());
    }
    state
        .store
        .move_ticket_counts(id, &old_pairs, new.as_ref().map(|t| t.updated_stamp.as_str()), &new_pairs)
        .await?;
    Ok(())
}

fn entity_of(image: &serde_dynamo::Item) -> Option<&str> {
    match image.get(keys::ENTITY) {
        Some(serde_dynamo::AttributeValue::S(e)) => Some(e.as_str()),
        _ => None,
    }
}

fn org_doc(org: &Organization) -> SearchDoc {
    SearchDoc {
        id: org.id,
        kind: DocKind::Organization,
        created_at: org.created_at,
        updated_at: org.updated_at,
        ticket: None,
        user: None,
        base: sequence(&format!("{} {}", org.name, org.domain.as_deref().unwrap_or("")), BASE_TEXT_CHARS),
        public: String::new(),
        staff: String::new(),
        comment_ids: Vec::new(),
        version: 0,
    }
}

/// Keeps the search index (docs/search.md) in step with one record: a ticket, user or
/// organization written or deleted, or a comment added to a ticket.
async fn search_record(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    let (old_image, new_image) = (&record.change.old_image, &record.change.new_image);
    let image = if new_image.is_empty() { old_image } else { new_image };
    let removed = new_image.is_empty();
    let store = &state.store;
    match entity_of(image) {
        Some(entity::TICKET) => {
            let ticket: Ticket = serde_dynamo::from_item(image.clone())?;
            let old = store.search_doc(ticket.id).await?;
            let new = (!removed).then(|| SearchDoc::of_ticket(&ticket, old.as_ref()));
            if new.is_some() && new == old {
                return Ok(());
            }
            store.reindex(old.as_ref(), new.as_ref()).await?;
        }
        Some(entity::COMMENT) if !removed => {
            let comment: Comment = serde_dynamo::from_item(image.clone())?;
            let stored = store.search_doc(comment.ticket_id).await?;
            let mut new = match &stored {
                Some(d) => d.clone(),
                // The comment's record came before its ticket's: index the ticket as it is now.
                None => match store.get_ticket(comment.ticket_id).await? {
                    Some(t) => SearchDoc::of_ticket(&t, None),
                    None => return Ok(()),
                },
            };
            if !new.add_comment(comment.id, &comment.content, comment.is_internal) {
                return Ok(());
            }
            store.reindex(stored.as_ref(), Some(&new)).await?;
        }
        Some(entity::USER) => {
            let user: UserRecord = serde_dynamo::from_item(image.clone())?;
            let old = store.search_doc(user.user.id).await?;
            let new = (!removed).then(|| SearchDoc {
                version: old.as_ref().map_or(0, |d| d.version),
                ..SearchDoc::of_user(&user.user)
            });
            if new.is_some() && new == old {
                return Ok(());
            }
            store.reindex(old.as_ref(), new.as_ref()).await?;
        }
        Some(entity::ORGANIZATION) => {
            let org: Organization = serde_dynamo::from_item(image.clone())?;
            let old = store.search_doc(org.id).await?;
            let new = (!removed)
                .then(|| SearchDoc { version: old.as_ref().map_or(0, |d| d.version), ..org_doc(&org) });
            if new.is_some() && new == old {
                return Ok(());
            }
            store.reindex(old.as_ref(), new.as_ref()).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Applies one stream record to the search index and the status counters.
pub async fn index_record(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    count_record(state, record).await?;
    search_record(state, record).await
}

/// The Lambda handler's body: index records in order, stop at the first failure.
pub async fn handle(state: &AppState, event: &Event) -> DynamoDbEventResponse {
    crate::consumers::each_record(event, "stream-indexer", |record| index_record(state, record)).await
}

/// [`handle`], boxed, for [`super::lambda::run_stream`].
pub fn boxed<'a>(
    state: &'a crate::AppState,
    event: &'a aws_lambda_events::dynamodb::Event,
) -> super::lambda::BoxFuture<'a, aws_lambda_events::streams::DynamoDbEventResponse> {
    Box::pin(handle(state, event))
}
