//! Timestamps as the API shows them: RFC 3339, UTC, millisecond precision, `Z` suffix.
use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};

const RFC3339_MILLIS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Formats a moment in the API's timestamp shape. Sorts lexicographically in time order.
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(RFC3339_MILLIS)
        .expect("a UTC date within years 0..9999 always formats")
}

/// Parses a timestamp this service wrote earlier.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_with_millis_and_z() {
        let t = datetime!(2026-11-26 15:04:05.123456 UTC);
        assert_eq!(format(t), "2026-11-26T15:04:05.123Z");
        assert_eq!(
            parse("2026-11-26T15:04:05.123Z").map(format).as_deref(),
            Some("2026-11-26T15:04:05.123Z")
        );
    }
}
