//! Evaluation of a compiled expression against a data context, with the semantics of
//! certlogic-js 1.2.2 (the reference implementation); never panics, and bounded in work.

use std::borrow::Cow;

use crate::datetime::DateTime;
use crate::error::{shorten, EvalError, EvalErrorKind};
use crate::expr::{Comparison, ConstSet, Expr, Op, OpKind};
use crate::uvci::extract_fragment;
use crate::value::{Shape, Val};

/// How much repeated work one evaluation may do: `reduce` steps plus items compared by `in`
/// against computed arrays. Real rules need a few hundred; this stops runaway expressions.
pub const MAX_STEPS: u64 = 10_000_000;

/// How many JSON nodes a result may have once converted (a `reduce` can double a value per step).
pub(crate) const MAX_RESULT_NODES: u64 = 10_000_000;

type Eval<'a> = Result<Val<'a>, Box<EvalError>>;

/// One evaluation's running state.
pub(crate) struct Evaluator {
    steps: u64,
}

impl Evaluator {
    pub(crate) fn new() -> Self {
        Evaluator { steps: 0 }
    }

    /// Counts `n` steps of work; false once the budget is spent.
    fn spend(&mut self, n: usize) -> bool {
        self.steps = self
            .steps
            .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        self.steps <= MAX_STEPS
    }

    pub(crate) fn eval<'a>(&mut self, expr: &'a Expr, context: &Val<'a>) -> Eval<'a> {
        match expr {
            Expr::Const(value) => Ok(Val::Ref(value)),
            Expr::DateConst(date) => Ok(Val::Date(*date)),
            Expr::Var(path) => Ok(path.access(context)),
            Expr::StrictEq(operands) => {
                let [left, right] = &**operands;
                let left = self.eval(left, context)?;
                let right = self.eval(right, context)?;
                Ok(Val::Bool(left.strict_eq(&right)))
            }
            Expr::InConst(needle, set) => {
                let needle = self.eval(needle, context)?;
                Ok(Val::Bool(in_const(&needle, set)))
            }
            Expr::Op(op) => self.op(op, context),
        }
    }

    fn op<'a>(&mut self, op: &'a Op, context: &Val<'a>) -> Eval<'a> {
        let fail = |kind| {
            Box::new(EvalError {
                path: op.at.to_string(),
                kind,
            })
        };
        match &op.kind {
            OpKind::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item, context)?);
                }
                Val::array(values).ok_or_else(|| fail(EvalErrorKind::ValueTooLarge))
            }
            OpKind::If([guard, then, otherwise]) => {
                let guard = self.eval(guard, context)?;
                match guard.truthiness() {
                    Some(true) => self.eval(then, context),
                    Some(false) => self.eval(otherwise, context),
                    None => Err(fail(neither("if", &guard))),
                }
            }
            OpKind::And(operands) => {
                // Lazy, left to right: the first falsy operand itself, else the last operand.
                let mut last = Val::Bool(true);
                for operand in operands {
                    let value = self.eval(operand, context)?;
                    match value.truthiness() {
                        Some(true) => last = value,
                        Some(false) => return Ok(value),
                        None => return Err(fail(neither("and", &value))),
                    }
                }
                Ok(last)
            }
            OpKind::Not(operand) => {
                let value = self.eval(operand, context)?;
                match value.truthiness() {
                    Some(truthy) => Ok(Val::Bool(!truthy)),
                    None => Err(fail(neither("!", &value))),
                }
            }
            OpKind::Compare {
                op: comparison,
                dates,
                operands: [first, second],
                third,
            } => {
                // All operands are evaluated before their types are checked, as in certlogic-js.
                let first = self.eval(first, context)?;
                let second = self.eval(second, context)?;
                let third = match third {
                    Some(third) => Some(self.eval(third, context)?),
                    None => None,
                };
                let operator = comparison.name(*dates);
                if *dates {
                    let as_date = |v: &Val<'_>| {
                        v.as_date().ok_or_else(|| {
                            fail(EvalErrorKind::NotDateTimes {
                                operator,
                                found: v.type_name(),
                            })
                        })
                    };
                    // An invalid date is NaN in JavaScript: every comparison with it is false.
                    let millis = |d: DateTime| d.millis().map_or(f64::NAN, |ms| ms as f64);
                    let (a, b) = (millis(as_date(&first)?), millis(as_date(&second)?));
                    let c = third.as_ref().map(as_date).transpose()?.map(millis);
                    Ok(Val::Bool(chain(*comparison, a, b, c)))
                } else {
                    let as_int = |v: &Val<'_>| {
                        v.as_integer().ok_or_else(|| {
                            fail(EvalErrorKind::NotIntegers {
                                operator,
                                found: v.type_name(),
                            })
                        })
                    };
                    let (a, b) = (as_int(&first)?, as_int(&second)?);
                    let c = third.as_ref().map(as_int).transpose()?;
                    Ok(Val::Bool(chain(*comparison, a, b, c)))
                }
            }
            OpKind::In([needle, haystack]) => {
                let needle = self.eval(needle, context)?;
                let haystack = self.eval(haystack, context)?;
                let found = match haystack.shape() {
                    Shape::JsonArray(items) if self.spend(items.len()) => needle.is_in_json(items),
                    Shape::Array(built) if self.spend(built.items.len()) => {
                        built.items.iter().any(|item| needle.strict_eq(item))
                    }
                    Shape::JsonArray(_) | Shape::Array(_) => {
                        return Err(fail(EvalErrorKind::TooManySteps(MAX_STEPS)))
                    }
                    _ => return Err(fail(EvalErrorKind::InNotArray(haystack.type_name()))),
                };
                Ok(Val::Bool(found))
            }
            OpKind::Plus([left, right]) => {
                let left = self.eval(left, context)?;
                let right = self.eval(right, context)?;
                match (left.as_integer(), right.as_integer()) {
                    (Some(a), Some(b)) => Ok(Val::Num(a + b)),
                    (None, _) => Err(fail(not_integer(&left))),
                    (_, None) => Err(fail(not_integer(&right))),
                }
            }
            OpKind::PlusTime { date, amount, unit } => {
                let value = self.eval(date, context)?;
                let Some(text) = value.as_string() else {
                    return Err(fail(EvalErrorKind::PlusTimeNotString(value.type_name())));
                };
                let start = DateTime::parse_plus_time(&text)
                    .map_err(|_| fail(EvalErrorKind::BadDateTime(shorten(&text, 40))))?;
                Ok(Val::Date(start.plus(*amount, *unit)))
            }
            OpKind::Reduce([operand, lambda, initial]) => {
                let operand = self.eval(operand, context)?;
                match operand.shape() {
                    Shape::Null => self.eval(initial, context),
                    Shape::JsonArray(items) => {
                        let items = items.iter().map(Val::Ref);
                        self.fold(op, items, lambda, initial, context)
                    }
                    Shape::Array(built) => {
                        let items = built.items.iter().cloned();
                        self.fold(op, items, lambda, initial, context)
                    }
                    _ => Err(fail(EvalErrorKind::ReduceNotArray(operand.type_name()))),
                }
            }
            OpKind::ExtractFromUvci { uvci, index } => {
                let value = self.eval(uvci, context)?;
                if value.is_null() {
                    return Ok(Val::Null);
                }
                let Some(text) = value.as_string() else {
                    return Err(fail(EvalErrorKind::UvciNotString(value.type_name())));
                };
                let fragment = match text {
                    Cow::Borrowed(text) => extract_fragment(text, *index).map(Cow::Borrowed),
                    Cow::Owned(text) => {
                        extract_fragment(&text, *index).map(|f| Cow::Owned(f.to_owned()))
                    }
                };
                Ok(fragment.map_or(Val::Null, Val::Str))
            }
            OpKind::DccDateOfBirth(operand) => {
                let value = self.eval(operand, context)?;
                let Some(text) = value.as_string() else {
                    return Err(fail(EvalErrorKind::DateOfBirthNotString(value.type_name())));
                };
                let date = DateTime::parse_date_of_birth(&text)
                    .map_err(|_| fail(EvalErrorKind::BadDateOfBirth(shorten(&text, 40))))?;
                Ok(Val::Date(date))
            }
        }
    }

    /// The left fold of `reduce`: the lambda sees only `{"accumulator": …, "current": …}`.
    fn fold<'a>(
        &mut self,
        op: &'a Op,
        items: impl Iterator<Item = Val<'a>>,
        lambda: &'a Expr,
        initial: &'a Expr,
        context: &Val<'a>,
    ) -> Eval<'a> {
        let fail = |kind| {
            Box::new(EvalError {
                path: op.at.to_string(),
                kind,
            })
        };
        let mut accumulator = self.eval(initial, context)?;
        for current in items {
            if !self.spend(1) {
                return Err(fail(EvalErrorKind::TooManySteps(MAX_STEPS)));
            }
            let lambda_context = Val::reduce_context(accumulator, current)
                .ok_or_else(|| fail(EvalErrorKind::ValueTooLarge))?;
            accumulator = self.eval(lambda, &lambda_context)?;
        }
        Ok(accumulator)
    }
}

/// `a op b`, and `b op c` too when there is a third operand.
fn chain(op: Comparison, a: f64, b: f64, c: Option<f64>) -> bool {
    op.holds(a, b) && c.is_none_or(|c| op.holds(b, c))
}

fn in_const(needle: &Val<'_>, set: &ConstSet) -> bool {
    match needle.shape() {
        Shape::Str(s) => set.contains_str(s),
        Shape::Num(n) => set.numbers.contains(&n),
        Shape::Bool(b) => set.booleans.get(usize::from(b)).copied().unwrap_or(false),
        // `null` is no literal, and built values are equal to nothing in a literal array.
        _ => false,
    }
}

fn neither(operator: &'static str, value: &Val<'_>) -> EvalErrorKind {
    EvalErrorKind::NeitherTruthyNorFalsy {
        operator,
        found: value.type_name(),
    }
}

fn not_integer(value: &Val<'_>) -> EvalErrorKind {
    EvalErrorKind::NotIntegers {
        operator: "+",
        found: value.type_name(),
    }
}
