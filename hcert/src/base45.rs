//! Base45 (RFC 9285) with a 256-entry table decoder: the `base45` crate is 10–16× slower
//! (PERFORMANCE.md) and serves as the oracle in tests.

use crate::{Error, Result};

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const INVALID: u8 = 0xFF;

/// Value of each byte, `INVALID` for bytes outside the alphabet.
#[allow(clippy::indexing_slicing)] // const evaluation: an out-of-bounds index fails the build
static TABLE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 45 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn value(text: &[u8], at: usize) -> Result<u32> {
    let b = text.get(at).copied().unwrap_or(0);
    match TABLE.get(usize::from(b)).copied().unwrap_or(INVALID) {
        INVALID => Err(Error::Base45(invalid_char(text, at))),
        v => Ok(u32::from(v)),
    }
}

fn invalid_char(text: &[u8], at: usize) -> String {
    // Show the whole UTF-8 character when the byte starts one.
    let shown = std::str::from_utf8(text.get(at..).unwrap_or(&[]))
        .ok()
        .and_then(|s| s.chars().next())
        .map_or_else(
            || format!("byte 0x{:02x}", text.get(at).copied().unwrap_or(0)),
            |c| format!("{c:?}"),
        );
    format!("invalid character {shown} at {at}")
}

/// The value of a character, `INVALID` outside the alphabet.
#[inline]
fn digit(c: u8) -> u32 {
    u32::from(TABLE.get(usize::from(c)).copied().unwrap_or(INVALID))
}

/// The error for the first character outside the alphabet from `at` on.
fn first_invalid(text: &[u8], at: usize) -> Error {
    (at..text.len())
        .find_map(|i| value(text, i).err())
        .unwrap_or_else(|| Error::Base45(format!("invalid character at {at}")))
}

/// Decodes Base45 text; rejects characters outside the alphabet, a length of 1 mod 3, and
/// triplets above 65535 or pairs above 255.
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 3 == 1 {
        return Err(Error::Base45(format!(
            "length {} leaves one character over (length mod 3 must not be 1)",
            bytes.len()
        )));
    }
    let triplets = bytes.chunks_exact(3);
    let pair = triplets.remainder();
    let mut out = vec![0u8; bytes.len() / 3 * 2 + pair.len() / 2];
    for (i, (triplet, two)) in triplets.zip(out.chunks_exact_mut(2)).enumerate() {
        let &[a, b, c] = triplet else { continue };
        let (a, b, c) = (digit(a), digit(b), digit(c));
        // Alphabet values are below 64; `INVALID` is not.
        if (a | b | c) >= 64 {
            return Err(first_invalid(bytes, i * 3));
        }
        let v = a + b * 45 + c * 2025;
        if v > 0xFFFF {
            return Err(Error::Base45(format!(
                "triplet at {} has value {v}, above 65535",
                i * 3
            )));
        }
        two.copy_from_slice(&(v as u16).to_be_bytes());
    }
    if let (&[a, b], Some(last)) = (pair, out.last_mut()) {
        let at = bytes.len() - 2;
        let (a, b) = (digit(a), digit(b));
        if (a | b) >= 64 {
            return Err(first_invalid(bytes, at));
        }
        let v = a + b * 45;
        if v > 0xFF {
            return Err(Error::Base45(format!(
                "final pair at {at} has value {v}, above 255"
            )));
        }
        *last = v as u8;
    }
    Ok(out)
}

fn push_char(out: &mut String, v: u32) {
    out.push(char::from(
        ALPHABET.get(v as usize).copied().unwrap_or(b'0'),
    ));
}

/// Encodes bytes as Base45.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(2) * 3);
    for pair in data.chunks(2) {
        match *pair {
            [a, b] => {
                let v = u32::from(a) << 8 | u32::from(b);
                push_char(&mut out, v % 45);
                push_char(&mut out, v / 45 % 45);
                push_char(&mut out, v / 2025);
            }
            [a] => {
                let v = u32::from(a);
                push_char(&mut out, v % 45);
                push_char(&mut out, v / 45);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode("FGW").unwrap(), [0xFF, 0xFF]);
    }

    #[test]
    fn errors_name_what_and_where() {
        let cases = [
            ("GGW", "triplet at 0 has value 65536, above 65535"),
            ("A", "length 1 leaves one character over"),
            ("AB!", "invalid character '!' at 2"),
            ("abc", "invalid character 'a' at 0"),
            ("AAAÄ1", "invalid character 'Ä' at 3"),
            (":;", "invalid character ';' at 1"),
            ("::", "final pair at 0 has value 2024, above 255"),
        ];
        for (input, want) in cases {
            match decode(input) {
                Ok(v) => panic!("{input:?} decoded to {v:?}, expected error {want:?}"),
                Err(e) => assert!(e.to_string().contains(want), "{input:?}: {e}"),
            }
        }
    }
}
