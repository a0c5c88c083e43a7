//! Every request the tests make is checked against the IAM policy template.yaml gives the
//! function that serves it: the DynamoDB calls the request made (each call's action, and the
//! index a Query or Scan read; each item's action in a transaction) must be allowed, or the
//! function would fail with AccessDenied once deployed. [`check`] runs inside
//! `TestApp::send`, and [`checked`] around the stream and queue consumers the tests run, so
//! the whole suite is the check; the test below shows it catches a missing permission.
use helpdesk::http::log::Served;
use helpdesk::telemetry::DynamoDbAccess;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

type Policies = HashMap<String, BTreeSet<(String, String)>>;

/// Each function's (action, resource) pairs, by binary name.
fn policies() -> &'static Policies {
    static POLICIES: OnceLock<Policies> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let t = crate::stack::template();
        crate::stack::resources(&t)
            .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
            .map(|(name, r)| {
                (
                    crate::stack::binary_of(name, r).to_owned(),
                    crate::stack::function_permissions(r).into_iter().collect(),
                )
            })
            .collect()
    })
}

/// The resource a permission names in template.yaml: the table, or one of its indexes.
fn resource(access: &DynamoDbAccess) -> String {
    match &access.index {
        None => "!GetAtt Table.Arn".to_owned(),
        Some(index) => format!("!Sub ${{Table.Arn}}/index/{index}"),
    }
}

/// What `served` needed that its function's policy does not allow.
fn missing(served: &Served, policies: &Policies) -> Vec<String> {
    let Some(allowed) = policies.get(served.function) else {
        return vec![format!("no function {} in template.yaml", served.function)];
    };
    served
        .dynamodb
        .iter()
        .filter(|a| !allowed.contains(&(a.action.clone(), resource(a))))
        .map(|a| format!("{} on {}", a.action, resource(a)))
        .collect()
}

/// Runs a consumer's work (`function`'s handler) and panics when its calls need what the
/// function's policy does not allow.
pub async fn checked<F: std::future::Future>(function: &'static str, work: F) -> F::Output {
    let (out, metrics) = helpdesk::telemetry::measured(work).await;
    check(&Served { function, dynamodb: metrics.dynamodb_access() }, "consumer", function);
    out
}

/// Panics when the function that served a request may not make the calls it made.
pub fn check(served: &Served, method: &str, path: &str) {
    if served.function.is_empty() {
        return; // no route: nothing was called
    }
    let missing = missing(served, policies());
    assert!(
        missing.is_empty(),
        "{method} {path}: function {} needs {missing:?}, which its policy in template.yaml does not allow",
        served.function
    );
}

#[test]
fn a_call_the_policy_does_not_allow_is_caught() {
    let get = |index: Option<&str>| DynamoDbAccess {
        action: "dynamodb:Query".into(),
        index: index.map(str::to_owned),
    };
    let policies: Policies = HashMap::from([(
        "tickets-show".to_owned(),
        BTreeSet::from([("dynamodb:Query".to_owned(), "!Sub ${Table.Arn}/index/GSI1".to_owned())]),
    )]);
    let served = |access| Served { function: "tickets-show", dynamodb: vec![access] };
    assert!(missing(&served(get(Some("GSI1"))), &policies).is_empty());
    assert_eq!(
        missing(&served(get(Some("GSI2"))), &policies),
        ["dynamodb:Query on !Sub ${Table.Arn}/index/GSI2"]
    );
    assert_eq!(missing(&served(get(None)), &policies), ["dynamodb:Query on !GetAtt Table.Arn"]);
    let elsewhere = Served { function: "nope", dynamodb: vec![] };
    assert_eq!(missing(&elsewhere, &policies).len(), 1);
}

#[tokio::test]
async fn requests_record_the_permissions_their_calls_needed() {
    use tower::ServiceExt;
    let app = crate::helpers::TestApp::spawn().await;
    let customer = app.customer().await;
    let made = app.ticket(&customer.token, "Printer").await;
    let req = http::Request::builder()
        .uri(format!("/tickets/{}", made["id"].as_str().unwrap()))
        .header("authorization", format!("Bearer {}", customer.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = helpdesk_local::router::router(app.state.clone(), None).oneshot(req).await.unwrap();
    let served = res.extensions().get::<Served>().expect("the request log says who served it").clone();
    assert_eq!(served.function, "tickets-show");
    assert!(
        served.dynamodb.iter().any(|a| a.action == "dynamodb:BatchGetItem" || a.action == "dynamodb:GetItem"),
        "{served:?}"
    );
    // And the template allows them (what `TestApp::send` checks on every request).
    check(&served, "GET", "/tickets/{id}");
}
