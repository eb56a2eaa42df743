//! What a validator sees of a scanned certificate (the scanner page, issue 20): a verdict, the
//! holder's name and date of birth, the certificate type, and which check failed, in words. No
//! other health data: the EU verifier apps show the same, and a validator needs no more.
//!
//! The times a validator picks are Prague's local time (DESIGN.md "Pages").

use hcert::CertType;
use serde_json::Value;
use time::OffsetDateTime;
use verifier::revocation::RevocationList;
use verifier::{Check, Outcome, Report};

use crate::public::{self, PublicResources};

/// The zone validators' clocks are read in.
pub const ZONE: &str = "Europe/Prague";

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed, the country's rules included.
    Valid,
    /// At least one check failed.
    Invalid,
    /// The certificate is genuine, in force and not revoked, but the chosen country publishes no
    /// rules here: nothing says whether it admits the holder.
    NoRules,
}

/// A check that failed, as a validator is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The code holds no EU certificate (prefix, Base45, zlib, COSE or CBOR failed).
    NotCertificate,
    /// No trusted signer, or the signature does not verify.
    Signature,
    /// The certificate is not yet valid at the chosen time.
    NotYetValid,
    /// The certificate had expired at the chosen time.
    Expired,
    /// The signer may not sign this type of certificate.
    KeyUsage,
    /// The content does not conform to the EU schema.
    Schema,
    /// The rules of the country did not pass: each rule not passed, identifier and description
    /// in the page's language.
    Rules(Vec<(String, String)>),
    /// The issuer revoked the certificate.
    Revoked,
}

/// The holder as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Given and family name as written on the certificate (the transliteration when the
    /// name itself is missing).
    pub name: String,
    /// Date of birth as written (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub date_of_birth: String,
}

/// What the scanner page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The verdict.
    pub verdict: Verdict,
    /// The holder, when the certificate could be read.
    pub holder: Option<Holder>,
    /// The type, when the certificate could be read.
    pub kind: Option<CertType>,
    /// Every failed check, in the contract's order.
    pub failures: Vec<Failure>,
}

/// Verifies `hc1` for arrival in `country` at `at` and keeps what a validator may see; rule
/// descriptions are in `lang` where the rule has one.
pub fn check(
    resources: &PublicResources,
    published: &crate::public::Published,
    hc1: &str,
    country: &str,
    at: OffsetDateTime,
    revocation: Option<&RevocationList>,
    lang: &str,
) -> Seen {
    let report = public::verify(resources, published, country, hc1, at, revocation);
    let has_rules = resources
        .rule_set
        .as_ref()
        .is_some_and(|r| r.has_acceptance_rules_for(country));
    seen(&report, resources, at, has_rules, lang)
}

fn seen(
    report: &Report,
    resources: &PublicResources,
    at: OffsetDateTime,
    has_rules: bool,
    lang: &str,
) -> Seen {
    let mut failures = Vec::new();
    for (check, outcome) in report.checks.iter() {
        if !matches!(outcome, Outcome::Fail(_)) {
            continue;
        }
        let failure = match check {
            Check::Qr | Check::Prefix | Check::Base45 | Check::Zlib | Check::Cose | Check::Cbor => {
                Failure::NotCertificate
            }
            Check::Signature => Failure::Signature,
            Check::Expiry => {
                let before = report
                    .issued_at
                    .is_some_and(|iat| (at.unix_timestamp() as f64) < iat);
                if before {
                    Failure::NotYetValid
                } else {
                    Failure::Expired
                }
            }
            Check::KeyUsage => Failure::KeyUsage,
            Check::Schema => Failure::Schema,
            Check::Rules => Failure::Rules(failed_rules(report, resources, lang)),
            Check::Revocation => Failure::Revoked,
        };
        if !failures.contains(&failure) {
            failures.push(failure);
        }
    }
    let dcc = report.dcc();
    let verdict = if !failures.is_empty() || !report.is_valid() {
        Verdict::Invalid
    } else if has_rules {
        Verdict::Valid
    } else {
        Verdict::NoRules
    };
    Seen {
        verdict,
        holder: dcc.and_then(holder),
        kind: dcc.and_then(kind),
        failures,
    }
}

/// The rules that did not pass, with their descriptions in `lang`.
fn failed_rules(report: &Report, resources: &PublicResources, lang: &str) -> Vec<(String, String)> {
    report
        .rules
        .iter()
        .filter(|r| r.result != "passed")
        .map(|r| {
            let described = resources.rule_set.as_ref().and_then(|set| {
                set.rules()
                    .iter()
                    .find(|rule| *rule.identifier == *r.identifier && *rule.version == *r.version)
                    .map(|rule| rule.description(lang).to_string())
            });
            (
                r.identifier.to_string(),
                described.unwrap_or_else(|| r.description.to_string()),
            )
        })
        .collect()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn holder(dcc: &Value) -> Option<Holder> {
    let nam = dcc.get("nam")?;
    let given = text(nam, "gn").or_else(|| text(nam, "gnt"));
    let family = text(nam, "fn").or_else(|| text(nam, "fnt"));
    let name = [given, family]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Some(Holder {
        name,
        date_of_birth: text(dcc, "dob").unwrap_or_default(),
    })
}

fn kind(dcc: &Value) -> Option<CertType> {
    let has = |k| {
        dcc.get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if has("v") {
        Some(CertType::Vaccination)
    } else if has("t") {
        Some(CertType::Test)
    } else if has("r") {
        Some(CertType::Recovery)
    } else {
        None
    }
}

/// Why a time a validator typed was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the time is not a date and time of the form YYYY-MM-DDTHH:MM")]
pub struct BadTime;

/// Reads a `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional) as Prague time.
pub fn local_time(s: &str) -> Result<OffsetDateTime, BadTime> {
    let s = s.trim();
    // A date alone would parse as midnight; the form always sends a time.
    if !s.contains('T') {
        return Err(BadTime);
    }
    let civil: jiff::civil::DateTime = s.parse().map_err(|_| BadTime)?;
    let zoned = civil.in_tz(ZONE).map_err(|_| BadTime)?;
    OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).map_err(|_| BadTime)
}

/// `at` in Prague time as a `datetime-local` value (`YYYY-MM-DDTHH:MM`).
pub fn local_input(at: OffsetDateTime) -> String {
    prague(at).map_or_else(String::new, |z| z.strftime("%Y-%m-%dT%H:%M").to_string())
}

/// `at` in Prague time for people: `7. 12. 2026 9:05`.
pub fn local_display(at: OffsetDateTime) -> String {
    prague(at).map_or_else(String::new, |z| {
        z.strftime("%-d. %-m. %Y %-H:%M").to_string()
    })
}

/// `at`'s calendar date in Prague (`YYYY-MM-DD`): the day a person saw it happen.
pub fn local_date(at: OffsetDateTime) -> String {
    prague(at).map_or_else(String::new, |z| z.strftime("%Y-%m-%d").to_string())
}

/// `at`'s calendar date in Prague, as a date.
pub fn local_day(at: OffsetDateTime) -> Option<time::Date> {
    let z = prague(at)?;
    let month = time::Month::try_from(u8::try_from(z.month()).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(z.year()), month, u8::try_from(z.day()).ok()?).ok()
}

/// The first instant (Unix seconds) of a calendar day in Prague: local midnight, whatever the
/// day's offset (summer or winter time).
pub fn day_start(day: time::Date) -> Option<i64> {
    let civil = jiff::civil::Date::new(
        i16::try_from(day.year()).ok()?,
        i8::try_from(u8::from(day.month())).ok()?,
        i8::try_from(day.day()).ok()?,
    )
    .ok()?;
    let zoned = civil
        .to_datetime(jiff::civil::Time::midnight())
        .in_tz(ZONE)
        .ok()?;
    Some(zoned.timestamp().as_second())
}

/// The end of a calendar day in Prague, exclusive: the first instant of the next day, so the
/// day's last second (23:59:59 local) is inside. A day of the clock change is 23 or 25 hours.
pub fn day_end(day: time::Date) -> Option<i64> {
    day_start(day.next_day()?)
}

fn prague(at: OffsetDateTime) -> Option<jiff::ZonedDateTime> {
    jiff::Timestamp::from_second(at.unix_timestamp())
        .ok()?
        .in_tz(ZONE)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn prague_time_follows_summer_and_winter_time() {
        // Winter: UTC+1; summer: UTC+2 (the EU rule, from the bundled zone database).
        assert_eq!(
            local_time("2026-12-07T10:30").unwrap(),
            datetime!(2026-12-07 09:30 UTC)
        );
        assert_eq!(
            local_time("2026-07-01T10:30:15").unwrap(),
            datetime!(2026-07-01 08:30:15 UTC)
        );
        assert_eq!(
            local_input(datetime!(2026-07-01 08:30 UTC)),
            "2026-07-01T10:30"
        );
        assert_eq!(
            local_display(datetime!(2026-12-07 08:05 UTC)),
            "7. 12. 2026 9:05"
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01T10:00",
            "2026-12-07",
            "2026-12-07T25:00",
        ] {
            assert_eq!(local_time(bad), Err(BadTime), "{bad:?}");
        }
    }

    #[test]
    fn prague_days_start_and_end_at_local_midnight_across_clock_changes() {
        use time::macros::date;
        // Winter (UTC+1): the day starts at 23:00 UTC the day before.
        assert_eq!(
            day_start(date!(2026 - 03 - 02)),
            Some(datetime!(2026-03-01 23:00 UTC).unix_timestamp())
        );
        // 29 March 2026: clocks go forward at 02:00; the day has 23 hours and ends at 22:00 UTC.
        let spring = date!(2026 - 03 - 29);
        assert_eq!(
            day_start(spring),
            Some(datetime!(2026-03-28 23:00 UTC).unix_timestamp())
        );
        assert_eq!(
            day_end(spring),
            Some(datetime!(2026-03-29 22:00 UTC).unix_timestamp())
        );
        // 25 October 2026: clocks go back at 03:00; the day has 25 hours.
        let autumn = date!(2026 - 10 - 25);
        assert_eq!(
            day_end(autumn).zip(day_start(autumn)).map(|(e, s)| e - s),
            Some(25 * 3600)
        );
        // The last second of a day (23:59:59 local) is still that day, the next is not.
        let end = day_end(date!(2026 - 07 - 01)).unwrap();
        let last = OffsetDateTime::from_unix_timestamp(end - 1).unwrap();
        assert_eq!(local_input(last), "2026-07-01T23:59");
        assert_eq!(local_day(last), Some(date!(2026 - 07 - 01)));
        let next = OffsetDateTime::from_unix_timestamp(end).unwrap();
        assert_eq!(local_day(next), Some(date!(2026 - 07 - 02)));
    }

    #[test]
    fn holder_and_type_come_from_the_certificate() {
        let dcc = serde_json::json!({
            "nam": {"fn": "Dvořáková", "gn": "Anežka", "fnt": "DVORAKOVA", "gnt": "ANEZKA"},
            "dob": "1985-03-12",
            "t": [{"tg": "840539006"}],
        });
        assert_eq!(
            holder(&dcc),
            Some(Holder {
                name: "Anežka Dvořáková".into(),
                date_of_birth: "1985-03-12".into()
            })
        );
        assert_eq!(kind(&dcc), Some(CertType::Test));
        let only_transliterated = serde_json::json!({"nam": {"fnt": "NOVAK"}, "dob": "1990"});
        assert_eq!(holder(&only_transliterated).unwrap().name, "NOVAK");
        assert_eq!(kind(&only_transliterated), None);
    }
}
