//! The verifier: `HC1:` text or a QR image → a [`Report`] naming every check. It does not stop
//! at the first failure: once the payload decodes, signature, expiry, key usage (of the signer
//! the kid identifies, even when its signature fails) and schema are evaluated independently;
//! business rules run once the signature is verified. The clock is an argument.
#![forbid(unsafe_code)]

pub mod checks;
pub mod qr;
mod report;
pub mod revocation;
pub mod rules;

use hcert::cbor_json::Node;
use hcert::cose::Sign1;
use hcert::cwt::{self, Cwt};
use time::OffsetDateTime;
use trust_list::TrustList;

use crate::revocation::RevocationList;
use crate::rules::{RuleSet, ValueSets};

pub use report::{Check, Outcome, Outcomes, Report, RuleOutcome, TrustListAge};

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
    /// Revocation list; `None` skips the `revocation` check.
    pub revocation: Option<&'a RevocationList>,
    /// The oldest trust list accepted: an older one (or one without an issue time) fails the
    /// `signature` check.
    pub max_trust_age: Option<time::Duration>,
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
            revocation: None,
            max_trust_age: None,
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

    /// Refuses a trust list older than `max` at the validation clock.
    pub fn with_max_trust_age(mut self, max: time::Duration) -> Self {
        self.max_trust_age = Some(max);
        self
    }

    /// Adds a revocation list: the `revocation` check then passes or fails.
    pub fn with_revocation(mut self, list: &'a RevocationList) -> Self {
        self.revocation = Some(list);
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
    if let Some(sign1) = decode_into(text, &mut report) {
        let decoded = if sign1.has_payload() {
            cwt::decode_node(sign1.payload())
        } else {
            Err(hcert::Error::Cbor(
                "the COSE_Sign1 carries no payload".into(),
            ))
        };
        match decoded {
            Ok((cwt, dcc, range)) => {
                report.set(Check::Cbor, Outcome::Pass);
                let bytes = sign1.payload().get(range).unwrap_or_default();
                check_decoded(&sign1, cwt, &dcc, bytes, ctx, &mut report);
            }
            Err(e) => report.set(Check::Cbor, Outcome::Fail(message(&e))),
        }
    }
    trust_freshness(ctx, &mut report);
    report
}

/// Reports the trust list's age and, with a maximum age, fails a signature that only a too
/// old list (or one without an issue time) vouches for.
fn trust_freshness(ctx: &Context<'_>, report: &mut Report) {
    let at = ctx.at.unix_timestamp();
    let age = ctx.trust.issued_at.map(|issued_at| TrustListAge {
        issued_at,
        age_seconds: at.saturating_sub(issued_at),
    });
    report.trust_list = age;
    let Some(max) = ctx.max_trust_age else { return };
    if *report.outcome(Check::Signature) != Outcome::Pass {
        return;
    }
    let stale = match age {
        None => Some(
            "the trust list carries no issue time, so its age cannot be checked against the \
             maximum age asked for"
                .to_string(),
        ),
        Some(a) if a.age_seconds > max.whole_seconds() => Some(format!(
            "the trust list is {} old (issued {}), older than the maximum of {}: fetch a \
             current list",
            human_duration(a.age_seconds),
            OffsetDateTime::from_unix_timestamp(a.issued_at)
                .ok()
                .and_then(|t| t
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok())
                .unwrap_or_else(|| a.issued_at.to_string()),
            human_duration(max.whole_seconds())
        )),
        Some(_) => None,
    };
    if let Some(message) = stale {
        report.set(Check::Signature, Outcome::Fail(message));
    }
}

/// `3 d 4 h`, `5 h 2 min`, `40 s`.
fn human_duration(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// Runs the decode chain up to the COSE_Sign1 (prefix → base45 → zlib → cose), recording each
/// stage; the caller reads the CWT from it (one pass over the CBOR, the DCC as a [`Node`]).
fn decode_into(text: &str, report: &mut Report) -> Option<Sign1> {
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
    Some(sign1)
}

/// The error's message without the stage prefix that the check name already gives.
fn message(e: &hcert::Error) -> String {
    let s = e.to_string();
    match s.split_once(": ") {
        Some((_, rest)) => rest.to_string(),
        None => s,
    }
}

/// The checks that follow a successful decode, each independent of the others. `dcc` is the
/// certificate read from its CBOR (`dcc_bytes`); its JSON is built only for the rules, or later
/// when the report is asked for it (a report written out writes the certificate from its CBOR).
fn check_decoded(
    sign1: &Sign1,
    cwt: Cwt,
    dcc: &Node<'_>,
    dcc_bytes: &[u8],
    ctx: &Context<'_>,
    report: &mut Report,
) {
    report.issuer = cwt.issuer.clone();
    report.issued_at = cwt.issued_at.value();
    report.expires_at = cwt.expires_at.value();
    let cwt = &cwt;

    let signer = checks::signature::check(sign1, ctx.trust);
    report.set(Check::Signature, signer.outcome.clone());
    report.set(
        Check::Expiry,
        checks::expiry::check(cwt, signer.dsc_for_validity(), ctx.at),
    );
    report.set(
        Check::KeyUsage,
        checks::key_usage::check_signer(&signer, dcc),
    );
    report.set(Check::Schema, checks::schema::check(dcc));
    // Rules need an authentic payload: as in the EU verifier apps, they do not run on a
    // certificate whose signature did not verify (the check is then skipped).
    let rules = ctx.rules.filter(|_| signer.outcome == Outcome::Pass);
    if let Some(list) = ctx.revocation {
        let outcome = revocation::check(list, sign1, cwt.issuer.as_deref(), dcc, ctx.at);
        report.set(Check::Revocation, outcome);
    }
    let json = rules.is_some().then(|| dcc.to_json());
    if let (Some(rules), Some(json)) = (rules, &json) {
        let input = checks::rules::Input {
            rules,
            value_sets: ctx.value_sets,
            country: ctx.country,
            at: ctx.at,
        };
        let (outcome, results) = checks::rules::check(&input, cwt, sign1.kid.as_deref(), json);
        report.set(Check::Rules, outcome);
        report.rules = results;
    }
    report.set_dcc(dcc_bytes, json);
}
