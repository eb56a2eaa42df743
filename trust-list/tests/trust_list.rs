//! The lookup table: keys parsed once per backend, several DSCs per kid, refused keys kept with
//! their reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use common::{KeyKind, Spec};
use hcert::crypto::{
    all_backends, Algorithm, Backend, CryptoError, PublicKeyInfo, Signer, VerifyKey,
};
use trust_list::{parse_certificate, Dsc, TrustList};

#[test]
fn candidates_verify_what_their_keys_signed() {
    let ca = common::ca();
    for backend in all_backends() {
        for kind in KeyKind::all() {
            let Some(alg) = kind.algorithm() else {
                continue;
            };
            let issued = common::dsc(
                &ca,
                &Spec {
                    kind,
                    ..Spec::default()
                },
            );
            let dsc = parse_certificate(&issued.der).unwrap();
            let kid = dsc.kid;
            let list = TrustList::from_dscs([dsc], backend);
            // Signed by the default backend (RustCrypto does not sign PS256), verified by each.
            let signer = hcert::crypto::default_backend()
                .signer(alg, &issued.key.pkcs8)
                .unwrap();
            let sig = signer.sign(b"payload").unwrap();
            let found = list.candidates(&kid);
            assert_eq!(found.len(), 1, "{} {kind:?}", backend.name());
            let key = found[0].key.as_ref().unwrap();
            key.verify(alg, b"payload", &sig).unwrap();
            assert_eq!(
                key.verify(alg, b"tampered", &sig),
                Err(CryptoError::BadSignature)
            );
        }
    }
}

#[test]
fn lookup_by_kid() {
    let ca = common::ca();
    let backend = hcert::crypto::default_backend();
    let a = parse_certificate(&common::simple(&ca, Some("CZ"), "A").der).unwrap();
    let b = parse_certificate(&common::simple(&ca, Some("SK"), "B").der).unwrap();
    let mut list = TrustList::new();
    assert!(list.is_empty());
    list.add(a.clone(), backend);
    list.add(b.clone(), backend);
    list.add(a.clone(), backend); // the same certificate again is kept once
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().count(), 2);
    assert_eq!(list.candidates(&a.kid)[0].dsc, a);
    assert_eq!(list.candidates(&b.kid)[0].dsc, b);
    assert!(list.candidates(&[0; 8]).is_empty());
    assert!(list.candidates(&a.kid[..7]).is_empty());
    assert!(list.candidates(&[]).is_empty());
    assert_eq!(list.issued_at, None);
    assert!(format!("{:?}", list.candidates(&a.kid)[0]).contains("parsed"));
}

#[test]
fn shared_kids_keep_every_signer() {
    let ca = common::ca();
    let backend = hcert::crypto::default_backend();
    let a = parse_certificate(&common::simple(&ca, Some("CZ"), "A").der).unwrap();
    let mut b = parse_certificate(&common::simple(&ca, Some("SK"), "B").der).unwrap();
    b.kid = a.kid; // a kid collision, as 8 bytes of a hash allow
    let list = TrustList::from_dscs([a.clone(), b.clone()], backend);
    let found = list.candidates(&a.kid);
    assert_eq!(found.len(), 2);
    assert_eq!((&found[0].dsc, &found[1].dsc), (&a, &b));
}

/// A backend that refuses every key, to show the reason is kept.
struct Refusing;

impl Backend for Refusing {
    fn name(&self) -> &'static str {
        "refusing"
    }
    fn verify_key(&self, key: &PublicKeyInfo) -> Result<Arc<dyn VerifyKey>, CryptoError> {
        Err(CryptoError::BadKey(format!("{} refused", key.describe())))
    }
    fn signer(&self, _: Algorithm, _: &[u8]) -> Result<Box<dyn Signer>, CryptoError> {
        Err(CryptoError::SigningFailed)
    }
}

#[test]
fn refused_keys_are_kept_with_their_reason() {
    let ca = common::ca();
    let dsc: Dsc = parse_certificate(&common::simple(&ca, Some("CZ"), "A").der).unwrap();
    let list = TrustList::from_dscs([dsc.clone()], &Refusing);
    let found = list.candidates(&dsc.kid);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].key.as_ref().err(),
        Some(&CryptoError::BadKey("P-256 refused".into()))
    );
}
