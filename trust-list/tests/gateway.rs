//! The EU gateway's trust-list JSON: round trip, only DSC entries, consistency checks, and
//! malformed entries named by index and kid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{json, Value};
use trust_list::{
    parse_certificate, parse_gateway_json, parse_gateway_json_lenient, to_gateway_json, Dsc, Error,
};

fn two_dscs() -> (Dsc, Dsc) {
    let ca = common::ca();
    let a = parse_certificate(&common::simple(&ca, Some("CZ"), "A").der).unwrap();
    let b = parse_certificate(&common::simple(&ca, Some("SK"), "B").der).unwrap();
    (a, b)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An entry as the gateway writes it.
fn entry(dsc: &Dsc, country: &str) -> Value {
    json!({
        "kid": dsc.kid_base64(),
        "timestamp": "2021-06-01T12:00:00.000Z",
        "country": country,
        "certificateType": "DSC",
        "thumbprint": dsc.thumbprint(),
        "signature": "MIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcBAAA=",
        "rawData": b64(&dsc.der),
    })
}

#[test]
fn round_trip() {
    let (a, b) = two_dscs();
    let json = to_gateway_json(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(
        parse_gateway_json(json.as_bytes()).unwrap(),
        vec![a.clone(), b]
    );
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc[0]["kid"], a.kid_base64());
    assert_eq!(doc[0]["country"], "CZ");
    assert_eq!(doc[0]["certificateType"], "DSC");
    assert_eq!(doc[0]["thumbprint"], a.thumbprint());
}

#[test]
fn reads_gateway_entries_and_skips_other_types() {
    let (a, b) = two_dscs();
    let mut csca = entry(&b, "SK");
    csca["certificateType"] = json!("CSCA");
    csca["rawData"] = json!("not even base64!"); // not a signer, so not read
    let doc = json!([entry(&a, "CZ"), csca, entry(&b, "SK")]);
    let got = parse_gateway_json(doc.to_string().as_bytes()).unwrap();
    assert_eq!(got, vec![a, b]);
    assert_eq!(parse_gateway_json(b"[]").unwrap(), vec![]);
}

#[test]
fn country_fills_in_when_the_subject_has_none() {
    let ca = common::ca();
    let dsc = parse_certificate(&common::simple(&ca, None, "EC-Me").der).unwrap();
    let doc = json!([entry(&dsc, "DE")]);
    let got = parse_gateway_json(doc.to_string().as_bytes()).unwrap();
    assert_eq!(got[0].country.as_deref(), Some("DE"));
    // Without a country at all it stays unknown.
    let mut bare = entry(&dsc, "");
    bare.as_object_mut().unwrap().remove("country");
    let got = parse_gateway_json(json!([bare]).to_string().as_bytes()).unwrap();
    assert_eq!(got[0].country, None);
}

#[test]
fn malformed_entries_are_named() {
    let (a, b) = two_dscs();
    let kid = a.kid_base64();
    let with = |field: &str, value: Value| {
        let mut e = entry(&a, "CZ");
        if value.is_null() {
            e.as_object_mut().unwrap().remove(field);
        } else {
            e[field] = value;
        }
        e
    };
    let cases: Vec<(&str, Value, String)> = vec![
        (
            "rawData not base64",
            with("rawData", json!("MII%%%")),
            format!("trust list entry 1 (kid {kid}): rawData is not base64"),
        ),
        (
            "rawData missing",
            with("rawData", Value::Null),
            format!("trust list entry 1 (kid {kid}): rawData is missing"),
        ),
        (
            "rawData a number",
            with("rawData", json!(5)),
            format!("trust list entry 1 (kid {kid}): rawData is a number, not a string"),
        ),
        (
            "rawData not a certificate",
            with("rawData", json!("MAA=")),
            format!("trust list entry 1 (kid {kid}): malformed X.509 certificate"),
        ),
        (
            "kid of another certificate",
            with("kid", json!(b.kid_base64())),
            format!(
                "trust list entry 1 (kid {}): kid {} does not match the certificate, whose kid is {kid}",
                b.kid_base64(),
                b.kid_base64()
            ),
        ),
        (
            "kid not base64",
            with("kid", json!("??")),
            "trust list entry 1 (kid ??): kid is not base64".to_string(),
        ),
        (
            "country mismatch",
            with("country", json!("DE")),
            format!("trust list entry 1 (kid {kid}): country DE does not match the certificate's subject country CZ"),
        ),
        (
            "thumbprint mismatch",
            with("thumbprint", json!("00ff")),
            format!("trust list entry 1 (kid {kid}): thumbprint 00ff does not match"),
        ),
        (
            "no certificateType",
            with("certificateType", Value::Null),
            format!("trust list entry 1 (kid {kid}): certificateType is missing"),
        ),
        ("not an object", json!(["x"]), "trust list entry 1: expected an object, found an array".to_string()),
    ];
    for (name, bad, want) in cases {
        let doc = json!([entry(&b, "SK"), bad]).to_string();
        let e = parse_gateway_json(doc.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with(&want), "case {name}: {e}");

        let lenient = parse_gateway_json_lenient(doc.as_bytes()).unwrap();
        assert_eq!(lenient.dscs, vec![b.clone()], "case {name}");
        assert_eq!(lenient.errors.len(), 1, "case {name}");
        assert!(
            lenient.errors[0].to_string().starts_with(&want),
            "case {name}"
        );
    }
}

#[test]
fn mismatches_are_typed() {
    let (a, b) = two_dscs();
    let mut e = entry(&a, "CZ");
    e["kid"] = json!(b.kid_base64());
    match parse_gateway_json(json!([e]).to_string().as_bytes()) {
        Err(Error::Entry { at, error }) => {
            assert_eq!(at, format!("trust list entry 0 (kid {})", b.kid_base64()));
            assert!(matches!(*error, Error::KidMismatch { .. }), "{error:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_documents() {
    for (name, doc, want) in [
        ("not JSON", &b"[{"[..], "trust list is not JSON"),
        ("empty", b"", "trust list is not JSON"),
        (
            "object",
            b"{\"certificates\": []}",
            "expected a JSON array of entries, found an object",
        ),
        ("string", b"\"x\"", "found a string"),
    ] {
        let e = parse_gateway_json(doc).unwrap_err().to_string();
        assert!(e.contains(want), "case {name}: {e}");
        assert!(parse_gateway_json_lenient(doc).is_err(), "case {name}");
    }
}
