//! `helpdesk-admin promote <email>`: makes a registered user an admin in a deployed table.
//! `helpdesk-admin number-records`: gives users, organizations, groups, views, macros, triggers
//! and automations made before numeric
//! ids theirs (the Zendesk API); resumable, safe to run again.
//! Uses the usual AWS environment (credentials, `AWS_REGION`) and `TABLE_NAME`.
use helpdesk::store::Store;
use helpdesk::BoxError;

const USAGE: &str = "usage: TABLE_NAME=<table> helpdesk-admin promote <email> | number-records";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let table = std::env::var("TABLE_NAME")
        .map_err(|_| "set TABLE_NAME to the deployed table (stack output TableName)")?;
    let sdk = helpdesk_local::sdk::default_chain().await;
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["promote", email] => {
            let id = helpdesk_local::admin::promote(&store, email).await?;
            println!("{email} ({id}) is now an admin");
        }
        ["number-records"] => {
            let done = helpdesk_local::admin::backfill_numbers(&store, |kind, b| {
                println!("{kind}: {} seen, {} numbered now", b.seen, b.numbered);
            })
            .await?;
            let numbered: usize = done.iter().map(|(_, b)| b.numbered).sum();
            println!("done: {numbered} records numbered (run again any time: numbered ones are skipped)");
        }
        _ => return Err(USAGE.into()),
    }
    Ok(())
}
