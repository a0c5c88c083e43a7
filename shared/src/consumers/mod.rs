//! Work off the request path: the consumers of the table's stream (search indexer, attachment
//! cleaner, broadcaster, notifier, reporter), the consumer of the mail queue (mailer) and the schedules
//! (the automations schedule), with their Lambda entries (`lambda`).
pub mod broadcast;
pub mod cleanup;
pub mod indexer;
pub mod lambda;
pub mod mail_inbound;
pub mod mailer;
pub mod notifier;
pub mod reporter;
pub mod webhooks;

use crate::{AppState, BoxError};
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use std::future::Future;

/// How every stream consumer walks a batch: records in order, each through `f`; the first that
/// fails is reported as the batch item failure, so Lambda retries from it and nothing after it
/// is skipped (and nothing is logged-and-dropped).
pub async fn each_record<'e, F, Fut>(event: &'e Event, consumer: &str, mut f: F) -> DynamoDbEventResponse
where
    F: FnMut(&'e EventRecord) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        if let Err(e) = f(record).await {
            tracing::error!(consumer, error = %e, event_id = %record.event_id, "record failed; the batch is retried from it");
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// The consumers of the table's stream, each its own Lambda (and its own event source mapping,
/// so each keeps its own position and retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamConsumer {
    /// Search words (`stream-indexer`).
    Indexer,
    /// Attachment objects of removed attachment items (`attachment-cleaner`).
    AttachmentCleaner,
    /// WebSocket frames for subscribers (`broadcaster`).
    Broadcaster,
    /// Mail jobs onto the queue (`notifier`).
    Notifier,
    /// The summary report's daily aggregates (`stream-reporter`).
    Reporter,
}

impl StreamConsumer {
    pub const ALL: [StreamConsumer; 5] = [
        StreamConsumer::Indexer,
        StreamConsumer::AttachmentCleaner,
        StreamConsumer::Broadcaster,
        StreamConsumer::Notifier,
        StreamConsumer::Reporter,
    ];

    /// Every consumer by name: for the local stack and the tests, which run them all. A Lambda
    /// names its own handler (see `functions/<name>/src/main.rs`), so it links only that one.
    pub async fn handle(self, state: &AppState, event: &Event) -> DynamoDbEventResponse {
        match self {
            StreamConsumer::Indexer => indexer::handle(state, event).await,
            StreamConsumer::AttachmentCleaner => cleanup::handle(state, event).await,
            StreamConsumer::Broadcaster => broadcast::handle(state, event).await,
            StreamConsumer::Notifier => notifier::handle(state, event).await,
            StreamConsumer::Reporter => reporter::handle(state, event).await,
        }
    }
}
