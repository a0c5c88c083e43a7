//! Attachments: what a file may be called and how big it may be, and the metadata we keep.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Default upload limit (25 MiB); `MAX_ATTACHMENT_BYTES` changes it.
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;
pub const MAX_FILENAME_CHARS: usize = 255;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// Set when a comment links the upload; `None` while pending.
    pub comment_id: Option<Uuid>,
    /// The name as the user gave it, for display and downloads.
    pub filename: String,
    pub file_size: u64,
    pub mime_type: String,
    pub uploaded_by: Uuid,
    pub created_at: crate::clock::Timestamp,
    /// Where the bytes live in the bucket (derived from a sanitised name, never the raw one).
    pub object_key: String,
}

/// A display filename: no path separators, no control characters, not `.`/`..`, ≤ 255 chars.
pub fn parse_filename(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("The filename field is required.");
    }
    if name.chars().count() > MAX_FILENAME_CHARS {
        return Err("The filename field must not be greater than 255 characters.");
    }
    if name.contains(['/', '\\']) || name.chars().any(char::is_control) || name == "." || name == ".." {
        return Err("The filename must not contain path separators or control characters.");
    }
    if super::has_deceptive_chars(name) {
        return Err("The filename must not contain invisible or text-direction characters.");
    }
    Ok(name.to_owned())
}

/// The name used in the object key: ASCII letters, digits, `.`, `-`, `_` only, at most 100.
pub fn storage_name(filename: &str) -> String {
    let mut out = String::new();
    for c in filename.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let trimmed: String = out.trim_matches(['.', '_']).chars().take(100).collect();
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed
    }
}

/// A MIME type `type/subtype` (parameters not allowed), lowercased.
pub fn parse_mime_type(raw: &str) -> Result<String, &'static str> {
    let m = raw.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match m.split_once('/') {
        Some((t, s)) if token(t) && token(s) => Ok(m),
        _ => Err("The mime type field must be a valid MIME type (type/subtype)."),
    }
}

/// `Content-Disposition: attachment` carrying the original name (RFC 6266 / 5987).
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames() {
        assert_eq!(parse_filename(" report.pdf ").unwrap(), "report.pdf");
        for bad in ["", "../etc/passwd", "a\\b", "a\nb", "..", &"x".repeat(256)] {
            assert!(parse_filename(bad).is_err(), "{bad:?}");
        }
        assert_eq!(storage_name("Résumé 2026 (final).pdf"), "R_sum_2026_final_.pdf");
        assert_eq!(storage_name("..."), "file");
    }

    #[test]
    fn mime_types_and_disposition() {
        assert_eq!(parse_mime_type("Image/PNG").unwrap(), "image/png");
        for bad in ["png", "image/", "text/html; charset=utf-8", "a b/c"] {
            assert!(parse_mime_type(bad).is_err(), "{bad}");
        }
        assert_eq!(
            content_disposition("naïve \"x\".txt"),
            "attachment; filename=\"na_ve _x_.txt\"; filename*=UTF-8''na%C3%AFve%20%22x%22.txt"
        );
    }
}
