//! The WebSocket routes. `$connect` authenticates the `token` query parameter (refusing bad,
//! expired or revoked tokens); `$default` handles the client actions of API.md and answers
//! through the `@connections` API; `$disconnect` forgets the connection.
use super::{close, error_frame, frame, post, TICKETS_CHANNEL};
use crate::auth::guard::caller_for_token;
use crate::domain::user::User;
use crate::http::handlers::tickets::{ensure_visible, resolve_id};
use crate::store::realtime::{Connection, Subscription, CONNECTION_TTL_SECONDS};
use crate::{clock, AppState, BoxError};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use serde_json::{json, Value};

/// The three routes of the WebSocket API, each its own Lambda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsRoute {
    Connect,
    Disconnect,
    Default,
}

impl WsRoute {
    pub async fn handle(
        self,
        state: &AppState,
        event: &ApiGatewayWebsocketProxyRequest,
    ) -> Result<ApiGatewayProxyResponse, BoxError> {
        match self {
            WsRoute::Connect => connect(state, event).await,
            WsRoute::Disconnect => disconnect(state, event).await,
            WsRoute::Default => default(state, event).await,
        }
    }
}

fn respond(status: i64, message: &str) -> ApiGatewayProxyResponse {
    let mut res = ApiGatewayProxyResponse::default();
    res.status_code = status;
    res.body = Some(Body::Text(json!({"message": message}).to_string()));
    res
}

fn connection_id(event: &ApiGatewayWebsocketProxyRequest) -> Result<&str, BoxError> {
    event
        .request_context
        .connection_id
        .as_deref()
        .ok_or_else(|| "WebSocket event without a connection id".into())
}

/// `$connect`: 200 with a valid token (the connection is recorded), 401 otherwise.
pub async fn connect(
    state: &AppState,
    event: &ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, BoxError> {
    let Some(token) = event.query_string_parameters.first("token") else {
        return Ok(respond(401, "Unauthenticated."));
    };
    let caller = match caller_for_token(state, token).await {
        Ok(c) => c,
        Err(crate::ApiError::Unauthenticated) => return Ok(respond(401, "Unauthenticated.")),
        Err(e) => return Err(e.into()),
    };
    let now = clock::now();
    let connection = Connection {
        id: connection_id(event)?.to_owned(),
        user_id: caller.id(),
        session_id: caller.session_id,
        connected_at: clock::Timestamp(now),
    };
    let expires = caller.expires_at.min(now.unix_timestamp() + CONNECTION_TTL_SECONDS);
    state.store.put_connection(&connection, expires).await?;
    Ok(respond(200, "Connected."))
}

/// `$disconnect`: the connection and its subscriptions go.
pub async fn disconnect(
    state: &AppState,
    event: &ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, BoxError> {
    state.store.delete_connection(connection_id(event)?).await?;
    Ok(respond(200, "Disconnected."))
}

/// `$default`: subscribe, unsubscribe, ping. Every frame first checks the connection's session
/// (revoked by logout or a password change, or expired: the client gets one `error` frame and
/// the connection is closed and forgotten); then every outcome is a frame back to the sender.
pub async fn default(
    state: &AppState,
    event: &ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, BoxError> {
    let id = connection_id(event)?;
    let Some(conn) = state.store.connection(id).await? else {
        post(state, id, &error_frame(None, "Unauthenticated.")).await?;
        close(state, id).await?;
        return Ok(respond(200, "OK"));
    };
    let Some(user) = live_user(state, &conn).await? else {
        post(state, id, &error_frame(None, "Unauthenticated.")).await?;
        close(state, id).await?;
        return Ok(respond(200, "OK"));
    };
    let reply = act(state, &conn, &user, event.body.as_deref().unwrap_or("")).await?;
    post(state, id, &reply).await?;
    Ok(respond(200, "OK"))
}

/// The user of a connection now, if its session is still live.
async fn live_user(state: &AppState, conn: &Connection) -> Result<Option<User>, BoxError> {
    let (session, user) = state.store.session_and_user(conn.session_id, conn.user_id).await?;
    let now = clock::now().unix_timestamp();
    Ok(match (session, user) {
        (Some(s), Some(u)) if s.is_live_for(&u, now) => Some(u.user),
        _ => None,
    })
}

async fn act(state: &AppState, conn: &Connection, user: &User, body: &str) -> Result<Value, BoxError> {
    let connection_id = conn.id.as_str();
    let Ok(message) = serde_json::from_str::<Value>(body) else {
        return Ok(error_frame(None, "Frames must be JSON objects."));
    };
    let now = clock::now();
    let action = message["action"].as_str().unwrap_or_default();
    match action {
        "ping" => {
            // Presence: an open, pinging WebSocket keeps its user online.
            state.store.touch_last_seen(user.id, &clock::format(now)).await?;
            Ok(frame("pong", None, json!({}), None))
        }
        "subscribe" | "unsubscribe" => {
            let topic = match (message["ticket_id"].as_str(), message["channel"].as_str()) {
                (Some(raw), _) => {
                    let Some(ticket_id) = resolve_id(state, raw).await? else {
                        return Ok(error_frame(Some(raw), "Not found."));
                    };
                    let ticket = state.store.get_ticket(ticket_id).await?;
                    let caller = crate::auth::Caller {
                        user: user.clone(),
                        session_id: conn.session_id,
                        expires_at: 0,
                    };
                    match ticket {
                        Some(t) if ensure_visible(&caller, &t).is_ok() => t.id.to_string(),
                        _ => return Ok(error_frame(Some(raw), "Not found.")),
                    }
                }
                (None, Some(TICKETS_CHANNEL)) if user.role.is_staff() => TICKETS_CHANNEL.to_owned(),
                (None, Some(TICKETS_CHANNEL)) => {
                    return Ok(error_frame(None, "This action is unauthorized."))
                }
                _ => return Ok(error_frame(None, "Give a ticket_id or the channel \"tickets\".")),
            };
            if action == "subscribe" {
                let sub = Subscription {
                    connection_id: connection_id.to_owned(),
                    topic: topic.clone(),
                    user_id: user.id,
                    session_id: conn.session_id,
                };
                state.store.subscribe(&sub, now.unix_timestamp()).await?;
            } else {
                state.store.unsubscribe(connection_id, &topic).await?;
            }
            let ticket_id = (topic != TICKETS_CHANNEL).then_some(topic.as_str());
            Ok(frame(
                if action == "subscribe" { "subscribed" } else { "unsubscribed" },
                ticket_id,
                json!({"topic": topic}),
                None,
            ))
        }
        _ => Ok(error_frame(None, "Unknown action.")),
    }
}

/// The Lambda entry of a WebSocket API route: the state (with the `@connections` client) once,
/// then each event to the route's handler.
pub async fn run_lambda(route: WsRoute) -> Result<(), crate::BoxError> {
    use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
    crate::telemetry::init();
    let (state, sdk) = AppState::from_env().await?;
    let state = state.with_ws_from(&sdk);
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<ApiGatewayWebsocketProxyRequest>| async move {
            Box::pin(route.handle(state, &event.payload)).await
        },
    ))
    .await
}
