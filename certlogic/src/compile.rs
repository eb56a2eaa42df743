//! Validation and compilation in one pass over the JSON: every issue is reported with the JSON
//! Pointer of where it sits, and a valid expression comes out as a tree of [`Expr`] nodes.
//! The checks are those of certlogic-js's `validateFormat`, the reference validator.

use serde_json::{Map, Value};

use crate::datetime::{DateTime, TimeUnit};
use crate::error::{shorten, show_value, ValidationError};
use crate::expr::{Comparison, ConstSet, Expr, Op, OpKind};
use crate::path::Path;
use crate::value::{is_integer, number};

/// How deeply an expression may nest; evaluation recurses once per level.
pub const MAX_DEPTH: usize = 128;

/// Compiles `logic`, or lists everything wrong with it.
pub(crate) fn compile(logic: &Value) -> Result<Expr, Vec<ValidationError>> {
    let mut compiler = Compiler {
        errors: Vec::new(),
        path: String::new(),
    };
    match compiler.expr(logic, 0) {
        Some(expr) if compiler.errors.is_empty() => Ok(expr),
        _ if compiler.errors.is_empty() => Err(vec![ValidationError {
            path: String::new(),
            message: "invalid CertLogic expression".to_owned(),
        }]),
        _ => Err(compiler.errors),
    }
}

/// How many operands an operator takes.
#[derive(Clone, Copy)]
enum Arity {
    Exactly(usize),
    AtLeast(usize),
    Between(usize, usize),
}

impl Arity {
    fn allows(self, n: usize) -> bool {
        match self {
            Arity::Exactly(k) => n == k,
            Arity::AtLeast(k) => n >= k,
            Arity::Between(lo, hi) => (lo..=hi).contains(&n),
        }
    }

    /// The most operands worth validating when the count is wrong.
    fn max(self) -> usize {
        match self {
            Arity::Exactly(k) | Arity::Between(_, k) => k,
            Arity::AtLeast(_) => usize::MAX,
        }
    }

    fn describe(self) -> String {
        match self {
            Arity::Exactly(1) => "exactly 1 operand".to_owned(),
            Arity::Exactly(k) => format!("exactly {k} operands"),
            Arity::AtLeast(k) => format!("at least {k} operands"),
            Arity::Between(lo, hi) => format!("{lo} or {hi} operands"),
        }
    }
}

struct Compiler {
    errors: Vec<ValidationError>,
    /// JSON Pointer of the node being compiled.
    path: String,
}

impl Compiler {
    fn error(&mut self, message: String) -> Option<Expr> {
        self.errors.push(ValidationError {
            path: self.path.clone(),
            message,
        });
        None
    }

    /// Runs `f` with `segment` appended to the current path.
    fn at<T>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        self.path.push('/');
        for c in segment.chars() {
            match c {
                '~' => self.path.push_str("~0"),
                '/' => self.path.push_str("~1"),
                c => self.path.push(c),
            }
        }
        let result = f(self);
        self.path.truncate(len);
        result
    }

    fn expr(&mut self, value: &Value, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return self.error(format!(
                "expression nested more than {MAX_DEPTH} levels deep"
            ));
        }
        match value {
            Value::String(_) | Value::Bool(_) => Some(Expr::Const(value.clone())),
            Value::Number(n) if is_integer(number(n)) => Some(Expr::Const(integer_literal(n))),
            Value::Number(n) => self.error(format!("{n} is a non-integer number")),
            Value::Null => {
                self.error("invalid CertLogic expression: null is no literal".to_owned())
            }
            Value::Array(items) => self.array(items, depth),
            Value::Object(map) => self.operation(map, depth),
        }
    }

    fn array(&mut self, items: &[Value], depth: usize) -> Option<Expr> {
        let mut compiled = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.at(&i.to_string(), |c| c.expr(item, depth + 1)) {
                Some(expr) => compiled.push(expr),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        // An array of literals is itself a literal, built once here rather than per evaluation.
        let literals: Option<Vec<Value>> = compiled
            .iter()
            .map(|expr| match expr {
                Expr::Const(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        Some(match literals {
            Some(values) => Expr::Const(Value::Array(values)),
            None => self.op(OpKind::Array(compiled)),
        })
    }

    fn op(&self, kind: OpKind) -> Expr {
        Expr::Op(Box::new(Op {
            at: self.path.as_str().into(),
            kind,
        }))
    }

    fn operation(&mut self, map: &Map<String, Value>, depth: usize) -> Option<Expr> {
        let mut entries = map.iter();
        let (Some((operator, values)), None) = (entries.next(), entries.next()) else {
            return self.error(format!(
                "expression object must have exactly one key, but it has {}",
                map.len()
            ));
        };
        if operator == "var" {
            return self.at("var", |c| match values {
                Value::String(path) if Path::is_valid(path) => Some(Expr::Var(Path::new(path))),
                Value::String(path) => c.error(format!(
                    "data access path doesn't have a valid format: {}",
                    shorten(path, 60)
                )),
                _ => c.error("not of the form { \"var\": \"<path>\" }".to_owned()),
            });
        }
        let Value::Array(operands) = values else {
            return self
                .error("operation not of the form { \"<operator>\": [ <values...> ] }".to_owned());
        };
        let comparison = |op, dates| Some((op, dates));
        let compare = match operator.as_str() {
            "<" => comparison(Comparison::Less, false),
            ">" => comparison(Comparison::Greater, false),
            "<=" => comparison(Comparison::LessOrEqual, false),
            ">=" => comparison(Comparison::GreaterOrEqual, false),
            "before" => comparison(Comparison::Less, true),
            "after" => comparison(Comparison::Greater, true),
            "not-after" => comparison(Comparison::LessOrEqual, true),
            "not-before" => comparison(Comparison::GreaterOrEqual, true),
            _ => None,
        };
        if let Some((op, dates)) = compare {
            let mut all = self
                .operands(operator, operands, Arity::Between(2, 3), depth)?
                .into_iter();
            let (Some(first), Some(second)) = (all.next(), all.next()) else {
                return None;
            };
            let third = all.next();
            return Some(self.op(OpKind::Compare {
                op,
                dates,
                operands: [first, second],
                third,
            }));
        }
        match operator.as_str() {
            "if" => {
                let all = self.operands(operator, operands, Arity::Exactly(3), depth)?;
                Some(self.op(OpKind::If(all.try_into().ok()?)))
            }
            "===" => {
                let all = self.operands(operator, operands, Arity::Exactly(2), depth)?;
                Some(Expr::StrictEq(Box::new(all.try_into().ok()?)))
            }
            "in" => {
                let [needle, haystack]: [Expr; 2] = self
                    .operands(operator, operands, Arity::Exactly(2), depth)?
                    .try_into()
                    .ok()?;
                Some(match haystack {
                    Expr::Const(Value::Array(items)) => {
                        Expr::InConst(Box::new(needle), ConstSet::new(&items))
                    }
                    haystack => self.op(OpKind::In([needle, haystack])),
                })
            }
            "+" => {
                let all = self.operands(operator, operands, Arity::Exactly(2), depth)?;
                Some(self.op(OpKind::Plus(all.try_into().ok()?)))
            }
            "and" => {
                let all = self.operands(operator, operands, Arity::AtLeast(2), depth)?;
                Some(self.op(OpKind::And(all)))
            }
            "!" => {
                let [operand]: [Expr; 1] = self
                    .operands(operator, operands, Arity::Exactly(1), depth)?
                    .try_into()
                    .ok()?;
                Some(self.op(OpKind::Not(operand)))
            }
            "reduce" => {
                let all = self.operands(operator, operands, Arity::Exactly(3), depth)?;
                Some(self.op(OpKind::Reduce(all.try_into().ok()?)))
            }
            "dccDateOfBirth" => {
                let [operand]: [Expr; 1] = self
                    .operands(operator, operands, Arity::Exactly(1), depth)?
                    .try_into()
                    .ok()?;
                Some(self.op(OpKind::DccDateOfBirth(operand)))
            }
            "plusTime" => self.plus_time(operands, depth),
            "extractFromUVCI" => self.extract_from_uvci(operands, depth),
            _ => self.error(format!(
                "unrecognised operator: \"{}\"",
                shorten(operator, 40)
            )),
        }
    }

    /// Checks the operand count and compiles the operands; `None` if anything is wrong.
    fn operands(
        &mut self,
        operator: &str,
        operands: &[Value],
        arity: Arity,
        depth: usize,
    ) -> Option<Vec<Expr>> {
        let count_ok = arity.allows(operands.len());
        if !count_ok {
            self.error(format!(
                "an \"{operator}\" operation must have {}, but it has {}",
                arity.describe(),
                operands.len()
            ));
        }
        let mut compiled = Vec::with_capacity(operands.len().min(arity.max()));
        let mut ok = count_ok;
        for (i, operand) in operands.iter().enumerate().take(arity.max()) {
            match self.operand(operator, i, operand, depth) {
                Some(expr) => compiled.push(expr),
                None => ok = false,
            }
        }
        ok.then_some(compiled)
    }

    /// Operand `i` of `operator`, compiled at its path.
    fn operand(&mut self, operator: &str, i: usize, operand: &Value, depth: usize) -> Option<Expr> {
        self.at(operator, |c| {
            c.at(&i.to_string(), |c| c.expr(operand, depth + 1))
        })
    }

    /// `{"plusTime": [date, amount, unit]}`: amount an integer literal, unit a literal unit name.
    fn plus_time(&mut self, operands: &[Value], depth: usize) -> Option<Expr> {
        let date = operands
            .first()
            .and_then(|v| self.operand("plusTime", 0, v, depth));
        let ok = operands.len() == 3;
        if !ok {
            self.error(format!(
                "a \"plusTime\" operation must have exactly 3 operands, but it has {}",
                operands.len()
            ));
        }
        let amount = self.at("plusTime", |c| {
            c.at("1", |c| match operands.get(1) {
                Some(Value::Number(n)) if is_integer(number(n)) => Some(number(n)),
                Some(other) => {
                    c.error(format!(
                        "\"amount\" operand (#2) of \"plusTime\" must be an integer literal, but it is: {}",
                        show_value(other)
                    ));
                    None
                }
                None => None,
            })
        });
        let unit = self.at("plusTime", |c| {
            c.at("2", |c| match operands.get(2) {
                Some(Value::String(name)) if TimeUnit::from_name(name).is_some() => {
                    TimeUnit::from_name(name)
                }
                Some(other) => {
                    c.error(format!(
                        "\"unit\" operand (#3) of \"plusTime\" must be one of the literals \"year\", \"month\", \"day\", \"hour\", but it is: {}",
                        show_value(other)
                    ));
                    None
                }
                None => None,
            })
        });
        let (Some(date), Some(amount), Some(unit), true) = (date, amount, unit, ok) else {
            return None;
        };
        // A literal date string gives the same date-time every time: compute it once.
        if let Expr::Const(Value::String(s)) = &date {
            if let Ok(start) = DateTime::parse_plus_time(s) {
                return Some(Expr::DateConst(start.plus(amount, unit)));
            }
        }
        Some(self.op(OpKind::PlusTime { date, amount, unit }))
    }

    /// `{"extractFromUVCI": [uvci, index]}`: the index an integer literal.
    fn extract_from_uvci(&mut self, operands: &[Value], depth: usize) -> Option<Expr> {
        let uvci = operands
            .first()
            .and_then(|v| self.operand("extractFromUVCI", 0, v, depth));
        let ok = operands.len() == 2;
        if !ok {
            self.error(format!(
                "an \"extractFromUVCI\" operation must have exactly 2 operands, but it has {}",
                operands.len()
            ));
        }
        let index = self.at("extractFromUVCI", |c| {
            c.at("1", |c| match operands.get(1) {
                Some(Value::Number(n)) if is_integer(number(n)) => Some(number(n)),
                Some(other) => {
                    c.error(format!(
                        "\"index\" operand (#2) of \"extractFromUVCI\" must be an integer literal, but it is: {}",
                        show_value(other)
                    ));
                    None
                }
                None => None,
            })
        });
        let (Some(uvci), Some(index), true) = (uvci, index, ok) else {
            return None;
        };
        Some(self.op(OpKind::ExtractFromUvci { uvci, index }))
    }
}

/// An integer literal as JavaScript reads it: `2.0` is the integer 2 (and prints as `2`).
fn integer_literal(n: &serde_json::Number) -> Value {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.abs() < 9_007_199_254_740_992.0 => Value::from(f as i64),
        _ => Value::Number(n.clone()),
    }
}
