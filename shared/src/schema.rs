//! OpenAPI schemas of the value types, built from the same constants their parsers check (so
//! the document's lengths, ranges and patterns are the code's).
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// A string schema with the given limits.
pub fn string(
    min: Option<usize>,
    max: Option<usize>,
    format: Option<KnownFormat>,
    pattern: Option<&str>,
    description: &str,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(min)
        .max_length(max)
        .format(format.map(SchemaFormat::KnownFormat))
        .pattern(pattern)
        .description(Some(description))
        .into()
}

/// An array of strings with the given limits.
pub fn strings(max_items: usize, max_length: usize, description: &str) -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String).max_length(Some(max_length)))
        .max_items(Some(max_items))
        .description(Some(description))
        .into()
}

/// An object with at most `max` properties.
pub fn object(max: usize, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .max_properties(Some(max))
        .description(Some(description))
        .into()
}

/// `impl ToSchema` for a value type from an expression building its schema.
macro_rules! value_schema {
    ($ty:ty, $schema:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }
        impl utoipa::ToSchema for $ty {}
    };
}
pub(crate) use value_schema;
