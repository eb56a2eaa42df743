//! CertLogic date-times: the allowed string formats, and offsets computed exactly as JavaScript's
//! `Date.setUTC…` methods do (the specification defines `plusTime` through them), on milliseconds.

use std::fmt;

const MS_PER_HOUR: i128 = 3_600_000;
const MS_PER_DAY: i128 = 86_400_000;
/// ECMAScript `TimeClip`: a `Date` holds at most ±8.64e15 ms around the epoch.
const MAX_TIME: i128 = 8_640_000_000_000_000;
/// Beyond this many units any offset leaves the `Date` range, whatever the unit.
const MAX_AMOUNT: f64 = 1e12;

/// An instant with millisecond precision, as a JavaScript `Date`, including its "Invalid Date"
/// (what `new Date("2021-13-01T00:00:00Z")` gives): that one compares false with everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime(Option<i64>);

/// The time units of `plusTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// `setUTCFullYear`: Feb 29 + 1 year is Mar 1.
    Year,
    /// `setUTCMonth`: Jan 31 + 1 month overflows into March; no clamping.
    Month,
    /// `setUTCDate`: exact 24 h steps.
    Day,
    /// `setUTCHours`: exact 1 h steps.
    Hour,
}

impl TimeUnit {
    /// The unit named by a `plusTime` literal.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "year" => Some(Self::Year),
            "month" => Some(Self::Month),
            "day" => Some(Self::Day),
            "hour" => Some(Self::Hour),
            _ => None,
        }
    }
}

/// Why a string is not an allowed date(-time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatError;

impl DateTime {
    /// Milliseconds since 1970-01-01T00:00:00Z, `None` for an invalid date.
    pub fn millis(self) -> Option<i64> {
        self.0
    }

    /// ECMAScript `TimeClip`.
    fn clip(ms: i128) -> Self {
        if (-MAX_TIME..=MAX_TIME).contains(&ms) {
            Self(i64::try_from(ms).ok())
        } else {
            Self(None)
        }
    }

    /// The operand of `plusTime`: a partial date (`YYYY`, `YYYY-MM`) rounded up as
    /// `dccDateOfBirth` does, or any other allowed format.
    pub fn parse_plus_time(s: &str) -> Result<Self, FormatError> {
        match round_up_partial_date(s) {
            Some(dt) => Ok(dt),
            None => parse_date_time(s),
        }
    }

    /// `dccDateOfBirth`: `YYYY` → `YYYY-12-31`, `YYYY-MM` → the month's last day,
    /// `YYYY-MM-DD` as is, all at midnight UTC.
    pub fn parse_date_of_birth(s: &str) -> Result<Self, FormatError> {
        if let Some(dt) = round_up_partial_date(s) {
            return Ok(dt);
        }
        match split_date(s.as_bytes()) {
            Some(([y, m, d], [])) => Ok(from_fields(y, m, d, &Time::MIDNIGHT)),
            _ => Err(FormatError),
        }
    }

    /// `{"plusTime": [this, amount, unit]}`: `dateTime.setUTC<unit>(dateTime.getUTC<unit>() + amount)`.
    pub fn plus(self, amount: f64, unit: TimeUnit) -> Self {
        let Some(ms) = self.0 else { return self };
        if amount == 0.0 {
            return self;
        }
        // Also catches NaN, which a validated amount never is.
        if amount.is_nan() || amount.abs() > MAX_AMOUNT {
            return Self(None);
        }
        // Integral and at most 1e12: exact as an integer.
        let amount = amount as i128;
        let ms = i128::from(ms);
        match unit {
            TimeUnit::Hour => Self::clip(ms + amount * MS_PER_HOUR),
            TimeUnit::Day => Self::clip(ms + amount * MS_PER_DAY),
            TimeUnit::Month | TimeUnit::Year => {
                let days = ms.div_euclid(MS_PER_DAY);
                let time_in_day = ms.rem_euclid(MS_PER_DAY);
                let (year, month, day) = civil_from_days(days);
                let (year, month0) = match unit {
                    TimeUnit::Year => (year + amount, i128::from(month) - 1),
                    _ => (year, i128::from(month) - 1 + amount),
                };
                match make_day(year, month0, i128::from(day)) {
                    Some(days) => Self::clip(days * MS_PER_DAY + time_in_day),
                    None => Self(None),
                }
            }
        }
    }
}

/// `Date.prototype.toISOString`: `YYYY-MM-DDThh:mm:ss.sssZ`, with `±YYYYYY` outside years 0–9999.
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(ms) = self.0 else {
            return f.write_str("Invalid Date");
        };
        let ms = i128::from(ms);
        let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
        let t = ms.rem_euclid(MS_PER_DAY);
        let (h, min, s, milli) = (t / 3_600_000, t / 60_000 % 60, t / 1000 % 60, t % 1000);
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            let sign = if year < 0 { '-' } else { '+' };
            write!(f, "{sign}{:06}", year.abs())?;
        }
        write!(f, "-{month:02}-{day:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
    }
}

/// Time of day and offset as written, before the range checks JavaScript's parser makes.
struct Time {
    hour: u32,
    minute: u32,
    second: u32,
    milli: u32,
    /// Offset east of UTC: sign, hours, minutes.
    offset: (i32, u32, u32),
}

impl Time {
    const MIDNIGHT: Time = Time {
        hour: 0,
        minute: 0,
        second: 0,
        milli: 0,
        offset: (1, 0, 0),
    };
}

/// `roundUpPartialDate` of certlogic-js: `YYYY` and `YYYY-MM` to the last day they allow.
fn round_up_partial_date(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    match b.len() {
        4 => Some(from_fields(digits(b)?, 12, 31, &Time::MIDNIGHT)),
        7 if b.get(4) == Some(&b'-') => {
            let year = digits(b.get(..4)?)?;
            let month = digits(b.get(5..)?)?;
            if !(1..=12).contains(&month) {
                return Some(DateTime(None));
            }
            // `setUTCMonth(month + 1); setUTCDate(0)`: day 0 of the next month.
            let days = make_day(i128::from(year), i128::from(month), 0)?;
            Some(DateTime::clip(days * MS_PER_DAY))
        }
        _ => None,
    }
}

/// `dateFromString` of certlogic-js: `YYYY-MM-DD`, or
/// `YYYY-MM-DDThh:mm:ss` + optional `.S…` + optional `Z`, `±h`, `±hh`, `±hmm`, `±hhmm`, `±h:mm`,
/// `±hh:mm` (also `±h:` and `±hh:`, which its regular expression lets through).
fn parse_date_time(s: &str) -> Result<DateTime, FormatError> {
    let (date, rest) = split_date(s.as_bytes()).ok_or(FormatError)?;
    let [y, m, d] = date;
    if rest.is_empty() {
        return Ok(from_fields(y, m, d, &Time::MIDNIGHT));
    }
    let time = parse_time(rest).ok_or(FormatError)?;
    Ok(from_fields(y, m, d, &time))
}

/// `YYYY-MM-DD` at the start of `b`, and what follows it.
fn split_date(b: &[u8]) -> Option<([u32; 3], &[u8])> {
    let (date, rest) = (b.get(..10)?, b.get(10..)?);
    if date.get(4) != Some(&b'-') || date.get(7) != Some(&b'-') {
        return None;
    }
    let year = digits(date.get(..4)?)?;
    let month = digits(date.get(5..7)?)?;
    let day = digits(date.get(8..10)?)?;
    Some(([year, month, day], rest))
}

/// `Thh:mm:ss[.S…][offset]`.
fn parse_time(b: &[u8]) -> Option<Time> {
    let (head, mut rest) = (b.get(..9)?, b.get(9..)?);
    if head.first() != Some(&b'T') || head.get(3) != Some(&b':') || head.get(6) != Some(&b':') {
        return None;
    }
    let hour = digits(head.get(1..3)?)?;
    let minute = digits(head.get(4..6)?)?;
    let second = digits(head.get(7..9)?)?;
    let mut milli = 0;
    if rest.first() == Some(&b'.') {
        let count = rest
            .iter()
            .skip(1)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if count == 0 {
            return None;
        }
        // Only the first three decimals count: cut, not rounded ("…padEnd(4, "0").substring(0, 4)").
        let fraction = rest.get(1..1 + count)?;
        for i in 0..3 {
            milli = milli * 10 + fraction.get(i).map_or(0, |c| u32::from(c - b'0'));
        }
        rest = rest.get(1 + count..)?;
    }
    let offset = parse_offset(rest)?;
    Some(Time {
        hour,
        minute,
        second,
        milli,
        offset,
    })
}

/// Nothing or `Z` (both UTC), or a sign and `h`, `hh`, `hmm`, `hhmm`, `h:`, `hh:`, `h:mm`, `hh:mm`.
fn parse_offset(b: &[u8]) -> Option<(i32, u32, u32)> {
    let (sign, rest) = match b.split_first() {
        None => return Some((1, 0, 0)),
        Some((b'Z', [])) => return Some((1, 0, 0)),
        Some((b'+', rest)) => (1, rest),
        Some((b'-', rest)) => (-1, rest),
        Some(_) => return None,
    };
    let (hours, minutes): (&[u8], &[u8]) = match rest.iter().position(|&c| c == b':') {
        Some(colon) => (rest.get(..colon)?, rest.get(colon + 1..)?),
        // Without a colon the regular expression gives the hours 1 digit when 3 are written.
        None => match rest.len() {
            1 | 2 => (rest, &[]),
            3 => rest.split_at_checked(1)?,
            4 => rest.split_at_checked(2)?,
            _ => return None,
        },
    };
    if !matches!(hours.len(), 1 | 2) || !matches!(minutes.len(), 0 | 2) {
        return None;
    }
    let minutes = if minutes.is_empty() {
        0
    } else {
        digits(minutes)?
    };
    Some((sign, digits(hours)?, minutes))
}

/// The value of a run of ASCII digits (at most 4 here), `None` if anything else is in it.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `new Date("YYYY-MM-DDThh:mm:ss.sss±hh:mm")` in V8: the fields it accepts (a day up to 31 in
/// any month, overflowing into the next; hour 24 only at 24:00:00.000) and the instant they give.
fn from_fields(year: u32, month: u32, day: u32, t: &Time) -> DateTime {
    let (sign, off_h, off_m) = t.offset;
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (t.hour < 24 || (t.hour == 24 && t.minute == 0 && t.second == 0 && t.milli == 0))
        && t.minute < 60
        && t.second < 60
        && off_h < 24
        && off_m < 60;
    if !valid {
        return DateTime(None);
    }
    let Some(days) = make_day(i128::from(year), i128::from(month) - 1, i128::from(day)) else {
        return DateTime(None);
    };
    let time = ((i128::from(t.hour) * 60 + i128::from(t.minute)) * 60 + i128::from(t.second))
        * 1000
        + i128::from(t.milli);
    let offset = i128::from(sign) * (i128::from(off_h) * 60 + i128::from(off_m)) * 60_000;
    DateTime::clip(days * MS_PER_DAY + time - offset)
}

/// ECMAScript `MakeDay(year, month, date)`: the day number of `date` counted from the first of
/// `month` (0-based, any integer), so out-of-range months and days roll over.
fn make_day(year: i128, month0: i128, date: i128) -> Option<i128> {
    let year = year.checked_add(month0.div_euclid(12))?;
    // Far outside the `Date` range: TimeClip would reject the result anyway.
    if year.abs() > 1_000_000 {
        return None;
    }
    let month = u32::try_from(month0.rem_euclid(12)).ok()? + 1;
    Some(days_from_civil(year, month, 1) + date - 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i128, month: u32, day: u32) -> i128 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i128::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i128::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i128) -> (i128, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    // Both are in range by construction (1..=31, 1..=12).
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}
