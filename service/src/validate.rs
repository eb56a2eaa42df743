//! Input checks for personal data (SECURITY.md 37, 38): birth numbers (rodné číslo), ID-card
//! numbers, phone numbers, e-mail addresses and names. Each error names the field, never the
//! value.

use time::{Date, Month};

/// A validation failure: the field and what is wrong, without the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub problem: &'static str,
}

/// The field name of a birth number in errors.
pub const BIRTH_NUMBER: &str = "person.birth_number";

fn invalid(field: &'static str, problem: &'static str) -> Invalid {
    Invalid { field, problem }
}

/// Checks a birth number and returns it normalised (digits only).
///
/// NZIS DASTA: `YYMMDD/XXXX`, `YYMMDDXXXX`, or 9 digits for births before 1954; month +50 for
/// women, +20/+70 since 2004; 10 digits: divisible by 11, or the first 9 ≡ 10 (mod 11) with
/// check digit 0.
pub fn birth_number(input: &str) -> Result<String, Invalid> {
    birth_number_and_date(input).map(|(digits, _)| digits)
}

/// Checks a birth number (as [`birth_number`]) and returns it normalised with the date of
/// birth it encodes.
pub fn birth_number_and_date(input: &str) -> Result<(String, Date), Invalid> {
    const F: &str = BIRTH_NUMBER;
    let s = input.trim();
    let digits: String = match s.split_once('/') {
        Some((a, b)) => format!("{a}{b}"),
        None => s.to_string(),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 9 || digits.len() == 10) {
        return Err(invalid(F, "must be YYMMDD/XXXX, YYMMDDXXXX or YYMMDD/XXX"));
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        digits
            .get(r)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let yy = num(0..2);
    let mut mm = num(2..4);
    let dd = num(4..6);
    let year = if digits.len() == 9 {
        if yy >= 54 {
            return Err(invalid(
                F,
                "a 9-digit birth number is for births before 1954",
            ));
        }
        1900 + yy
    } else if yy >= 54 {
        1900 + yy
    } else {
        2000 + yy
    };
    if mm > 70 {
        if year < 2004 {
            return Err(invalid(F, "month offset +70 is used only since 2004"));
        }
        mm -= 70;
    } else if mm > 50 {
        mm -= 50;
    } else if mm > 20 {
        if year < 2004 {
            return Err(invalid(F, "month offset +20 is used only since 2004"));
        }
        mm -= 20;
    }
    let month = u8::try_from(mm)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| invalid(F, "the month is not valid"))?;
    let day = u8::try_from(dd).map_err(|_| invalid(F, "the day is not valid"))?;
    let year = i32::try_from(year).map_err(|_| invalid(F, "the year is not valid"))?;
    let born = Date::from_calendar_date(year, month, day)
        .map_err(|_| invalid(F, "the day is not valid for the month"))?;
    if digits.len() == 10 {
        let all: u64 = digits.parse().unwrap_or(1);
        let first9: u64 = digits.get(..9).and_then(|p| p.parse().ok()).unwrap_or(1);
        let check = digits
            .get(9..)
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1);
        let remainder_ten = first9 % 11 == 10 && check == 0;
        if !(all.is_multiple_of(11) || remainder_ten) {
            return Err(invalid(F, "the check digit does not match"));
        }
    }
    Ok((digits, born))
}

/// Checks that a DCC date of birth (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) agrees with the date a
/// birth number encodes: every part given must be that date's.
pub fn dob_agrees(field: &'static str, dob: &str, born: Date) -> Result<(), Invalid> {
    let parts: Vec<&str> = dob.split('-').collect();
    let number = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let expected = [
        u32::try_from(born.year()).unwrap_or(0),
        u32::from(u8::from(born.month())),
        u32::from(born.day()),
    ];
    let lens = [4, 2, 2];
    if parts.is_empty() || parts.len() > 3 {
        return Err(invalid(field, "must be YYYY-MM-DD, YYYY-MM or YYYY"));
    }
    for ((part, len), want) in parts.iter().zip(lens).zip(expected) {
        match number(part, len) {
            None => return Err(invalid(field, "must be YYYY-MM-DD, YYYY-MM or YYYY")),
            Some(got) if got != want => {
                return Err(invalid(
                    field,
                    "does not agree with the date the birth number encodes",
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A name compared as a person would read it: Unicode-normalised (NFC), case-folded, with runs
/// of white space as one space. "Nováková" and "NOVÁKOVÁ " are the same name.
pub fn same_name(a: &str, b: &str) -> bool {
    use unicode_normalization::UnicodeNormalization as _;
    let fold = |s: &str| -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .nfc()
            .flat_map(char::to_lowercase)
            .collect()
    };
    fold(a) == fold(b)
}

/// An ID-card number: 1–12 of `[0-9A-Z]` after removing spaces and upper-casing.
pub fn id_card(input: &str) -> Result<String, Invalid> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            "person.id_card",
            "must be 1 to 12 letters or digits",
        ));
    }
    Ok(s)
}

/// A phone number in E.164: `+` and 8–15 digits.
pub fn phone(input: &str) -> Result<String, Invalid> {
    let s: String = input.chars().filter(|c| *c != ' ').collect();
    let ok = s
        .strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(invalid(
            "person.phone",
            "must be E.164: + and 8 to 15 digits",
        ));
    }
    Ok(s)
}

/// An e-mail address: ≤ 254 characters, one `@` with text on both sides, no spaces or control
/// characters (so no header injection).
pub fn email(input: &str) -> Result<String, Invalid> {
    const F: &str = "person.email";
    let s = input.trim();
    if s.len() > 254 {
        return Err(invalid(F, "is longer than 254 characters"));
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(F, "must not contain spaces or control characters"));
    }
    match s.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(s.to_string())
        }
        _ => Err(invalid(F, "must be one address with one @")),
    }
}

/// A name part: 1–50 characters, no control characters.
pub fn name(field: &'static str, input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if s.chars().count() > 50 {
        return Err(invalid(field, "is longer than 50 characters"));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(s.to_string())
}

/// Which rule an IČO breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcoError {
    /// Not 8 digits.
    Length,
    /// The mod-11 check digit does not match.
    CheckDigit,
}

/// An IČO (the organisation number): 8 digits with the mod-11 check digit.
pub fn check_ico(ico: &str) -> Result<(), IcoError> {
    let digits: Vec<u32> = ico.chars().filter_map(|c| c.to_digit(10)).collect();
    if ico.len() != 8 || digits.len() != 8 {
        return Err(IcoError::Length);
    }
    let sum: u32 = digits
        .iter()
        .take(7)
        .zip((2..=8).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = (11 - sum % 11) % 10;
    if digits.last() != Some(&check) {
        return Err(IcoError::CheckDigit);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_numbers() {
        let cases: &[(&str, bool, &str)] = &[
            ("736028/5163", true, "woman 1973, +50"),
            ("7360285163", true, "without slash"),
            ("736028/5164", false, "bad check digit"),
            ("045229/0005", false, "bad check"),
            (
                "440229/123",
                false,
                "29 Feb 1944 is leap, but 9-digit? 1944 leap: valid date",
            ),
            ("530229/123", false, "29 Feb 1953 is not a leap year"),
            ("600101/123", false, "9 digits for 1960"),
            ("abc", false, "letters"),
            ("011301/0000", false, "month 13"),
        ];
        for (input, ok, name) in cases {
            let got = birth_number(input);
            if *name == "29 Feb 1944 is leap, but 9-digit? 1944 leap: valid date" {
                assert!(got.is_ok(), "case {name}: {got:?}");
                continue;
            }
            assert_eq!(got.is_ok(), *ok, "case {name}: {got:?}");
        }
        // The remainder-10 rule: first nine ≡ 10 (mod 11) with check digit 0.
        let mut found = false;
        for serial in 0..1000u64 {
            let first9 = 800_101_000 + serial;
            if first9 % 11 == 10 {
                let bn = format!("{first9}0");
                assert!(birth_number(&bn).is_ok(), "{bn}");
                found = true;
                break;
            }
        }
        assert!(found);
        // +20 since 2004 only.
        let ok2004 = (0..10000u64)
            .map(|s| format!("0421{:02}{s:04}", 15))
            .find(|b| b.parse::<u64>().unwrap() % 11 == 0)
            .unwrap();
        assert!(birth_number(&ok2004).is_ok(), "{ok2004}");
    }

    #[test]
    fn dates_of_birth_agree_with_birth_numbers() {
        let date = |bn: &str| birth_number_and_date(bn).unwrap().1;
        // +50 for women.
        let eva = date("736028/0004");
        assert!(dob_agrees("dob", "1973-10-28", eva).is_ok());
        assert!(dob_agrees("dob", "1973-10", eva).is_ok());
        assert!(dob_agrees("dob", "1973", eva).is_ok());
        for bad in [
            "1973-10-29",
            "1973-11-28",
            "1974",
            "1973-10-28x",
            "",
            "73-10-28",
            "1973-1-28",
        ] {
            assert!(dob_agrees("dob", bad, eva).is_err(), "{bad}");
        }
        assert!(dob_agrees("dob", "1964-08-12", date("640812/0004")).is_ok());
        // +20 and +70 (since 2004), and a 9-digit number (before 1954).
        let plus20 = (0..10000u64)
            .map(|s| format!("0421{:02}{s:04}", 15))
            .find(|b| b.parse::<u64>().unwrap() % 11 == 0)
            .unwrap();
        assert!(dob_agrees("dob", "2004-01-15", date(&plus20)).is_ok());
        let plus70 = (0..10000u64)
            .map(|s| format!("0571{:02}{s:04}", 3))
            .find(|b| b.parse::<u64>().unwrap() % 11 == 0)
            .unwrap();
        assert!(dob_agrees("dob", "2005-01-03", date(&plus70)).is_ok());
        assert!(dob_agrees("dob", "1950-01-03", date("500103/123")).is_ok());
    }

    #[test]
    fn names_compare_as_read() {
        assert!(same_name("Nováková", "NOVÁKOVÁ"));
        assert!(same_name("Jan  Petr", " jan petr "));
        // Composed and decomposed á.
        assert!(same_name("Nov\u{e1}k", "Nova\u{301}k"));
        assert!(!same_name("Novák", "Novak"));
        assert!(!same_name("Novák", "Nováková"));
    }

    #[test]
    fn contacts() {
        assert!(email("a@b.cz").is_ok());
        assert!(email("a@b.cz\r\nBcc: x@y.cz").is_err());
        assert!(email(&format!("{}@b.cz", "a".repeat(249))).is_ok());
        assert!(email(&format!("{}@b.cz", "a".repeat(250))).is_err());
        assert!(phone("+420123456789").is_ok());
        assert!(phone("+1234567").is_err());
        assert!(phone("+1234567890123456").is_err());
        assert_eq!(id_card("ab 12 34").unwrap(), "AB1234");
        assert!(id_card("1234567890123").is_err());
        assert!(name("x", &"a".repeat(50)).is_ok());
        assert!(name("x", &"a".repeat(51)).is_err());
    }
}
