//! Parsers survive any input: arbitrary and mutated bytes into every loader.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::OnceLock;

use hcert::crypto::{default_backend, Algorithm};
use proptest::collection::vec;
use proptest::prelude::*;
use trust_list::{
    build_signed, parse_certificate, parse_gateway_json, parse_gateway_json_lenient,
    to_gateway_json, verify_signed, verify_signed_by, Dsc, ListSigner, TrustListCa,
};

/// The signer must be one the fixture's CA issued, checked at the list's issue time.
fn by_ca() -> ListSigner<'static> {
    ListSigner::IssuedBy {
        cas: &fixture().list_cas,
        at: 1_650_000_000,
    }
}

struct Fixture {
    cert_der: Vec<u8>,
    gateway_json: String,
    jws: String,
    signing_der: Vec<u8>,
    /// The CA that issued `signing_der`, as `--trust-list-ca` takes it.
    list_cas: Vec<TrustListCa>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let ca = common::ca();
        let issued = common::dsc(
            &ca,
            &common::Spec {
                types: &[hcert::CertType::Test],
                ..common::Spec::default()
            },
        );
        let dsc = Dsc::from_der(&issued.der).unwrap();
        let signing = common::simple(&ca, Some("CZ"), "signer");
        let signer = default_backend()
            .signer(Algorithm::Es256, &signing.key.pkcs8)
            .unwrap();
        let jws = build_signed(
            std::slice::from_ref(&dsc),
            signer.as_ref(),
            &signing.der,
            1_650_000_000,
        )
        .unwrap();
        Fixture {
            cert_der: issued.der,
            gateway_json: to_gateway_json(&[dsc]).unwrap(),
            jws,
            signing_der: signing.der,
            list_cas: TrustListCa::parse_all(ca.cert.pem().as_bytes()).unwrap(),
        }
    })
}

/// Overwrites, truncates or extends `base` at the given points.
fn mutate(base: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut out = base.to_vec();
    for (at, byte) in edits {
        if !out.is_empty() {
            let i = at % out.len();
            out[i] = *byte;
        }
    }
    if let Some(cut) = cut {
        out.truncate(cut % (base.len() + 1));
    }
    out
}

proptest! {
    #[test]
    fn certificate_bytes(bytes in vec(any::<u8>(), 0..2000)) {
        let _ = parse_certificate(&bytes);
    }

    #[test]
    fn certificate_text(text in "\\PC{0,600}") {
        let _ = parse_certificate(text.as_bytes());
        let _ = parse_certificate(format!("-----BEGIN CERTIFICATE-----\n{text}\n-----END CERTIFICATE-----\n").as_bytes());
    }

    #[test]
    fn mutated_certificates(edits in vec((any::<usize>(), any::<u8>()), 1..8), cut in proptest::option::of(any::<usize>())) {
        let der = mutate(&fixture().cert_der, &edits, cut);
        if let Ok(dsc) = parse_certificate(&der) {
            prop_assert_eq!(dsc.der, der);
        }
    }

    #[test]
    fn gateway_bytes(bytes in vec(any::<u8>(), 0..1000)) {
        let _ = parse_gateway_json(&bytes);
        let _ = parse_gateway_json_lenient(&bytes);
    }

    #[test]
    fn gateway_shaped_json(
        kid in proptest::option::of("\\PC{0,16}"),
        country in proptest::option::of("[A-Z]{0,3}"),
        kind in "(DSC|CSCA|dsc|\\PC{0,4})",
        raw in "[A-Za-z0-9+/=]{0,64}",
    ) {
        let doc = serde_json::json!([{"kid": kid, "country": country, "certificateType": kind, "rawData": raw}]);
        let _ = parse_gateway_json(doc.to_string().as_bytes());
    }

    #[test]
    fn mutated_gateway_json(edits in vec((any::<usize>(), any::<u8>()), 1..8), cut in proptest::option::of(any::<usize>())) {
        let doc = mutate(fixture().gateway_json.as_bytes(), &edits, cut);
        let strict = parse_gateway_json(&doc);
        let lenient = parse_gateway_json_lenient(&doc);
        prop_assert_eq!(strict.is_err(), lenient.as_ref().map_or(true, |l| !l.errors.is_empty()));
    }

    #[test]
    fn signed_text(text in "\\PC{0,800}") {
        let _ = verify_signed(&text, None, default_backend());
        let _ = verify_signed(&text, Some(&fixture().signing_der), default_backend());
        let _ = verify_signed_by(&text, by_ca(), default_backend());
    }

    #[test]
    fn trust_list_ca_bytes(bytes in vec(any::<u8>(), 0..2000)) {
        let _ = TrustListCa::parse_all(&bytes);
    }

    #[test]
    fn signed_dotted(parts in vec("[A-Za-z0-9_=-]{0,80}", 0..5)) {
        let _ = verify_signed(&parts.join("."), Some(&fixture().signing_der), default_backend());
        let _ = verify_signed_by(&parts.join("."), by_ca(), default_backend());
    }

    #[test]
    fn mutated_signed_lists(edits in vec((any::<usize>(), any::<u8>()), 1..6), cut in proptest::option::of(any::<usize>())) {
        let bytes = mutate(fixture().jws.as_bytes(), &edits, cut);
        let text = String::from_utf8_lossy(&bytes);
        let pinned = verify_signed(&text, Some(&fixture().signing_der), default_backend());
        // A pinned list that still verifies is the unchanged one (or a change in the trimmed
        // margins only).
        if let Ok(list) = pinned {
            prop_assert!(list.signature_checked);
        }
        // Under the CA, the same: whatever still verifies was checked.
        if let Ok(list) = verify_signed_by(&text, by_ca(), default_backend()) {
            prop_assert!(list.signature_checked);
        }
        let _ = verify_signed(&text, None, default_backend());
    }
}
