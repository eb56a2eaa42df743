//! JSON bodies into typed values: an object at the top, then the fields; an error names the path
//! and the expected type, never the value sent (SECURITY.md 45).

use serde::de::DeserializeOwned;

use crate::error::{Error, Problem, ServiceResult};

/// Parses a JSON body into `T`: an object at the top (serde would take an array for a struct,
/// field by position), then the fields; an error names the path and the expected type, never
/// the value sent.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> ServiceResult<T> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(Error::Invalid(Problem::new("error-body-not-object")));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| Error::Invalid(Problem::field(describe(&e.path().to_string(), e.inner()))))?;
    de.end()
        .map_err(|e| Error::Invalid(Problem::field(describe(".", &e))))?;
    Ok(value)
}

/// A JSON value into `T`, with the same value-free messages as [`json`].
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| describe(&e.path().to_string(), e.inner()))
}

/// A serde_json error as a message without the value: serde's `invalid type: integer
/// `7401040020`, expected a string` becomes `person.birth_number: invalid type: integer,
/// expected a string`. Syntax errors say what and where (line, column); they hold no input.
pub fn describe(path: &str, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {} column {}", e.line(), e.column());
    let full = e.to_string();
    let msg = full
        .strip_suffix(&format!(" at {at}"))
        .unwrap_or(&full)
        .to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            format!("the body is not valid JSON: {msg} at {at}")
        }
        Category::Data => {
            let field = if path.is_empty() || path == "." {
                "body".to_string()
            } else {
                path.to_string()
            };
            format!("{field}: {}", without_value(&msg))
        }
    }
}

/// serde's data-error text with any value the client sent taken out.
fn without_value(msg: &str) -> String {
    let expected = msg
        .rfind(", expected ")
        .and_then(|i| msg.get(i + 2..))
        .unwrap_or("");
    let with_expected = |head: &str| {
        if expected.is_empty() {
            head.to_string()
        } else {
            format!("{head}, {expected}")
        }
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            // The kind of what came ("integer", "string", "map", "floating point"), without
            // the value serde prints after it in quotes or backticks.
            let kind: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic() || *c == ' ')
                .collect();
            let kind = kind.trim();
            let kind = if kind.is_empty() { "value" } else { kind };
            return with_expected(&format!("{prefix}{kind}"));
        }
    }
    if msg.starts_with("invalid length ") {
        return with_expected("invalid length");
    }
    if msg.starts_with("unknown variant ") {
        return with_expected("unknown value");
    }
    // Field names come from the schema or, for an unknown field, are the key the client chose:
    // these name the problem and carry no value.
    for prefix in ["unknown field `", "missing field `", "duplicate field `"] {
        if msg.starts_with(prefix) {
            return msg.to_string();
        }
    }
    "invalid value".to_string()
}
