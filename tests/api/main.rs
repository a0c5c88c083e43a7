//! Black-box tests: the real handlers, routed as the local stack routes them, against a real
//! DynamoDB Local. Each test gets its own table, so tests run in parallel.
mod attachments;
mod auth;
mod automations;
mod change_path;
mod comments;
mod directory;
mod events;
mod faults;
mod groups;
mod hardening;
mod helpers;
mod jobs;
mod lists;
mod macros;
mod mail;
mod mail_in;
mod openapi;
mod realtime;
mod search;
mod sessions;
mod stack;
mod throttles;
mod tickets;
mod triggers;
mod views;
mod webhooks;
