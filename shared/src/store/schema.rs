//! The one table's definition. The local stack creates it from here, and a test checks that
//! template.yaml declares the very same keys, indexes, stream and TTL.
use super::keys::{Index, PK, SK, TTL};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

pub const STREAM_VIEW_TYPE: &str = "NEW_AND_OLD_IMAGES";

/// Every key attribute of the table and its indexes (all strings).
pub fn key_attributes() -> Vec<&'static str> {
    let mut attrs = vec![PK, SK];
    for index in Index::ALL {
        attrs.push(index.pk());
        attrs.push(index.sk());
    }
    attrs
}

fn key_schema(hash: &str, range: &str) -> Vec<KeySchemaElement> {
    [(hash, KeyType::Hash), (range, KeyType::Range)]
        .into_iter()
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .expect("name and type are set")
        })
        .collect()
}

/// Adds one index to an existing table (tables made before the index existed).
pub async fn add_index(client: &Client, table: &str, index: Index) -> Result<(), crate::BoxError> {
    use aws_sdk_dynamodb::types::{CreateGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate};
    let mut req = client.update_table().table_name(table);
    for name in [index.pk(), index.sk()] {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        );
    }
    let create = CreateGlobalSecondaryIndexAction::builder()
        .index_name(index.name())
        .set_key_schema(Some(key_schema(index.pk(), index.sk())))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()?;
    req.global_secondary_index_updates(GlobalSecondaryIndexUpdate::builder().create(create).build())
        .send()
        .await?;
    Ok(())
}

/// Creates the table (on-demand, stream with new and old images) and turns on TTL.
pub async fn create_table(client: &Client, table: &str) -> Result<(), crate::BoxError> {
    let mut req = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(PK, SK)))
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()?,
        );
    for name in key_attributes() {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        );
    }
    for index in Index::ALL {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name())
                .set_key_schema(Some(key_schema(index.pk(), index.sk())))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()?,
        );
    }
    req.send().await?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder().enabled(true).attribute_name(TTL).build()?,
        )
        .send()
        .await?;
    Ok(())
}
