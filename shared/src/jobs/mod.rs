//! Work that runs off the request path: scheduled jobs and stream consumers.
pub mod autoclose;
pub mod cleanup;
pub mod indexer;

use crate::AppState;
use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;

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
}

impl StreamConsumer {
    pub const ALL: [StreamConsumer; 4] = [
        StreamConsumer::Indexer,
        StreamConsumer::AttachmentCleaner,
        StreamConsumer::Broadcaster,
        StreamConsumer::Notifier,
    ];

    pub async fn handle(self, state: &AppState, event: &Event) -> DynamoDbEventResponse {
        match self {
            StreamConsumer::Indexer => indexer::handle(state, event).await,
            StreamConsumer::AttachmentCleaner => cleanup::handle(state, event).await,
            StreamConsumer::Broadcaster => crate::realtime::broadcast::handle(state, event).await,
            StreamConsumer::Notifier => crate::mail::notifier::handle(state, event).await,
        }
    }
}
