//! Reading rules from bytes: one Rule JSON object, an array of them, or the gateway's download
//! (`{"<Identifier>": [{"version", "validFrom", "validTo", "cms"}]}`, each rule inside base64 CMS),
//! also a map of country → rules. Lenient: a malformed rule is reported by name and the others load.

use std::fmt;

use base64::Engine as _;
use serde_json::Value;

use super::cms;
use super::model::{field, Rule};

/// How deep maps and lists may nest around the rules (gateway: map → list → entry).
const MAX_NESTING: usize = 4;

/// A rule that could not be read, named by file and position or identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or other source name) it came from.
    pub source_name: String,
    /// Where inside it: `rule 3 (VR-CZ-0001)`, `VR-CZ-0001[0]`, or empty for the whole file.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.source_name, self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.source_name, self.location, self.message
            )
        }
    }
}

impl std::error::Error for LoadError {}

/// Every rule in `bytes`, and an error for each one that could not be read.
pub fn load(source_name: &str, bytes: &[u8]) -> (Vec<Rule>, Vec<LoadError>) {
    let mut loader = Loader {
        source_name,
        rules: Vec::new(),
        errors: Vec::new(),
    };
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => loader.walk(&value, String::new(), 0),
        Err(e) => loader.error(String::new(), format!("not JSON: {e}")),
    }
    (loader.rules, loader.errors)
}

struct Loader<'a> {
    source_name: &'a str,
    rules: Vec<Rule>,
    errors: Vec<LoadError>,
}

/// `Identifier` of a rule-like object, for naming it in errors.
fn identifier(value: &Value) -> Option<&str> {
    value
        .as_object()
        .and_then(|o| field(o, "Identifier"))
        .and_then(Value::as_str)
}

fn join(location: &str, step: &str) -> String {
    if location.is_empty() {
        step.to_string()
    } else {
        format!("{location} {step}")
    }
}

impl Loader<'_> {
    fn error(&mut self, location: String, message: String) {
        self.errors.push(LoadError {
            source_name: self.source_name.to_string(),
            location,
            message,
        });
    }

    fn walk(&mut self, value: &Value, location: String, depth: usize) {
        if depth > MAX_NESTING {
            self.error(location, "rules nested too deeply".into());
            return;
        }
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let step = match identifier(item) {
                        Some(id) => format!("rule {i} ({id})"),
                        None => format!("rule {i}"),
                    };
                    self.walk(item, join(&location, &step), depth + 1);
                }
            }
            Value::Object(obj) => {
                if let Some(cms) = field(obj, "cms") {
                    self.gateway_entry(cms, location);
                } else if field(obj, "Logic").is_some() {
                    self.rule(value, location);
                } else if field(obj, "hash").is_some() && field(obj, "identifier").is_some() {
                    self.error(
                        location,
                        "an entry of a rule index (identifier, version, country, hash) holds no \
                         rule: fetch the rule by its hash"
                            .into(),
                    );
                } else if field(obj, "Identifier").is_some() {
                    // Looks like a rule but has no Logic: report it as a malformed rule.
                    self.rule(value, location);
                } else if obj.is_empty() {
                    self.error(location, "an empty object holds no rule".into());
                } else {
                    for (key, member) in obj {
                        self.walk(member, join(&location, key), depth + 1);
                    }
                }
            }
            other => {
                let what = match other {
                    Value::Null => "null",
                    Value::Bool(_) => "a boolean",
                    Value::Number(_) => "a number",
                    _ => "text",
                };
                self.error(location, format!("{what} is not a rule"));
            }
        }
    }

    fn rule(&mut self, value: &Value, location: String) {
        match Rule::from_json(value) {
            Ok(rule) => self.rules.push(rule),
            Err(message) => {
                let location = match (identifier(value), location.is_empty()) {
                    (Some(id), true) => format!("rule {id}"),
                    (None, true) => "rule".to_string(),
                    (Some(id), false) if !location.contains(id) => format!("{location} ({id})"),
                    _ => location,
                };
                self.error(location, message);
            }
        }
    }

    fn gateway_entry(&mut self, cms: &Value, location: String) {
        let decoded = cms
            .as_str()
            .ok_or_else(|| "cms must be base64 text".to_string())
            .and_then(|text| {
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD
                    .decode(&compact)
                    .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
                    .map_err(|e| format!("cms is not base64: {e}"))
            })
            .and_then(|ber| cms::signed_content(&ber).map_err(|e| format!("cms: {e}")))
            .and_then(|content| {
                serde_json::from_slice::<Value>(&content)
                    .map_err(|e| format!("the rule inside the cms is not JSON: {e}"))
            });
        match decoded {
            Ok(value) => self.rule(&value, location),
            Err(message) => self.error(location, message),
        }
    }
}
