//! Evaluating rules: the CertLogic data (`{"payload", "external"}`), the result mapping
//! (only `true`/`false` decide; anything else, or an error, is `open`) and the schema-version gate.

use base64::Engine as _;
use hcert::CertType;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::model::Rule;
use super::valuesets::ValueSets;
use super::version::Version;
use crate::RuleOutcome;

/// The result of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleResult {
    /// The logic gave `true`.
    Passed,
    /// The logic gave `false`.
    Fail,
    /// Not decided: another value, an evaluation error, or the rule could not be evaluated.
    Open,
}

impl RuleResult {
    /// `passed`, `fail` or `open`, as reports and the gateway name them.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleResult::Passed => "passed",
            RuleResult::Fail => "fail",
            RuleResult::Open => "open",
        }
    }
}

/// One evaluated rule.
#[derive(Debug, Clone)]
pub struct Evaluation<'r> {
    /// The rule.
    pub rule: &'r Rule,
    /// Its result.
    pub result: RuleResult,
    /// Why it is `open`.
    pub reason: Option<String>,
}

impl Evaluation<'_> {
    /// The report's entry: identifier, version, result and English description.
    pub fn outcome(&self) -> RuleOutcome {
        let texts = self.rule.outcome_texts();
        RuleOutcome {
            identifier: texts.identifier.clone(),
            version: texts.version.clone(),
            result: self.result.as_str(),
            description: texts.description.clone(),
        }
    }
}

fn open(rule: &Rule, reason: String) -> Evaluation<'_> {
    Evaluation {
        rule,
        result: RuleResult::Open,
        reason: Some(reason),
    }
}

fn describe(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}

/// Evaluates one rule on `{"payload": …, "external": …}` as it is (no schema gate).
pub fn evaluate<'r>(rule: &'r Rule, data: &Value) -> Evaluation<'r> {
    match rule.readiness() {
        Ok(compiled) => judge(rule, compiled.evaluate(data)),
        Err(reason) => open(rule, reason),
    }
}

/// [`evaluate`] on a data context assembled from borrowed parts (see [`External::data`]).
pub fn evaluate_in<'r>(rule: &'r Rule, data: &certlogic::Data<'_>) -> Evaluation<'r> {
    evaluate_prepared(rule, &data.prepare())
}

/// [`evaluate_in`] with the data context prepared once for every rule of a certificate.
pub(crate) fn evaluate_prepared<'r>(
    rule: &'r Rule,
    data: &certlogic::Prepared<'_>,
) -> Evaluation<'r> {
    match rule.readiness() {
        Ok(compiled) => judge(rule, compiled.evaluate_prepared(data)),
        Err(reason) => open(rule, reason),
    }
}

/// A rule's result from its logic's value: `true` passes, `false` fails, anything else is open.
fn judge(rule: &Rule, value: Result<Value, certlogic::EvalError>) -> Evaluation<'_> {
    match value {
        Ok(Value::Bool(true)) => Evaluation {
            rule,
            result: RuleResult::Passed,
            reason: None,
        },
        Ok(Value::Bool(false)) => Evaluation {
            rule,
            result: RuleResult::Fail,
            reason: None,
        },
        Ok(other) => open(
            rule,
            format!("the logic gave {}, not a boolean", describe(&other)),
        ),
        Err(e) => open(rule, format!("evaluation failed at {e}")),
    }
}

/// The EU apps' gate: a rule is `open` for a DCC whose `ver` has another major version than the
/// rule's `SchemaVersion`, or is below it.
pub fn schema_gate(rule: &Rule, ver: Option<&str>) -> Result<(), String> {
    schema_gate_parsed(rule, ver, ver.map(Version::parse).as_ref())
}

/// [`schema_gate`] with the certificate's `ver` already parsed (`have`: `None` when it has no
/// `ver`, `Some(None)` when it is not a semantic version), for checking it against many rules.
pub(crate) fn schema_gate_parsed(
    rule: &Rule,
    ver: Option<&str>,
    have: Option<&Option<Version>>,
) -> Result<(), String> {
    let Some(wanted) = &rule.schema_version else {
        return Ok(());
    };
    let wanted_v = rule
        .schema_semantic_version()
        .ok_or_else(|| format!("SchemaVersion {wanted:?} is not a semantic version"))?;
    let (Some(ver), Some(have)) = (ver, have) else {
        return Err("the certificate has no ver (schema version)".into());
    };
    let have = have
        .as_ref()
        .ok_or_else(|| format!("the certificate's ver {ver:?} is not a semantic version"))?;
    if have.major != wanted_v.major {
        return Err(format!(
            "the rule is for schema {wanted}, the certificate has ver {ver} (another major version)"
        ));
    }
    if have < wanted_v {
        return Err(format!(
            "the rule needs schema {wanted} or later, the certificate has ver {ver}"
        ));
    }
    Ok(())
}

/// The certificate's type: the one of `v`, `t`, `r` it holds (`None` when it holds none or
/// several, so that only General rules apply).
pub fn certificate_type(dcc: &Value) -> Option<CertType> {
    let mut present = ["v", "t", "r"]
        .into_iter()
        .filter(|k| dcc.get(*k).is_some_and(|v| !v.is_null()));
    match (present.next(), present.next()) {
        (Some(k), None) => CertType::from_key(k),
        _ => None,
    }
}

/// The external parameters the EU verifier apps pass to rules (dgc-certlogic-android's
/// `ExternalParameter`); absent values are left out, so rules read `null`.
#[derive(Debug, Clone, Copy)]
pub struct External<'a> {
    /// `validationClock`.
    pub validation_clock: OffsetDateTime,
    /// `valueSets` (`{}` when none are loaded).
    pub value_sets: Option<&'a ValueSets>,
    /// `countryCode`: the country of arrival.
    pub country_code: Option<&'a str>,
    /// `exp` of the CWT.
    pub exp: Option<OffsetDateTime>,
    /// `iat` of the CWT.
    pub iat: Option<OffsetDateTime>,
    /// `issuerCountryCode`: CWT `iss`.
    pub issuer_country_code: Option<&'a str>,
    /// `kid`, written in base64.
    pub kid: Option<&'a [u8]>,
    /// `region` of the verifier.
    pub region: Option<&'a str>,
}

fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map_or(Value::Null, Value::String)
}

/// `{}`: the value sets when none are loaded.
static NO_VALUE_SETS: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| Value::Object(Map::new()));

impl<'a> External<'a> {
    /// The `external` object.
    pub fn to_json(&self) -> Value {
        let mut m: Map<String, Value> = self
            .scalars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        m.insert(
            "valueSets".into(),
            self.value_sets
                .map_or_else(|| NO_VALUE_SETS.clone(), |v| v.to_external().clone()),
        );
        Value::Object(m)
    }

    /// `{"payload": dcc, "external": …}` as a data context that borrows the certificate and
    /// the value sets instead of copying them (every code of every set, on each verification);
    /// `scalars` holds the rest, from [`External::scalars`].
    pub fn data<'d>(
        &'d self,
        dcc: &'d Value,
        scalars: &'d [(&'static str, Value)],
    ) -> certlogic::Data<'d> {
        let sets = self
            .value_sets
            .map_or(&*NO_VALUE_SETS, ValueSets::to_external);
        let external = scalars
            .iter()
            .fold(certlogic::Data::new(), |d, (k, v)| d.json(k, v))
            .json("valueSets", sets);
        certlogic::Data::new()
            .json("payload", dcc)
            .object("external", external)
    }

    /// The members of the `external` object other than `valueSets`: a few short values, in
    /// the order of the object.
    pub fn scalars(&self) -> Vec<(&'static str, Value)> {
        let mut m = Vec::with_capacity(7);
        m.push(("validationClock", rfc3339(self.validation_clock)));
        if let Some(c) = self.country_code {
            m.push(("countryCode", c.into()));
        }
        if let Some(t) = self.exp {
            m.push(("exp", rfc3339(t)));
        }
        if let Some(t) = self.iat {
            m.push(("iat", rfc3339(t)));
        }
        if let Some(c) = self.issuer_country_code {
            m.push(("issuerCountryCode", c.into()));
        }
        if let Some(kid) = self.kid {
            m.push((
                "kid",
                base64::engine::general_purpose::STANDARD.encode(kid).into(),
            ));
        }
        if let Some(r) = self.region {
            m.push(("region", r.into()));
        }
        m
    }
}
