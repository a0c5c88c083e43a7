//! `helpdesk-admin promote <email>`: makes a registered user an admin in a deployed table.
//! Uses the usual AWS environment (credentials, `AWS_REGION`) and `TABLE_NAME`.
use helpdesk::store::Store;
use helpdesk::BoxError;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, email] = args.as_slice() else {
        return Err("usage: TABLE_NAME=<table> helpdesk-admin promote <email>".into());
    };
    if command != "promote" {
        return Err(format!("unknown command {command:?}; usage: helpdesk-admin promote <email>").into());
    }
    let table = std::env::var("TABLE_NAME")
        .map_err(|_| "set TABLE_NAME to the deployed table (stack output TableName)")?;
    let sdk = helpdesk::state::sdk_config().await;
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let id = helpdesk_local::admin::promote(&store, email).await?;
    println!("{email} ({id}) is now an admin");
    Ok(())
}
