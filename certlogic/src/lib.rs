//! CertLogic (specification 1.3.x), the JsonLogic subset that EU DCC business rules are written in:
//! validate and compile an expression once, then evaluate it against many data contexts.
//! Pure: no I/O, no clock (the validation clock is part of the data), no environment.
//!
//! Semantics follow the specification and, where it leaves room, certlogic-js 1.2.2, the
//! reference implementation: JavaScript truthiness restricted as specified, integer-only
//! comparisons, `Date.setUTC…` calendar arithmetic for `plusTime`, lazy `and`.
//!
//! ```
//! use serde_json::json;
//!
//! let rule = certlogic::compile(&json!({
//!     "not-after": [
//!         {"plusTime": [{"var": "payload.v.0.dt"}, 14, "day"]},
//!         {"plusTime": [{"var": "external.validationClock"}, 0, "day"]}
//!     ]
//! }))?;
//! let data = json!({
//!     "payload": {"v": [{"dt": "2021-06-01"}]},
//!     "external": {"validationClock": "2021-06-20T10:00:00Z"}
//! });
//! assert_eq!(rule.evaluate(&data)?, json!(true));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod compile;
mod datetime;
mod error;
mod eval;
mod expr;
mod path;
mod uvci;
mod value;

use serde_json::Value;

pub use compile::MAX_DEPTH;
pub use error::{Error, EvalError, EvalErrorKind, Result, ValidationError, ValidationErrors};
pub use eval::MAX_STEPS;

/// A validated CertLogic expression, ready to be evaluated any number of times.
/// `Send + Sync`: one compiled rule set can serve many threads.
#[derive(Debug, Clone)]
pub struct Compiled {
    expr: expr::Expr,
}

/// Validates `logic` and compiles it; the error lists every issue, each with its path.
pub fn compile(logic: &Value) -> Result<Compiled, ValidationErrors> {
    compile::compile(logic)
        .map(|expr| Compiled { expr })
        .map_err(ValidationErrors)
}

/// Every way in which `logic` breaks the specification; empty when it is valid.
pub fn validate(logic: &Value) -> Vec<ValidationError> {
    compile::compile(logic).err().unwrap_or_default()
}

/// Validates `logic` and evaluates it once against `data`.
pub fn evaluate(logic: &Value, data: &Value) -> Result<Value> {
    Ok(compile(logic)?.evaluate(data)?)
}

impl Compiled {
    /// The value of the expression with `data` as the data context. Date-times come out as
    /// `toISOString()` text (`2021-06-01T00:00:00.000Z`), an invalid one (`2021-13` given to
    /// `plusTime`, as JavaScript's "Invalid Date") as `null`.
    pub fn evaluate(&self, data: &Value) -> Result<Value, EvalError> {
        let context = value::Val::Ref(data);
        let result = eval::Evaluator::new()
            .eval(&self.expr, &context)
            .map_err(|e| *e)?;
        let mut budget = eval::MAX_RESULT_NODES;
        result.to_json(&mut budget).ok_or(EvalError {
            path: String::new(),
            kind: EvalErrorKind::ValueTooLarge,
        })
    }
}

#[cfg(test)]
mod tests;
