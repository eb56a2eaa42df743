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
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    let mut at = 0;
    for chunk in bytes.chunks(3) {
        match chunk.len() {
            3 => {
                let v =
                    value(bytes, at)? + value(bytes, at + 1)? * 45 + value(bytes, at + 2)? * 2025;
                if v > 0xFFFF {
                    return Err(Error::Base45(format!(
                        "triplet at {at} has value {v}, above 65535"
                    )));
                }
                out.push((v >> 8) as u8);
                out.push((v & 0xFF) as u8);
            }
            _ => {
                let v = value(bytes, at)? + value(bytes, at + 1)? * 45;
                if v > 0xFF {
                    return Err(Error::Base45(format!(
                        "final pair at {at} has value {v}, above 255"
                    )));
                }
                out.push(v as u8);
            }
        }
        at += 3;
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
