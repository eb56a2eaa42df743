//! EU DCC JSON-schema validation of every release 1.0.0–1.3.3, hand-written: the rules of each
//! release as code, the differences between releases as data (`version.rs`). Not a JSON Schema engine.
//!
//! One validator serves two callers. `dcc schema` is strict ([`Formats::Assert`]): `ver` must name
//! a release and `format: date`/`date-time` are asserted. The verifier's `schema` check is lenient
//! ([`Formats::Annotate`]): certificates in circulation carry date-times in date fields and the EU
//! test vectors expect them to pass.
//!
//! ```
//! use hcert::schema::{validate, Formats, SchemaVersion};
//! let dcc = serde_json::json!({
//!     "ver": "1.3.0", "nam": {"fnt": "MUSTER"}, "dob": "1964",
//!     "r": [{"tg": "840539006", "fr": "2021-06-01", "co": "AT", "is": "BMSGPK",
//!            "df": "2021-06-12", "du": "2021-11-28", "ci": "URN:UVCI:01:AT:X"}],
//! });
//! assert_eq!(validate(&dcc, Formats::Assert), Ok(SchemaVersion::V1_3_0));
//! ```

mod formats;
mod patterns;
mod rules;
mod version;

#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::{Map, Number, Value};

use crate::cbor_json::{Node, Object};

pub use version::SchemaVersion;

/// What the validator reads of a JSON value. Implemented for `serde_json::Value` and for the
/// verifier's [`Node`] (the certificate read straight from its CBOR).
pub trait JsonView: Sized {
    /// An object of such values.
    type Obj: ObjectView<Self>;
    /// The object, when the value is one.
    fn object(&self) -> Option<&Self::Obj>;
    /// The items, when the value is an array.
    fn array(&self) -> Option<&[Self]>;
    /// The text, when the value is a string.
    fn text(&self) -> Option<&str>;
    /// The number, when the value is one.
    fn number(&self) -> Option<&Number>;
    /// A scalar as JSON, for messages.
    fn scalar(&self) -> Value;
}

/// Member lookup in an object of a [`JsonView`].
pub trait ObjectView<V> {
    /// The value of a member.
    fn get(&self, key: &str) -> Option<&V>;
    /// Whether the member is present.
    fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl JsonView for Value {
    type Obj = Map<String, Value>;
    fn object(&self) -> Option<&Self::Obj> {
        self.as_object()
    }
    fn array(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn text(&self) -> Option<&str> {
        self.as_str()
    }
    fn number(&self) -> Option<&Number> {
        self.as_number()
    }
    fn scalar(&self) -> Value {
        match self {
            Value::Array(_) | Value::Object(_) => Value::Null,
            scalar => scalar.clone(),
        }
    }
}

impl ObjectView<Value> for Map<String, Value> {
    fn get(&self, key: &str) -> Option<&Value> {
        Map::get(self, key)
    }
}

impl<'a> JsonView for Node<'a> {
    type Obj = Object<'a>;
    fn object(&self) -> Option<&Self::Obj> {
        self.as_object()
    }
    fn array(&self) -> Option<&[Self]> {
        self.as_array()
    }
    fn text(&self) -> Option<&str> {
        self.as_str()
    }
    fn number(&self) -> Option<&Number> {
        self.as_number()
    }
    fn scalar(&self) -> Value {
        self.scalar_json()
    }
}

impl<'a> ObjectView<Node<'a>> for Object<'a> {
    fn get(&self, key: &str) -> Option<&Node<'a>> {
        Object::get(self, key)
    }
}

/// How the `format` keywords (and the verifier's extra rules) apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formats {
    /// `dcc schema`, strict: `format: date` (`dt`, `fr`, `df`, `du`, and `dob` in 1.0.x) and
    /// `format: date-time` (`sc`, and `dr` up to 1.1.0) are asserted, and `ver` must name a
    /// released schema exactly.
    Assert,
    /// The verifier's `schema` check (conformance/dgc README, "schema"):
    /// - `format` is an annotation only, so a date-time in `dt` passes; patterns still apply;
    /// - a `ver` that names no release uses the highest release not above it (1.0.4 → 1.0.1,
    ///   1.3.9 → 1.3.3); below 1.0.0 is invalid;
    /// - in every release, not only from 1.3.0, the payload must hold exactly one of `v`/`t`/`r`
    ///   with exactly one entry (the 1.3.0 `oneOf` and `maxItems: 1`). There is no separate
    ///   function for this rule: `Annotate` is the whole verifier check.
    Annotate,
}

/// One violated constraint: where in the payload, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON-pointer-like path without the leading slash (`v/0/dn`); empty for the payload itself.
    pub path: String,
    /// What is wrong, e.g. `must be an integer >= 1, got "2"`.
    pub message: String,
}

impl SchemaError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// `<where>: <what>`, the payload itself shown as `(root)`.
impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

impl std::error::Error for SchemaError {}

/// Validates a DCC payload (the JSON form of the `-260`/`1` certificate map) against the schema
/// of the release its `ver` names. Returns that release, or every violation found, in schema
/// order. Never panics, whatever the value.
pub fn validate<V: JsonView>(
    payload: &V,
    formats: Formats,
) -> Result<SchemaVersion, Vec<SchemaError>> {
    let Some(root) = payload.object() else {
        return Err(vec![SchemaError::new(
            "",
            format!("must be an object, got {}", describe(payload)),
        )]);
    };
    let version = select_version(root.get("ver"), formats).map_err(|e| vec![e])?;
    let mut rules = version.rules();
    if formats == Formats::Annotate {
        rules.one_group_one_entry = true;
    }
    let errors = rules::check::<V>(root, rules, formats);
    if errors.is_empty() {
        Ok(version)
    } else {
        Err(errors)
    }
}

/// The release `ver` selects. `ver` is checked here against its schema constraints (a string
/// matching `^\d+.\d+.\d+$`, required), identical in all nine releases.
fn select_version<V: JsonView>(
    ver: Option<&V>,
    formats: Formats,
) -> Result<SchemaVersion, SchemaError> {
    let Some(ver) = ver else {
        return Err(SchemaError::new("ver", "is required but missing"));
    };
    let Some(text) = ver.text() else {
        return Err(SchemaError::new(
            "ver",
            format!("must be a string, got {}", describe(ver)),
        ));
    };
    if !patterns::is_version_like(text) {
        return Err(SchemaError::new(
            "ver",
            format!(r"must match ^\d+.\d+.\d+$, got {}", describe(ver)),
        ));
    }
    let (found, wanted) = match formats {
        Formats::Assert => (SchemaVersion::exact(text), "named"),
        Formats::Annotate => (SchemaVersion::at_or_below(text), "at or below"),
    };
    found.ok_or_else(|| {
        SchemaError::new(
            "ver",
            format!(
                "no released schema {wanted} {} (releases: {})",
                describe(ver),
                SchemaVersion::ALL.map(SchemaVersion::as_str).join(", ")
            ),
        )
    })
}

/// A value for a message: scalars as JSON (strings cut to 32 characters), containers by kind.
fn describe<V: JsonView>(value: &V) -> String {
    const MAX_CHARS: usize = 32;
    if value.array().is_some() {
        return "an array".to_owned();
    }
    if value.object().is_some() {
        return "an object".to_owned();
    }
    match value.scalar() {
        Value::String(s) if s.chars().count() > MAX_CHARS => {
            let cut: String = s.chars().take(MAX_CHARS).collect();
            format!("{}…", Value::String(cut))
        }
        scalar => scalar.to_string(),
    }
}
