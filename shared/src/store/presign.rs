//! Presigned S3 URLs for the attachments bucket, signed here with the SDK's own SigV4 signer
//! (`aws-sigv4`) instead of through an S3 client.
//!
//! A presigned URL is a signature computed in the function: nothing is sent to S3. Building an
//! S3 client for it costs a cold start about 0.27 ms (its endpoint rules parse the SDK's
//! partition table, which every SDK crate carries and parses again), so the routes that only
//! hand out URLs (`POST /attachments`, `GET /attachments/{id}`,
//! `GET /tickets/{id}/original-mail`) sign with a [`Presigner`] and build no S3 client at all.
//! The URLs are the ones the S3 client's presigning makes, byte for byte (the tests below
//! compare them with the SDK's for every partition, FIPS and dual-stack endpoints and an
//! S3-compatible endpoint):
//! - on AWS, virtual-hosted (`https://<bucket>.s3.<region>.<partition's DNS suffix>/<key>`), or
//!   path-style on the regional endpoint when the bucket name is not a DNS label;
//! - with an endpoint URL (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, the local S3),
//!   path-style when its host is an IP address (as the SDK does), virtual-hosted otherwise.
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_types::SdkConfig;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::{Duration, SystemTime};

/// What S3 (and the SDK) leaves unescaped in a path segment or a query value.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// The same for an object key, whose `/` stay (it is one "greedy" path label).
const KEY: &AsciiSet = &UNRESERVED.remove(b'/');

/// Signs URLs for one bucket with the function's credentials.
#[derive(Debug, Clone)]
pub struct Presigner {
    bucket: String,
    region: String,
    /// Everything before the object key: `https://bucket.s3.eu-west-1.amazonaws.com/` or
    /// `http://127.0.0.1:4566/bucket/`.
    base: String,
    credentials: SharedCredentialsProvider,
}

/// A URL and the headers its request must carry exactly (a presigned PUT signs its
/// `content-type` and `content-length`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presigned {
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// What a presigned request does.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// `GetObject`, with the `Content-Type` and `Content-Disposition` S3 answers with.
    Get { content_type: &'a str, content_disposition: &'a str },
    /// `PutObject` of exactly this type and length.
    Put { content_type: &'a str, content_length: u64 },
    /// `GetObject` as stored.
    Read,
    /// `DeleteObject`.
    Delete,
}

impl Request<'_> {
    pub fn method(&self) -> http::Method {
        match self {
            Request::Put { .. } => http::Method::PUT,
            Request::Get { .. } | Request::Read => http::Method::GET,
            Request::Delete => http::Method::DELETE,
        }
    }

    /// The S3 operation's name (also the URL's `x-id`).
    pub fn operation(&self) -> &'static str {
        match self {
            Request::Put { .. } => "PutObject",
            Request::Get { .. } | Request::Read => "GetObject",
            Request::Delete => "DeleteObject",
        }
    }
}

/// Why a URL could not be signed (a configuration or credentials problem: a 500).
#[derive(Debug, thiserror::Error)]
pub enum PresignError {
    #[error("the S3 presigner needs {0}")]
    Setting(&'static str),
    #[error("the S3 endpoint URL {0:?} is not an absolute http(s) URL")]
    Endpoint(String),
    #[error("credentials for presigning: {0}")]
    Credentials(String),
    #[error("signing a presigned URL: {0}")]
    Signing(String),
}

impl Presigner {
    /// The presigner for `bucket` in the SDK configuration's region, with its credentials and
    /// endpoint settings (the same `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, FIPS and
    /// dual-stack settings an S3 client built from `sdk` would use).
    pub fn new(sdk: &SdkConfig, bucket: &str) -> Result<Self, PresignError> {
        let region = sdk.region().ok_or(PresignError::Setting("a region"))?.as_ref().to_owned();
        let credentials = sdk.credentials_provider().ok_or(PresignError::Setting("credentials"))?;
        let base = match s3_endpoint_url(sdk) {
            Some(endpoint) => custom_base(&endpoint, bucket)?,
            None => aws_base(
                &region,
                bucket,
                sdk.use_fips().unwrap_or(false),
                sdk.use_dual_stack().unwrap_or(false),
            ),
        };
        Ok(Self { bucket: bucket.to_owned(), region, base, credentials })
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// A URL for `key` valid for `ttl` from `now`.
    pub async fn presign(
        &self,
        key: &str,
        request: Request<'_>,
        now: SystemTime,
        ttl: Duration,
    ) -> Result<Presigned, PresignError> {
        // Whoever uses the URL acts with this function's role: it needs the permission.
        crate::telemetry::record(crate::telemetry::Access {
            action: format!("s3:{}", request.operation()),
            resource: Some(key.to_owned()),
        });
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| PresignError::Credentials(e.to_string()))?;
        let identity = credentials.into();
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(ttl);
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.session_token_mode = SessionTokenMode::Include;
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(now)
            .settings(settings)
            .build()
            .map_err(|e| PresignError::Signing(e.to_string()))?
            .into();

        let key = utf8_percent_encode(key, KEY).to_string();
        let url = format!("{}{key}?x-id={}", self.base, request.operation());
        let (url, headers) = match request {
            Request::Get { content_type, content_disposition } => (
                format!(
                    "{url}&response-content-disposition={}&response-content-type={}",
                    utf8_percent_encode(content_disposition, UNRESERVED),
                    utf8_percent_encode(content_type, UNRESERVED),
                ),
                Vec::new(),
            ),
            Request::Put { content_type, content_length } => (
                url,
                vec![
                    ("content-length".to_owned(), content_length.to_string()),
                    ("content-type".to_owned(), content_type.to_owned()),
                ],
            ),
            Request::Read | Request::Delete => (url, Vec::new()),
        };
        let method = request.method();
        let signable = SignableRequest::new(
            method.as_str(),
            &url,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::UnsignedPayload,
        )
        .map_err(|e| PresignError::Signing(e.to_string()))?;
        let (instructions, _signature) =
            sign(signable, &params).map_err(|e| PresignError::Signing(e.to_string()))?.into_parts();
        let mut request = http::Request::builder()
            .method(method)
            .uri(&url)
            .body(())
            .map_err(|e| PresignError::Signing(e.to_string()))?;
        instructions.apply_to_request_http1x(&mut request);
        Ok(Presigned { url: request.uri().to_string(), headers })
    }
}

/// The endpoint URL an S3 client built from `sdk` would be given: `AWS_ENDPOINT_URL_S3`, else
/// `AWS_ENDPOINT_URL` (as the generated `Config::from(&SdkConfig)` asks for it).
fn s3_endpoint_url(sdk: &SdkConfig) -> Option<String> {
    let key = aws_types::service_config::ServiceConfigKey::builder()
        .service_id("S3")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    sdk.service_config().and_then(|c| c.load_config(key)).or_else(|| sdk.endpoint_url().map(str::to_owned))
}

/// The SDK's `isVirtualHostableS3Bucket(bucket, false)`: a DNS label S3 can put in a host name.
fn virtual_hostable(bucket: &str) -> bool {
    let b = bucket.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// The DNS suffix of the partition `region` is in, by the SDK partition table's region patterns
/// (a region no pattern matches is in `aws`, as the SDK decides).
fn dns_suffix(region: &str) -> &'static str {
    let partitions: [(&str, &str); 7] = [
        ("cn-", "amazonaws.com.cn"),
        ("eusc-de-", "amazonaws.eu"),
        ("us-isob-", "sc2s.sgov.gov"),
        ("us-isof-", "csp.hci.ic.gov"),
        ("us-iso-", "c2s.ic.gov"),
        ("eu-isoe-", "cloud.adc-e.uk"),
        ("us-gov-", "amazonaws.com"),
    ];
    partitions.iter().find(|(prefix, _)| region.starts_with(prefix)).map_or("amazonaws.com", |(_, s)| s)
}

fn aws_base(region: &str, bucket: &str, fips: bool, dual_stack: bool) -> String {
    let service = if fips { "s3-fips" } else { "s3" };
    let stack = if dual_stack { ".dualstack" } else { "" };
    let host = format!("{service}{stack}.{region}.{}", dns_suffix(region));
    if virtual_hostable(bucket) {
        format!("https://{bucket}.{host}/")
    } else {
        format!("https://{host}/{}/", utf8_percent_encode(bucket, UNRESERVED))
    }
}

fn custom_base(endpoint: &str, bucket: &str) -> Result<String, PresignError> {
    let uri: http::Uri = endpoint.parse().map_err(|_| PresignError::Endpoint(endpoint.to_owned()))?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(PresignError::Endpoint(endpoint.to_owned()));
    };
    if scheme != "http" && scheme != "https" {
        return Err(PresignError::Endpoint(endpoint.to_owned()));
    }
    let path = uri.path().trim_end_matches('/');
    let host = authority.host();
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('[');
    if is_ip || !virtual_hostable(bucket) {
        Ok(format!("{scheme}://{authority}{path}/{}/", utf8_percent_encode(bucket, UNRESERVED)))
    } else {
        Ok(format!("{scheme}://{bucket}.{authority}{path}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::{Presigner, Request};
    use aws_sdk_s3::presigning::PresigningConfig;
    use std::time::{Duration, SystemTime};

    const KEY: &str = "attachments/0193/0194/Quarterly report (final) é+ü.pdf";
    const TYPE: &str = "application/pdf";
    const DISPOSITION: &str = "attachment; filename=\"report.pdf\"; filename*=UTF-8''r%C3%A9port.pdf";

    fn sdk(region: &str, endpoint: Option<&str>, fips: bool, dual_stack: bool) -> aws_types::SdkConfig {
        let mut env = vec![
            ("AWS_REGION".to_owned(), region.to_owned()),
            ("AWS_ACCESS_KEY_ID".to_owned(), "AKIDEXAMPLE".to_owned()),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned()),
            ("AWS_SESSION_TOKEN".to_owned(), "session/token+=".to_owned()),
            ("AWS_USE_FIPS_ENDPOINT".to_owned(), fips.to_string()),
            ("AWS_USE_DUALSTACK_ENDPOINT".to_owned(), dual_stack.to_string()),
        ];
        if let Some(e) = endpoint {
            env.push(("AWS_ENDPOINT_URL_S3".to_owned(), e.to_owned()));
        }
        crate::state::lambda_sdk_config(|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .expect("a Lambda environment")
    }

    /// The SDK's presigned URL and headers for the same request.
    async fn sdk_presigned(
        sdk: &aws_types::SdkConfig,
        bucket: &str,
        request: Request<'_>,
        now: SystemTime,
        ttl: Duration,
    ) -> super::Presigned {
        let s3 = aws_sdk_s3::Client::new(sdk);
        let config = PresigningConfig::builder().start_time(now).expires_in(ttl).build().unwrap();
        let presigned = match request {
            Request::Get { content_type, content_disposition } => s3
                .get_object()
                .bucket(bucket)
                .key(KEY)
                .response_content_type(content_type)
                .response_content_disposition(content_disposition)
                .presigned(config)
                .await
                .unwrap(),
            Request::Read => s3.get_object().bucket(bucket).key(KEY).presigned(config).await.unwrap(),
            Request::Delete => s3.delete_object().bucket(bucket).key(KEY).presigned(config).await.unwrap(),
            Request::Put { content_type, content_length } => s3
                .put_object()
                .bucket(bucket)
                .key(KEY)
                .content_type(content_type)
                .content_length(content_length as i64)
                .presigned(config)
                .await
                .unwrap(),
        };
        super::Presigned {
            url: presigned.uri().to_owned(),
            headers: presigned.headers().map(|(n, v)| (n.to_owned(), v.to_owned())).collect(),
        }
    }

    #[tokio::test]
    async fn urls_are_the_ones_the_s3_client_presigns() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_950_400);
        let ttl = Duration::from_secs(300);
        let requests = [
            Request::Get { content_type: TYPE, content_disposition: DISPOSITION },
            Request::Put { content_type: TYPE, content_length: 52_311 },
            Request::Read,
            Request::Delete,
        ];
        // (region, endpoint URL, FIPS, dual-stack, bucket): a region of every partition in the
        // SDK's table, the FIPS and dual-stack hosts, bucket names that are not DNS labels, and
        // S3-compatible endpoints by IP address (path-style) and by name.
        let cases: &[(&str, Option<&str>, bool, bool, &str)] = &[
            ("us-east-1", None, false, false, "helpdesk-attachments-1a2b3c"),
            ("eu-west-1", None, false, false, "helpdesk-attachments"),
            ("eu-west-1", None, true, false, "helpdesk-attachments"),
            ("eu-west-1", None, false, true, "helpdesk-attachments"),
            ("us-east-2", None, true, true, "helpdesk-attachments"),
            ("eu-west-1", None, false, false, "helpdesk.attachments"),
            ("eu-west-1", None, false, false, "Helpdesk_Attachments"),
            ("cn-north-1", None, false, false, "helpdesk-attachments"),
            ("us-gov-west-1", None, false, false, "helpdesk-attachments"),
            ("eusc-de-east-1", None, false, false, "helpdesk-attachments"),
            ("us-iso-east-1", None, false, false, "helpdesk-attachments"),
            ("us-isob-east-1", None, false, false, "helpdesk-attachments"),
            ("eu-isoe-west-1", None, false, false, "helpdesk-attachments"),
            ("us-isof-south-1", None, false, false, "helpdesk-attachments"),
            ("us-east-1", Some("http://127.0.0.1:4566"), false, false, "helpdesk-attachments"),
            ("us-east-1", Some("http://127.0.0.1:4566/"), false, false, "helpdesk-attachments"),
            ("eu-west-1", Some("https://s3.example.test:8443/storage"), false, false, "helpdesk-attachments"),
            ("eu-west-1", Some("https://s3.example.test"), false, false, "helpdesk.attachments"),
        ];
        for (region, endpoint, fips, dual_stack, bucket) in cases {
            let sdk = sdk(region, *endpoint, *fips, *dual_stack);
            let presigner = Presigner::new(&sdk, bucket).unwrap();
            for request in requests {
                let ours = presigner.presign(KEY, request, now, ttl).await.unwrap();
                let theirs = sdk_presigned(&sdk, bucket, request, now, ttl).await;
                assert_eq!(
                    ours, theirs,
                    "{region} {endpoint:?} fips={fips} dual-stack={dual_stack} {bucket}"
                );
            }
        }
    }

    #[test]
    fn an_endpoint_that_is_not_a_url_is_refused() {
        for endpoint in ["localhost:4566", "ftp://127.0.0.1", "not a url"] {
            let sdk = sdk("eu-west-1", Some(endpoint), false, false);
            assert!(Presigner::new(&sdk, "b-u-c").is_err(), "{endpoint}");
        }
    }
}
