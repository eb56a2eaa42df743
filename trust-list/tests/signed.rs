//! dcc's signed trust list: build → verify, the exact JWS shape, and every way a list must be
//! refused (tampered payload, another signer, another algorithm).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use common::{KeyKind, Spec};
use hcert::crypto::{all_backends, Algorithm, Backend, Signer};
use serde_json::{json, Value};
use trust_list::{build_signed, parse_certificate, verify_signed, Dsc, Error};

const ISSUED_AT: i64 = 1_650_000_000; // 2022-04-15T05:20:00Z, inside the test validity

struct Setup {
    dscs: Vec<Dsc>,
    signing_cert: common::Issued,
}

fn setup() -> Setup {
    let ca = common::ca();
    let dscs = vec![
        parse_certificate(&common::simple(&ca, Some("CZ"), "A").der).unwrap(),
        parse_certificate(&common::simple(&ca, None, "EC-Me").der).unwrap(),
        parse_certificate(
            &common::dsc(
                &ca,
                &Spec {
                    kind: KeyKind::Rsa(2048),
                    ..Spec::default()
                },
            )
            .der,
        )
        .unwrap(),
    ];
    let signing_cert = common::simple(&ca, Some("CZ"), "CZ trust list signer");
    Setup { dscs, signing_cert }
}

fn signer(backend: &dyn Backend, issued: &common::Issued) -> Box<dyn Signer> {
    backend.signer(Algorithm::Es256, &issued.key.pkcs8).unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn part(jws: &str, i: usize) -> Value {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jws.split('.').nth(i).unwrap())
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

#[test]
fn build_then_verify() {
    let s = setup();
    for backend in all_backends() {
        let signer = signer(backend, &s.signing_cert);
        let jws = build_signed(&s.dscs, signer.as_ref(), &s.signing_cert.der, ISSUED_AT).unwrap();

        let pinned = verify_signed(&jws, Some(s.signing_cert.pem.as_bytes()), backend).unwrap();
        assert!(pinned.signature_checked);
        assert_eq!(pinned.issued_at, ISSUED_AT);
        assert_eq!(pinned.dscs, s.dscs, "{}", backend.name());
        assert_eq!(pinned.signing_cert.der, s.signing_cert.der);

        let parsed = verify_signed(&format!("{jws}\n"), None, backend).unwrap();
        assert!(!parsed.signature_checked);
        assert_eq!(parsed.dscs, s.dscs);

        let list = pinned.into_trust_list(backend);
        assert_eq!(list.len(), 3);
        assert_eq!(list.issued_at, Some(ISSUED_AT));
        assert!(list.iter().all(|k| k.key.is_ok()));
    }
}

#[test]
fn the_jws_has_the_designed_shape() {
    let s = setup();
    let backend = hcert::crypto::default_backend();
    let jws = build_signed(
        &s.dscs,
        signer(backend, &s.signing_cert).as_ref(),
        &s.signing_cert.der,
        ISSUED_AT,
    )
    .unwrap();
    assert_eq!(jws.split('.').count(), 3);
    assert!(!jws.contains('='), "base64url without padding");
    let header_text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jws.split('.').next().unwrap())
        .unwrap();
    let x5c = base64::engine::general_purpose::STANDARD.encode(&s.signing_cert.der);
    assert_eq!(
        String::from_utf8(header_text).unwrap(),
        format!(r#"{{"alg":"ES256","x5c":["{x5c}"]}}"#)
    );
    let payload = part(&jws, 1);
    assert_eq!(payload["issued_at"], "2022-04-15T05:20:00Z");
    let first = &payload["certificates"][0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["kid", "country", "certificateType", "rawData"]);
    assert_eq!(first["kid"], s.dscs[0].kid_base64());
    assert!(
        first["kid"].as_str().unwrap().ends_with('='),
        "standard base64 with padding"
    );
    assert_eq!(first["country"], "CZ");
    assert_eq!(first["certificateType"], "DSC");
    assert_eq!(
        first["rawData"],
        base64::engine::general_purpose::STANDARD.encode(&s.dscs[0].der)
    );
    // The DSC without a subject country has no country member.
    assert!(payload["certificates"][1].get("country").is_none());
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jws.split('.').nth(2).unwrap())
        .unwrap();
    assert_eq!(signature.len(), 64);
}

/// Re-assembles a JWS from (possibly changed) header and payload JSON, keeping the signature.
fn reassemble(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64url(header.to_string().as_bytes()),
        b64url(payload.to_string().as_bytes())
    )
}

#[test]
fn tampering_is_refused() {
    let s = setup();
    let backend = hcert::crypto::default_backend();
    let jws = build_signed(
        &s.dscs,
        signer(backend, &s.signing_cert).as_ref(),
        &s.signing_cert.der,
        ISSUED_AT,
    )
    .unwrap();
    let pinned = Some(s.signing_cert.der.as_slice());
    let (header, payload, sig) = (part(&jws, 0), part(&jws, 1), jws.split('.').nth(2).unwrap());

    let mut fewer = payload.clone();
    fewer["certificates"].as_array_mut().unwrap().pop();
    let mut later = payload.clone();
    later["issued_at"] = json!("2022-04-16T05:20:00Z");
    for (name, forged) in [("dropped certificate", fewer), ("changed issued_at", later)] {
        let jws = reassemble(&header, &forged, sig);
        match verify_signed(&jws, pinned, backend) {
            Err(Error::BadSignature(_)) => {}
            other => panic!("case {name}: {other:?}"),
        }
        // Unpinned, the forgery parses: which is why the type says the signature was not checked.
        assert!(
            !verify_signed(&jws, None, backend)
                .unwrap()
                .signature_checked
        );
    }

    // Any flipped character of the payload part.
    let payload_start = jws.find('.').unwrap() + 1;
    for i in [
        payload_start,
        payload_start + 7,
        jws.rfind('.').unwrap() - 1,
    ] {
        let mut bytes = jws.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(bytes).unwrap();
        let e = verify_signed(&forged, pinned, backend).unwrap_err();
        assert!(
            matches!(e, Error::BadSignature(_) | Error::Jws(_)),
            "byte {i}: {e}"
        );
    }
}

#[test]
fn another_signer_is_refused() {
    let s = setup();
    let backend = hcert::crypto::default_backend();
    let ca = common::ca();
    let mallory = common::simple(&ca, Some("CZ"), "CZ trust list signer");
    let jws = build_signed(
        &s.dscs,
        signer(backend, &mallory).as_ref(),
        &mallory.der,
        ISSUED_AT,
    )
    .unwrap();
    match verify_signed(&jws, Some(&s.signing_cert.der), backend) {
        Err(Error::SignerNotPinned { .. }) => {}
        other => panic!("{other:?}"),
    }
    // Mallory's signature under the right certificate in x5c.
    let header = json!({"alg": "ES256", "x5c": [base64::engine::general_purpose::STANDARD.encode(&s.signing_cert.der)]});
    let forged = reassemble(&header, &part(&jws, 1), jws.split('.').nth(2).unwrap());
    match verify_signed(&forged, Some(&s.signing_cert.der), backend) {
        Err(Error::BadSignature(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn only_es256_with_p256() {
    let s = setup();
    let backend = hcert::crypto::default_backend();
    let ca = common::ca();
    let ed = common::dsc(
        &ca,
        &Spec {
            kind: KeyKind::Ed25519,
            ..Spec::default()
        },
    );
    let ed_signer = backend.signer(Algorithm::EdDsa, &ed.key.pkcs8).unwrap();
    let e = build_signed(&s.dscs, ed_signer.as_ref(), &ed.der, ISSUED_AT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "signed trust lists use ES256 with a P-256 key; got EdDSA"
    );

    let p384 = common::dsc(
        &ca,
        &Spec {
            kind: KeyKind::P384,
            ..Spec::default()
        },
    );
    let e = build_signed(
        &s.dscs,
        signer(backend, &s.signing_cert).as_ref(),
        &p384.der,
        ISSUED_AT,
    )
    .unwrap_err();
    assert!(e.to_string().contains("P-384"), "{e}");

    let jws = build_signed(
        &s.dscs,
        signer(backend, &s.signing_cert).as_ref(),
        &s.signing_cert.der,
        ISSUED_AT,
    )
    .unwrap();
    let mut header = part(&jws, 0);
    for alg in ["none", "ES384", "RS256"] {
        header["alg"] = json!(alg);
        let forged = reassemble(&header, &part(&jws, 1), jws.split('.').nth(2).unwrap());
        let e = verify_signed(&forged, None, backend)
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("alg {alg} is not ES256")), "{e}");
    }
    header["alg"] = json!("ES256");
    header["crit"] = json!(["exp"]);
    let forged = reassemble(&header, &part(&jws, 1), jws.split('.').nth(2).unwrap());
    assert!(verify_signed(&forged, None, backend)
        .unwrap_err()
        .to_string()
        .contains("crit"));
}

#[test]
fn issued_outside_the_signing_certificate_validity() {
    let s = setup();
    let backend = hcert::crypto::default_backend();
    let signer = signer(backend, &s.signing_cert);
    let late = common::NOT_AFTER + 1;
    let jws = build_signed(&s.dscs, signer.as_ref(), &s.signing_cert.der, late).unwrap();
    let e = verify_signed(&jws, Some(&s.signing_cert.der), backend)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("outside the validity of its signing certificate"),
        "{e}"
    );
    assert_eq!(verify_signed(&jws, None, backend).unwrap().issued_at, late);
}

#[test]
fn malformed_lists_are_named() {
    let s = setup();
    let backend = hcert::crypto::default_backend();
    let jws = build_signed(
        &s.dscs,
        signer(backend, &s.signing_cert).as_ref(),
        &s.signing_cert.der,
        ISSUED_AT,
    )
    .unwrap();
    let (header, payload, sig) = (part(&jws, 0), part(&jws, 1), jws.split('.').nth(2).unwrap());
    let kid = s.dscs[1].kid_base64();
    let mut bad_entry = payload.clone();
    bad_entry["certificates"][1]["rawData"] = json!("%%%");
    let mut no_time = payload.clone();
    no_time.as_object_mut().unwrap().remove("issued_at");
    let mut bad_time = payload.clone();
    bad_time["issued_at"] = json!("yesterday");
    let mut no_list = payload.clone();
    no_list["certificates"] = json!({});
    let cases: Vec<(&str, String, String)> = vec![
        ("two parts", "a.b".to_string(), "found 2 parts".into()),
        ("empty", String::new(), "found 1 part".into()),
        (
            "header not base64",
            format!("!!.{}", &jws[jws.find('.').unwrap() + 1..]),
            "header is not base64url".into(),
        ),
        (
            "bad entry",
            reassemble(&header, &bad_entry, sig),
            format!("signed trust list entry 1 (kid {kid}): rawData is not base64"),
        ),
        (
            "no issued_at",
            reassemble(&header, &no_time, sig),
            "signed trust list payload: issued_at is missing".into(),
        ),
        (
            "bad issued_at",
            reassemble(&header, &bad_time, sig),
            "issued_at is not an RFC 3339 date-time: yesterday".into(),
        ),
        (
            "certificates not an array",
            reassemble(&header, &no_list, sig),
            "certificates is an object, not an array".into(),
        ),
        (
            "no x5c",
            reassemble(&json!({"alg": "ES256"}), &payload, sig),
            "header has no x5c".into(),
        ),
        (
            "x5c garbage",
            reassemble(&json!({"alg": "ES256", "x5c": ["MAA="]}), &payload, sig),
            "x5c certificate: malformed".into(),
        ),
    ];
    for (name, input, want) in cases {
        let e = verify_signed(&input, None, backend)
            .unwrap_err()
            .to_string();
        assert!(e.contains(&want), "case {name}: {e}");
    }
}
