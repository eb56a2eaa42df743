//! BER → DER for CMS as BouncyCastle (the dgc-gateway's library) writes it: indefinite lengths
//! become definite and a constructed OCTET STRING one primitive string, so the strict DER reader
//! of the `cms` crate can parse it. Depth is bounded; anything malformed is an error naming where.

use std::fmt;

/// The deepest nesting of constructed elements accepted (a CMS SignedData with certificates
/// needs about 12).
pub(super) const MAX_DEPTH: usize = 32;

/// Malformed BER: what and at which byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BerError {
    offset: usize,
    message: String,
}

impl fmt::Display for BerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed BER at byte {}: {}", self.offset, self.message)
    }
}

/// The DER of one BER element spanning all of `input`. DER input comes out unchanged.
pub(super) fn to_der(input: &[u8]) -> Result<Vec<u8>, BerError> {
    let mut reader = Reader { input, pos: 0 };
    let element = reader.element(input.len(), 0)?;
    if reader.pos != input.len() {
        return Err(reader.error(format!(
            "{} bytes after the end of the outer element",
            input.len() - reader.pos
        )));
    }
    let mut out = Vec::with_capacity(input.len() + 8);
    element.write(&mut out);
    Ok(out)
}

/// One normalised element: its identifier octets and its DER content.
struct Element {
    tag: Vec<u8>,
    content: Vec<u8>,
}

impl Element {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.tag);
        write_length(out, self.content.len());
        out.extend_from_slice(&self.content);
    }
}

/// X.690 8.1.3: the short form below 128, else the fewest length octets.
fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

/// The identifier octets of an element.
struct Identifier {
    bytes: Vec<u8>,
    universal: bool,
    constructed: bool,
    number: u32,
}

const OCTET_STRING: u32 = 4;
const SEQUENCE: u32 = 16;
const SET: u32 = 17;

impl Reader<'_> {
    fn error(&self, message: impl Into<String>) -> BerError {
        BerError {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn byte(&mut self, end: usize) -> Result<u8, BerError> {
        match self.input.get(self.pos) {
            Some(b) if self.pos < end => {
                self.pos += 1;
                Ok(*b)
            }
            _ => Err(self.error("the input ends inside an element")),
        }
    }

    /// X.690 8.1.2: low tag numbers in the first octet, higher ones in base 128 after it.
    fn identifier(&mut self, end: usize) -> Result<Identifier, BerError> {
        let start = self.pos;
        let first = self.byte(end)?;
        let universal = first >> 6 == 0;
        let constructed = first & 0x20 != 0;
        let mut number = u32::from(first & 0x1f);
        if number == 0x1f {
            number = 0;
            for i in 0..4 {
                let b = self.byte(end)?;
                if i == 0 && b == 0x80 {
                    return Err(self.error("a tag number with a leading zero octet"));
                }
                number = (number << 7) | u32::from(b & 0x7f);
                if b & 0x80 == 0 {
                    break;
                }
                if i == 3 {
                    return Err(self.error("a tag number longer than 4 octets"));
                }
            }
            if number < 0x1f {
                return Err(self.error(format!(
                    "tag number {number} in the long form (it fits the first octet)"
                )));
            }
        }
        if universal && number == 0 {
            self.pos = start;
            return Err(self.error("an end-of-contents marker where an element was expected"));
        }
        let bytes = self.input.get(start..self.pos).unwrap_or(&[]).to_vec();
        Ok(Identifier {
            bytes,
            universal,
            constructed,
            number,
        })
    }

    /// X.690 8.1.3: `None` for the indefinite form.
    fn length(&mut self, end: usize) -> Result<Option<usize>, BerError> {
        let first = self.byte(end)?;
        let len = match first {
            0x80 => return Ok(None),
            0xff => return Err(self.error("the reserved length octet 0xff")),
            short if short < 0x80 => u64::from(short),
            long => {
                let mut len: u64 = 0;
                for _ in 0..long & 0x7f {
                    let b = self.byte(end)?;
                    if len > (u64::MAX >> 8) {
                        return Err(self.error("a length beyond 2^64"));
                    }
                    len = (len << 8) | u64::from(b);
                }
                len
            }
        };
        let available = end.saturating_sub(self.pos);
        match usize::try_from(len) {
            Ok(len) if len <= available => Ok(Some(len)),
            _ => Err(self.error(format!("a length of {len} bytes where {available} remain"))),
        }
    }

    fn at_end_of_contents(&self, end: usize) -> bool {
        self.pos + 2 <= end && self.input.get(self.pos..self.pos + 2) == Some(&[0, 0][..])
    }

    /// One element ending at or before `end`, normalised.
    fn element(&mut self, end: usize, depth: usize) -> Result<Element, BerError> {
        let id = self.identifier(end)?;
        let len = self.length(end)?;
        if !id.constructed {
            let Some(len) = len else {
                return Err(self.error("an indefinite length on a primitive element"));
            };
            let content = self
                .input
                .get(self.pos..self.pos + len)
                .ok_or_else(|| self.error("the input ends inside an element"))?
                .to_vec();
            self.pos += len;
            return Ok(Element {
                tag: id.bytes,
                content,
            });
        }
        if depth >= MAX_DEPTH {
            return Err(self.error(format!("elements nested deeper than {MAX_DEPTH} levels")));
        }
        let string = id.universal && id.number == OCTET_STRING;
        if id.universal && !string && id.number != SEQUENCE && id.number != SET {
            return Err(self.error(format!(
                "the constructed form of universal tag {} is not supported",
                id.number
            )));
        }
        let inner_end = match len {
            Some(len) => self.pos + len,
            None => end,
        };
        let mut content = Vec::new();
        loop {
            match len {
                Some(_) if self.pos == inner_end => break,
                None if self.at_end_of_contents(inner_end) => {
                    self.pos += 2;
                    break;
                }
                None if self.pos >= inner_end => {
                    return Err(self.error("an indefinite length without its end-of-contents"));
                }
                _ => {}
            }
            let child = self.element(inner_end, depth + 1)?;
            if string {
                // X.690 8.7.3: the segments are OCTET STRINGs, their contents concatenated.
                if child.tag != [OCTET_STRING as u8] {
                    return Err(self.error(
                        "a constructed OCTET STRING holds an element that is no OCTET STRING",
                    ));
                }
                content.extend_from_slice(&child.content);
            } else {
                child.write(&mut content);
            }
        }
        let tag = if string {
            vec![OCTET_STRING as u8]
        } else {
            id.bytes
        };
        Ok(Element { tag, content })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn normalises() {
        let cases = [
            // DER stays as it is.
            ("30 03 02 01 05", "30 03 02 01 05"),
            // Indefinite SEQUENCE.
            ("30 80 02 01 05 00 00", "30 03 02 01 05"),
            // Constructed OCTET STRING in two segments, one of them constructed again.
            (
                "24 80 04 02 aa bb 24 80 04 01 cc 00 00 00 00",
                "04 03 aa bb cc",
            ),
            // [0] EXPLICIT around an indefinite OCTET STRING, as BouncyCastle writes eContent.
            ("a0 80 24 80 04 01 01 00 00 00 00", "a0 03 04 01 01"),
            // Non-minimal long-form length.
            ("30 82 00 03 02 01 05", "30 03 02 01 05"),
            // High tag number kept.
            ("bf 1f 80 02 01 07 00 00", "bf 1f 03 02 01 07"),
        ];
        for (ber, der) in cases {
            assert_eq!(to_der(&hex(ber)), Ok(hex(der)), "case {ber}");
        }
    }

    #[test]
    fn long_content_gets_a_long_length() {
        let mut ber = vec![0x24, 0x80];
        for _ in 0..3 {
            ber.extend([0x04, 0x64]);
            ber.extend([7u8; 100]);
        }
        ber.extend([0, 0]);
        let der = to_der(&ber).unwrap();
        assert_eq!(der[..4], [0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(der.len(), 4 + 300);
    }

    #[test]
    fn refuses() {
        let cases = [
            ("", "byte 0: the input ends inside an element"),
            ("30", "byte 1: the input ends inside an element"),
            ("30 05 02 01", "byte 2: a length of 5 bytes where 2 remain"),
            (
                "30 80 02 01 05",
                "byte 5: an indefinite length without its end-of-contents",
            ),
            (
                "04 80 00 00",
                "byte 2: an indefinite length on a primitive element",
            ),
            (
                "30 03 02 01 05 00",
                "byte 5: 1 bytes after the end of the outer element",
            ),
            (
                "00 00",
                "byte 0: an end-of-contents marker where an element was expected",
            ),
            ("30 ff", "byte 2: the reserved length octet 0xff"),
            (
                "24 80 02 01 05 00 00",
                "byte 5: a constructed OCTET STRING holds an element that is no OCTET STRING",
            ),
            (
                "2c 80 00 00",
                "byte 2: the constructed form of universal tag 12 is not supported",
            ),
            (
                "1f 05 00",
                "byte 2: tag number 5 in the long form (it fits the first octet)",
            ),
            (
                "1f 80 01 00",
                "byte 2: a tag number with a leading zero octet",
            ),
            // A definite element whose child runs past it.
            (
                "30 02 02 02 05 06",
                "byte 4: a length of 2 bytes where 0 remain",
            ),
        ];
        for (ber, want) in cases {
            let got = to_der(&hex(ber)).unwrap_err().to_string();
            assert_eq!(got, format!("malformed BER at {want}"), "case {ber:?}");
        }
    }

    #[test]
    fn bounds_the_depth() {
        let mut ber = Vec::new();
        for _ in 0..MAX_DEPTH + 1 {
            ber.extend([0x30, 0x80]);
        }
        ber.extend([0x05, 0x00]);
        for _ in 0..MAX_DEPTH + 1 {
            ber.extend([0, 0]);
        }
        let err = to_der(&ber).unwrap_err().to_string();
        assert!(err.contains("nested deeper than 32"), "{err}");
    }
}
