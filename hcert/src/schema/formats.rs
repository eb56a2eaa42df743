//! The JSON Schema `format`s the DCC schemas use, `date` and `date-time` (RFC 3339, as ajv-formats
//! checks them), hand-coded. Asserted only in strict mode: for the verifier they are annotations.

/// `format: date`: `YYYY-MM-DD`, ASCII digits, a real day of the Gregorian calendar
/// (`2020-02-29` yes, `2021-02-29`, `2021-13-01`, `2021-6-11`, a date-time no).
pub(super) fn is_date(s: &str) -> bool {
    parse_date(s.as_bytes()).is_some()
}

/// `format: date-time`: a date, `T`, `hh:mm:ss`, an optional fraction and a required offset
/// `Z`, `±hh:mm`, `±hhmm` or `±hh`. The last two are not RFC 3339 but ISO 8601 and are accepted,
/// as ajv-formats accepts them, because upstream's valid payloads `T-rat-dates1`/`-2` use them.
/// `t` and `z` may be lower case (RFC 3339 §5.6 note). A space instead of `T` is rejected.
/// Seconds may be 60 only for a leap second, at 23:59 UTC.
pub(super) fn is_date_time(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (date, rest) = match (bytes.get(..10), bytes.get(10..)) {
        (Some(date), Some(rest)) => (date, rest),
        _ => return false,
    };
    if parse_date(date).is_none() {
        return false;
    }
    let Some((sep, time)) = rest.split_first() else {
        return false;
    };
    if !matches!(sep, b'T' | b't') {
        return false;
    }
    let (hour, minute, second, rest) = match time {
        [h1, h2, b':', m1, m2, b':', s1, s2, rest @ ..] => {
            match (
                two_digits(*h1, *h2),
                two_digits(*m1, *m2),
                two_digits(*s1, *s2),
            ) {
                (Some(h), Some(m), Some(sec)) => (h, m, sec, rest),
                _ => return false,
            }
        }
        _ => return false,
    };
    let rest = skip_fraction(rest);
    let Some(offset_minutes) = parse_offset(rest) else {
        return false;
    };
    if hour > 23 || minute > 59 {
        return false;
    }
    match second {
        0..=59 => true,
        60 => {
            // A leap second is inserted at 23:59:60 UTC only.
            let local = i64::from(hour) * 60 + i64::from(minute);
            (local - offset_minutes).rem_euclid(24 * 60) == 23 * 60 + 59
        }
        _ => false,
    }
}

/// `YYYY-MM-DD` with a valid day, exactly ten bytes.
fn parse_date(bytes: &[u8]) -> Option<(u16, u8, u8)> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = bytes else {
        return None;
    };
    let year = u16::from(two_digits(*y1, *y2)?) * 100 + u16::from(two_digits(*y3, *y4)?);
    let month = two_digits(*m1, *m2)?;
    let day = two_digits(*d1, *d2)?;
    (day >= 1 && day <= days_in_month(year, month)?).then_some((year, month, day))
}

fn days_in_month(year: u16, month: u8) -> Option<u8> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// Two ASCII digits as a number.
fn two_digits(tens: u8, ones: u8) -> Option<u8> {
    (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| (tens - b'0') * 10 + (ones - b'0'))
}

/// Skips `.` and one or more digits, if there; a `.` without digits is left for the offset
/// parser to reject.
fn skip_fraction(rest: &[u8]) -> &[u8] {
    match rest {
        [b'.', after @ ..] => {
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                rest
            } else {
                after.get(digits..).unwrap_or_default()
            }
        }
        _ => rest,
    }
}

/// The whole remainder as an offset from UTC, in minutes (east positive).
fn parse_offset(rest: &[u8]) -> Option<i64> {
    let (sign, hours, minutes) = match rest {
        [b'Z' | b'z'] => return Some(0),
        [sign, h1, h2] => (*sign, two_digits(*h1, *h2)?, 0),
        [sign, h1, h2, m1, m2] | [sign, h1, h2, b':', m1, m2] => {
            (*sign, two_digits(*h1, *h2)?, two_digits(*m1, *m2)?)
        }
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    let minutes = i64::from(hours) * 60 + i64::from(minutes);
    match sign {
        b'+' => Some(minutes),
        b'-' => Some(-minutes),
        _ => None,
    }
}
