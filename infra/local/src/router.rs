//! The local stack's HTTP router: every route of the table (the same axum handlers the Lambdas
//! run), plus `GET /_local/mail` (sent and received mail) and `GET /_local/mail/received`.
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use helpdesk::AppState;
use std::sync::Arc;

/// Every route, and with `mail_sink` (moto's endpoint) the local mail page.
pub fn router(state: Arc<AppState>, mail_sink: Option<String>) -> axum::Router {
    let router = helpdesk::http::router(state.clone());
    match mail_sink {
        Some(endpoint) => {
            let received_state = state.clone();
            router
                .route(
                    "/_local/mail",
                    get(move |headers: http::HeaderMap| {
                        let state = state.clone();
                        async move {
                            let accept = headers.get(http::header::ACCEPT).and_then(|a| a.to_str().ok());
                            mail_page(&endpoint, &state, accept).await
                        }
                    }),
                )
                .route(
                    "/_local/mail/received",
                    get(move || {
                        let state = received_state.clone();
                        async move {
                            match received(&state).await {
                                Ok(r) => helpdesk::http::ok(&r),
                                Err(e) => helpdesk::ApiError::internal(e).into_response(),
                            }
                        }
                    }),
                )
        }
        None => router,
    }
}

/// The messages the SMTP listener received (kept under `inbound/` in the local bucket), newest
/// first: key, sender, subject and text, as the desk parsed them.
pub async fn received(state: &AppState) -> Result<Vec<serde_json::Value>, helpdesk::BoxError> {
    let (s3, bucket) = state.attachments().map_err(|e| format!("{e:?}"))?;
    let listed =
        s3.list_objects_v2().bucket(bucket).prefix(helpdesk::consumers::mail_inbound::PREFIX).send().await?;
    let mut keys: Vec<String> = listed.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
    keys.sort();
    keys.reverse();
    let mut out = Vec::new();
    for key in keys.into_iter().take(50) {
        let object = s3.get_object().bucket(bucket).key(&key).send().await?;
        let bytes = object.body.collect().await.map_err(|e| e.to_string())?.into_bytes();
        let parsed = helpdesk::mail::inbound::parse(&bytes);
        out.push(serde_json::json!({
            "key": key,
            "from": parsed.as_ref().map(|m| m.from.clone()),
            "to": parsed.as_ref().map(|m| m.to.clone()),
            "subject": parsed.as_ref().map(|m| m.subject.clone()),
            "text": parsed.as_ref().map(|m| m.text.clone()),
        }));
    }
    Ok(out)
}

/// `GET /_local/mail` (local stack only): the mail SES accepted, newest first, as JSON
/// (`Accept: application/json`) or as a page to read in a browser.
pub async fn mail_page(moto_endpoint: &str, state: &AppState, accept: Option<&str>) -> Response {
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
    page.push_str("<h1>Mail received (SMTP on the local listener)</h1>");
    match received(state).await {
        Ok(list) if list.is_empty() => page.push_str("<p>No mail received yet.</p>"),
        Ok(list) => {
            for m in &list {
                let field = |k: &str| esc(m[k].as_str().unwrap_or_default());
                page.push_str(&format!(
                    "<article><h2>{}</h2><p><b>From</b> {} · <code>{}</code></p><pre>{}</pre></article>",
                    field("subject"),
                    field("from"),
                    field("key"),
                    field("text"),
                ));
            }
        }
        Err(e) => page.push_str(&format!("<p>Could not list received mail: {}</p>", esc(&e.to_string()))),
    }
    page.push_str("</body></html>");
    ([(http::header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}
