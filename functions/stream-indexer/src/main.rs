//! Lambda on the table's stream: keeps the search word index up to date.
use aws_lambda_events::dynamodb::Event;
use helpdesk::AppState;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    helpdesk::telemetry::init();
    let state = AppState::from_env().await?;
    let state = &state;
    run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(helpdesk::jobs::indexer::handle(state, &event.payload).await)
    }))
    .await
}
