//! The few `pattern`s of the DCC schemas, hand-coded with ECMA-262 meaning (what JSON Schema
//! specifies): unanchored unless written with `^…$`, `\d` is ASCII, `.` any but a line terminator.

/// `ver`: `^\d+.\d+.\d+$`. The dots are unescaped, so any character but a line terminator
/// separates: `1.3.3` and `1x3x3` match, even `12345` does (`1` `2` `3` `4` `5`); `1.3` does not.
pub(super) fn is_version_like(s: &str) -> bool {
    // Three runs of digits and two separators, and a separator may itself be a digit. Every
    // non-digit must be a separator, so there are at most two; then it is arithmetic on where
    // they stand (one pass, no backtracking, whatever the length).
    let mut len = 0usize;
    let mut found: [Option<usize>; 2] = [None, None];
    for (index, c) in s.chars().enumerate() {
        len = index + 1;
        if c.is_ascii_digit() {
            continue;
        }
        if is_line_terminator(c) {
            return false;
        }
        found = match found {
            [None, _] => [Some(index), None],
            [Some(first), None] => [Some(first), Some(index)],
            [Some(_), Some(_)] => return false,
        };
    }
    match found {
        // Both separators are digits: `d d d d d` at least.
        [None, _] => len >= 5,
        // The one non-digit is the first separator (a later digit is the second) or the
        // second one (an earlier digit is the first).
        [Some(i), None] => (i >= 1 && i + 4 <= len) || (i >= 3 && i + 2 <= len),
        [Some(i), Some(j)] => i >= 1 && j >= i + 2 && j + 2 <= len,
    }
}

/// ECMA-262 LineTerminator: what `.` does not match.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `dob` in 1.0.x: `(19|20)\d{2}-\d{2}-\d{2}`, unanchored, so found anywhere in the string.
pub(super) fn contains_full_dob(s: &str) -> bool {
    // All ASCII, so a byte window never starts or ends inside a multi-byte character.
    s.as_bytes().windows(10).any(|w| {
        matches!(w, [c1, c2, y3, y4, b'-', m1, m2, b'-', d1, d2]
            if is_century(*c1, *c2) && all_digits(&[*y3, *y4, *m1, *m2, *d1, *d2]))
    })
}

/// `dob` in 1.1.0–1.2.1: `^(19|20)\d\d(-\d\d){0,2}$`; from 1.3.0 also empty:
/// `^((19|20)\d\d(-\d\d){0,2}){0,1}$`. No calendar check: `1964-13-45` matches.
pub(super) fn is_partial_dob(s: &str, allow_empty: bool) -> bool {
    match s.as_bytes() {
        [] => allow_empty,
        [c1, c2, y3, y4, rest @ ..] if is_century(*c1, *c2) && all_digits(&[*y3, *y4]) => {
            match rest {
                [] => true,
                [b'-', m1, m2] => all_digits(&[*m1, *m2]),
                [b'-', m1, m2, b'-', d1, d2] => all_digits(&[*m1, *m2, *d1, *d2]),
                _ => false,
            }
        }
        _ => false,
    }
}

/// `fnt`, `gnt`: `^[A-Z<]*$` (ICAO 9303 machine-readable characters; empty allowed).
pub(super) fn is_icao_name(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_uppercase() || b == b'<')
}

/// `co`: `[A-Z]{1,10}`, unanchored, so any string with an upper-case ASCII letter matches
/// (`UNHCR` yes, `cz` no).
pub(super) fn contains_upper_letter(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase())
}

fn is_century(c1: u8, c2: u8) -> bool {
    matches!((c1, c2), (b'1', b'9') | (b'2', b'0'))
}

fn all_digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}
