//! The local stack: DynamoDB Local (the official engine), the table, demo accounts, and the
//! HTTP API on loopback, routed to the very handlers the Lambdas run.
pub mod admin;
pub mod dynamodb_local;
pub mod faults;
pub mod moto;
pub mod paths;
pub mod router;
pub mod s3;
pub mod sdk;
pub mod seed;
pub mod server;
pub mod smtp;
pub mod streams;
pub mod ws;
