//! Lambda for the WebSocket API's `$connect` route.
use helpdesk::realtime::gateway::WsRoute;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_ws(WsRoute::Connect).await
}
