//! The DynamoDB single-table store: every read and write the handlers make goes through here.
pub mod keys;
pub mod schema;
pub mod sessions;
pub mod users;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::Client;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {op} failed: {message}")]
    Sdk { op: &'static str, message: String },
    #[error("an item could not be (de)serialised")]
    Malformed(#[from] serde_dynamo::Error),
}

impl StoreError {
    pub fn sdk<E: std::error::Error>(op: &'static str, e: E) -> Self {
        StoreError::Sdk { op, message: DisplayErrorContext(e).to_string() }
    }
}

impl From<StoreError> for crate::ApiError {
    fn from(e: StoreError) -> Self {
        crate::ApiError::internal(e)
    }
}

/// The table and the client that reaches it; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

/// True when a TransactWriteItems was cancelled because the condition of item `index` failed.
fn condition_failed_at(
    err: &aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
    index: usize,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError as E;
    match err {
        E::TransactionCanceledException(e) => e
            .cancellation_reasons()
            .get(index)
            .and_then(|r| r.code())
            .is_some_and(|c| c == "ConditionalCheckFailed"),
        _ => false,
    }
}
