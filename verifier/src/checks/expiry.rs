//! Expiry: iat ≤ clock ≤ exp (both bounds inclusive, both claims required), and the signer
//! certificate was valid when the certificate was issued (notBefore ≤ iat ≤ notAfter).

use hcert::cwt::{Claim, Cwt};
use time::OffsetDateTime;
use trust_list::Dsc;

use crate::Outcome;

const NANOS: i128 = 1_000_000_000;

fn nanos(secs: f64) -> i128 {
    // Exact for integer claims; floats round to the nearest nanosecond.
    if secs.fract() == 0.0 {
        // `as` saturates for huge claims; the product must saturate too, not overflow.
        (secs as i128).saturating_mul(NANOS)
    } else {
        (secs * 1e9).round() as i128
    }
}

fn show(secs: f64) -> String {
    let whole = secs.floor() as i64;
    OffsetDateTime::from_unix_timestamp(whole)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{secs} (seconds since 1970)"))
}

fn claim(c: &Claim<f64>, name: &str) -> Result<f64, String> {
    match c {
        Claim::Present(v) => Ok(*v),
        Claim::Missing => Err(format!("the certificate has no {name} claim")),
        Claim::Invalid(why) => Err(why.clone()),
    }
}

/// Checks the validity period at `at`.
pub fn check(cwt: &Cwt, dsc: Option<&Dsc>, at: OffsetDateTime) -> Outcome {
    let (iat, exp) = match (
        claim(&cwt.issued_at, "issued-at (iat)"),
        claim(&cwt.expires_at, "expiry (exp)"),
    ) {
        (Ok(i), Ok(e)) => (i, e),
        (Err(a), Err(b)) => return Outcome::Fail(format!("{a}; {b}")),
        (Err(a), _) | (_, Err(a)) => return Outcome::Fail(a),
    };
    let now = at.unix_timestamp_nanos();
    if now < nanos(iat) {
        return Outcome::Fail(format!(
            "the certificate is not valid yet: issued at {}, after the validation time",
            show(iat)
        ));
    }
    if now > nanos(exp) {
        return Outcome::Fail(format!("the certificate expired at {}", show(exp)));
    }
    if let Some(dsc) = dsc {
        let iat_ns = nanos(iat);
        if iat_ns < i128::from(dsc.not_before) * NANOS || iat_ns > i128::from(dsc.not_after) * NANOS
        {
            return Outcome::Fail(format!(
                "the signer certificate was not valid when the certificate was issued ({}): it \
                 is valid from {} to {}",
                show(iat),
                show(dsc.not_before as f64),
                show(dsc.not_after as f64)
            ));
        }
    }
    Outcome::Pass
}
