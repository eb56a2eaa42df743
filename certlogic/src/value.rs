//! Values during evaluation: JSON borrowed from the data or the expression, values that operations
//! build, and date-times (which JSON cannot hold). Equality and truthiness follow certlogic-js.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Number, Value};

use crate::datetime::DateTime;

/// How deeply values built during one evaluation may nest (a `reduce` can wrap its accumulator
/// once per step); keeps recursive drops and conversions far from the stack's end.
pub(crate) const MAX_BUILT_DEPTH: u32 = 256;

/// How many nodes a value built during one evaluation may have (a `reduce` can double its
/// accumulator per step; the nodes are shared in memory, but not in the JSON result).
pub(crate) const MAX_BUILT_NODES: u64 = 10_000_000;

/// An evaluated value; cheap to clone (arrays built by the expression are shared, as in JS).
#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    /// A JSON value of the data context or a literal of the expression.
    Ref(&'a Value),
    /// `null` found nowhere (a missing key, an empty `extractFromUVCI` result, ...).
    Null,
    /// A boolean result.
    Bool(bool),
    /// A number result (JavaScript numbers are doubles).
    Num(f64),
    /// A string result (a fragment of a UVCI).
    Str(Cow<'a, str>),
    /// An array built by an array expression.
    Array(Rc<BuiltArray<'a>>),
    /// The data context of a `reduce` lambda: `{"accumulator": …, "current": …}`.
    Reduce(Rc<ReduceContext<'a>>),
    /// A date-time, built by `plusTime` or `dccDateOfBirth` only.
    Date(DateTime),
    /// An object assembled from borrowed parts by the caller ([`crate::Data`]): the data
    /// context without copying the JSON it is made of.
    Fields(Rc<Fields<'a>>),
}

/// An object whose members are values: the caller's data context, assembled from borrowed JSON.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    pub(crate) members: Vec<(&'a str, Val<'a>)>,
}

impl<'a> Fields<'a> {
    /// The member named `key` (the first, should a caller give a name twice).
    pub(crate) fn get(&self, key: &str) -> Option<&Val<'a>> {
        self.members.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// An array value built during evaluation.
#[derive(Debug)]
pub(crate) struct BuiltArray<'a> {
    depth: u32,
    size: u64,
    pub(crate) items: Vec<Val<'a>>,
}

/// What a `reduce` lambda sees as its data.
#[derive(Debug)]
pub(crate) struct ReduceContext<'a> {
    depth: u32,
    size: u64,
    pub(crate) accumulator: Val<'a>,
    pub(crate) current: Val<'a>,
}

/// What a value is, borrowed: the shapes the operations distinguish.
pub(crate) enum Shape<'v, 'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'v str),
    JsonArray(&'a Vec<Value>),
    JsonObject(&'a serde_json::Map<String, Value>),
    Array(&'v BuiltArray<'a>),
    Reduce(&'v ReduceContext<'a>),
    Fields(&'v Fields<'a>),
    Date,
}

/// Identity for `===`: scalars by value, arrays and objects by reference, as JavaScript does.
#[derive(PartialEq)]
enum Identity<'v> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'v str),
    Object(*const ()),
    /// Every date-time is a fresh object in certlogic-js, equal to nothing.
    Unequal,
}

impl<'a> Val<'a> {
    /// A new array value, `None` if it would nest too deeply.
    pub(crate) fn array(items: Vec<Val<'a>>) -> Option<Self> {
        let depth = 1 + items.iter().map(Val::depth).max().unwrap_or(0);
        let size = items
            .iter()
            .fold(1u64, |sum, item| sum.saturating_add(item.size()));
        (depth <= MAX_BUILT_DEPTH && size <= MAX_BUILT_NODES)
            .then(|| Val::Array(Rc::new(BuiltArray { depth, size, items })))
    }

    /// A new `reduce` data context, `None` if it would nest too deeply.
    pub(crate) fn reduce_context(accumulator: Val<'a>, current: Val<'a>) -> Option<Self> {
        let depth = 1 + accumulator.depth().max(current.depth());
        let size = accumulator
            .size()
            .saturating_add(current.size())
            .saturating_add(1);
        (depth <= MAX_BUILT_DEPTH && size <= MAX_BUILT_NODES).then(|| {
            Val::Reduce(Rc::new(ReduceContext {
                depth,
                size,
                accumulator,
                current,
            }))
        })
    }

    fn depth(&self) -> u32 {
        match self {
            Val::Array(a) => a.depth,
            Val::Reduce(r) => r.depth,
            _ => 0,
        }
    }

    /// Nodes in the JSON form, counting data and literals as one each.
    fn size(&self) -> u64 {
        match self {
            Val::Array(a) => a.size,
            Val::Reduce(r) => r.size,
            _ => 1,
        }
    }

    pub(crate) fn shape(&self) -> Shape<'_, 'a> {
        match self {
            Val::Ref(v) => match v {
                Value::Null => Shape::Null,
                Value::Bool(b) => Shape::Bool(*b),
                Value::Number(n) => Shape::Num(number(n)),
                Value::String(s) => Shape::Str(s),
                Value::Array(a) => Shape::JsonArray(a),
                Value::Object(o) => Shape::JsonObject(o),
            },
            Val::Null => Shape::Null,
            Val::Bool(b) => Shape::Bool(*b),
            Val::Num(n) => Shape::Num(*n),
            Val::Str(s) => Shape::Str(s),
            Val::Array(a) => Shape::Array(a),
            Val::Reduce(r) => Shape::Reduce(r),
            Val::Fields(f) => Shape::Fields(f),
            Val::Date(_) => Shape::Date,
        }
    }

    /// The kind of value, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self.shape() {
            Shape::Null => "null",
            Shape::Bool(_) => "a boolean",
            Shape::Num(n) if is_integer(n) => "an integer",
            Shape::Num(_) => "a non-integer number",
            Shape::Str(_) => "a string",
            Shape::JsonArray(_) | Shape::Array(_) => "an array",
            Shape::JsonObject(_) | Shape::Reduce(_) | Shape::Fields(_) => "an object",
            Shape::Date => "a date-time",
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.shape(), Shape::Null)
    }

    /// The value if it is an integer (a JavaScript number with no fraction).
    pub(crate) fn as_integer(&self) -> Option<f64> {
        match self.shape() {
            Shape::Num(n) if is_integer(n) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn as_date(&self) -> Option<DateTime> {
        match self {
            Val::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The string, borrowed for as long as the data or expression it came from when possible.
    pub(crate) fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            Val::Ref(Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
            Val::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// CertLogic truthiness: `Some(true)` truthy, `Some(false)` falsy, `None` neither
    /// (a date-time). Numbers follow certlogic-js: any non-zero number is truthy.
    pub(crate) fn truthiness(&self) -> Option<bool> {
        match self.shape() {
            Shape::Null => Some(false),
            Shape::Bool(b) => Some(b),
            Shape::Num(n) => Some(n != 0.0),
            Shape::Str(s) => Some(!s.is_empty()),
            Shape::JsonArray(a) => Some(!a.is_empty()),
            Shape::JsonObject(o) => Some(!o.is_empty()),
            Shape::Array(a) => Some(!a.items.is_empty()),
            Shape::Reduce(_) => Some(true),
            // As a JSON object of the same members.
            Shape::Fields(f) => Some(!f.members.is_empty()),
            Shape::Date => None,
        }
    }

    fn identity(&self) -> Identity<'_> {
        match self.shape() {
            Shape::Null => Identity::Null,
            Shape::Bool(b) => Identity::Bool(b),
            Shape::Num(n) => Identity::Num(n),
            Shape::Str(s) => Identity::Str(s),
            Shape::JsonArray(a) => Identity::Object(std::ptr::from_ref(a).cast()),
            Shape::JsonObject(o) => Identity::Object(std::ptr::from_ref(o).cast()),
            Shape::Array(a) => Identity::Object(std::ptr::from_ref(a).cast()),
            Shape::Reduce(r) => Identity::Object(std::ptr::from_ref(r).cast()),
            Shape::Fields(f) => Identity::Object(std::ptr::from_ref(f).cast()),
            Shape::Date => Identity::Unequal,
        }
    }

    /// JavaScript `===` (what `===` and `in` use): no coercion; arrays and objects are equal
    /// only to themselves, so `[1] === [1]` is false while `x === x` for the same datum is true.
    pub(crate) fn strict_eq(&self, other: &Val<'_>) -> bool {
        let (a, b) = (self.identity(), other.identity());
        !matches!(a, Identity::Unequal) && a == b
    }

    /// Whether the needle is `===` to one of these JSON items.
    pub(crate) fn is_in_json(&self, items: &[Value]) -> bool {
        items.iter().any(|item| self.strict_eq(&Val::Ref(item)))
    }

    /// The JSON form of a result: date-times as `toISOString` (JSON `null` when invalid, as
    /// `JSON.stringify` gives). `None` once more than `budget` nodes would be produced.
    pub(crate) fn to_json(&self, budget: &mut u64) -> Option<Value> {
        *budget = budget.checked_sub(1)?;
        Some(match self {
            Val::Ref(v) => clone_counted(v, budget)?,
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Num(n) => number_to_json(*n),
            Val::Str(s) => Value::String(s.clone().into_owned()),
            Val::Array(a) => {
                let items = a.items.iter().map(|item| item.to_json(budget));
                Value::Array(items.collect::<Option<_>>()?)
            }
            Val::Reduce(r) => {
                let mut map = serde_json::Map::new();
                map.insert("accumulator".to_owned(), r.accumulator.to_json(budget)?);
                map.insert("current".to_owned(), r.current.to_json(budget)?);
                Value::Object(map)
            }
            Val::Date(d) => match d.millis() {
                Some(_) => Value::String(d.to_string()),
                None => Value::Null,
            },
            Val::Fields(f) => {
                let mut map = serde_json::Map::new();
                for (key, value) in &f.members {
                    if !map.contains_key(*key) {
                        map.insert((*key).to_owned(), value.to_json(budget)?);
                    }
                }
                Value::Object(map)
            }
        })
    }
}

/// A JSON number as JavaScript reads it: a double.
pub(crate) fn number(n: &Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

/// `Number.isInteger`.
pub(crate) fn is_integer(n: f64) -> bool {
    n.is_finite() && n.fract() == 0.0
}

/// A double as JSON: integers without a fraction, non-finite as `null` (as `JSON.stringify`).
fn number_to_json(n: f64) -> Value {
    // Below 2^53 every integer is exact, so the conversion to i64 loses nothing.
    if is_integer(n) && n.abs() < 9_007_199_254_740_992.0 {
        return Value::from(n as i64);
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn clone_counted(v: &Value, budget: &mut u64) -> Option<Value> {
    Some(match v {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                *budget = budget.checked_sub(1)?;
                out.push(clone_counted(item, budget)?);
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, item) in map {
                *budget = budget.checked_sub(1)?;
                out.insert(key.clone(), clone_counted(item, budget)?);
            }
            Value::Object(out)
        }
        scalar => scalar.clone(),
    })
}
