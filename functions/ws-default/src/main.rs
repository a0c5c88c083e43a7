//! Lambda for the WebSocket API's `$default` route.
use helpdesk::realtime::gateway::WsRoute;

#[tokio::main]
async fn main() -> Result<(), helpdesk::BoxError> {
    helpdesk::lambda::run_ws(WsRoute::Default).await
}
