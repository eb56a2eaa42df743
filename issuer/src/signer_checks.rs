//! The checks before every signature (SECURITY.md 42; hcert §5, governance §3.2 and §4.3): the
//! DSC has KeyUsage digitalSignature, may sign this certificate type, and the issue time lies
//! within its validity and its private-key usage period.

use hcert::CertType;
use time::{Date, OffsetDateTime};
use trust_list::DigitalSignature;

use crate::sign::SigningIdentity;
use crate::{Error, Result};

/// Without a PrivateKeyUsagePeriod extension a DSC's key signs for this many months after
/// notBefore (the EU DCC governance's DSC usage period; SECURITY.md 42).
pub const DEFAULT_USAGE_MONTHS: u8 = 6;

/// When the key may sign: the intersection of the DSC's validity and its private-key usage
/// period, inclusive, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningWindow {
    /// The first instant.
    pub from: i64,
    /// The last instant.
    pub until: i64,
    /// Whether the period comes from the PrivateKeyUsagePeriod extension (else notBefore +
    /// [`DEFAULT_USAGE_MONTHS`]).
    pub from_extension: bool,
}

/// `t` plus `months` calendar months, the day clamped to the end of a shorter month (31 August
/// + 6 months is 28 or 29 February). `None` beyond the representable dates.
fn add_months(t: OffsetDateTime, months: u8) -> Option<OffsetDateTime> {
    let date = t.date();
    let index = i32::from(u8::from(date.month())) - 1 + i32::from(months);
    let year = date.year() + index.div_euclid(12);
    let month = time::Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(t.replace_date(date))
}

impl SigningIdentity {
    /// When this identity's key may sign (validity ∩ usage period).
    pub fn signing_window(&self) -> SigningWindow {
        let (not_before, not_after) = (self.dsc.not_before, self.dsc.not_after);
        match self.limits.usage_period {
            Some(p) => SigningWindow {
                from: p.not_before.map_or(not_before, |t| t.max(not_before)),
                until: p.not_after.map_or(not_after, |t| t.min(not_after)),
                from_extension: true,
            },
            None => {
                let six_months = OffsetDateTime::from_unix_timestamp(not_before)
                    .ok()
                    .and_then(|t| add_months(t, DEFAULT_USAGE_MONTHS))
                    .map_or(not_after, OffsetDateTime::unix_timestamp);
                SigningWindow {
                    from: not_before,
                    until: six_months.min(not_after),
                    from_extension: false,
                }
            }
        }
    }

    /// Refuses to sign a `cert_type` certificate at `at` (Unix seconds) unless every check of
    /// SECURITY.md 42 passes; each failure is its own [`Error`] variant.
    pub fn check_before_signing(&self, cert_type: CertType, at: i64) -> Result<()> {
        match self.limits.digital_signature {
            DigitalSignature::Allowed => {}
            DigitalSignature::NotAllowed => {
                return Err(Error::DscNotForSigning {
                    key_usage_present: true,
                })
            }
            DigitalSignature::NoKeyUsage => {
                return Err(Error::DscNotForSigning {
                    key_usage_present: false,
                })
            }
        }
        if !self.dsc.key_usage.allows(cert_type) {
            return Err(Error::DscWrongType {
                cert_type: cert_type.name(),
                key_usage: self.dsc.key_usage.describe(),
            });
        }
        if at < self.dsc.not_before {
            return Err(Error::DscNotYetValid {
                at,
                not_before: self.dsc.not_before,
            });
        }
        if at > self.dsc.not_after {
            return Err(Error::DscExpired {
                at,
                not_after: self.dsc.not_after,
            });
        }
        let window = self.signing_window();
        if at < window.from || at > window.until {
            return Err(Error::DscUsagePeriod {
                at,
                from: window.from,
                until: window.until,
                from_extension: window.from_extension,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_are_calendar_months() {
        for (from, want) in [
            (
                datetime!(2026-01-15 10:00 UTC),
                datetime!(2026-07-15 10:00 UTC),
            ),
            (
                datetime!(2026-08-31 23:59:59 UTC),
                datetime!(2027-02-28 23:59:59 UTC),
            ),
            (
                datetime!(2027-08-31 00:00 UTC),
                datetime!(2028-02-29 00:00 UTC),
            ),
            (
                datetime!(2026-07-01 00:00 UTC),
                datetime!(2027-01-01 00:00 UTC),
            ),
            (
                datetime!(2026-12-31 00:00 UTC),
                datetime!(2027-06-30 00:00 UTC),
            ),
        ] {
            assert_eq!(add_months(from, 6), Some(want), "{from}");
        }
    }
}
