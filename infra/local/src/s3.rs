//! The local S3: s3s-fs (a real S3 protocol implementation over a folder) served in-process,
//! with SigV4 checked, so presigned URLs behave as in AWS: a tampered or expired URL is refused.
use helpdesk::BoxError;
use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use std::path::Path;
use tokio::net::TcpListener;

/// Fixed local-only credentials (the local S3 accepts nothing else). Not secrets: they guard a
/// folder on loopback. Letters only, as DynamoDB Local requires of an access key id, so one
/// set of credentials can serve every local service, as an execution role's do in Lambda.
pub const ACCESS_KEY: &str = "helpdesklocal";
pub const SECRET_KEY: &str = "helpdesk-local-secret";
pub const DEFAULT_BUCKET: &str = "helpdesk-attachments";

/// Serves the S3 API for the buckets (sub-folders) of `root` until the task is dropped.
pub async fn serve(
    listener: TcpListener,
    root: &Path,
) -> Result<impl std::future::Future<Output = ()>, BoxError> {
    std::fs::create_dir_all(root)?;
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| format!("s3s-fs on {}: {e:?}", root.display()))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    Ok(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// The bucket is a folder of the store's root.
pub fn ensure_bucket(root: &Path, bucket: &str) -> Result<(), BoxError> {
    std::fs::create_dir_all(root.join(bucket))?;
    Ok(())
}

/// Presigned URLs for `bucket` on the local S3 (path-style: its endpoint is an IP address).
pub fn presigner(endpoint: &str, bucket: &str) -> helpdesk::store::presign::Presigner {
    let sdk = crate::sdk::config_with(endpoint, ACCESS_KEY, SECRET_KEY);
    helpdesk::store::presign::Presigner::new(&sdk, bucket).expect("the local S3 endpoint is an http URL")
}

/// A client for the local S3: path-style addressing (`*.localhost` does not resolve here). Its
/// calls are recorded as a deployed function's are (`telemetry::RecordAccess`).
pub fn client(endpoint: &str) -> aws_sdk_s3::Client {
    let sdk = crate::sdk::config_with(endpoint, ACCESS_KEY, SECRET_KEY);
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .interceptor(helpdesk::telemetry::RecordAccess)
            .build(),
    )
}
