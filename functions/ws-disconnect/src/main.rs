//! Lambda for the WebSocket API's `$disconnect` route.
use helpdesk::realtime::gateway::WsRoute;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_ws(WsRoute::Disconnect).await
}
