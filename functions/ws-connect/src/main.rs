//! WebSocket API `$connect` route Lambda.
use helpdesk::ws::gateway::{run_lambda, WsRoute};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    run_lambda(WsRoute::Connect).await
}
