//! ES256 and PS256 signatures made in the token verify with the public key read from it, from
//! one thread or many at once.

use hcert::crypto::{default_backend, Algorithm, Signer as _};
use hsm::KeySpec;
use x509_parser::prelude::FromDer as _;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::support;

#[test]
fn es256_and_ps256_signatures_verify() {
    let token = support::token("sign");
    for alg in [Algorithm::Es256, Algorithm::Ps256] {
        let label = format!("dsc-{alg}");
        let generated = token
            .generate(&label, KeySpec::for_algorithm(alg).unwrap())
            .unwrap();
        let signer = token.signer(&label, alg).unwrap();
        assert_eq!(signer.algorithm(), alg);
        assert_eq!(signer.public_key(), &generated, "{alg}");
        let expected = match alg {
            Algorithm::Es256 => "P-256",
            _ => "RSA-3072",
        };
        assert_eq!(generated.describe(), expected, "{alg}");

        let verify = default_backend().verify_key(signer.public_key()).unwrap();
        for tbs in [&b""[..], b"Sig_structure", &[0xa5; 4000]] {
            let sig = signer.sign(tbs).unwrap();
            if alg == Algorithm::Es256 {
                assert_eq!(sig.len(), 64, "ES256 signs raw r||s");
            }
            verify
                .verify(alg, tbs, &sig)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            assert!(verify.verify(alg, b"other", &sig).is_err(), "{alg}");
        }

        // The SubjectPublicKeyInfo holds the same key.
        let der = signer.public_key_der().unwrap();
        let (rest, spki) = SubjectPublicKeyInfo::from_der(&der).unwrap();
        assert!(rest.is_empty(), "{alg}");
        let raw = match signer.public_key() {
            hcert::crypto::PublicKeyInfo::P256(point) => point.clone(),
            hcert::crypto::PublicKeyInfo::Rsa { pkcs1_der, .. } => pkcs1_der.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            spki.subject_public_key.data.as_ref(),
            raw.as_slice(),
            "{alg}"
        );
    }
}

#[test]
fn a_given_rsa_size_is_made() {
    let token = support::token("rsa-size");
    let key = token
        .generate("dsc-2048", KeySpec::Ps256 { bits: 2048 })
        .unwrap();
    assert_eq!(key.describe(), "RSA-2048");
}

#[test]
fn one_signer_serves_several_threads_at_once() {
    let token = support::token("threads");
    token.generate("dsc", KeySpec::Es256).unwrap();
    let signer = token.signer("dsc", Algorithm::Es256).unwrap();
    let verify = default_backend().verify_key(signer.public_key()).unwrap();
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (signer, verify) = (&signer, &verify);
            scope.spawn(move || {
                for i in 0..25 {
                    let tbs = format!("thread {thread}, signature {i}");
                    let sig = signer.sign(tbs.as_bytes()).unwrap();
                    verify
                        .verify(Algorithm::Es256, tbs.as_bytes(), &sig)
                        .unwrap_or_else(|e| panic!("{tbs}: {e}"));
                }
            });
        }
    });
}
