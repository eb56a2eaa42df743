//! Just enough BER (X.690) to take the signed content out of a CMS SignedData (RFC 5652 §5):
//! the gateway's rule download carries every rule as base64 CMS. The signature is not checked
//! here: the gateway checked it at upload, and the download's trust comes from its channel.

const MAX_DEPTH: usize = 32;
/// id-signedData, 1.2.840.113549.1.7.2, as DER content octets.
const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

const UNIVERSAL: u8 = 0;
const CONTEXT: u8 = 2;
const OCTET_STRING: u32 = 4;
const OID: u32 = 6;
const SEQUENCE: u32 = 16;

#[derive(Debug, Clone, Copy)]
struct Element<'a> {
    class: u8,
    constructed: bool,
    number: u32,
    /// The contents octets (for an indefinite length: up to, not including, end-of-contents).
    body: &'a [u8],
}

impl Element<'_> {
    fn is(&self, class: u8, number: u32) -> bool {
        self.class == class && self.number == number
    }
}

/// One element and the bytes after it.
fn element(input: &[u8], depth: usize) -> Result<(Element<'_>, &[u8]), String> {
    if depth > MAX_DEPTH {
        return Err("nested too deeply".into());
    }
    let (&first, mut rest) = input.split_first().ok_or("truncated element")?;
    let class = first >> 6;
    let constructed = first & 0x20 != 0;
    let mut number = u32::from(first & 0x1f);
    if number == 0x1f {
        number = 0;
        loop {
            let (&b, r) = rest.split_first().ok_or("truncated tag")?;
            rest = r;
            number = number
                .checked_mul(128)
                .and_then(|n| n.checked_add(u32::from(b & 0x7f)))
                .ok_or("tag number too large")?;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&len0, r) = rest.split_first().ok_or("truncated length")?;
    rest = r;
    if len0 == 0x80 {
        if !constructed {
            return Err("indefinite length on a primitive element".into());
        }
        let mut cursor = rest;
        loop {
            if let Some(after) = cursor.strip_prefix(&[0u8, 0u8][..]) {
                let used = rest.len() - cursor.len();
                let body = rest.get(..used).ok_or("bad indefinite length")?;
                let element = Element {
                    class,
                    constructed,
                    number,
                    body,
                };
                return Ok((element, after));
            }
            cursor = element(cursor, depth + 1)?.1;
        }
    }
    let len = if len0 & 0x80 == 0 {
        usize::from(len0)
    } else {
        let n = usize::from(len0 & 0x7f);
        if n > 8 {
            return Err("length too large".into());
        }
        let bytes = rest.get(..n).ok_or("truncated length")?;
        rest = rest.get(n..).ok_or("truncated length")?;
        bytes.iter().try_fold(0usize, |acc, b| {
            acc.checked_mul(256)
                .and_then(|a| a.checked_add(usize::from(*b)))
                .ok_or("length too large")
        })?
    };
    let body = rest.get(..len).ok_or("length beyond the end of the data")?;
    let after = rest.get(len..).ok_or("length beyond the end of the data")?;
    Ok((
        Element {
            class,
            constructed,
            number,
            body,
        },
        after,
    ))
}

/// The elements inside a constructed element's body.
fn children(body: &[u8], depth: usize) -> Result<Vec<Element<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (e, after) = element(rest, depth)?;
        out.push(e);
        rest = after;
    }
    Ok(out)
}

/// The only element inside an explicitly tagged one.
fn inner<'a>(e: &Element<'a>, depth: usize) -> Result<Element<'a>, String> {
    let (inner, rest) = element(e.body, depth)?;
    if !rest.is_empty() {
        return Err("unexpected data after an explicitly tagged element".into());
    }
    Ok(inner)
}

/// An OCTET STRING's value; BER allows a constructed one made of segments.
fn octets(e: &Element<'_>, depth: usize, out: &mut Vec<u8>) -> Result<(), String> {
    if !e.is(UNIVERSAL, OCTET_STRING) {
        return Err("the signed content is not an OCTET STRING".into());
    }
    if !e.constructed {
        out.extend_from_slice(e.body);
        return Ok(());
    }
    for part in children(e.body, depth + 1)? {
        octets(&part, depth + 1, out)?;
    }
    Ok(())
}

/// The encapsulated content (`eContent`) of a CMS ContentInfo holding SignedData.
pub fn signed_content(ber: &[u8]) -> Result<Vec<u8>, String> {
    let (info, _) = element(ber, 0)?;
    if !info.is(UNIVERSAL, SEQUENCE) {
        return Err("not a CMS ContentInfo (no SEQUENCE)".into());
    }
    let parts = children(info.body, 1)?;
    let (Some(kind), Some(wrapped)) = (parts.first(), parts.get(1)) else {
        return Err("CMS ContentInfo without content".into());
    };
    if !kind.is(UNIVERSAL, OID) || kind.body != SIGNED_DATA {
        return Err("CMS content is not SignedData".into());
    }
    if !wrapped.is(CONTEXT, 0) {
        return Err("CMS ContentInfo: content is not tagged [0]".into());
    }
    let signed = inner(wrapped, 2)?;
    if !signed.is(UNIVERSAL, SEQUENCE) {
        return Err("SignedData is not a SEQUENCE".into());
    }
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, ... }
    let fields = children(signed.body, 3)?;
    let encap = fields
        .get(2)
        .filter(|e| e.is(UNIVERSAL, SEQUENCE))
        .ok_or("SignedData has no encapContentInfo")?;
    let encap_fields = children(encap.body, 4)?;
    let content = encap_fields
        .get(1)
        .filter(|e| e.is(CONTEXT, 0))
        .ok_or("detached signature: the CMS carries no content")?;
    let mut out = Vec::new();
    octets(&inner(content, 5)?, 5, &mut out)?;
    Ok(out)
}
