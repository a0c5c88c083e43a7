//! The deployment and the local stack agree: same table, same routes.
use crate::helpers::TestApp;
use helpdesk::http::routes::ROUTES;
use helpdesk::store::keys::{Index, PK, SK, TTL};
use helpdesk::store::schema::{key_attributes, STREAM_VIEW_TYPE};
use serde_yaml::Value;
use std::collections::BTreeSet;

pub(crate) fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("template.yaml is readable"))
        .expect("template.yaml parses")
}

pub(crate) fn resources(t: &Value) -> impl Iterator<Item = (&str, &Value)> {
    t["Resources"].as_mapping().expect("Resources").iter().map(|(k, v)| (k.as_str().unwrap(), v))
}

fn key_pair(schema: &Value) -> (String, String) {
    let mut hash = String::new();
    let mut range = String::new();
    for el in schema.as_sequence().expect("KeySchema is a list") {
        let name = el["AttributeName"].as_str().unwrap().to_owned();
        match el["KeyType"].as_str().unwrap() {
            "HASH" => hash = name,
            "RANGE" => range = name,
            other => panic!("unexpected key type {other}"),
        }
    }
    (hash, range)
}

/// The table as the code defines it: (key attrs, primary key, indexes, stream view, ttl attr).
type TableShape =
    (BTreeSet<String>, (String, String), BTreeSet<(String, String, String, String)>, String, String);

fn expected_shape() -> TableShape {
    (
        key_attributes().into_iter().map(str::to_owned).collect(),
        (PK.to_owned(), SK.to_owned()),
        Index::ALL
            .iter()
            .map(|i| (i.name().to_owned(), i.pk().to_owned(), i.sk().to_owned(), "ALL".to_owned()))
            .collect(),
        STREAM_VIEW_TYPE.to_owned(),
        TTL.to_owned(),
    )
}

#[test]
fn template_declares_the_table_the_code_defines() {
    let t = template();
    let tables: Vec<_> = resources(&t).filter(|(_, r)| r["Type"] == "AWS::DynamoDB::Table").collect();
    assert_eq!(tables.len(), 1, "exactly one table");
    let p = &tables[0].1["Properties"];
    let attrs = p["AttributeDefinitions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(a["AttributeType"], "S");
            a["AttributeName"].as_str().unwrap().to_owned()
        })
        .collect();
    let indexes = p["GlobalSecondaryIndexes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|g| {
            let (h, r) = key_pair(&g["KeySchema"]);
            (
                g["IndexName"].as_str().unwrap().to_owned(),
                h,
                r,
                g["Projection"]["ProjectionType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let shape: TableShape = (
        attrs,
        key_pair(&p["KeySchema"]),
        indexes,
        p["StreamSpecification"]["StreamViewType"].as_str().unwrap().to_owned(),
        p["TimeToLiveSpecification"]["AttributeName"].as_str().unwrap().to_owned(),
    );
    assert_eq!(shape, expected_shape());
    assert_eq!(p["TimeToLiveSpecification"]["Enabled"], true);
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
}

#[tokio::test]
async fn local_stack_creates_the_table_the_code_defines() {
    let app = TestApp::spawn().await;
    let client = app.state.store.client();
    let table = client.describe_table().table_name(&app.table).send().await.unwrap().table.unwrap();
    let pair = |schema: &[aws_sdk_dynamodb::types::KeySchemaElement]| {
        let find = |kind: &str| {
            schema
                .iter()
                .find(|k| k.key_type().as_str() == kind)
                .map(|k| k.attribute_name().to_owned())
                .unwrap_or_default()
        };
        (find("HASH"), find("RANGE"))
    };
    let shape: TableShape = (
        table.attribute_definitions().iter().map(|a| a.attribute_name().to_owned()).collect(),
        pair(table.key_schema()),
        table
            .global_secondary_indexes()
            .iter()
            .map(|g| {
                let (h, r) = pair(g.key_schema());
                let projection = g
                    .projection()
                    .and_then(|p| p.projection_type())
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                (g.index_name().unwrap().to_owned(), h, r, projection)
            })
            .collect(),
        table
            .stream_specification()
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        client
            .describe_time_to_live()
            .table_name(&app.table)
            .send()
            .await
            .unwrap()
            .time_to_live_description()
            .and_then(|d| d.attribute_name())
            .unwrap_or_default()
            .to_owned(),
    );
    assert_eq!(shape, expected_shape());
}

/// (method, path, binary) of every HTTP-API-triggered function in the template.
fn template_routes() -> BTreeSet<(String, String, String)> {
    let t = template();
    let mut routes = BTreeSet::new();
    for (name, r) in resources(&t) {
        if r["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let binary = binary_of(name, r);
        for (_, event) in r["Properties"]["Events"].as_mapping().into_iter().flatten() {
            if event["Type"] == "HttpApi" {
                let p = &event["Properties"];
                routes.insert((
                    p["Method"].as_str().unwrap().to_owned(),
                    p["Path"].as_str().unwrap().to_owned(),
                    binary.to_owned(),
                ));
            }
        }
    }
    routes
}

/// The binary a function packages: its `CodeUri` is `target/lambda/<binary>/`, the folder that
/// the one `cargo lambda build` of `make build` writes `bootstrap` into (no per-function build
/// by SAM).
pub(crate) fn binary_of<'a>(name: &str, r: &'a Value) -> &'a str {
    assert!(r.get("Metadata").is_none(), "{name}: no SAM build metadata (make build compiles once)");
    r["Properties"]["CodeUri"]
        .as_str()
        .and_then(|c| c.strip_prefix("target/lambda/"))
        .and_then(|c| c.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{name} packages target/lambda/<binary>/"))
}

#[test]
fn template_routes_are_the_route_table() {
    let mut code: BTreeSet<_> =
        ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned(), r.function.to_owned())).collect();
    // The Zendesk API: each v2 route (and its `.json` twin) on its function.
    for r in helpdesk::http::zendesk::routes::V2_ROUTES {
        code.insert((r.method.to_owned(), r.path.to_owned(), r.function.to_owned()));
        if let Some(json) = helpdesk::http::zendesk::json_twin(r.path) {
            code.insert((r.method.to_owned(), json, r.function.to_owned()));
        }
    }
    assert_eq!(template_routes(), code);
}

#[test]
fn a_function_with_a_zendesk_twin_serves_it() {
    for r in helpdesk::http::zendesk::routes::V2_ROUTES {
        let main = std::fs::read_to_string(format!(
            "{}/../functions/{}/src/main.rs",
            env!("CARGO_MANIFEST_DIR"),
            r.function
        ))
        .unwrap();
        let serves = if ROUTES.iter().any(|n| n.function == r.function) { "serve_twin" } else { "serve_v2" };
        assert!(main.contains(serves), "{} serves {} {} with {serves}", r.function, r.method, r.path);
    }
}

/// Every function runs on tokio's current-thread runtime (docs/architecture.md: one invocation
/// at a time per execution environment, a fraction of a vCPU at 256 MB; worker threads would only
/// cost their start-up), a new one included.
#[test]
fn every_function_runs_on_the_current_thread_runtime() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let main = entry.unwrap().path().join("src/main.rs");
        let code = std::fs::read_to_string(&main).unwrap();
        assert!(
            code.contains("#[tokio::main(flavor = \"current_thread\")]"),
            "{} starts a multi-thread runtime",
            main.display()
        );
        checked += 1;
    }
    assert!(checked >= 130, "only {checked} functions found");
}

/// The SDK's default provider chain (aws-config: profile files, SSO, STS, IMDS...) is not a
/// dependency of the functions: they build their SDK configuration from the environment Lambda
/// sets, and the chain's code alone, never run, made every cold start about 45 page faults
/// slower. Only the tools in `infra/` use it.
#[test]
fn no_function_depends_on_the_sdk_default_provider_chain() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut manifests = vec![std::path::PathBuf::from(format!("{root}/shared/Cargo.toml"))];
    for entry in std::fs::read_dir(format!("{root}/functions")).unwrap() {
        manifests.push(entry.unwrap().path().join("Cargo.toml"));
    }
    assert!(manifests.len() > 130, "only {} manifests found", manifests.len());
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap();
        let deps = text.lines().map(|l| l.split(['=', '.', ' ']).next().unwrap_or("").trim());
        assert!(
            !deps.clone().any(|name| name == "aws-config"),
            "{} depends on aws-config",
            manifest.display()
        );
        assert!(
            deps.clone().any(|name| name == "helpdesk" || name == "aws-types"),
            "{} read",
            manifest.display()
        );
    }
}

#[test]
fn every_function_crate_is_a_route_binary() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let crates: BTreeSet<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    let t = template();
    let deployed: BTreeSet<String> = resources(&t)
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(name, r)| binary_of(name, r).to_owned())
        .collect();
    assert_eq!(deployed, crates, "every function crate is deployed, and nothing else");
    let http: BTreeSet<String> = ROUTES.iter().map(|r| r.function.to_owned()).collect();
    assert!(
        http.is_subset(&crates),
        "missing function crates: {:?}",
        http.difference(&crates).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn local_router_serves_exactly_the_route_table() {
    let app = TestApp::spawn().await;
    for r in ROUTES {
        let concrete = r
            .path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{user_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{macro_id}", "00000000-0000-0000-0000-000000000000");
        let res = app.call(r.method, &concrete, None, None).await;
        // Without a token every route answers 401, except those that need none (422 for an
        // empty body); an unrouted request gets the fallback's 404.
        let open = [
            "/auth/register",
            "/auth/login",
            "/auth/verify-email",
            "/auth/forgot-password",
            "/auth/reset-password",
        ];
        let expected = if open.contains(&r.path) { 422 } else { 401 };
        assert_eq!(res.status, expected, "{} {} is served locally: {res:?}", r.method, r.path);
    }
    for r in helpdesk::http::zendesk::routes::V2_ROUTES {
        let concrete = r.path.replace("{id}", "42").replace("{macro_id}", "7");
        let mut paths = vec![concrete.clone()];
        paths.extend(helpdesk::http::zendesk::json_twin(&concrete));
        for path in paths {
            let res = app.call(r.method, &path, None, None).await;
            assert_eq!(res.status, 401, "{} {path} is served locally: {res:?}", r.method);
            assert_eq!(res.body["error"], "Couldn't authenticate you", "Zendesk's 401 shape");
        }
    }
    assert_eq!(app.get("/nope", None).await.status, 404);
    assert_eq!(app.call("DELETE", "/auth/me", None, None).await.status, 405, "known path, other method");
}

/// Every action and resource of a function's inline policies, as (action, resource) pairs.
pub(crate) fn function_permissions(r: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for policy in r["Properties"]["Policies"].as_sequence().into_iter().flatten() {
        assert!(policy.get("Statement").is_some(), "only inline statements, no policy templates: {policy:?}");
        for st in policy["Statement"].as_sequence().unwrap() {
            assert_eq!(st["Effect"], "Allow");
            let as_list = |v: &Value| -> Vec<String> {
                match v {
                    Value::Sequence(items) => {
                        items.iter().map(|i| serde_yaml::to_string(i).unwrap().trim().to_owned()).collect()
                    }
                    other => vec![serde_yaml::to_string(other).unwrap().trim().to_owned()],
                }
            };
            for action in as_list(&st["Action"]) {
                for resource in as_list(&st["Resource"]) {
                    out.push((action.clone(), resource));
                }
            }
        }
    }
    out
}

#[test]
fn every_function_has_least_privilege() {
    let t = template();
    let get_routes: BTreeSet<&str> =
        ROUTES.iter().filter(|r| r.method == "GET").map(|r| r.function).collect();
    // Reads; plus UpdateItem, which a read route uses only to record the caller's presence.
    const READ_ROUTE_ACTIONS: [&str; 5] = [
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:UpdateItem",
        "s3:GetObject",
    ];
    // Read routes that also write, and why: the first `GET /views` (`GET /triggers`) of a desk
    // creates the default views (triggers, automations), one transaction, once; view counts keep their 60 s
    // cache.
    const READ_ROUTE_WRITES: [(&str, &str); 5] = [
        ("automations-list", "dynamodb:PutItem"),
        ("views-list", "dynamodb:PutItem"),
        ("triggers-list", "dynamodb:PutItem"),
        ("views-count", "dynamodb:PutItem"),
        ("views-count-many", "dynamodb:PutItem"),
    ];
    let mut checked = 0;
    for (name, r) in resources(&t).filter(|(_, r)| r["Type"] == "AWS::Serverless::Function") {
        let perms = function_permissions(r);
        assert!(!perms.is_empty(), "{name} declares its permissions");
        for (action, resource) in &perms {
            assert!(
                action != "*" && !action.ends_with(":*") && !action.contains('*'),
                "{name}: wildcard action {action}"
            );
            assert!(resource != "*" && resource != "'*'", "{name}: wildcard resource for {action}");
        }
        let binary = binary_of(name, r);
        if get_routes.contains(binary) {
            for (action, _) in &perms {
                assert!(
                    READ_ROUTE_ACTIONS.contains(&action.as_str())
                        || READ_ROUTE_WRITES.contains(&(binary, action.as_str())),
                    "{name} serves a GET route but may {action}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "checked {checked} functions");
}
