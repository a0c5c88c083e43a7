//! Objects of the attachments bucket read, written and deleted by presigned URL, for the
//! consumers that touch objects on every invocation: received mail (`mail-inbound` reads each
//! message SES stored and writes its files as attachments) and the attachment cleaner (deletes
//! the object of every attachment item that leaves the table).
//!
//! Why not the S3 client: building one costs a cold start about 0.27 ms (its endpoint rules
//! parse the SDK's partition table again, after the DynamoDB client's copy), which put those
//! functions' starts at 1.4–1.55× hello world against a target of 1.5×. A GetObject, PutObject
//! or DeleteObject is one signed HTTP request: the [`Presigner`] signs it (the SDK's own SigV4
//! signer, URLs byte-identical to the S3 client's) and [`Direct`] sends it over the SDK's TLS
//! configuration and connector. Retries are the SDK's standard mode in miniature: three
//! attempts, exponential backoff with full jitter, for what S3's own guidance calls transient
//! (5xx, 429, a connection that broke off, a timeout). The HEAD checks of `comments-create` go
//! through the S3 client.
use super::presign::{Presigner, Request};
use crate::aws_http::{Direct, DirectError};
use aws_smithy_types::body::SdkBody;
use hyper::body::Bytes;
use std::time::Duration;

/// Attempts per request (the SDK's standard retry mode makes 3).
const ATTEMPTS: u32 = 3;
/// Backoff base ([`crate::clock::backoff`]): the first retry waits up to 200 ms, the second up
/// to 400 ms.
const BASE_BACKOFF: Duration = Duration::from_millis(100);
/// How long a presigned URL made for one request stays valid.
const URL_TTL: Duration = Duration::from_secs(60);
/// How long reading a response body (a stored message, at most 40 MB from SES) may take.
const BODY_LIMIT: Duration = Duration::from_secs(10);

/// Reads and writes objects of one bucket.
#[derive(Debug, Clone)]
pub struct Objects {
    presigner: Presigner,
    http: Direct,
}

/// Why a read or write failed, after its retries.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("s3://{bucket}/{key} does not exist")]
    NotFound { bucket: String, key: String },
    #[error("S3 answered {status} to {operation} s3://{bucket}/{key}: {body}")]
    Refused { operation: &'static str, bucket: String, key: String, status: u16, body: String },
    #[error("{operation} s3://{bucket}/{key}: {source}")]
    Transport { operation: &'static str, bucket: String, key: String, source: DirectError },
    #[error(transparent)]
    Presign(#[from] super::presign::PresignError),
}

impl Objects {
    pub fn new(presigner: Presigner, http: Direct) -> Self {
        Self { presigner, http }
    }

    /// The bytes of `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, ObjectError> {
        let response = self.send(key, Request::Read, SdkBody::empty).await?;
        Ok(response.into_body())
    }

    /// Stores `bytes` as `key` with this content type.
    pub async fn put(&self, key: &str, content_type: &str, bytes: Bytes) -> Result<(), ObjectError> {
        let request = Request::Put { content_type, content_length: bytes.len() as u64 };
        self.send(key, request, || SdkBody::from(bytes.clone())).await?;
        Ok(())
    }

    /// Deletes `key`. Deleting an object that is not there succeeds (as S3's DeleteObject does),
    /// so a retried delete is harmless.
    pub async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        match self.send(key, Request::Delete, SdkBody::empty).await {
            Ok(_) | Err(ObjectError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn send(
        &self,
        key: &str,
        request: Request<'_>,
        body: impl Fn() -> SdkBody,
    ) -> Result<http::Response<Bytes>, ObjectError> {
        let operation = request.operation();
        let mut attempt = 1;
        loop {
            let presigned =
                self.presigner.presign(key, request, std::time::SystemTime::now(), URL_TTL).await?;
            let mut builder = http::Request::builder().method(request.method()).uri(&presigned.url);
            for (name, value) in &presigned.headers {
                builder = builder.header(name, value);
            }
            let http_request = builder.body(body()).map_err(|e| ObjectError::Transport {
                operation,
                bucket: self.presigner.bucket().to_owned(),
                key: key.to_owned(),
                source: DirectError { message: e.to_string(), transient: false },
            })?;
            let outcome = self.http.send(http_request, BODY_LIMIT).await;
            let retry = match &outcome {
                Ok(r) => r.status().is_server_error() || r.status() == http::StatusCode::TOO_MANY_REQUESTS,
                Err(e) => e.transient,
            };
            if retry && attempt < ATTEMPTS {
                tokio::time::sleep(crate::clock::backoff(BASE_BACKOFF, BASE_BACKOFF * 4, attempt)).await;
                attempt += 1;
                continue;
            }
            let bucket = self.presigner.bucket().to_owned();
            let key = key.to_owned();
            return match outcome {
                Ok(r) if r.status().is_success() => Ok(r),
                Ok(r) if r.status() == http::StatusCode::NOT_FOUND => {
                    Err(ObjectError::NotFound { bucket, key })
                }
                Ok(r) => Err(ObjectError::Refused {
                    operation,
                    bucket,
                    key,
                    status: r.status().as_u16(),
                    body: String::from_utf8_lossy(&r.body()[..r.body().len().min(512)]).into_owned(),
                }),
                Err(source) => Err(ObjectError::Transport { operation, bucket, key, source }),
            };
        }
    }
}
