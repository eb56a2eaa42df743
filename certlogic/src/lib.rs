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

/// A data context assembled from borrowed JSON values, for evaluating many certificates against
/// large shared parameters (the value sets) without copying them into one document each time.
/// It reads as the JSON object of its members: `Data::new().json("payload", &dcc)` is
/// `{"payload": dcc}`.
///
/// ```
/// use serde_json::json;
///
/// let rule = certlogic::compile(&json!({"in": [{"var": "payload.co"}, {"var": "external.sets"}]}))?;
/// let (payload, sets) = (json!({"co": "CZ"}), json!(["CZ", "SK"]));
/// let data = certlogic::Data::new()
///     .json("payload", &payload)
///     .object("external", certlogic::Data::new().json("sets", &sets));
/// assert_eq!(rule.evaluate_in(&data)?, json!(true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Data<'a> {
    members: Vec<(&'a str, Member<'a>)>,
}

#[derive(Debug, Clone)]
enum Member<'a> {
    Json(&'a Value),
    Object(Data<'a>),
}

impl<'a> Data<'a> {
    /// An empty object.
    pub fn new() -> Self {
        Data::default()
    }

    /// Adds the member `key` with a JSON value. A key given twice reads as its first value.
    #[must_use]
    pub fn json(mut self, key: &'a str, value: &'a Value) -> Self {
        self.members.push((key, Member::Json(value)));
        self
    }

    /// Adds the member `key` whose value is itself assembled.
    #[must_use]
    pub fn object(mut self, key: &'a str, value: Data<'a>) -> Self {
        self.members.push((key, Member::Object(value)));
        self
    }

    /// The data made ready for evaluation, once for many expressions
    /// ([`Compiled::evaluate_prepared`]); [`Compiled::evaluate_in`] prepares it on each call.
    pub fn prepare(&self) -> Prepared<'a> {
        Prepared(self.val())
    }

    fn val(&self) -> value::Val<'a> {
        let members = self
            .members
            .iter()
            .map(|(key, member)| {
                let v = match member {
                    Member::Json(json) => value::Val::Ref(json),
                    Member::Object(data) => data.val(),
                };
                (*key, v)
            })
            .collect();
        value::Val::Fields(std::rc::Rc::new(value::Fields { members }))
    }
}

/// A [`Data`] made ready for evaluation ([`Data::prepare`]).
#[derive(Debug, Clone)]
pub struct Prepared<'a>(value::Val<'a>);

impl Compiled {
    /// The value of the expression with `data` as the data context. Date-times come out as
    /// `toISOString()` text (`2021-06-01T00:00:00.000Z`), an invalid one (`2021-13` given to
    /// `plusTime`, as JavaScript's "Invalid Date") as `null`.
    pub fn evaluate(&self, data: &Value) -> Result<Value, EvalError> {
        self.evaluate_val(&value::Val::Ref(data))
    }

    /// [`Compiled::evaluate`] with an assembled data context: the same result as with the JSON
    /// document it stands for, without building that document.
    pub fn evaluate_in(&self, data: &Data<'_>) -> Result<Value, EvalError> {
        self.evaluate_val(&data.val())
    }

    /// [`Compiled::evaluate_in`] with data prepared once for many expressions.
    pub fn evaluate_prepared(&self, data: &Prepared<'_>) -> Result<Value, EvalError> {
        self.evaluate_val(&data.0)
    }

    fn evaluate_val(&self, context: &value::Val<'_>) -> Result<Value, EvalError> {
        let result = eval::Evaluator::new()
            .eval(&self.expr, context)
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
