//! `var` paths: `"a.0.b"` split once at compile time, then walked through the data context
//! the way certlogic-js's `access` does (`parseInt` on each fragment, anything missing is `null`).

use std::borrow::Cow;

use crate::value::{Shape, Val};

/// A compiled data-access path; no fragments means `""`, the whole data context.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    fragments: Vec<Fragment>,
}

#[derive(Debug, Clone, PartialEq)]
struct Fragment {
    /// The property name looked up on an object: the fragment itself, or, when it starts like
    /// an integer, that integer written as JavaScript writes numbers (`"01"` reads key `"1"`).
    key: Box<str>,
    /// `parseInt(fragment, 10)`, when it is a number; indexes arrays.
    index: Option<f64>,
}

impl Path {
    /// Whether `path` has the format the specification allows: `""`, or non-empty fragments
    /// separated by single periods.
    pub(crate) fn is_valid(path: &str) -> bool {
        path.is_empty() || path.split('.').all(|fragment| !fragment.is_empty())
    }

    /// A path already checked by [`Path::is_valid`].
    pub(crate) fn new(path: &str) -> Self {
        if path.is_empty() {
            return Path {
                fragments: Vec::new(),
            };
        }
        let fragments = path
            .split('.')
            .map(|fragment| {
                let index = parse_int(fragment);
                let key = match index {
                    Some(n) => js_number_to_string(n).into(),
                    None => fragment.into(),
                };
                Fragment { key, index }
            })
            .collect();
        Path { fragments }
    }

    /// The value at this path in `context`: `null` for a missing key or index, and for any step
    /// into something that is neither an object nor an array (nor a string, whose characters
    /// and `length` JavaScript reads like an array's; arrays have a `length` too).
    pub(crate) fn access<'a>(&self, context: &Val<'a>) -> Val<'a> {
        let mut current = context.clone();
        for fragment in &self.fragments {
            current = fragment.step(&current);
            if current.is_null() {
                return Val::Null;
            }
        }
        current
    }
}

impl Fragment {
    /// `acc[fragment]` for one value.
    fn step<'a>(&self, value: &Val<'a>) -> Val<'a> {
        match value.shape() {
            Shape::JsonObject(map) => map.get(&*self.key).map_or(Val::Null, Val::Ref),
            Shape::JsonArray(items) => match self.array_index(items.len()) {
                Some(i) => items.get(i).map_or(Val::Null, Val::Ref),
                None => self.length(items.len()),
            },
            Shape::Array(built) => match self.array_index(built.items.len()) {
                Some(i) => built.items.get(i).cloned().unwrap_or(Val::Null),
                None => self.length(built.items.len()),
            },
            Shape::Reduce(context) => match &*self.key {
                "accumulator" => context.accumulator.clone(),
                "current" => context.current.clone(),
                _ => Val::Null,
            },
            Shape::Fields(fields) => fields.get(&self.key).cloned().unwrap_or(Val::Null),
            Shape::Str(s) => self.string_property(s),
            _ => Val::Null,
        }
    }

    /// The `length` property, when this fragment names it.
    fn length<'a>(&self, len: usize) -> Val<'a> {
        if self.index.is_none() && &*self.key == "length" {
            Val::Num(len as f64)
        } else {
            Val::Null
        }
    }

    /// A string's properties in JavaScript: its UTF-16 code units by index, and `length`.
    fn string_property<'a>(&self, s: &str) -> Val<'a> {
        let Some(i) = self.array_index(usize::MAX) else {
            return self.length(s.encode_utf16().count());
        };
        match s.encode_utf16().nth(i) {
            // A lone surrogate (half of a character beyond U+FFFF) has no UTF-8 form.
            Some(unit) => Val::Str(Cow::Owned(
                char::from_u32(u32::from(unit))
                    .unwrap_or(char::REPLACEMENT_CHARACTER)
                    .to_string(),
            )),
            None => Val::Null,
        }
    }

    fn array_index(&self, len: usize) -> Option<usize> {
        let n = self.index?;
        // `-0` indexes element 0, as in JavaScript; anything past the end is missing.
        (n >= 0.0 && n < len as f64).then_some(n as usize)
    }
}

/// JavaScript `parseInt(s, 10)`: leading white space, an optional sign, then as many decimal
/// digits as follow (at least one); the rest is ignored. `None` for `NaN`.
fn parse_int(s: &str) -> Option<f64> {
    let s = s.trim_start_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}');
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let end = s.bytes().take_while(u8::is_ascii_digit).count();
    let digits = s.get(..end).filter(|d| !d.is_empty())?;
    let magnitude: f64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// `Number.prototype.toString()` for the integral doubles `parseInt` yields.
fn js_number_to_string(n: f64) -> String {
    if n.is_infinite() {
        return if n < 0.0 { "-Infinity" } else { "Infinity" }.to_owned();
    }
    if n == 0.0 {
        // Also for -0, which JavaScript writes as "0".
        return "0".to_owned();
    }
    if n.abs() < 1e21 {
        return format!("{n}");
    }
    // JavaScript switches to exponent notation from 1e21 on: "1e+21", "1.5e+22".
    format!("{n:e}").replacen('e', "e+", 1)
}
