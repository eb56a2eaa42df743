//! The compiled form of a CertLogic expression: validated once, every operand resolved to a
//! node, literal-only operands (`plusTime` amount and unit, `extractFromUVCI` index) decoded.

use serde_json::Value;

use crate::datetime::{DateTime, TimeUnit};
use crate::path::Path;

/// One node of a compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// A literal (string, integer, boolean) or an array made of literals only.
    Const(Value),
    /// `plusTime` on a literal date string, computed at compile time.
    DateConst(DateTime),
    /// `{"var": "<path>"}`.
    Var(Path),
    /// `{"===": [a, b]}`: cannot fail.
    StrictEq(Box<[Expr; 2]>),
    /// `{"in": [needle, [literals…]]}`: membership in a literal array, looked up in a table.
    InConst(Box<Expr>, ConstSet),
    /// Every operation that can fail on its data, with where it sits for the error message.
    Op(Box<Op>),
}

/// An operation that can fail, and its JSON Pointer in the source expression.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) at: Box<str>,
    pub(crate) kind: OpKind,
}

#[derive(Debug, Clone)]
pub(crate) enum OpKind {
    /// An array whose items are not all literals: a fresh array per evaluation.
    Array(Vec<Expr>),
    /// `{"if": [guard, then, else]}`.
    If([Expr; 3]),
    /// `{"and": [a, b, …]}`, lazy, at least two operands.
    And(Vec<Expr>),
    /// `{"!": [a]}`.
    Not(Expr),
    /// `<`, `>`, `<=`, `>=` on integers, or their date-time twins, with 2 or 3 operands.
    Compare {
        op: Comparison,
        dates: bool,
        operands: [Expr; 2],
        third: Option<Expr>,
    },
    /// `{"in": [needle, haystack]}` with a haystack that must evaluate to an array.
    In([Expr; 2]),
    /// `{"+": [a, b]}` on integers.
    Plus([Expr; 2]),
    /// `{"plusTime": [date, amount, unit]}`; amount and unit are literals.
    PlusTime {
        date: Expr,
        amount: f64,
        unit: TimeUnit,
    },
    /// `{"reduce": [operand, lambda, initial]}`.
    Reduce([Expr; 3]),
    /// `{"extractFromUVCI": [uvci, index]}`; the index is a literal.
    ExtractFromUvci { uvci: Expr, index: f64 },
    /// `{"dccDateOfBirth": [dob]}`.
    DccDateOfBirth(Expr),
}

/// The comparison of `<`/`before`, `>`/`after`, `<=`/`not-after`, `>=`/`not-before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

impl Comparison {
    /// The operator as written, for messages.
    pub(crate) fn name(self, dates: bool) -> &'static str {
        match (self, dates) {
            (Comparison::Less, false) => "<",
            (Comparison::Greater, false) => ">",
            (Comparison::LessOrEqual, false) => "<=",
            (Comparison::GreaterOrEqual, false) => ">=",
            (Comparison::Less, true) => "before",
            (Comparison::Greater, true) => "after",
            (Comparison::LessOrEqual, true) => "not-after",
            (Comparison::GreaterOrEqual, true) => "not-before",
        }
    }

    /// JavaScript's relational operators: false whenever `NaN` (an invalid date) is involved.
    pub(crate) fn holds<T: PartialOrd>(self, l: T, r: T) -> bool {
        match self {
            Comparison::Less => l < r,
            Comparison::Greater => l > r,
            Comparison::LessOrEqual => l <= r,
            Comparison::GreaterOrEqual => l >= r,
        }
    }
}

/// The scalar items of a literal array, sorted for lookup. Nested array literals are left out:
/// they evaluate to fresh arrays, which nothing is `===` to.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConstSet {
    pub(crate) strings: Vec<Box<str>>,
    pub(crate) numbers: Vec<f64>,
    pub(crate) booleans: [bool; 2],
}

impl ConstSet {
    pub(crate) fn new(items: &[Value]) -> Self {
        let mut set = ConstSet::default();
        for item in items {
            match item {
                Value::String(s) => set.strings.push(s.as_str().into()),
                Value::Number(n) => set.numbers.push(crate::value::number(n)),
                Value::Bool(b) => {
                    if let Some(slot) = set.booleans.get_mut(usize::from(*b)) {
                        *slot = true;
                    }
                }
                _ => {}
            }
        }
        set.strings.sort_unstable();
        set.strings.dedup();
        set
    }

    pub(crate) fn contains_str(&self, s: &str) -> bool {
        self.strings
            .binary_search_by(|item| (**item).cmp(s))
            .is_ok()
    }
}
