//! Webhooks (API.md part 2): where a desk may post, and how a receiver knows it was the desk.
//! Endpoints are https and never reach private, loopback, link-local or other non-public
//! addresses (the check runs on every address a name resolves to, when the webhook is saved and
//! again when each delivery connects); redirects are not followed. The local stack may also
//! post to `http://127.0.0.1:*`.
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr};

/// The longest endpoint URL.
pub const MAX_ENDPOINT_CHARS: usize = 2_000;

/// An endpoint: scheme, host and port (the path and query are kept as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub uri: http::Uri,
    pub host: String,
    pub port: u16,
    pub https: bool,
}

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Carrier-grade NAT (100.64.0.0/10), benchmarking (198.18.0.0/15), reserved (240/4).
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

/// True for every address a webhook must not reach.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_forbidden(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10),
                // documentation (2001:db8::/32), NAT64 (64:ff9b::/96) and IPv4-compatible.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                || (first == 0x0064 && v6.segments()[1] == 0xff9b)
                || v6.segments()[..6] == [0u16; 6]
        }
    }
}

/// Whether `ip` may be reached: public, or loopback when the local stack allows it.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    !forbidden(ip) || (allow_loopback && ip.is_loopback())
}

impl Endpoint {
    /// Parses an endpoint: `https://host[:port]/path`, or `http://127.0.0.1:<port>/...` when
    /// `allow_loopback` (the local stack). An IP literal is checked here; names are checked when
    /// resolved.
    pub fn parse(raw: &str, allow_loopback: bool) -> Result<Endpoint, &'static str> {
        const BAD: &str = "The endpoint must be an https URL of a public host.";
        if raw.chars().count() > MAX_ENDPOINT_CHARS || raw.chars().any(char::is_whitespace) {
            return Err(BAD);
        }
        let uri: http::Uri = raw.parse().map_err(|_| BAD)?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") if allow_loopback => false,
            _ => return Err(BAD),
        };
        let authority = uri.authority().ok_or(BAD)?;
        if authority.as_str().contains('@') {
            return Err("The endpoint may not carry credentials.");
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_lowercase();
        if host.is_empty() {
            return Err(BAD);
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        if let Ok(ip) = host.parse::<IpAddr>() {
            if !allowed(ip, allow_loopback) {
                return Err("The endpoint may not be a private, loopback or link-local address.");
            }
        }
        // Plain http only to a loopback address (the local stack).
        if !https && !host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
            return Err(BAD);
        }
        Ok(Endpoint { uri, host, port, https })
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the `X-Helpdesk-Signature` header.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_are_refused() {
        for bad in [
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/",
            "https://192.168.1.10/",
            "https://172.16.5.4/",
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "http://example.com/",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "example.com",
        ] {
            assert!(Endpoint::parse(bad, false).is_err(), "{bad}");
        }
        let ok = Endpoint::parse("https://hooks.example.com:8443/in?x=1", false).unwrap();
        assert_eq!((ok.host.as_str(), ok.port, ok.https), ("hooks.example.com", 8443, true));
        assert!(Endpoint::parse("https://93.184.216.34/", false).is_ok());
        // The local stack: loopback over http, nothing else private.
        assert!(Endpoint::parse("http://127.0.0.1:9999/hook", true).is_ok());
        assert!(Endpoint::parse("http://10.0.0.1:9999/hook", true).is_err());
        assert!(Endpoint::parse("http://example.com/hook", true).is_err());
    }

    #[test]
    fn signatures_are_hmac_of_time_and_body() {
        let s = signature("secret", 1_700_000_000, b"{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(s, signature("other", 1_700_000_000, b"{}"));
    }
}
