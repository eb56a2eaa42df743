//! The UVCI, `URN:UVCI:01:<CC>:<opaque>#<check>` (eHealth Network UVCI guidelines), with the
//! Luhn mod N check character over the whole identifier (the DCC schema FAQ's charset, N = 38).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Error, Result};

/// The Luhn mod N code points, in the order the DCC schema FAQ gives.
const CHARSET: &[u8; 38] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:";
const PREFIX: &str = "URN:UVCI:01:";

fn code_point(c: u8) -> Option<usize> {
    CHARSET.iter().position(|x| *x == c)
}

/// The Luhn mod N check character of `input`; characters outside the charset are skipped,
/// as the reference implementations do.
pub fn check_character(input: &str) -> char {
    let n = CHARSET.len();
    let mut factor = 2;
    let mut sum = 0;
    for c in input.bytes().rev() {
        let Some(cp) = code_point(c) else { continue };
        let addend = factor * cp;
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    let check = (n - sum % n) % n;
    char::from(CHARSET.get(check).copied().unwrap_or(b'A'))
}

/// Base32 (RFC 4648 alphabet, upper case, no padding): only A–Z and 2–7, inside the UVCI charset.
fn base32(bytes: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = acc << 8 | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                A.get((acc >> bits & 31) as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    if bits > 0 {
        out.push(char::from(
            A.get((acc << (5 - bits) & 31) as usize)
                .copied()
                .unwrap_or(b'A'),
        ));
    }
    out
}

/// Builds a UVCI whose opaque part is HMAC-SHA-256(secret, identity) truncated to 120 bits:
/// unpredictable to outsiders, yet the same record gives the same UVCI in one installation
/// (DESIGN.md "UVCI", SECURITY.md 44).
pub fn build(country: &str, secret: &[u8], identity: &[u8]) -> Result<String> {
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::Uvci(format!(
            "country {country:?} is not a two-letter upper-case code"
        )));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|_| Error::Uvci("the UVCI secret is unusable".into()))?;
    mac.update(identity);
    let tag = mac.finalize().into_bytes();
    let opaque = base32(tag.get(..15).unwrap_or(&tag));
    let body = format!("{PREFIX}{country}:{opaque}");
    let check = check_character(&body);
    Ok(format!("{body}#{check}"))
}

/// A validated UVCI's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uvci<'a> {
    /// Issuing country.
    pub country: &'a str,
    /// The opaque identifier (may contain `/` separated fields in other countries' schemes).
    pub opaque: &'a str,
    /// The check character, when present.
    pub check: Option<char>,
}

/// Validates a UVCI: prefix (optional `URN:UVCI:` as the guidelines allow), version 01, country,
/// charset, and the check character when one is written.
pub fn validate(uvci: &str) -> Result<Uvci<'_>> {
    let body_with_prefix = uvci;
    let rest = uvci.strip_prefix("URN:UVCI:").unwrap_or(uvci);
    let rest = rest
        .strip_prefix("01:")
        .ok_or_else(|| Error::Uvci("the version is not 01 (expected URN:UVCI:01:...)".into()))?;
    let (country, rest) = rest
        .split_once(':')
        .ok_or_else(|| Error::Uvci("no ':' after the country".into()))?;
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::Uvci(format!(
            "country {country:?} is not a two-letter upper-case code"
        )));
    }
    let (opaque, check) = match rest.split_once('#') {
        Some((o, c)) => (o, Some(c)),
        None => (rest, None),
    };
    if opaque.is_empty() {
        return Err(Error::Uvci(
            "the identifier after the country is empty".into(),
        ));
    }
    if let Some((i, c)) = opaque
        .char_indices()
        .find(|(_, c)| !c.is_ascii() || code_point(*c as u8).is_none())
    {
        return Err(Error::Uvci(format!(
            "character {c:?} at {} is not allowed (A-Z, 0-9, / and : only)",
            i + (uvci.len() - rest.len())
        )));
    }
    let check = match check {
        None => None,
        Some(c) => {
            let mut chars = c.chars();
            let (Some(ch), None) = (chars.next(), chars.next()) else {
                return Err(Error::Uvci(format!(
                    "the check part {c:?} is not one character"
                )));
            };
            let body = body_with_prefix
                .rsplit_once('#')
                .map_or(body_with_prefix, |(b, _)| b);
            let want = check_character(body);
            if ch != want {
                return Err(Error::Uvci(format!(
                    "check character {ch:?} is wrong (expected {want:?})"
                )));
            }
            Some(ch)
        }
    };
    Ok(Uvci {
        country,
        opaque,
        check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_uvcis_validate_and_are_stable() {
        let a = build("CZ", b"secret", b"record-1").unwrap();
        let b = build("CZ", b"secret", b"record-1").unwrap();
        let c = build("CZ", b"secret", b"record-2").unwrap();
        let d = build("CZ", b"other secret", b"record-1").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert!(a.starts_with("URN:UVCI:01:CZ:"), "{a}");
        let parsed = validate(&a).unwrap();
        assert_eq!(parsed.country, "CZ");
        assert_eq!(parsed.opaque.len(), 24); // 120 bits in base32
    }

    #[test]
    fn any_single_change_is_caught() {
        let good = build("CZ", b"k", b"r").unwrap();
        let (body, check) = good.rsplit_once('#').unwrap();
        for wrong in CHARSET.iter().map(|c| char::from(*c)) {
            if wrong.to_string() != check {
                assert!(validate(&format!("{body}#{wrong}")).is_err(), "{wrong}");
            }
        }
    }

    #[test]
    fn known_check_characters() {
        let bad = [
            ("URN:UVCI:02:CZ:ABC", "version"),
            ("URN:UVCI:01:cz:ABC", "country"),
            ("URN:UVCI:01:CZ:", "empty"),
            ("URN:UVCI:01:CZ:ab c", "not allowed"),
            ("URN:UVCI:01:CZ:ABC#XY", "not one character"),
        ];
        for (input, want) in bad {
            let err = validate(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input}: {err}");
        }
    }
}
