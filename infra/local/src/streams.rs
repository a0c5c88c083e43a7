//! Feeds stream consumers from DynamoDB Local's stream, the way Lambda's event source mapping
//! does: records in order per shard, in batches, as `aws_lambda_events` DynamoDB events; a
//! reported batch item failure makes the batch resume from that record on the next poll.
use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_dynamodbstreams::Client;
use helpdesk::BoxError;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::future::Future;

pub const BATCH_SIZE: usize = 100;

pub fn client(endpoint: &str) -> Client {
    Client::new(&crate::sdk::config(endpoint))
}

fn sdk<E: std::error::Error + Send + Sync + 'static>(e: E) -> BoxError {
    // The cause chain only: the SDK's debug context would include raw response bodies (items).
    helpdesk::error::error_chain(&e).into()
}

pub struct StreamFeeder {
    client: Client,
    stream_arn: String,
    /// Last sequence number handled successfully, per shard.
    positions: HashMap<String, String>,
    finished: HashSet<String>,
}

fn item_json(
    item: Option<&HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>>,
) -> Result<Value, BoxError> {
    match item {
        None => Ok(json!({})),
        Some(map) => Ok(serde_json::to_value(serde_dynamo::Item::from(map.clone()))?),
    }
}

impl StreamFeeder {
    pub async fn new(ddb: &aws_sdk_dynamodb::Client, streams: Client, table: &str) -> Result<Self, BoxError> {
        let described = ddb.describe_table().table_name(table).send().await?;
        let stream_arn = described
            .table
            .and_then(|t| t.latest_stream_arn)
            .ok_or_else(|| format!("table {table} has no stream"))?;
        Ok(Self { client: streams, stream_arn, positions: HashMap::new(), finished: HashSet::new() })
    }

    /// Delivers every record available now to `handler`; returns how many were handled.
    pub async fn poll_once<F, Fut>(&mut self, mut handler: F) -> Result<usize, BoxError>
    where
        F: FnMut(Event) -> Fut,
        Fut: Future<Output = DynamoDbEventResponse>,
    {
        let stream = self.client.describe_stream().stream_arn(&self.stream_arn).send().await.map_err(sdk)?;
        let shards = stream.stream_description.map(|d| d.shards.unwrap_or_default()).unwrap_or_default();
        let mut handled = 0;
        for shard in shards {
            let Some(shard_id) = shard.shard_id else { continue };
            if self.finished.contains(&shard_id) {
                continue;
            }
            let closed = shard.sequence_number_range.and_then(|r| r.ending_sequence_number).is_some();
            let mut req = self.client.get_shard_iterator().stream_arn(&self.stream_arn).shard_id(&shard_id);
            req = match self.positions.get(&shard_id) {
                Some(seq) => {
                    req.shard_iterator_type(ShardIteratorType::AfterSequenceNumber).sequence_number(seq)
                }
                None => req.shard_iterator_type(ShardIteratorType::TrimHorizon),
            };
            let mut iterator = req.send().await.map_err(sdk)?.shard_iterator;
            let mut records = Vec::new();
            while let Some(it) = iterator {
                let out = self.client.get_records().shard_iterator(it).send().await.map_err(sdk)?;
                let batch = out.records.unwrap_or_default();
                let empty = batch.is_empty();
                records.extend(batch);
                iterator = out.next_shard_iterator;
                if empty {
                    break;
                }
            }
            if records.is_empty() && closed && iterator.is_none() {
                self.finished.insert(shard_id);
                continue;
            }
            for chunk in records.chunks(BATCH_SIZE) {
                let mut events = Vec::new();
                for r in chunk {
                    let d = r.dynamodb.as_ref().ok_or("stream record without data")?;
                    events.push(json!({
                        "eventID": r.event_id.clone().unwrap_or_default(),
                        "eventName": r.event_name.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default(),
                        "eventVersion": "1.1",
                        "eventSource": "aws:dynamodb",
                        "awsRegion": "us-east-1",
                        "eventSourceARN": self.stream_arn,
                        "dynamodb": {
                            "ApproximateCreationDateTime": d.approximate_creation_date_time.map(|t| t.secs() as f64).unwrap_or(0.0),
                            "Keys": item_json(d.keys.as_ref())?,
                            "NewImage": item_json(d.new_image.as_ref())?,
                            "OldImage": item_json(d.old_image.as_ref())?,
                            "SequenceNumber": d.sequence_number.clone().unwrap_or_default(),
                            "SizeBytes": d.size_bytes.unwrap_or(0),
                            "StreamViewType": "NEW_AND_OLD_IMAGES",
                        },
                    }));
                }
                let sequences: Vec<String> = chunk
                    .iter()
                    .filter_map(|r| r.dynamodb.as_ref().and_then(|d| d.sequence_number.clone()))
                    .collect();
                let event: Event = serde_json::from_value(json!({ "Records": events }))?;
                let response = handler(event).await;
                let failed_at = response
                    .batch_item_failures
                    .first()
                    .and_then(|f| f.item_identifier.clone())
                    .and_then(|id| sequences.iter().position(|s| *s == id));
                let done = failed_at.unwrap_or(sequences.len());
                if done > 0 {
                    self.positions.insert(shard_id.clone(), sequences[done - 1].clone());
                }
                handled += done;
                if failed_at.is_some() {
                    break; // resume from the failed record next poll
                }
            }
        }
        Ok(handled)
    }
}
