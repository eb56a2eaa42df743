//! The verifier: `HC1:` text or a QR image → a [`Report`] naming every check. It does not stop
//! at the first failure: once the payload decodes, signature, expiry, key usage and schema are
//! evaluated independently; business rules run once the signature is verified. The clock is an
//! argument.
#![forbid(unsafe_code)]

pub mod checks;
pub mod qr;
mod report;
pub mod rules;

use hcert::cose::Sign1;
use hcert::cwt::{self, Cwt};
use time::OffsetDateTime;
use trust_list::TrustList;

use crate::rules::{RuleSet, ValueSets};

pub use report::{Check, Outcome, Report, RuleOutcome};

/// What a verification needs besides the certificate. Build it with [`Context::new`] and set
/// the rules part when business rules are to run.
pub struct Context<'a> {
    /// Trusted signer certificates.
    pub trust: &'a TrustList,
    /// The validation clock.
    pub at: OffsetDateTime,
    /// Business rules; `None` skips the `rules` check.
    pub rules: Option<&'a RuleSet>,
    /// The country of arrival, whose Acceptance rules apply.
    pub country: Option<&'a str>,
    /// Value sets passed to rules as `external.valueSets`.
    pub value_sets: Option<&'a ValueSets>,
}

impl<'a> Context<'a> {
    /// Trust and clock only: no business rules.
    pub fn new(trust: &'a TrustList, at: OffsetDateTime) -> Self {
        Context {
            trust,
            at,
            rules: None,
            country: None,
            value_sets: None,
        }
    }

    /// Adds business rules for the country of arrival, with value sets.
    pub fn with_rules(
        mut self,
        rules: &'a RuleSet,
        country: &'a str,
        value_sets: Option<&'a ValueSets>,
    ) -> Self {
        self.rules = Some(rules);
        self.country = Some(country);
        self.value_sets = value_sets;
        self
    }
}

/// Verifies a QR image (PNG or JPEG bytes).
pub fn verify_qr_image(image: &[u8], ctx: &Context<'_>) -> Report {
    match qr::decode(image) {
        Ok(text) => {
            let mut report = verify_text(&text, ctx);
            report.set(Check::Qr, Outcome::Pass);
            report
        }
        Err(e) => {
            let mut report = Report::default();
            report.set(Check::Qr, Outcome::Fail(e.to_string()));
            report
        }
    }
}

/// Verifies `HC1:` text.
pub fn verify_text(text: &str, ctx: &Context<'_>) -> Report {
    let mut report = Report::default();
    let Some((sign1, cwt)) = decode_into(text, &mut report) else {
        return report;
    };
    check_decoded(&sign1, cwt, ctx, &mut report);
    report
}

/// Runs the decode chain (prefix → base45 → zlib → cose → cbor), recording each stage.
fn decode_into(text: &str, report: &mut Report) -> Option<(Sign1, Cwt)> {
    fn stage<T>(report: &mut Report, check: Check, r: hcert::Result<T>) -> Option<T> {
        match r {
            Ok(v) => {
                report.set(check, Outcome::Pass);
                Some(v)
            }
            Err(e) => {
                report.set(check, Outcome::Fail(message(&e)));
                None
            }
        }
    }
    let b45 = stage(report, Check::Prefix, hcert::prefix::strip(text))?;
    let compressed = stage(report, Check::Base45, hcert::base45::decode(b45))?;
    let cose_bytes = stage(report, Check::Zlib, hcert::zlib::inflate(&compressed))?;
    let sign1 = stage(report, Check::Cose, Sign1::parse(&cose_bytes))?;
    report.kid = sign1.kid.clone();
    let decoded = if sign1.has_payload() {
        cwt::decode(sign1.payload())
    } else {
        Err(hcert::Error::Cbor(
            "the COSE_Sign1 carries no payload".into(),
        ))
    };
    let cwt = stage(report, Check::Cbor, decoded)?;
    Some((sign1, cwt))
}

/// The error's message without the stage prefix that the check name already gives.
fn message(e: &hcert::Error) -> String {
    let s = e.to_string();
    match s.split_once(": ") {
        Some((_, rest)) => rest.to_string(),
        None => s,
    }
}

/// The checks that follow a successful decode, each independent of the others.
fn check_decoded(sign1: &Sign1, mut cwt: Cwt, ctx: &Context<'_>, report: &mut Report) {
    report.issuer = cwt.issuer.clone();
    report.issued_at = cwt.issued_at.value();
    report.expires_at = cwt.expires_at.value();
    // The DCC moves into JSON (no copy of its strings); the claims stay for the other checks.
    let dcc = cwt::into_json(std::mem::replace(&mut cwt.dcc, ciborium::Value::Null));
    let cwt = &cwt;

    let signer = checks::signature::check(sign1, ctx.trust);
    report.set(Check::Signature, signer.outcome.clone());
    report.set(
        Check::Expiry,
        checks::expiry::check(cwt, signer.dsc_for_validity(), ctx.at),
    );
    report.set(
        Check::KeyUsage,
        match signer.verified_by() {
            Some(dsc) => checks::key_usage::check(&dsc.key_usage, &dcc),
            None => Outcome::Skip,
        },
    );
    report.set(Check::Schema, checks::schema::check(&dcc));
    // Rules need an authentic payload: as in the EU verifier apps, they do not run on a
    // certificate whose signature did not verify (the check is then skipped).
    if let (Some(rules), Outcome::Pass) = (ctx.rules, &signer.outcome) {
        let input = checks::rules::Input {
            rules,
            value_sets: ctx.value_sets,
            country: ctx.country,
            at: ctx.at,
        };
        let (outcome, results) = checks::rules::check(&input, cwt, sign1.kid.as_deref(), &dcc);
        report.set(Check::Rules, outcome);
        report.rules = results;
    }
    report.dcc = Some(dcc);
}
