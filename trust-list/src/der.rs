//! A tiny, lenient DER/BER TLV reader for the few places where x509-parser is stricter than the
//! certificates countries really issue (an empty extended key usage, explicit curve parameters).

/// Universal tags used here.
pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// Reads one TLV with a single-byte tag and a definite length: `(tag, contents, rest)`.
/// `None` when the header is malformed or the contents run past the end of `input`.
pub(crate) fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers: not used by anything we read
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None; // indefinite length or absurd size
        }
        let mut len = 0usize;
        for _ in 0..n {
            let (&b, r) = rest.split_first()?;
            len = len.checked_mul(256)?.checked_add(usize::from(b))?;
            rest = r;
        }
        len
    };
    let contents = rest.get(..len)?;
    let rest = rest.get(len..)?;
    Some((tag, contents, rest))
}

/// Reads the elements of a constructed value's contents one after another, stopping at the
/// first that cannot be read (lenient: what was read so far is kept).
pub(crate) fn elements(mut contents: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    std::iter::from_fn(move || {
        let (tag, value, rest) = read_tlv(contents)?;
        contents = rest;
        Some((tag, value))
    })
}

/// The contents of an INTEGER without its sign-padding zero bytes.
pub(crate) fn unsigned(int: &[u8]) -> &[u8] {
    let start = int.iter().position(|b| *b != 0).unwrap_or(int.len());
    int.get(start..).unwrap_or(&[])
}

/// Writes `arcs` as the contents of an OBJECT IDENTIFIER (tests check the constants with it).
#[cfg(test)]
pub(crate) fn encode_oid(arcs: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    let (first, second) = (
        arcs.first().copied().unwrap_or(0),
        arcs.get(1).copied().unwrap_or(0),
    );
    push_base128(&mut out, first.saturating_mul(40).saturating_add(second));
    for arc in arcs.iter().skip(2) {
        push_base128(&mut out, *arc);
    }
    out
}

#[cfg(test)]
fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 10];
    let mut n = 0;
    loop {
        if let Some(slot) = tmp.get_mut(n) {
            *slot = (v & 0x7f) as u8;
        }
        n += 1;
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        let b = tmp.get(i).copied().unwrap_or(0);
        out.push(if i == 0 { b } else { b | 0x80 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        assert_eq!(
            read_tlv(&[0x04, 0x02, 1, 2, 9]),
            Some((0x04, &[1u8, 2][..], &[9u8][..]))
        );
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        let (tag, v, rest) = read_tlv(&long).unwrap();
        assert_eq!((tag, v.len(), rest.len()), (4, 0x80, 0));
        assert_eq!(read_tlv(&[0x04, 0x05, 1]), None);
        assert_eq!(read_tlv(&[0x30, 0x80, 0, 0]), None);
        assert_eq!(read_tlv(&[]), None);
    }

    #[test]
    fn encodes_oids() {
        // 1.2.840.10045.2.1 (id-ecPublicKey)
        assert_eq!(
            encode_oid(&[1, 2, 840, 10045, 2, 1]),
            [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]
        );
    }
}
