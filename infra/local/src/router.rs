//! The local stack's HTTP router: every route of the table (the same axum handlers the Lambdas
//! run), plus `GET /_local/mail`.
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use helpdesk::AppState;
use std::sync::Arc;

/// Every route, and with `mail_sink` (moto's endpoint) the local mail page.
pub fn router(state: Arc<AppState>, mail_sink: Option<String>) -> axum::Router {
    let router = helpdesk::http::router(state);
    match mail_sink {
        Some(endpoint) => router.route(
            "/_local/mail",
            get(move |headers: http::HeaderMap| async move {
                let accept = headers.get(http::header::ACCEPT).and_then(|a| a.to_str().ok());
                mail_page(&endpoint, accept).await
            }),
        ),
        None => router,
    }
}

/// `GET /_local/mail` (local stack only): the mail SES accepted, newest first, as JSON
/// (`Accept: application/json`) or as a page to read in a browser.
pub async fn mail_page(moto_endpoint: &str, accept: Option<&str>) -> Response {
    let mails = match crate::moto::sent_mail(moto_endpoint).await {
        Ok(m) => m,
        Err(e) => return helpdesk::ApiError::internal(e).into_response(),
    };
    if accept.is_some_and(|a| a.contains("application/json")) {
        return helpdesk::http::ok(&mails);
    }
    let esc = helpdesk::mail::render::escape_html;
    let mut page = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Local mail</title>\
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}article{border:1px solid #ccc;margin:1rem 0;padding:1rem}\
iframe{width:100%;height:14rem;border:1px solid #eee}</style></head><body><h1>Mail sent by the local stack</h1>",
    );
    if mails.is_empty() {
        page.push_str("<p>No mail yet.</p>");
    }
    for m in &mails {
        let field = |k: &str| esc(m[k].as_str().unwrap_or_default());
        page.push_str(&format!(
            "<article><h2>{}</h2><p><b>To</b> {} · <b>From</b> {} · <b>Reply-To</b> {} · {}</p>\
<iframe sandbox srcdoc=\"{}\"></iframe><details><summary>Plain text</summary><pre>{}</pre></details></article>",
            field("subject"),
            field("to"),
            field("from"),
            field("reply_to"),
            field("sent_at"),
            field("html"),
            field("text"),
        ));
    }
    page.push_str("</body></html>");
    ([(http::header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}
