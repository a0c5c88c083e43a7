//! Matches a request against the route table and calls the route's handler with the request
//! shaped as API Gateway (HTTP API, payload 2.0) would hand it to the Lambda.
use helpdesk::routes::{Handler, ROUTES};
use helpdesk::AppState;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::{Body, Request, RequestExt, Response};
use std::collections::HashMap;

/// The route for a method and path, with its path parameters.
pub fn match_route(method: &str, path: &str) -> Option<(Handler, HashMap<String, String>)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ROUTES.iter().filter(|r| r.method == method).find_map(|route| {
        let pattern: Vec<&str> = route.path.split('/').collect();
        if pattern.len() != segments.len() {
            return None;
        }
        let mut params = HashMap::new();
        for (p, s) in pattern.iter().zip(&segments) {
            if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                if s.is_empty() {
                    return None;
                }
                params.insert(name.to_owned(), (*s).to_owned());
            } else if p != s {
                return None;
            }
        }
        Some((route.handler, params))
    })
}

/// Serves one request the way API Gateway and the route's Lambda would.
pub async fn dispatch(state: &AppState, req: http::Request<Body>) -> Response<Body> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let Some((handler, params)) = match_route(&method, &path) else {
        return helpdesk::ApiError::NotFound.into_response();
    };
    let query: QueryMap = req.uri().query().unwrap_or("").parse().unwrap_or_default();
    let req: Request = req
        .with_path_parameters(QueryMap::from(params))
        .with_query_string_parameters(query)
        .with_raw_http_path(path);
    handler.handle(state, req).await
}

/// `GET /_local/mail` (local stack only): the mail SES accepted, newest first, as JSON
/// (`Accept: application/json`) or as a page to read in a browser.
pub async fn mail_sink(moto_endpoint: &str, accept: Option<&str>) -> Response<Body> {
    let mails = match crate::moto::sent_mail(moto_endpoint).await {
        Ok(m) => m,
        Err(e) => return helpdesk::ApiError::internal(e).into_response(),
    };
    if accept.is_some_and(|a| a.contains("application/json")) {
        return helpdesk::web::ok(&mails);
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
    Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::Text(page))
        .expect("static parts build")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_every_route_and_nothing_else() {
        for r in ROUTES {
            let concrete = r.path.replace("{id}", "abc");
            let (h, params) = match_route(r.method, &concrete).expect("route matches");
            assert_eq!(h, r.handler);
            if r.path.contains("{id}") {
                assert_eq!(params["id"], "abc");
            }
        }
        assert!(match_route("GET", "/nope").is_none());
        assert!(match_route("DELETE", "/auth/me").is_none());
    }
}
