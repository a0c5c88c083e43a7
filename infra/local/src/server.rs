//! The HTTP side of the local stack: `axum::serve` over [`crate::router`].
use helpdesk::AppState;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Serves until the task is dropped. With `mail_sink` (moto's endpoint) it also serves
/// `GET /_local/mail`.
pub async fn serve(listener: TcpListener, state: Arc<AppState>, mail_sink: Option<String>) {
    let app =
        crate::router::router(state, mail_sink).into_make_service_with_connect_info::<std::net::SocketAddr>();
    if let Err(e) = axum::serve(listener, app).await {
        tracing::error!(error = %e, "HTTP server stopped");
    }
}
