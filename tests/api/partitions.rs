//! The partition files deployed beside every bootstrap (`infra/partitions/`, read through
//! `SMITHY_CLIENT_SDK_CUSTOM_PARTITION`): each client of a function resolves its endpoints
//! from the deployment's partition file as from the SDK's own table. The SDK loads its table
//! once per process, so each case runs in a child process of this test binary.
use aws_sdk_dynamodb::config::endpoint::{Params as DynamoDbParams, ResolveEndpoint as _};
use std::path::PathBuf;

const CHILD: &str = "HELPDESK_PARTITION_CHILD";

fn partition_file(id: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/partitions").join(format!("{id}.json"))
}

/// The URLs the DynamoDB, SES and SQS clients resolve for `region`, one per line.
fn resolved(region: &str) -> String {
    let show = |r: Result<aws_sdk_dynamodb::config::endpoint::Endpoint, _>| {
        r.map(|e| e.url().to_owned())
            .unwrap_or_else(|e: aws_sdk_dynamodb::error::BoxError| format!("error: {e}"))
    };
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let dynamodb = {
            let params = DynamoDbParams::builder().region(region).build().unwrap();
            show(aws_sdk_dynamodb::config::endpoint::DefaultResolver::new().resolve_endpoint(&params).await)
        };
        let ses = {
            use aws_sdk_sesv2::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
            let params = Params::builder().region(region).build().unwrap();
            show(DefaultResolver::new().resolve_endpoint(&params).await)
        };
        let sqs = {
            use aws_sdk_sqs::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
            let params = Params::builder().region(region).build().unwrap();
            show(DefaultResolver::new().resolve_endpoint(&params).await)
        };
        [dynamodb, ses, sqs].join("\n")
    })
}

/// Runs this test binary's `partitions::child` with the partition file of `partition`
/// (`None`: the SDK's own table) and returns what it printed for `region`.
fn in_child(partition: Option<&str>, region: &str) -> String {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "partitions::child", "--nocapture", "--test-threads", "1"]).env(CHILD, region);
    match partition {
        Some(id) => cmd.env("SMITHY_CLIENT_SDK_CUSTOM_PARTITION", partition_file(id)),
        None => cmd.env_remove("SMITHY_CLIENT_SDK_CUSTOM_PARTITION"),
    };
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "child failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    let start = text.find("<<").expect("the child's answer") + 2;
    text[start..text.find(">>").unwrap()].to_owned()
}

#[test]
fn child() {
    if let Ok(region) = std::env::var(CHILD) {
        println!("<<{}>>", resolved(&region));
    }
}

#[test]
fn each_partition_file_resolves_its_regions_as_the_sdk_s_table_does() {
    for (partition, region) in [
        ("aws", "us-east-1"),
        ("aws", "eu-central-2"),
        ("aws-cn", "cn-north-1"),
        ("aws-us-gov", "us-gov-west-1"),
        ("aws-iso", "us-iso-east-1"),
        ("aws-eusc", "eusc-de-east-1"),
    ] {
        let expected = in_child(None, region);
        assert!(!expected.contains("error"), "{region}: {expected}");
        assert_eq!(in_child(Some(partition), region), expected, "{partition} {region}");
    }
    // The file is what the clients read: with the commercial partition's file alone, a China
    // region resolves as a commercial one (the SDK's table says amazonaws.com.cn).
    let china = in_child(Some("aws"), "cn-north-1");
    assert!(china.starts_with("https://dynamodb.cn-north-1.amazonaws.com\n"), "{china}");
    assert!(in_child(None, "cn-north-1").starts_with("https://dynamodb.cn-north-1.amazonaws.com.cn\n"));
}
