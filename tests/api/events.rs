//! The sample events in events/ (used by `cargo lambda invoke --data-file` and
//! `sam local invoke -e`) are real API Gateway payloads that the handlers answer as expected.
use crate::helpers::TestApp;
use helpdesk::routes::ROUTES;
use std::path::PathBuf;

fn events_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../events"))
}

/// The status each sample event must produce against a fresh table.
const EXPECTED: &[(&str, u16)] = &[
    ("auth-register-ok", 201),
    ("auth-register-invalid", 422),
    ("auth-login-bad-credentials", 401),
    ("auth-logout-no-token", 401),
    ("auth-me-no-token", 401),
    ("auth-me-garbage-token", 401),
    ("auth-update-me-no-token", 401),
    ("users-list-no-token", 401),
    ("users-agents-no-token", 401),
    ("users-show-no-token", 401),
    ("users-assign-no-token", 401),
    ("orgs-list-no-token", 401),
    ("orgs-create-no-token", 401),
    ("orgs-show-no-token", 401),
    ("orgs-update-no-token", 401),
    ("tickets-list-no-token", 401),
    ("tickets-create-no-token", 401),
    ("tickets-show-no-token", 401),
    ("tickets-update-no-token", 401),
    ("tickets-delete-no-token", 401),
    ("tickets-assign-no-token", 401),
    ("tickets-status-no-token", 401),
    ("tickets-viewers-no-token", 401),
    ("tickets-view-no-token", 401),
    ("comments-list-no-token", 401),
    ("comments-create-no-token", 401),
];

#[tokio::test]
async fn sample_events_get_the_expected_answers() {
    let app = TestApp::spawn().await;
    for (name, status) in EXPECTED {
        let raw = std::fs::read_to_string(events_dir().join(format!("{name}.json"))).unwrap();
        let route = ROUTES
            .iter()
            .filter(|r| name.starts_with(&format!("{}-", r.function)))
            .max_by_key(|r| r.function.len())
            .unwrap_or_else(|| panic!("{name} names no function"));
        let event: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(event["routeKey"], format!("{} {}", route.method, route.path), "{name}");
        let req = lambda_http::request::from_str(&raw)
            .unwrap_or_else(|e| panic!("{name} is an API Gateway event: {e}"));
        let res = route.handler.handle(&app.state, req).await;
        assert_eq!(res.status().as_u16(), *status, "{name}: {:?}", res.body());
    }
}

#[test]
fn every_function_has_a_sample_event_and_every_event_is_checked() {
    let files: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for r in ROUTES {
        assert!(
            files.iter().any(|f| f.starts_with(&format!("{}-", r.function))),
            "no sample event for {}",
            r.function
        );
    }
    for f in &files {
        let stem = f.trim_end_matches(".json");
        assert!(EXPECTED.iter().any(|(n, _)| *n == stem), "{f} is not exercised by a test");
    }
}
