//! The one place the CLI reads the wall clock; everything below takes the instant as an argument.

use time::OffsetDateTime;

/// Now, in UTC.
#[allow(clippy::disallowed_methods)] // the single sanctioned clock read
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
