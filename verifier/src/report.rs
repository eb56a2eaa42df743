//! The verification report: every check of the contract (DESIGN.md) as pass, fail or skip, with a
//! message a person understands for each failure, and the decoded certificate.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The checks, in the order of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The QR image decodes to text.
    Qr,
    /// The text starts with `HC1:`.
    Prefix,
    /// The Base45 text decodes.
    Base45,
    /// The bytes are one complete zlib stream.
    Zlib,
    /// The bytes are a COSE_Sign1.
    Cose,
    /// The payload is a CWT with an hcert claim.
    Cbor,
    /// A trusted signer certificate with the kid verifies the signature.
    Signature,
    /// iat ≤ clock ≤ exp, and the signer certificate was valid at iat.
    Expiry,
    /// The signer certificate may sign this type of certificate.
    KeyUsage,
    /// The DCC conforms to the schema of its version.
    Schema,
    /// Business rules of the country of arrival.
    Rules,
    /// Not on a revocation list.
    Revocation,
}

impl Check {
    /// All checks in contract order.
    pub const ALL: [Check; 12] = [
        Check::Qr,
        Check::Prefix,
        Check::Base45,
        Check::Zlib,
        Check::Cose,
        Check::Cbor,
        Check::Signature,
        Check::Expiry,
        Check::KeyUsage,
        Check::Schema,
        Check::Rules,
        Check::Revocation,
    ];

    /// The name used on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Check::Qr => "qr",
            Check::Prefix => "prefix",
            Check::Base45 => "base45",
            Check::Zlib => "zlib",
            Check::Cose => "cose",
            Check::Cbor => "cbor",
            Check::Signature => "signature",
            Check::Expiry => "expiry",
            Check::KeyUsage => "key_usage",
            Check::Schema => "schema",
            Check::Rules => "rules",
            Check::Revocation => "revocation",
        }
    }
}

/// The outcome of every check, held in contract order (a fixed array: a report is made per
/// verification, so it allocates nothing until a check fails).
#[derive(Clone, PartialEq, Eq)]
pub struct Outcomes([Outcome; Check::ALL.len()]);

impl Outcomes {
    /// Each check with its outcome, in contract order.
    pub fn iter(&self) -> impl Iterator<Item = (Check, &Outcome)> {
        Check::ALL.iter().copied().zip(self.0.iter())
    }

    /// The outcome of a check.
    pub fn get(&self, check: Check) -> &Outcome {
        self.0.get(check as usize).unwrap_or(&Outcome::Skip)
    }

    fn set(&mut self, check: Check, outcome: Outcome) {
        if let Some(slot) = self.0.get_mut(check as usize) {
            *slot = outcome;
        }
    }
}

impl Default for Outcomes {
    fn default() -> Self {
        Outcomes(std::array::from_fn(|_| Outcome::Skip))
    }
}

impl fmt::Debug for Outcomes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The check passed.
    Pass,
    /// The check failed, with a message for a person.
    Fail(String),
    /// Not reached, or not asked for.
    Skip,
}

impl Outcome {
    /// `"pass"`, `"fail"` or `"skip"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::Skip => "skip",
        }
    }
}

/// The result of one business rule. The texts are the rule's own, shared: a report entry
/// copies none of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleOutcome {
    /// Rule identifier, e.g. `VR-CZ-0001`.
    pub identifier: Arc<str>,
    /// Rule version as written, e.g. `1.0.0`.
    pub version: Arc<str>,
    /// `passed`, `fail` or `open`.
    pub result: &'static str,
    /// English description.
    pub description: Arc<str>,
}

/// Everything the verifier found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every check with its outcome.
    pub checks: Outcomes,
    /// The kid that selected the signer.
    pub kid: Option<Vec<u8>>,
    /// CWT issuer (country).
    pub issuer: Option<String>,
    /// CWT iat, seconds since the epoch.
    pub issued_at: Option<f64>,
    /// CWT exp, seconds since the epoch.
    pub expires_at: Option<f64>,
    /// The certificate as decoded: see [`Report::dcc`].
    dcc: Option<DccJson>,
    /// Business-rule results, when rules were evaluated.
    pub rules: Vec<RuleOutcome>,
    /// When the trust list was issued and how old it was at the validation clock, when the
    /// list carries its issue time (dcc's signed list does).
    pub trust_list: Option<TrustListAge>,
}

/// The certificate's CBOR, and its JSON once built.
#[derive(Debug, Clone)]
struct DccJson {
    cbor: Vec<u8>,
    json: OnceLock<serde_json::Value>,
}

/// The DCC's JSON from its CBOR (already read once, so it converts; `null` if it did not).
pub(crate) fn dcc_json(cbor: &[u8]) -> serde_json::Value {
    hcert::cbor_json::to_json(cbor).unwrap_or(serde_json::Value::Null)
}

/// The freshness of the trust list a report was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrustListAge {
    /// `issued_at` of the list, seconds since the epoch.
    pub issued_at: i64,
    /// Seconds from `issued_at` to the validation clock.
    pub age_seconds: i64,
}

impl Report {
    /// The certificate as decoded, as JSON (`cbor_json::to_json` of its CBOR), when the
    /// payload got that far. Built on the first call: the checks read the certificate
    /// straight from its CBOR.
    pub fn dcc(&self) -> Option<&serde_json::Value> {
        let dcc = self.dcc.as_ref()?;
        Some(dcc.json.get_or_init(|| dcc_json(&dcc.cbor)))
    }

    /// Records the certificate's CBOR, with its JSON when already built.
    pub(crate) fn set_dcc(&mut self, cbor: &[u8], json: Option<serde_json::Value>) {
        self.dcc = Some(DccJson {
            cbor: cbor.to_vec(),
            json: json.map(OnceLock::from).unwrap_or_default(),
        });
    }

    /// Records an outcome.
    pub fn set(&mut self, check: Check, outcome: Outcome) {
        self.checks.set(check, outcome);
    }

    /// The outcome of a check.
    pub fn outcome(&self, check: Check) -> &Outcome {
        self.checks.get(check)
    }

    /// Valid when no check failed and the decode chain got through to the certificate.
    pub fn is_valid(&self) -> bool {
        let none_failed = self
            .checks
            .iter()
            .all(|(_, o)| !matches!(o, Outcome::Fail(_)));
        let reached = [
            Check::Signature,
            Check::Expiry,
            Check::KeyUsage,
            Check::Schema,
        ]
        .iter()
        .all(|c| *self.outcome(*c) == Outcome::Pass);
        none_failed && reached
    }

    /// Failures as (check, message), in contract order.
    pub fn errors(&self) -> impl Iterator<Item = (Check, &str)> {
        self.checks.iter().filter_map(|(c, o)| match o {
            Outcome::Fail(m) => Some((c, m.as_str())),
            _ => None,
        })
    }
}

fn number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// The `checks` object: check name → `pass`/`fail`/`skip`, in contract order.
struct Checks<'a>(&'a Outcomes);

impl Serialize for Checks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(c, o)| (c.name(), o.as_str())))
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        #[derive(Serialize)]
        struct ErrorEntry<'a> {
            check: &'static str,
            message: &'a str,
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("verdict", if self.is_valid() { "valid" } else { "invalid" })?;
        m.serialize_entry("checks", &Checks(&self.checks))?;
        let errors: Vec<ErrorEntry<'_>> = self
            .errors()
            .map(|(c, message)| ErrorEntry {
                check: c.name(),
                message,
            })
            .collect();
        m.serialize_entry("errors", &errors)?;
        if let Some(kid) = &self.kid {
            m.serialize_entry(
                "kid",
                &base64::engine::general_purpose::STANDARD.encode(kid),
            )?;
        }
        if let Some(iss) = &self.issuer {
            m.serialize_entry("issuer", iss)?;
        }
        if let Some(iat) = self.issued_at {
            m.serialize_entry("issued_at", &number(iat))?;
        }
        if let Some(exp) = self.expires_at {
            m.serialize_entry("expires_at", &number(exp))?;
        }
        if let Some(dcc) = &self.dcc {
            // The JSON when the rules built it, else straight from the CBOR as the same JSON.
            match dcc.json.get() {
                Some(json) => m.serialize_entry("dcc", json)?,
                None => match hcert::cbor_json::to_node(&dcc.cbor) {
                    Ok(node) => m.serialize_entry("dcc", &node)?,
                    Err(_) => m.serialize_entry("dcc", &serde_json::Value::Null)?,
                },
            }
        }
        m.serialize_entry("rules", &self.rules)?;
        if let Some(age) = &self.trust_list {
            m.serialize_entry("trust_list", age)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_indexed_in_contract_order() {
        for (i, check) in Check::ALL.iter().enumerate() {
            assert_eq!(*check as usize, i, "{check:?}");
        }
        let mut report = Report::default();
        report.set(Check::Schema, Outcome::Fail("x".into()));
        report.set(Check::Qr, Outcome::Pass);
        let seen: Vec<_> = report.checks.iter().map(|(c, o)| (c, o.as_str())).collect();
        assert_eq!(seen.len(), Check::ALL.len());
        assert_eq!(seen[0], (Check::Qr, "pass"));
        assert_eq!(seen[9], (Check::Schema, "fail"));
        assert_eq!(report.errors().collect::<Vec<_>>(), [(Check::Schema, "x")]);
        assert!(format!("{:?}", report.checks).starts_with("{Qr: Pass, Prefix: Skip"));
    }
}
