//! Timestamps as the API shows them: RFC 3339, UTC, millisecond precision, `Z` suffix.
use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};

const RFC3339_MILLIS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Exponential backoff with full jitter: uniformly random in `[0, min(cap, base·2^attempt))`,
/// so callers that failed together spread out instead of colliding again in lockstep.
pub fn backoff(base: std::time::Duration, cap: std::time::Duration, attempt: u32) -> std::time::Duration {
    let ceiling = base.saturating_mul(1 << attempt.min(10)).min(cap);
    let mut raw = [0u8; 4];
    let fraction = match getrandom::fill(&mut raw) {
        Ok(()) => f64::from(u32::from_le_bytes(raw)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    };
    ceiling.mul_f64(fraction)
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

/// A moment as the API shows it: serialises as [`format`] does, and documents itself in the
/// OpenAPI document as `string`, `date-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// Now, to the millisecond (the precision the API and the store keep, so a value compares
    /// equal to itself after a round trip).
    pub fn now() -> Self {
        let t = now();
        Timestamp(t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap_or(t))
    }

    /// A timestamp this service stored (always [`format`]'s shape). A value that does not parse
    /// is a corrupted item: it shows as the Unix epoch and is logged, rather than failing a page.
    pub fn stored(s: &str) -> Self {
        match parse(s) {
            Some(t) => Timestamp(t),
            None => {
                tracing::warn!(value = %s, "stored timestamp does not parse");
                Timestamp(OffsetDateTime::UNIX_EPOCH)
            }
        }
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format(self.0))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map(Timestamp).ok_or_else(|| serde::de::Error::custom("not an RFC 3339 timestamp"))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("RFC 3339, UTC, milliseconds, `Z`"))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

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
        let ts = Timestamp::stored("2026-11-26T15:04:05.123Z");
        assert_eq!(serde_json::to_value(ts).unwrap(), "2026-11-26T15:04:05.123Z");
        assert_eq!(Timestamp::stored("garbage").0, OffsetDateTime::UNIX_EPOCH);
    }
}
