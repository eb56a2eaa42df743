//! RFC 3339 date-times for the signed list's `issued_at`: written in UTC with `Z`, read with
//! any offset, held as Unix seconds.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{Error, Result};

/// `unix` as "2021-06-01T12:00:00Z".
pub(crate) fn format(unix: i64) -> Result<String> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .ok_or(Error::TimeOutOfRange(unix))
}

/// An RFC 3339 date-time as Unix seconds (fractions dropped); the error says why not.
pub(crate) fn parse(text: &str) -> Result<i64, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(OffsetDateTime::unix_timestamp)
        .map_err(|e| {
            format!(
                "is not an RFC 3339 date-time: {} ({e})",
                crate::encoding::quote(text)
            )
        })
}

/// For messages: the RFC 3339 form, or the bare number when out of range.
pub(crate) fn show(unix: i64) -> String {
    format(unix).unwrap_or_else(|_| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_utc() {
        assert_eq!(format(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(format(1_622_548_800).unwrap(), "2021-06-01T12:00:00Z");
        assert_eq!(parse("2021-06-01T12:00:00Z"), Ok(1_622_548_800));
        assert_eq!(parse("2021-06-01T14:00:00+02:00"), Ok(1_622_548_800));
        assert_eq!(parse("2021-06-01T12:00:00.75Z"), Ok(1_622_548_800));
        assert!(parse("2021-06-01").is_err());
        assert!(parse("").is_err());
        assert_eq!(format(i64::MAX), Err(Error::TimeOutOfRange(i64::MAX)));
    }
}
