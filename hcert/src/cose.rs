//! COSE_Sign1 (RFC 9052) with `coset`: tag 18, untagged, or tag 61 (CWT) around tag 18 on input;
//! alg and kid from the protected header first, then the unprotected one (hcert spec §3.3.1).
//!
//! The verify path reads the usual shape (headers holding only a registered alg and a kid) in
//! one pass into the `CoseSign1` coset would build, and builds the Sig_structure directly;
//! anything else goes through coset, which also names the errors. The tests below hold the
//! fast path to coset.

use coset::iana::EnumI64;
use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, Label,
    RegisteredLabelWithPrivate, TaggedCborSerializable,
};

use crate::cbor_json::{Head, Reader};
use crate::crypto::{Algorithm, Signer};
use crate::{Error, Result};

const TAG_SIGN1: u8 = 0xD2; // tag 18, one byte
const TAG_CWT: [u8; 2] = [0xD8, 0x3D]; // tag 61

/// A parsed COSE_Sign1 with the fields the verifier needs.
#[derive(Clone)]
pub struct Sign1 {
    inner: CoseSign1,
    /// The algorithm identifier as written (protected first), if any.
    pub alg_id: Option<AlgId>,
    /// The key identifier (protected first; the unprotected one only when there is none).
    pub kid: Option<Vec<u8>>,
}

/// A COSE algorithm label as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlgId {
    /// An integer label (-7, -37, -8, or another).
    Int(i64),
    /// A text label.
    Text(String),
}

impl AlgId {
    /// The algorithm if it is one dcc supports.
    pub fn algorithm(&self) -> Option<Algorithm> {
        match self {
            AlgId::Int(i) => Algorithm::from_cose_id(*i),
            AlgId::Text(_) => None,
        }
    }
}

impl std::fmt::Display for AlgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlgId::Int(i) => match Algorithm::from_cose_id(*i) {
                Some(a) => write!(f, "{a} ({i})"),
                None => write!(f, "{i}"),
            },
            AlgId::Text(t) => write!(f, "{t:?}"),
        }
    }
}

fn alg_of(label: &Option<coset::Algorithm>) -> Option<AlgId> {
    label.as_ref().map(|l| match l {
        RegisteredLabelWithPrivate::Assigned(a) => AlgId::Int(a.to_i64()),
        RegisteredLabelWithPrivate::PrivateUse(i) => AlgId::Int(*i),
        RegisteredLabelWithPrivate::Text(t) => AlgId::Text(t.clone()),
    })
}

/// Strips the tags COSE_Sign1 may arrive in: 61(18(x)), 18(x) or x.
fn untag(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(&TAG_CWT[..]).unwrap_or(bytes);
    bytes.strip_prefix(&[TAG_SIGN1][..]).unwrap_or(bytes)
}

impl Sign1 {
    /// Parses a COSE_Sign1 structure.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let first = bytes.first().copied();
        let untagged = untag(bytes);
        let parsed = match fast_parse(untagged) {
            Some(inner) => Ok(inner),
            None => {
                // coset would follow nesting to ciborium's 256 levels; the headers of an
                // unusual message are held to the payload's limit first (SECURITY.md 39).
                if let Err(ciborium::de::Error::RecursionLimitExceeded) =
                    ciborium::de::from_reader_with_recursion_limit::<ciborium::Value, _>(
                        untagged,
                        crate::cbor_json::MAX_DEPTH,
                    )
                {
                    return Err(Error::Cose(format!(
                        "the COSE_Sign1 message nests more than {} levels deep",
                        crate::cbor_json::MAX_DEPTH
                    )));
                }
                CoseSign1::from_slice(untagged)
            }
        };
        let inner = parsed.map_err(|e| {
            Error::Cose(match first {
                None => "no data".to_string(),
                Some(b) if b >> 5 == 6 && b != TAG_SIGN1 => format!(
                    "not a COSE_Sign1 message: unexpected CBOR tag (first byte 0x{b:02x}); {e}"
                ),
                Some(_) => format!("not a COSE_Sign1 message (an array of 4): {e}"),
            })
        })?;
        let alg_id = alg_of(&inner.protected.header.alg).or_else(|| alg_of(&inner.unprotected.alg));
        let kid = if !inner.protected.header.key_id.is_empty() {
            Some(inner.protected.header.key_id.clone())
        } else if !inner.unprotected.key_id.is_empty() {
            Some(inner.unprotected.key_id.clone())
        } else {
            None
        };
        Ok(Sign1 { inner, alg_id, kid })
    }

    /// The signed payload (the CWT), empty when detached.
    pub fn payload(&self) -> &[u8] {
        self.inner.payload.as_deref().unwrap_or(&[])
    }

    /// Whether the payload is carried in the message (hcert never detaches it).
    pub fn has_payload(&self) -> bool {
        self.inner.payload.is_some()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.inner.signature
    }

    /// The Sig_structure that was signed, built over the protected header's original bytes.
    pub fn to_be_signed(&self) -> Vec<u8> {
        match &self.inner.protected.original_data {
            Some(protected) => sig_structure(protected, self.payload()),
            None => self.inner.tbs_data(&[]),
        }
    }

    /// Whether the protected header holds the kid (a kid only in the unprotected header is
    /// accepted on input, but is not covered by the signature).
    pub fn kid_is_protected(&self) -> bool {
        !self.inner.protected.header.key_id.is_empty()
    }

    /// Label of every header parameter present, for diagnostics.
    pub fn header_labels(&self) -> Vec<String> {
        let h = &self.inner.protected.header;
        h.rest
            .iter()
            .map(|(l, _)| match l {
                Label::Int(i) => i.to_string(),
                Label::Text(t) => t.clone(),
            })
            .collect()
    }
}

/// `["Signature1", protected, h'', payload]` as coset's `tbs_data` writes it (no external AAD),
/// without building a CBOR value first.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    const CONTEXT: &[u8] = b"Signature1";
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 32);
    out.push(0x84);
    out.push(0x60 | CONTEXT.len() as u8);
    out.extend_from_slice(CONTEXT);
    bstr(&mut out, protected);
    bstr(&mut out, &[]);
    bstr(&mut out, payload);
    out
}

/// A byte string with its shortest head.
fn bstr(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len() as u64;
    match len {
        0..=23 => out.push(0x40 | len as u8),
        24..=0xFF => out.extend([0x58, len as u8]),
        0x100..=0xFFFF => {
            out.push(0x59);
            out.extend((len as u16).to_be_bytes());
        }
        0x1_0000..=0xFFFF_FFFF => {
            out.push(0x5A);
            out.extend((len as u32).to_be_bytes());
        }
        _ => {
            out.push(0x5B);
            out.extend(len.to_be_bytes());
        }
    }
    out.extend_from_slice(bytes);
}

/// The usual COSE_Sign1 (an array of 4 holding two headers of only a registered alg and a
/// non-empty kid, a byte-string payload or null, a byte-string signature, nothing after) as
/// coset would parse it; `None` for any other input, which then goes to coset.
fn fast_parse(bytes: &[u8]) -> Option<CoseSign1> {
    let mut r = Reader::new(bytes);
    let Head::Array(Some(4)) = r.head().ok()? else {
        return None;
    };
    let Head::Bytes(Some(n)) = r.head().ok()? else {
        return None;
    };
    let protected = r.take(n).ok()?;
    let header = if protected.is_empty() {
        coset::Header::default()
    } else {
        let mut inner = Reader::new(protected);
        let header = fast_header(&mut inner)?;
        inner.finish().ok()?;
        header
    };
    let unprotected = fast_header(&mut r)?;
    let payload = match r.head().ok()? {
        Head::Bytes(Some(n)) => Some(r.take(n).ok()?.to_vec()),
        Head::Simple(22) => None,
        _ => return None,
    };
    let Head::Bytes(Some(n)) = r.head().ok()? else {
        return None;
    };
    let signature = r.take(n).ok()?.to_vec();
    r.finish().ok()?;
    Some(CoseSign1 {
        protected: coset::ProtectedHeader {
            original_data: Some(protected.to_vec()),
            header,
        },
        unprotected,
        payload,
        signature,
    })
}

/// A header map of at most one registered alg (label 1) and one non-empty kid (label 4).
fn fast_header(r: &mut Reader<'_>) -> Option<coset::Header> {
    let Head::Map(Some(entries)) = r.head().ok()? else {
        return None;
    };
    let mut header = coset::Header::default();
    // Each entry reads at least a byte or gives up, so the count needs no bound.
    for _ in 0..entries {
        match r.head().ok()? {
            Head::Pos(1) if header.alg.is_none() => {
                let id = match r.head().ok()? {
                    Head::Pos(x) => i64::try_from(x).ok()?,
                    Head::Neg(x) => -1 - i64::try_from(x).ok()?,
                    _ => return None,
                };
                let alg = coset::iana::Algorithm::from_i64(id)?;
                header.alg = Some(RegisteredLabelWithPrivate::Assigned(alg));
            }
            Head::Pos(4) if header.key_id.is_empty() => {
                let Head::Bytes(Some(n)) = r.head().ok()? else {
                    return None;
                };
                let kid = r.take(n).ok()?;
                if kid.is_empty() {
                    return None;
                }
                header.key_id = kid.to_vec();
            }
            _ => return None,
        }
    }
    Some(header)
}

/// Signs `payload` into a tagged COSE_Sign1 with alg and kid in the protected header.
pub fn sign(payload: Vec<u8>, kid: &[u8], signer: &dyn Signer) -> Result<Vec<u8>> {
    let alg = match signer.algorithm() {
        Algorithm::Es256 => coset::iana::Algorithm::ES256,
        Algorithm::Ps256 => coset::iana::Algorithm::PS256,
        Algorithm::EdDsa => coset::iana::Algorithm::EdDSA,
    };
    let protected = HeaderBuilder::new()
        .algorithm(alg)
        .key_id(kid.to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(&[], |tbs| signer.sign(tbs))?
        .build();
    sign1
        .to_tagged_vec()
        .map_err(|e| Error::Cose(format!("cannot encode COSE_Sign1: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::collection::vec;
    use proptest::prelude::*;

    #[test]
    fn deep_nesting_in_headers_is_refused() {
        // The message, its unprotected header and 15 arrays in label 4 (kid): 17 levels.
        let mut bytes = vec![0x84, 0x40, 0xA1, 0x04];
        bytes.extend([0x81u8; 15]);
        bytes.extend([0x00, 0xF6, 0x40]);
        let err = Sign1::parse(&bytes).err().unwrap().to_string();
        assert!(err.contains("more than 16 levels"), "{err}");
        // Sixteen levels go on to coset, which refuses the kid for its type instead.
        let mut bytes = vec![0x84, 0x40, 0xA1, 0x04];
        bytes.extend([0x81u8; 14]);
        bytes.extend([0x00, 0xF6, 0x40]);
        let err = Sign1::parse(&bytes).err().unwrap().to_string();
        assert!(!err.contains("levels"), "{err}");
    }

    /// A CBOR head, in any width (non-minimal ones too).
    fn head(major: u8, arg: u64, width: u8) -> Vec<u8> {
        let m = major << 5;
        match width {
            0 if arg < 24 => vec![m | arg as u8],
            0 | 1 if arg <= 0xFF => vec![m | 24, arg as u8],
            0..=2 if arg <= 0xFFFF => [vec![m | 25], (arg as u16).to_be_bytes().to_vec()].concat(),
            _ => [vec![m | 27], arg.to_be_bytes().to_vec()].concat(),
        }
    }

    fn int(i: i64, width: u8) -> Vec<u8> {
        match u64::try_from(i) {
            Ok(u) => head(0, u, width),
            Err(_) => head(1, (-1 - i) as u64, width),
        }
    }

    fn bytes(b: &[u8], width: u8) -> Vec<u8> {
        [head(2, b.len() as u64, width), b.to_vec()].concat()
    }

    /// Header entries near the fast path's shape: alg (registered, private, unregistered,
    /// text), kid (empty or not, bstr or not), other labels, repeated labels.
    fn entry() -> impl Strategy<Value = Vec<u8>> {
        let alg = prop_oneof![
            Just(-7i64),
            Just(-37),
            Just(-8),
            Just(-35),
            Just(1),
            Just(-65537),
            Just(-70000),
            Just(7777),
            Just(i64::MIN),
            any::<i64>(),
        ];
        prop_oneof![
            4 => (alg, 0..3u8, 0..3u8).prop_map(|(a, w, kw)| [int(1, kw), int(a, w)].concat()),
            4 => (vec(any::<u8>(), 0..10), 0..3u8, 0..3u8)
                .prop_map(|(k, w, kw)| [int(4, kw), bytes(&k, w)].concat()),
            1 => (vec(any::<u8>(), 0..4)).prop_map(|k| [vec![0x04, 0x63], b"abc".to_vec(), k].concat()),
            1 => (-10..10i64, any::<u8>()).prop_map(|(l, v)| [int(l, 0), int(i64::from(v), 0)].concat()),
            1 => Just(vec![0x61, b'a', 0x01]),
            1 => Just(vec![0xC2, 0x41, 0x01, 0x26]),
            1 => Just(vec![0x01, 0x63, b'E', b'S', b'1']),
        ]
    }

    fn header_map() -> impl Strategy<Value = Vec<u8>> {
        (vec(entry(), 0..4), 0..4u8).prop_map(|(entries, how)| {
            let n = entries.len() as u64;
            match how {
                0 => [vec![0xBF], entries.concat(), vec![0xFF]].concat(),
                1 => [head(5, n + 1, 0), entries.concat()].concat(),
                _ => [head(5, n, 0), entries.concat()].concat(),
            }
        })
    }

    /// A header map the fast path takes: a registered alg and/or a kid, in either order, with
    /// heads of any width.
    fn clean_map() -> impl Strategy<Value = Vec<u8>> {
        let alg = prop_oneof![
            Just(-7i64),
            Just(-37),
            Just(-8),
            Just(-35),
            Just(-257),
            Just(1)
        ];
        (
            proptest::option::of((alg, 0..3u8, 0..2u8)),
            proptest::option::of((vec(any::<u8>(), 1..10), 0..3u8, 0..2u8)),
            any::<bool>(),
            0..2u8,
        )
            .prop_map(|(alg, kid, swap, mw)| {
                let alg = alg.map(|(a, w, kw)| [int(1, kw), int(a, w)].concat());
                let kid = kid.map(|(k, w, kw)| [int(4, kw), bytes(&k, w)].concat());
                let mut entries: Vec<Vec<u8>> = [alg, kid].into_iter().flatten().collect();
                if swap {
                    entries.reverse();
                }
                [head(5, entries.len() as u64, mw), entries.concat()].concat()
            })
    }

    fn clean_sign1() -> impl Strategy<Value = Vec<u8>> {
        (
            prop_oneof![4 => clean_map(), 1 => Just(Vec::new())],
            0..2u8,
            clean_map(),
            proptest::option::of((vec(any::<u8>(), 0..300), 0..3u8)),
            (vec(any::<u8>(), 0..70), 0..2u8),
        )
            .prop_map(|(p, pw, u, payload, (sig, sw))| {
                let payload = payload.map_or(vec![0xF6], |(b, w)| bytes(&b, w));
                [vec![0x84], bytes(&p, pw), u, payload, bytes(&sig, sw)].concat()
            })
    }

    fn sign1() -> impl Strategy<Value = Vec<u8>> {
        let protected = prop_oneof![
            4 => (header_map(), 0..2u8).prop_map(|(m, w)| bytes(&m, w)),
            1 => Just(vec![0x40]),
            1 => (header_map(), vec(any::<u8>(), 1..3)).prop_map(|(m, x)| bytes(&[m, x].concat(), 0)),
            1 => header_map(),
        ];
        let payload = prop_oneof![
            4 => (vec(any::<u8>(), 0..40), 0..3u8).prop_map(|(p, w)| bytes(&p, w)),
            1 => Just(vec![0xF6]),
            1 => Just(vec![0xF7]),
            1 => Just(vec![0x5F, 0x41, 0x00, 0xFF]),
            1 => Just(vec![0x60]),
        ];
        let signature = prop_oneof![
            4 => (vec(any::<u8>(), 0..70), 0..2u8).prop_map(|(s, w)| bytes(&s, w)),
            1 => Just(vec![0xF6]),
        ];
        (protected, header_map(), payload, signature, 0..8u8).prop_map(|(p, u, pl, s, how)| {
            let body = [p, u, pl, s].concat();
            match how {
                0 => [vec![0x98, 0x04], body].concat(),
                1 => [vec![0x9F], body, vec![0xFF]].concat(),
                2 => [vec![0x84], body, vec![0x00]].concat(),
                3 => [vec![0x83], body].concat(),
                _ => [vec![0x84], body].concat(),
            }
        })
    }

    fn agrees(bytes: &[u8]) -> std::result::Result<(), TestCaseError> {
        let coset = CoseSign1::from_slice(bytes).ok();
        if let Some(fast) = fast_parse(bytes) {
            prop_assert_eq!(Some(&fast), coset.as_ref(), "{}", hex::encode(bytes));
            prop_assert_eq!(
                sig_structure(
                    fast.protected.original_data.as_deref().unwrap_or(&[]),
                    fast.payload.as_deref().unwrap_or(&[])
                ),
                fast.tbs_data(&[])
            );
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn fast_parse_is_coset_where_it_answers(bytes in sign1()) {
            agrees(&bytes)?;
        }

        #[test]
        fn fast_parse_answers_for_the_usual_shape(bytes in clean_sign1()) {
            prop_assert!(fast_parse(&bytes).is_some(), "{}", hex::encode(&bytes));
            agrees(&bytes)?;
        }

        #[test]
        fn fast_parse_is_coset_on_damaged_input(
            bytes in prop_oneof![sign1(), clean_sign1()],
            at in any::<prop::sample::Index>(),
            with in any::<u8>(),
        ) {
            let mut bytes = bytes;
            let i = at.index(bytes.len());
            bytes[i] = with;
            agrees(&bytes)?;
            bytes.truncate(i);
            agrees(&bytes)?;
        }
    }

    #[test]
    fn fast_parse_answers_for_what_dcc_signs() {
        // Protected {1: -7, 4: kid}, unprotected {}, as `sign` writes it; and a kid in the
        // unprotected header, as some issuers do.
        let protected = [vec![0xA2, 0x01, 0x26, 0x04], bytes(b"kid-0001", 0)].concat();
        let shapes = [
            [
                vec![0x84],
                bytes(&protected, 0),
                vec![0xA0],
                bytes(b"payload", 0),
                bytes(&[7; 64], 0),
            ]
            .concat(),
            [
                vec![0x84, 0x43, 0xA1, 0x01, 0x26, 0xA1, 0x04],
                bytes(b"kid-0001", 0),
                bytes(&[1; 300], 0),
                bytes(&[7; 64], 0),
            ]
            .concat(),
        ];
        for shape in shapes {
            let fast = fast_parse(&shape).expect("the usual shape takes the fast path");
            assert_eq!(Some(fast), CoseSign1::from_slice(&shape).ok());
            let sign1 = Sign1::parse(&shape).unwrap();
            assert_eq!(sign1.to_be_signed(), sign1.inner.tbs_data(&[]));
        }
    }

    #[test]
    fn sig_structure_heads_match_coset_at_every_width() {
        for len in [0, 1, 23, 24, 255, 256, 65535, 65536] {
            let payload = vec![0xAB; len];
            let message = CoseSign1 {
                protected: coset::ProtectedHeader {
                    original_data: Some(vec![0xA0; len % 300]),
                    header: coset::Header::default(),
                },
                payload: Some(payload.clone()),
                ..CoseSign1::default()
            };
            assert_eq!(
                sig_structure(&vec![0xA0; len % 300], &payload),
                message.tbs_data(&[]),
                "{len}"
            );
        }
    }
}
