//! Rules: the business rules of the country of arrival and the issuing country's invalidation
//! rules, selected and evaluated as the EU verifier apps do; pass only when every one passed.

use hcert::cwt::Cwt;
use serde_json::Value;
use time::OffsetDateTime;

use crate::rules::{self, External, RuleResult, RuleSet, Selection, ValueSets};
use crate::{Outcome, RuleOutcome};

/// What the rules check needs besides the certificate.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The rules read.
    pub rules: &'a RuleSet,
    /// The value sets for `external.valueSets`.
    pub value_sets: Option<&'a ValueSets>,
    /// The country of arrival.
    pub country: Option<&'a str>,
    /// The validation clock.
    pub at: OffsetDateTime,
}

fn instant(secs: Option<f64>) -> Option<OffsetDateTime> {
    secs.filter(|s| s.is_finite())
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s.floor() as i64).ok())
}

/// Selects and evaluates the rules for `dcc`; the outcome fails naming each rule that did not
/// pass (with the reason for an `open` one).
pub fn check(
    input: &Input<'_>,
    cwt: &Cwt,
    kid: Option<&[u8]>,
    dcc: &Value,
) -> (Outcome, Vec<RuleOutcome>) {
    let issuer = cwt.issuer.as_deref();
    let selection = Selection {
        at: input.at,
        arrival_country: input.country,
        issuer_country: issuer,
        certificate_type: rules::certificate_type(dcc),
        region: None,
    };
    let external = External {
        validation_clock: input.at,
        value_sets: input.value_sets,
        country_code: input.country,
        exp: instant(cwt.expires_at.value()),
        iat: instant(cwt.issued_at.value()),
        issuer_country_code: issuer,
        kid,
        region: None,
    };
    let evaluations = input.rules.evaluate_certificate(dcc, &selection, &external);
    let not_passed: Vec<String> = evaluations
        .iter()
        .filter(|e| e.result != RuleResult::Passed)
        .map(|e| {
            let what = match (&e.reason, e.result) {
                (Some(reason), _) => format!("{} ({reason})", e.result.as_str()),
                (None, RuleResult::Fail) => {
                    let desc = e.rule.description("en");
                    if desc.is_empty() {
                        "fail".to_string()
                    } else {
                        format!("fail: {desc}")
                    }
                }
                (None, r) => r.as_str().to_string(),
            };
            format!("{} {}", e.rule.identifier, what)
        })
        .collect();
    let outcome = if not_passed.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "{} of {} business rules did not pass: {}",
            not_passed.len(),
            evaluations.len(),
            not_passed.join("; ")
        ))
    };
    (outcome, evaluations.iter().map(|e| e.outcome()).collect())
}
