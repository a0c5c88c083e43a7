//! Lambda entry point for `POST /tickets/{id}/status`.
use helpdesk::routes::Handler;
use helpdesk::AppState;
use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    helpdesk::telemetry::init();
    let state = AppState::from_env().await?;
    let state = &state;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(Handler::TicketsStatus.handle(state, req).await)
    }))
    .await
}
