//! Errors: validation issues (each naming where in the expression it sits) and evaluation failures.
//! Messages quote inputs only in shortened form, so a huge expression never floods a log.

use std::fmt;

/// `Result` with this crate's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything [`crate::evaluate`] can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The expression breaks the specification; it was not evaluated.
    #[error("invalid CertLogic expression: {0}")]
    Invalid(#[from] ValidationErrors),
    /// The expression is valid, but the data made one of its operations fail.
    #[error("CertLogic evaluation failed: {0}")]
    Eval(#[from] EvalError),
}

/// One way in which an expression breaks the specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// JSON Pointer (RFC 6901) to the offending part of the expression, e.g. `/if/1/var`;
    /// empty for the whole expression.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", display_path(&self.path), self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Every issue found in one expression (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// The individual issues, in the order they occur in the expression.
    pub fn issues(&self) -> &[ValidationError] {
        &self.0
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A pathological expression can have thousands of issues: show the first few.
        const SHOWN: usize = 5;
        for (i, issue) in self.0.iter().take(SHOWN).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{issue}")?;
        }
        if self.0.len() > SHOWN {
            write!(f, "; and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// An operation of a valid expression failed on the data it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// JSON Pointer to the failing operation inside the expression (empty: the whole expression).
    pub path: String,
    /// What went wrong.
    pub kind: EvalErrorKind,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", display_path(&self.path), self.kind)
    }
}

impl std::error::Error for EvalError {}

/// The ways evaluation can fail (CertLogic specification, "Operations").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalErrorKind {
    /// `if`, `!` and `and` need an operand that is truthy or falsy; a date-time, for one, is neither.
    #[error("operand of \"{operator}\" is neither truthy nor falsy ({found})")]
    NeitherTruthyNorFalsy {
        /// The operator.
        operator: &'static str,
        /// The kind of value found.
        found: &'static str,
    },
    /// `<`, `>`, `<=`, `>=` and `+` take integers only.
    #[error("all operands of \"{operator}\" must be integers, found {found}")]
    NotIntegers {
        /// The operator.
        operator: &'static str,
        /// The kind of the first offending value.
        found: &'static str,
    },
    /// `after`, `before`, `not-after` and `not-before` take date-times only.
    #[error("all operands of \"{operator}\" must be date-times, found {found}")]
    NotDateTimes {
        /// The operator.
        operator: &'static str,
        /// The kind of the first offending value.
        found: &'static str,
    },
    /// The right-hand side of `in` must be an array.
    #[error("right-hand side of \"in\" must be an array, found {0}")]
    InNotArray(&'static str),
    /// The operand of `reduce` must be an array or `null`.
    #[error("operand of \"reduce\" must be an array or null, found {0}")]
    ReduceNotArray(&'static str),
    /// The date operand of `plusTime` must be a string.
    #[error("date operand of \"plusTime\" must be a string, found {0}")]
    PlusTimeNotString(&'static str),
    /// The string given to `plusTime` is not in an allowed date(-time) format.
    #[error("not an allowed date or date-time format: {0}")]
    BadDateTime(String),
    /// The operand of `extractFromUVCI` must be a string or `null`.
    #[error("operand of \"extractFromUVCI\" must be a string or null, found {0}")]
    UvciNotString(&'static str),
    /// The operand of `dccDateOfBirth` must be a string.
    #[error("operand of \"dccDateOfBirth\" must be a string, found {0}")]
    DateOfBirthNotString(&'static str),
    /// The string given to `dccDateOfBirth` is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[error("not a DCC date of birth (YYYY, YYYY-MM or YYYY-MM-DD): {0}")]
    BadDateOfBirth(String),
    /// A guard against runaway expressions: too much repeated work in one evaluation.
    #[error("evaluation exceeded {0} steps (reduce iterations and items searched by \"in\")")]
    TooManySteps(u64),
    /// A guard against runaway expressions: a value nested or sized beyond the limits.
    #[error("evaluation built a value beyond the size limits")]
    ValueTooLarge,
}

/// How a path is shown in a message: the root has no pointer text of its own.
fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "(root)"
    } else {
        path
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut: how inputs appear in messages.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
    }
}

/// A JSON value as it appears in a message: compact and shortened.
pub(crate) fn show_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Array(items) if !items.is_empty() => {
            format!("an array of {}", items.len())
        }
        serde_json::Value::Object(map) if !map.is_empty() => {
            format!("an object with {} keys", map.len())
        }
        scalar => shorten(&scalar.to_string(), 40),
    }
}
