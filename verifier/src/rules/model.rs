//! The gateway's Rule JSON (EU DCC "Validation Rules" specification): one business rule with its
//! selection metadata and its CertLogic `Logic`, compiled once when the rule is read.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::version::Version;

/// The CertLogic specification version the `certlogic` crate implements; a rule asking for a
/// higher `EngineVersion` is reported `open` without evaluation.
pub const CERTLOGIC_VERSION: &str = "1.3.3";

/// `Type`: who applies the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleType {
    /// The country of arrival's conditions for accepting a certificate.
    Acceptance,
    /// The issuing country's conditions under which its certificates stop being valid.
    Invalidation,
    /// Any other value, kept as written; never selected by the verifier.
    Other(String),
}

/// `CertificateType`: the kind of DCC the rule is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateType {
    /// Every certificate.
    General,
    /// Vaccination certificates (`v`).
    Vaccination,
    /// Test certificates (`t`).
    Test,
    /// Recovery certificates (`r`).
    Recovery,
    /// Any other value, kept as written; never selected by the verifier.
    Other(String),
}

impl CertificateType {
    /// Whether a rule of this type applies to a DCC of type `dcc` (`None`: the DCC's type is
    /// unknown, so only General rules apply).
    pub fn applies_to(&self, dcc: Option<hcert::CertType>) -> bool {
        matches!(
            (self, dcc),
            (CertificateType::General, _)
                | (
                    CertificateType::Vaccination,
                    Some(hcert::CertType::Vaccination)
                )
                | (CertificateType::Test, Some(hcert::CertType::Test))
                | (CertificateType::Recovery, Some(hcert::CertType::Recovery))
        )
    }
}

/// One entry of `Description`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Description {
    /// ISO 639-1 language code.
    pub lang: String,
    /// The text.
    pub desc: String,
}

/// One business rule. Fields keep the gateway's meaning; `version` is kept as written because
/// results report it verbatim.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `Identifier`, e.g. `VR-CZ-0001`.
    pub identifier: String,
    /// `Type`.
    pub rule_type: RuleType,
    /// `Country`: ISO 3166 alpha-2 code of the country that set the rule.
    pub country: String,
    /// `Region`, when the rule applies to part of the country only.
    pub region: Option<String>,
    /// `Version` as written.
    pub version: String,
    version_parsed: Version,
    /// `SchemaVersion`: the oldest DCC schema version the rule is written for.
    pub schema_version: Option<String>,
    /// `Engine`, `CERTLOGIC` for every rule this verifier evaluates.
    pub engine: Option<String>,
    /// `EngineVersion`: the CertLogic version the rule needs.
    pub engine_version: Option<String>,
    /// `CertificateType`.
    pub certificate_type: CertificateType,
    /// `Description` in several languages.
    pub descriptions: Vec<Description>,
    /// `ValidFrom` (inclusive).
    pub valid_from: OffsetDateTime,
    /// `ValidTo` (inclusive, as the EU verifier apps read it).
    pub valid_to: OffsetDateTime,
    /// `AffectedFields`: the DCC fields the rule reads, for display.
    pub affected_fields: Vec<String>,
    /// `Logic`, the CertLogic expression.
    pub logic: Value,
    compiled: Result<certlogic::Compiled, String>,
    /// What [`Rule::readiness`] decides from `Engine` and `EngineVersion`, decided when read:
    /// the verifier asks for every rule on every certificate.
    engine_ready: Result<(), String>,
    /// `SchemaVersion` parsed when read (`None` when absent or not a semantic version).
    schema_version_parsed: Option<Version>,
    /// The texts of the rule's report entry, shared by every report ([`Rule::outcome_texts`]).
    texts: OutcomeTexts,
}

/// The identifier, version and English description of a rule, shared with each report entry
/// instead of copied into it.
#[derive(Debug, Clone)]
pub struct OutcomeTexts {
    /// `Identifier`.
    pub identifier: Arc<str>,
    /// `Version` as written.
    pub version: Arc<str>,
    /// The English description ([`Rule::description`] of `en`).
    pub description: Arc<str>,
}

/// `Ok` to evaluate, or the reason the rule is `open` without evaluation.
pub type Readiness<'a> = Result<&'a certlogic::Compiled, String>;

impl Rule {
    /// Reads one Rule JSON object and compiles its `Logic`. A `Logic` that is not valid CertLogic
    /// does not make the rule unreadable: the rule is kept and reports `open` with the reason.
    /// Field names are matched case-insensitively, as some national back ends lower-case them.
    pub fn from_json(value: &Value) -> Result<Rule, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| format!("a rule must be a JSON object, not {}", kind(value)))?;
        let identifier = text(obj, "Identifier")?.ok_or("Identifier is missing")?;
        if identifier.trim().is_empty() {
            return Err("Identifier is empty".into());
        }
        let rule_type = match text(obj, "Type")?.ok_or("Type is missing")? {
            t if t.eq_ignore_ascii_case("Acceptance") => RuleType::Acceptance,
            t if t.eq_ignore_ascii_case("Invalidation") => RuleType::Invalidation,
            t => RuleType::Other(t),
        };
        let country = text(obj, "Country")?.ok_or("Country is missing")?;
        let version = text(obj, "Version")?.ok_or("Version is missing")?;
        let version_parsed = Version::parse(&version)
            .ok_or_else(|| format!("Version {version:?} is not a semantic version"))?;
        let certificate_type = match text(obj, "CertificateType")? {
            None => CertificateType::General,
            Some(t) if t.eq_ignore_ascii_case("General") => CertificateType::General,
            Some(t) if t.eq_ignore_ascii_case("Vaccination") => CertificateType::Vaccination,
            Some(t) if t.eq_ignore_ascii_case("Test") => CertificateType::Test,
            Some(t) if t.eq_ignore_ascii_case("Recovery") => CertificateType::Recovery,
            Some(t) => CertificateType::Other(t),
        };
        let valid_from = instant(obj, "ValidFrom")?;
        let valid_to = instant(obj, "ValidTo")?;
        let logic = field(obj, "Logic").cloned().ok_or("Logic is missing")?;
        let compiled =
            certlogic::compile(&logic).map_err(|e| format!("Logic is not valid CertLogic: {e}"));
        let engine = text(obj, "Engine")?;
        let engine_version = text(obj, "EngineVersion")?;
        let schema_version = text(obj, "SchemaVersion")?;
        let descriptions = descriptions(obj)?;
        Ok(Rule {
            engine_ready: engine_ready(engine.as_deref(), engine_version.as_deref()),
            schema_version_parsed: schema_version.as_deref().and_then(Version::parse),
            texts: OutcomeTexts {
                identifier: Arc::from(identifier.as_str()),
                version: Arc::from(version.as_str()),
                description: Arc::from(description_in(&descriptions, "en")),
            },
            identifier,
            rule_type,
            country,
            region: text(obj, "Region")?.filter(|r| !r.trim().is_empty()),
            version,
            version_parsed,
            schema_version,
            engine,
            engine_version,
            certificate_type,
            descriptions,
            valid_from,
            valid_to,
            affected_fields: affected_fields(obj)?,
            logic,
            compiled,
        })
    }

    /// `SchemaVersion` parsed, when it is a semantic version.
    pub fn schema_semantic_version(&self) -> Option<&Version> {
        self.schema_version_parsed.as_ref()
    }

    /// The identifier, version and English description, for report entries.
    pub fn outcome_texts(&self) -> &OutcomeTexts {
        &self.texts
    }

    /// `Version`, parsed for comparison.
    pub fn semantic_version(&self) -> &Version {
        &self.version_parsed
    }

    /// The description in `lang`, else the English one, else the first, else `""`.
    pub fn description(&self, lang: &str) -> &str {
        description_in(&self.descriptions, lang)
    }

    /// Whether the rule is in force at `at`: `ValidFrom <= at <= ValidTo`.
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.valid_from <= at && at <= self.valid_to
    }

    /// The compiled logic, or why the rule cannot be evaluated by this engine: another `Engine`,
    /// an `EngineVersion` above [`CERTLOGIC_VERSION`], or a `Logic` that does not compile.
    pub fn readiness(&self) -> Readiness<'_> {
        match &self.engine_ready {
            Ok(()) => self.compiled.as_ref().map_err(Clone::clone),
            Err(reason) => Err(reason.clone()),
        }
    }
}

/// The description in `lang`, else the English one, else the first, else `""`.
fn description_in<'d>(descriptions: &'d [Description], lang: &str) -> &'d str {
    let find = |l: &str| descriptions.iter().find(|d| d.lang.eq_ignore_ascii_case(l));
    find(lang)
        .or_else(|| find("en"))
        .or_else(|| descriptions.first())
        .map_or("", |d| d.desc.as_str())
}

/// The part of [`Rule::readiness`] that `Engine` and `EngineVersion` decide.
fn engine_ready(engine: Option<&str>, engine_version: Option<&str>) -> Result<(), String> {
    match engine {
        Some(e) if e.eq_ignore_ascii_case("CERTLOGIC") => {}
        Some(e) => return Err(format!("engine {e:?} is not supported (only CERTLOGIC)")),
        None => return Err("the rule names no Engine".into()),
    }
    if let Some(wanted) = engine_version {
        let supported = Version::parse(CERTLOGIC_VERSION);
        match Version::parse(wanted) {
            None => {
                return Err(format!(
                    "EngineVersion {wanted:?} is not a semantic version"
                ))
            }
            Some(w) if supported.is_some_and(|s| w > s) => {
                return Err(format!(
                    "EngineVersion {wanted} is above the supported CertLogic {CERTLOGIC_VERSION}"
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A member by name, exact spelling first, then case-insensitively.
pub(crate) fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A text member; `null` counts as absent.
fn text(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match field(obj, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{name} must be text, not {}", kind(other))),
    }
}

fn instant(obj: &Map<String, Value>, name: &str) -> Result<OffsetDateTime, String> {
    let t = text(obj, name)?.ok_or_else(|| format!("{name} is missing"))?;
    parse_instant(&t).ok_or_else(|| format!("{name} {t:?} is not an RFC 3339 date-time"))
}

/// RFC 3339; leniently also a date-time without offset (read as UTC), as some back ends write.
pub fn parse_instant(t: &str) -> Option<OffsetDateTime> {
    let t = t.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Some(at);
    }
    let no_offset = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(t, &no_offset)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

fn descriptions(obj: &Map<String, Value>) -> Result<Vec<Description>, String> {
    match field(obj, "Description") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![Description {
            lang: "en".into(),
            desc: s.clone(),
        }]),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let d = item
                    .as_object()
                    .ok_or_else(|| format!("Description {i} must be an object {{lang, desc}}"))?;
                Ok(Description {
                    lang: text(d, "lang")?.unwrap_or_default(),
                    desc: text(d, "desc")?.unwrap_or_default(),
                })
            })
            .collect(),
        Some(other) => Err(format!(
            "Description must be a list of {{lang, desc}}, not {}",
            kind(other)
        )),
    }
}

fn affected_fields(obj: &Map<String, Value>) -> Result<Vec<String>, String> {
    match field(obj, "AffectedFields") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|f| match f {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("AffectedFields holds {}, not text", kind(other))),
            })
            .collect(),
        Some(other) => Err(format!(
            "AffectedFields must be a list of text, not {}",
            kind(other)
        )),
    }
}
