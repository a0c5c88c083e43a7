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
