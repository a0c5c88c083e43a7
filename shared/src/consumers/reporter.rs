//! The stream reporter: keeps the summary report's daily aggregates (`store::reports`) from
//! ticket versions and new satisfaction ratings, each record applied once.
use crate::domain::report::{rating_deltas, ticket_deltas};
use crate::domain::satisfaction::Rating;
use crate::domain::ticket::Ticket;
use crate::store::keys::{self, entity};
use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbEventResponse;

fn entity_of(image: &serde_dynamo::Item) -> Option<&str> {
    match image.get(keys::ENTITY) {
        Some(serde_dynamo::AttributeValue::S(e)) => Some(e.as_str()),
        _ => None,
    }
}

pub async fn report_record(state: &AppState, record: &EventRecord) -> Result<(), BoxError> {
    let new = &record.change.new_image;
    let old = &record.change.old_image;
    let now = crate::clock::now().unix_timestamp();
    match (entity_of(new), record.event_name.as_str()) {
        (Some(entity::TICKET), "INSERT" | "MODIFY") => {
            let after: Ticket = serde_dynamo::from_item(new.clone())?;
            let before: Option<Ticket> = match record.event_name.as_str() {
                "MODIFY" => Some(serde_dynamo::from_item(old.clone())?),
                _ => None,
            };
            let deltas = ticket_deltas(before.as_ref(), &after);
            state.store.add_report_deltas(after.id, &after.updated_stamp, &deltas, now).await?;
        }
        (Some(entity::RATING), "INSERT") => {
            let r: Rating = serde_dynamo::from_item(new.clone())?;
            state.store.add_report_deltas(r.id, "RATING", &rating_deltas(&r), now).await?;
        }
        _ => {}
    }
    Ok(())
}

/// The Lambda handler's body: records in order, stop at the first failure.
pub async fn handle(state: &AppState, event: &Event) -> DynamoDbEventResponse {
    crate::consumers::each_record(event, "stream-reporter", |record| report_record(state, record)).await
}

/// [`handle`], boxed, for [`super::lambda::run_stream`].
pub fn boxed<'a>(
    state: &'a crate::AppState,
    event: &'a aws_lambda_events::dynamodb::Event,
) -> super::lambda::BoxFuture<'a, aws_lambda_events::streams::DynamoDbEventResponse> {
    Box::pin(handle(state, event))
}
