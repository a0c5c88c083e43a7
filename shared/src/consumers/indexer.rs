//! The stream indexer: keeps the search word index (`TERM#<word>`) and the per-partition status
//! counters that view counts read (`TCOUNT#<partition>`) in step with tickets, from the table's
//! change stream. Records are handled in order; the first failure is reported as
//! a partial batch failure, so Lambda retries from that record and nothing is skipped.
use crate::domain::search::ticket_terms;
use crate::domain::ticket::Status;
use crate::store::keys::{self, entity};
use crate::store::tickets::TermEntry;
use crate::store::views::counter_pairs;
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;
use serde::Deserialize;
use uuid::Uuid;

/// The fields of a ticket image the index needs.
#[derive(Deserialize)]
struct Indexed {
    id: Uuid,
    requester_id: Uuid,
    subject: String,
    description: String,
    created_at: String,
}

fn ticket_image(image: &serde_dynamo::Item) -> Result<Option<Indexed>, BoxError> {
    let is_ticket = matches!(
        image.get(keys::ENTITY),
        Some(serde_dynamo::AttributeValue::S(e)) if e == entity::TICKET
    );
    if !is_ticket {
        return Ok(None);
    }
    Ok(Some(serde_dynamo::from_item(image.clone())?))
}

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

/// Applies one stream record to the word index and the status counters.
pub async fn index_record(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    count_record(state, record).await?;
    let old = ticket_image(&record.change.old_image)?;
    let new = ticket_image(&record.change.new_image)?;
    if old.is_none() && new.is_none() {
        return Ok(());
    }
    let old_terms = old
        .as_ref()
        .map(|t| (ticket_terms(&t.subject, &t.description), keys::ticket_sort(&t.created_at, t.id)));
    let new_terms = new.as_ref().map(|t| {
        let entry = TermEntry { ticket_id: t.id, requester_id: t.requester_id };
        (ticket_terms(&t.subject, &t.description), keys::ticket_sort(&t.created_at, t.id), entry)
    });
    let unchanged = match (&old, &new) {
        (Some(o), Some(n)) => {
            o.subject == n.subject && o.description == n.description && o.requester_id == n.requester_id
        }
        _ => false,
    };
    if unchanged {
        return Ok(());
    }
    let old = old_terms.as_ref().map(|(w, s)| (w.as_slice(), s.as_str()));
    let new = new_terms.as_ref().map(|(w, s, e)| (w.as_slice(), s.as_str(), e.clone()));
    state.store.replace_terms(old, new).await?;
    Ok(())
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
