//! The verifier survives any input: arbitrary text, arbitrary bytes behind each decode stage,
//! mutated valid certificates (text, COSE bytes, CWT payload), arbitrary images; every report
//! names a failing check when the verdict is invalid, keeps the chain semantics, and the fuzz
//! regressions in `fixtures/regressions/` are replayed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ciborium::Value as Cbor;
use hcert::cose::Sign1;
use hcert::crypto::{aws_lc, default_backend, Algorithm, PublicKeyInfo, Signer};
use hcert::{base45, cose, cwt, hc1, prefix, translit, uvci, zlib, CertType};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value as Json;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trust_list::{Dsc, KeyUsage, TrustList};
use verifier::{Check, Context, Outcome, Report};

/// Issue time of the certificates made here; they are verified an hour later.
const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);
const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const DECODE_CHAIN: [Check; 5] = [
    Check::Prefix,
    Check::Base45,
    Check::Zlib,
    Check::Cose,
    Check::Cbor,
];
const AFTER_DECODE: [Check; 4] = [
    Check::Signature,
    Check::Expiry,
    Check::KeyUsage,
    Check::Schema,
];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The report's contract, checked on every report this file produces.

/// Every report: an invalid verdict names a failing check with a message; the decode chain
/// stops at its first failure and everything after it is `skip`; once the payload decodes,
/// signature, expiry and schema are evaluated, and key usage exactly when `trust` knows the kid
/// (whether or not the signature verifies).
fn check_report(report: &Report, what: &str, trust: &TrustList) {
    for check in [Check::Rules, Check::Revocation] {
        assert_eq!(report.outcome(check), &Outcome::Skip, "{what}: {check:?}");
    }
    for (check, message) in report.errors() {
        assert!(
            !message.trim().is_empty(),
            "{what}: {check:?} fails without a message"
        );
    }
    if !report.is_valid() {
        assert!(
            report.errors().next().is_some(),
            "{what}: invalid, but no check fails: {:?}",
            report.checks
        );
    }
    match DECODE_CHAIN
        .iter()
        .position(|c| *report.outcome(*c) != Outcome::Pass)
    {
        Some(i) => {
            let stage = DECODE_CHAIN[i];
            assert!(
                matches!(report.outcome(stage), Outcome::Fail(_)),
                "{what}: {stage:?} is {:?}, neither pass nor fail",
                report.outcome(stage)
            );
            for later in DECODE_CHAIN[i + 1..].iter().chain(&AFTER_DECODE) {
                assert_eq!(
                    report.outcome(*later),
                    &Outcome::Skip,
                    "{what}: {later:?} after failing {stage:?}"
                );
            }
            assert!(!report.is_valid(), "{what}: valid with {stage:?} failing");
            assert!(
                report.dcc().is_none(),
                "{what}: a DCC without a decoded payload"
            );
        }
        None => {
            for check in [Check::Signature, Check::Expiry, Check::Schema] {
                assert_ne!(report.outcome(check), &Outcome::Skip, "{what}: {check:?}");
            }
            let kid_known = report
                .kid
                .as_deref()
                .is_some_and(|kid| !trust.candidates(kid).is_empty());
            let key_usage_skipped = *report.outcome(Check::KeyUsage) == Outcome::Skip;
            assert_eq!(
                kid_known,
                !key_usage_skipped,
                "{what}: key_usage is {:?} with signature {:?}",
                report.outcome(Check::KeyUsage),
                report.outcome(Check::Signature)
            );
            if *report.outcome(Check::Signature) == Outcome::Pass {
                assert!(kid_known, "{what}: verified by an unknown kid");
            }
            assert!(
                report.dcc().is_some_and(Json::is_object),
                "{what}: decoded, but no DCC object in the report"
            );
        }
    }
    let json = serde_json::to_value(report).unwrap();
    let verdict = if report.is_valid() {
        "valid"
    } else {
        "invalid"
    };
    assert_eq!(json["verdict"], verdict, "{what}");
    assert_eq!(json.get("dcc"), report.dcc(), "{what}");
    assert_eq!(
        json["errors"].as_array().map(Vec::len),
        Some(report.errors().count()),
        "{what}"
    );
}

fn verify(text: &str, trust: &TrustList, at: OffsetDateTime) -> Report {
    let report = verifier::verify_text(text, &Context::new(trust, at));
    assert_eq!(report.outcome(Check::Qr), &Outcome::Skip, "text has no qr");
    check_report(&report, text, trust);
    report
}

fn empty_trust() -> &'static TrustList {
    static EMPTY: OnceLock<TrustList> = OnceLock::new();
    EMPTY.get_or_init(TrustList::new)
}

// ---------------------------------------------------------------------------------------------
// Valid certificates: issued here with each algorithm, and real ones from the EU test data.

/// A key and its signer certificate (DSC facts built directly: X.509 is not what is tested here).
struct Issuer {
    signer: Box<dyn Signer>,
    dsc: Dsc,
    trust: TrustList,
}

fn make_issuer(alg: Algorithm, rsa_bits: usize, usage: KeyUsage, kid: u8) -> Issuer {
    let backend = default_backend();
    let pkcs8 = aws_lc::generate_pkcs8(alg, rsa_bits).unwrap();
    let public = aws_lc::public_key_of(alg, &pkcs8).unwrap();
    let public_key = match alg {
        Algorithm::Es256 => PublicKeyInfo::P256(public.clone()),
        Algorithm::Ps256 => PublicKeyInfo::Rsa {
            pkcs1_der: public.clone(),
            bits: rsa_bits,
        },
        Algorithm::EdDsa => PublicKeyInfo::Ed25519(public.clone()),
    };
    let dsc = Dsc {
        der: public,
        kid: [kid, 0xDC, 0xC0, 0x01, 0x02, 0x03, 0x04, 0x05],
        country: Some("CZ".into()),
        subject: format!("C=CZ, CN=robustness {alg}"),
        not_before: (NOW - Duration::days(10)).unix_timestamp(),
        not_after: (NOW + Duration::days(400)).unix_timestamp(),
        key_usage: usage,
        public_key,
    };
    Issuer {
        signer: backend.signer(alg, &pkcs8).unwrap(),
        trust: TrustList::from_dscs([dsc.clone()], backend),
        dsc,
    }
}

/// One issuer per algorithm (unrestricted), and an ES256 one that may sign tests only.
fn issuers() -> &'static [Issuer] {
    static ISSUERS: OnceLock<Vec<Issuer>> = OnceLock::new();
    ISSUERS.get_or_init(|| {
        vec![
            make_issuer(Algorithm::Es256, 0, KeyUsage::UNRESTRICTED, 1),
            make_issuer(Algorithm::Ps256, 2048, KeyUsage::UNRESTRICTED, 2),
            make_issuer(Algorithm::EdDsa, 0, KeyUsage::UNRESTRICTED, 3),
            make_issuer(Algorithm::Es256, 0, KeyUsage::only(&[CertType::Test]), 4),
        ]
    })
}

/// A fixture record made ready to sign as the issuer does: `fnt`/`gnt` and `ci` filled in.
fn dcc_of(record: &Json) -> Json {
    let mut record = record.clone();
    let obj = record.as_object_mut().unwrap();
    if let Some(nam) = obj.get_mut("nam").and_then(Json::as_object_mut) {
        for (plain, std) in [("fn", "fnt"), ("gn", "gnt")] {
            if let Some(name) = nam.get(plain).and_then(Json::as_str) {
                let t = translit::icao(name, 80);
                nam.insert(std.into(), Json::from(t));
            }
        }
    }
    let group = ["v", "t", "r"]
        .into_iter()
        .find(|k| obj.contains_key(*k))
        .unwrap();
    let ci = uvci::build("CZ", b"robustness", group.as_bytes()).unwrap();
    obj[group][0]["ci"] = Json::from(ci);
    // Through the typed model, as the issuer signs it.
    let typed: hcert::dcc::Dcc = serde_json::from_value(record).unwrap();
    serde_json::to_value(typed).unwrap()
}

fn to_cbor(json: &Json) -> Cbor {
    Cbor::serialized(json).unwrap()
}

fn encode(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// Signs CWT claims into COSE bytes.
fn sign(issuer: &Issuer, claims: Vec<u8>) -> Vec<u8> {
    cose::sign(claims, &issuer.dsc.kid, issuer.signer.as_ref()).unwrap()
}

fn issue(issuer: &Issuer, dcc: &Json) -> String {
    let iat = NOW.unix_timestamp();
    let exp = (NOW + Duration::days(365)).unix_timestamp();
    let claims = cwt::encode("CZ", iat, exp, to_cbor(dcc)).unwrap();
    hc1::wrap(&sign(issuer, claims)).unwrap()
}

/// A valid certificate with what it takes to verify it.
struct Valid {
    name: String,
    hc1: String,
    trust: TrustList,
    at: OffsetDateTime,
}

fn conformance_vector(relative: &str) -> (Json, TrustList, OffsetDateTime) {
    let path = fixtures::conformance().join("dgc/testdata").join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let vector: Json = serde_json::from_str(&text).unwrap();
    let cert = vector["TESTCTX"]["CERTIFICATE"].as_str().unwrap();
    let dsc = trust_list::parse_certificate(cert.as_bytes()).unwrap();
    let trust = TrustList::from_dscs([dsc], default_backend());
    let clock = vector["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap();
    let at = OffsetDateTime::parse(clock, &time::format_description::well_known::Rfc3339).unwrap();
    (vector, trust, at)
}

/// Nine issued certificates (three algorithms × three types) and three EU test vectors (CZ and
/// DE ES256, CH PS256); each is checked to be valid before anything mutates it.
fn valid_certificates() -> &'static [Valid] {
    static VALID: OnceLock<Vec<Valid>> = OnceLock::new();
    VALID.get_or_init(|| {
        let mut out = Vec::new();
        for issuer in &issuers()[..3] {
            for (kind, record) in fixtures::records().unwrap() {
                out.push(Valid {
                    name: format!("{} {kind}", issuer.signer.algorithm()),
                    hc1: issue(issuer, &dcc_of(&record)),
                    trust: issuer.trust.clone(),
                    at: NOW + Duration::hours(1),
                });
            }
        }
        for vector in [
            "CZ/2DCode/raw/1.json",
            "DE/2DCode/raw/1.json",
            "CH/2DCode/raw/1.json",
        ] {
            let (json, trust, at) = conformance_vector(vector);
            out.push(Valid {
                name: vector.to_string(),
                hc1: json["PREFIX"].as_str().unwrap().to_string(),
                trust,
                at,
            });
        }
        for v in &out {
            let report = verify(&v.hc1, &v.trust, v.at);
            let errors: Vec<_> = report.errors().collect();
            assert!(
                report.is_valid(),
                "{}: not valid to start with: {errors:?}",
                v.name
            );
        }
        out
    })
}

/// The report builds the DCC's JSON only when asked: it must be the payload's JSON as
/// `cwt::decode_json` reads it, in the report and in its serialisation.
#[test]
fn report_dcc_is_the_payloads_json() {
    for v in valid_certificates() {
        let report = verify(&v.hc1, &v.trust, v.at);
        let cose_bytes = hc1::unwrap(&v.hc1).unwrap();
        let sign1 = Sign1::parse(&cose_bytes).unwrap();
        let (_, expected) = cwt::decode_json(sign1.payload()).unwrap();
        assert_eq!(report.dcc(), Some(&expected), "{}", v.name);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["dcc"], expected, "{}", v.name);
        check_report(&report, &v.name, &v.trust);
    }
}

/// What the signature covers, and the signature: a certificate may verify only with these
/// unchanged.
fn signed_content(cose: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    Sign1::parse(cose)
        .ok()
        .map(|s| (s.to_be_signed(), s.signature().to_vec()))
}

/// A mutated certificate may be valid only when the mutation did not reach the signed content
/// (the tag byte, unused bits at the end of the deflate stream, ...).
fn check_mutant(original: &Valid, what: &str, text: &str) -> Report {
    let report = verify(text, &original.trust, original.at);
    if report.is_valid() {
        let before = signed_content(&hc1::unwrap(&original.hc1).unwrap());
        let after = hc1::unwrap(text).ok().and_then(|c| signed_content(&c));
        assert!(
            before == after,
            "{}: {what} changed the signed content, yet verifies: {text}",
            original.name
        );
    }
    report
}

/// Every single-byte mutation of `bytes`: one flipped bit, one inserted byte, one deleted byte
/// at each position.
fn single_byte_mutations(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::with_capacity(bytes.len() * 3 + 1);
    for i in 0..bytes.len() {
        let mut flipped = bytes.to_vec();
        flipped[i] ^= 1 << (i % 8);
        out.push((format!("flip bit {} of byte {i}", i % 8), flipped));
        let mut inserted = bytes.to_vec();
        inserted.insert(i, (i as u8).wrapping_mul(37));
        out.push((format!("insert at {i}"), inserted));
        let mut deleted = bytes.to_vec();
        deleted.remove(i);
        out.push((format!("delete byte {i}"), deleted));
    }
    let mut appended = bytes.to_vec();
    appended.push(0);
    out.push(("append a byte".into(), appended));
    out
}

/// Replaces the payload of a COSE_Sign1 (tagged or not) and keeps its headers and signature.
fn with_payload(cose_bytes: &[u8], payload: Vec<u8>) -> Vec<u8> {
    let value: Cbor = ciborium::from_reader(cose_bytes).unwrap();
    let replace = |v: Cbor| match v {
        Cbor::Array(mut items) => {
            items[2] = Cbor::Bytes(payload.clone());
            Cbor::Array(items)
        }
        other => panic!("not a COSE array: {other:?}"),
    };
    let value = match value {
        Cbor::Tag(18, inner) => Cbor::Tag(18, Box::new(replace(*inner))),
        other => replace(other),
    };
    encode(&value)
}

#[test]
fn mutated_text_never_verifies_and_names_a_failure() {
    for original in valid_certificates() {
        let text = original.hc1.as_bytes();
        for i in 0..text.len() {
            let replacement = ALPHABET
                [(ALPHABET.iter().position(|c| *c == text[i]).unwrap_or(0) + 1 + i % 44) % 45];
            let mut changed = text.to_vec();
            changed[i] = replacement;
            let mut inserted = text.to_vec();
            inserted.insert(i, ALPHABET[i % 45]);
            let mut deleted = text.to_vec();
            deleted.remove(i);
            let mut junk = text.to_vec();
            junk[i] = b"a!\n#~"[i % 5];
            for (what, bytes) in [
                ("change", changed),
                ("insert", inserted),
                ("delete", deleted),
                ("junk", junk),
            ] {
                let mutated = String::from_utf8(bytes).unwrap();
                check_mutant(original, &format!("{what} at {i}"), &mutated);
            }
        }
        for cut in 0..text.len() {
            let report = check_mutant(original, "truncation", &original.hc1[..cut]);
            assert!(!report.is_valid(), "{}: truncated at {cut}", original.name);
        }
    }
}

#[test]
fn mutated_cose_bytes_never_verify_unless_the_signed_content_is_unchanged() {
    for original in valid_certificates() {
        let cose_bytes = hc1::unwrap(&original.hc1).unwrap();
        for (what, mutated) in single_byte_mutations(&cose_bytes) {
            let text = hc1::wrap(&mutated).unwrap();
            check_mutant(original, &format!("COSE {what}"), &text);
        }
    }
}

#[test]
fn mutated_payload_fails_the_signature() {
    for original in valid_certificates() {
        let cose_bytes = hc1::unwrap(&original.hc1).unwrap();
        let payload = Sign1::parse(&cose_bytes).unwrap().payload().to_vec();
        for (what, mutated) in single_byte_mutations(&payload) {
            let text = hc1::wrap(&with_payload(&cose_bytes, mutated)).unwrap();
            let report = check_mutant(original, &format!("payload {what}"), &text);
            let what = format!("{}: payload {what}", original.name);
            assert!(!report.is_valid(), "{what}: verifies");
            if *report.outcome(Check::Cbor) == Outcome::Pass {
                assert!(
                    matches!(report.outcome(Check::Signature), Outcome::Fail(_)),
                    "{what}: signature {:?}",
                    report.outcome(Check::Signature)
                );
            }
        }
    }
}

#[test]
fn the_valid_certificates_fail_without_their_signer() {
    for original in valid_certificates() {
        let report = verify(&original.hc1, empty_trust(), original.at);
        assert!(!report.is_valid(), "{}", original.name);
        assert!(matches!(report.outcome(Check::Signature), Outcome::Fail(_)));
        assert_eq!(report.outcome(Check::KeyUsage), &Outcome::Skip);
    }
}

/// JSON shaped like a DCC: schema keys with values that are often right and often wrong.
fn dcc_like() -> impl Strategy<Value = Json> {
    const KEYS: &[&str] = &[
        "ver", "nam", "dob", "v", "t", "r", "fn", "fnt", "gn", "gnt", "tg", "vp", "mp", "ma", "dn",
        "sd", "dt", "co", "is", "ci", "tt", "nm", "sc", "tr", "tc", "fr", "df", "du",
    ];
    let leaf = prop_oneof![
        proptest::sample::select(vec![
            "1.3.0",
            "1.0.0",
            "0.1.0",
            "",
            "1964-08-12",
            "1964",
            "2021-06-01T08:15:00Z",
            "840539006",
            "URN:UVCI:01:CZ:ABC#X",
            "CZ",
            "DVORAKOVA",
        ])
        .prop_map(Json::from),
        (-2i64..4).prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        Just(Json::Null),
        "\\PC{0,10}".prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 40, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Json::from),
            vec((proptest::sample::select(KEYS), inner), 0..7).prop_map(|kv| Json::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// A claim value for iat/exp: plausible times, the edges of each CBOR number type, and the wrong
/// types.
fn time_claim() -> impl Strategy<Value = Option<Cbor>> {
    let now = NOW.unix_timestamp();
    proptest::option::weighted(
        0.9,
        prop_oneof![
            (now - 400 * 86_400..now + 400 * 86_400).prop_map(Cbor::from),
            any::<i64>().prop_map(Cbor::from),
            any::<u64>().prop_map(Cbor::from),
            Just(Cbor::Integer(
                ciborium::value::Integer::try_from(-(1i128 << 64)).unwrap()
            )),
            any::<f64>().prop_map(Cbor::Float),
            proptest::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MAX,
                f64::MIN,
                1e300,
                -1e300,
                1e20,
                9.3e18,
                -0.0,
                f64::MIN_POSITIVE,
                now as f64 + 0.5,
            ])
            .prop_map(Cbor::Float),
            (now - 86_400..now + 86_400).prop_map(|t| Cbor::Tag(1, Box::new(Cbor::from(t)))),
            any::<f64>().prop_map(|f| Cbor::Tag(1, Box::new(Cbor::Float(f)))),
            Just(Cbor::Tag(1, Box::new(Cbor::Text("2021".into())))),
            "\\PC{0,8}".prop_map(Cbor::Text),
            Just(Cbor::Null),
            Just(Cbor::Bytes(vec![1, 2])),
        ],
    )
}

/// Signed claims (so the signature passes) of any content: the expiry, key usage and schema
/// checks see arbitrary iat/exp/iss and DCCs.
fn signed_claims() -> impl Strategy<Value = (usize, Vec<u8>)> {
    (
        0usize..4,
        time_claim(),
        time_claim(),
        proptest::option::of(prop_oneof![
            "[A-Z]{2}".prop_map(Cbor::Text),
            Just(Cbor::from(7)),
            Just(Cbor::Null)
        ]),
        prop_oneof![
            3 => (0usize..3).prop_map(|i| {
                let records = fixtures::records().unwrap();
                dcc_of(&records[i].1)
            }),
            2 => dcc_like(),
        ],
        proptest::option::of((any::<i64>(), dcc_like())),
    )
        .prop_map(|(issuer, iat, exp, iss, dcc, extra)| {
            let mut map = Vec::new();
            for (key, value) in [(1, iss), (6, iat), (4, exp)] {
                if let Some(v) = value {
                    map.push((Cbor::from(key), v));
                }
            }
            map.push((
                Cbor::from(-260),
                Cbor::Map(vec![(Cbor::from(1), to_cbor(&dcc))]),
            ));
            if let Some((key, value)) = extra {
                map.push((Cbor::from(key), to_cbor(&value)));
            }
            (issuer, encode(&Cbor::Map(map)))
        })
}

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,800}",
        "HC1:[0-9A-Z $%*+./:-]{0,600}",
        "HC1:\\PC{0,200}",
        "[hH][cC][0-9]:?[0-9A-Z $%*+./:-]{0,60}",
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_text_never_panics(text in arbitrary_text()) {
        verify(&text, empty_trust(), NOW);
        verify(&text, &issuers()[0].trust, NOW);
    }

    #[test]
    fn hc1_base45_of_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..800)) {
        verify(&prefix::add(&base45::encode(&bytes)), empty_trust(), NOW);
    }

    #[test]
    fn hc1_base45_zlib_of_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..800)) {
        let text = hc1::wrap(&bytes).unwrap();
        let report = verify(&text, empty_trust(), NOW);
        prop_assert_eq!(report.outcome(Check::Zlib), &Outcome::Pass);
    }

    #[test]
    fn hc1_of_cose_shaped_bytes_never_panics(
        head in proptest::sample::select(vec![
            vec![0xD2, 0x84], vec![0x84], vec![0xD8, 0x3D, 0xD2, 0x84], vec![0xD2, 0x84, 0x43, 0xA1, 0x01, 0x26],
        ]),
        tail in vec(any::<u8>(), 0..400),
    ) {
        let mut bytes = head;
        bytes.extend(tail);
        verify(&hc1::wrap(&bytes).unwrap(), &issuers()[0].trust, NOW);
    }

    #[test]
    fn signed_arbitrary_claims_never_panic((which, claims) in signed_claims()) {
        let issuer = &issuers()[which];
        let text = hc1::wrap(&sign(issuer, claims)).unwrap();
        let report = verify(&text, &issuer.trust, NOW + Duration::hours(1));
        if *report.outcome(Check::Cbor) == Outcome::Pass {
            prop_assert_eq!(report.outcome(Check::Signature), &Outcome::Pass);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn randomly_mutated_valid_certificates_never_panic(
        which in any::<prop::sample::Index>(),
        stage in 0..3u8,
        edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6),
    ) {
        let certs = valid_certificates();
        let original = &certs[which.index(certs.len())];
        let cose_bytes = hc1::unwrap(&original.hc1).unwrap();
        let mut bytes = match stage {
            0 => original.hc1.clone().into_bytes(),
            1 => cose_bytes.clone(),
            _ => Sign1::parse(&cose_bytes).unwrap().payload().to_vec(),
        };
        for (at, value, kind) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if i < bytes.len() => bytes[i] = value,
                1 => bytes.insert(i.min(bytes.len()), value),
                _ if i < bytes.len() => { bytes.remove(i); }
                _ => {}
            }
        }
        let text = match stage {
            0 => String::from_utf8_lossy(&bytes).into_owned(),
            1 => hc1::wrap(&bytes).unwrap(),
            _ => hc1::wrap(&with_payload(&cose_bytes, bytes)).unwrap(),
        };
        check_mutant(original, "random edits", &text);
    }

    #[test]
    fn resigned_mutated_payloads_never_panic(
        which in 0usize..3,
        record in 0usize..3,
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let issuer = &issuers()[which];
        let records = fixtures::records().unwrap();
        let dcc = dcc_of(&records[record].1);
        let claims = cwt::encode("CZ", NOW.unix_timestamp(), NOW.unix_timestamp() + 86_400, to_cbor(&dcc)).unwrap();
        let mut claims = claims;
        for (at, value) in edits {
            let i = at.index(claims.len());
            claims[i] = value;
        }
        let text = hc1::wrap(&sign(issuer, claims)).unwrap();
        verify(&text, &issuer.trust, NOW + Duration::hours(1));
    }
}

// ---------------------------------------------------------------------------------------------
// Chain semantics, stage by stage.

fn sign1_bytes(payload: Option<Vec<u8>>, kid: &[u8]) -> Vec<u8> {
    let protected = encode(&Cbor::Map(vec![
        (Cbor::from(1), Cbor::from(-7)),
        (Cbor::from(4), Cbor::Bytes(kid.to_vec())),
    ]));
    encode(&Cbor::Tag(
        18,
        Box::new(Cbor::Array(vec![
            Cbor::Bytes(protected),
            Cbor::Map(vec![]),
            payload.map_or(Cbor::Null, Cbor::Bytes),
            Cbor::Bytes(vec![0; 64]),
        ])),
    ))
}

#[test]
fn each_failing_stage_skips_everything_after_it() {
    let kid = issuers()[0].dsc.kid;
    let cases: Vec<(&str, String, Check)> = vec![
        ("empty", String::new(), Check::Prefix),
        ("lower case", "hc1:6BFOXN".into(), Check::Prefix),
        ("HC2", "HC2:6BFOXN".into(), Check::Prefix),
        ("bad character", "HC1:6BFOXN!".into(), Check::Base45),
        ("length 1 mod 3", "HC1:6BFO".into(), Check::Base45),
        ("triplet overflow", "HC1:GGW".into(), Check::Base45),
        (
            "not compressed",
            prefix::add(&base45::encode(b"\xD2\x84 plain")),
            Check::Zlib,
        ),
        (
            "truncated zlib",
            prefix::add(&base45::encode(&zlib::deflate(&[7; 100]).unwrap()[..6])),
            Check::Zlib,
        ),
        ("not COSE", hc1::wrap(b"\x01\x02\x03").unwrap(), Check::Cose),
        ("empty COSE", hc1::wrap(b"").unwrap(), Check::Cose),
        (
            "payload not CBOR",
            hc1::wrap(&sign1_bytes(Some(vec![0xFF, 0x00]), &kid)).unwrap(),
            Check::Cbor,
        ),
        (
            "payload not a map",
            hc1::wrap(&sign1_bytes(Some(encode(&Cbor::from("hello"))), &kid)).unwrap(),
            Check::Cbor,
        ),
        (
            "no hcert claim",
            hc1::wrap(&sign1_bytes(
                Some(encode(&Cbor::Map(vec![(Cbor::from(1), Cbor::from("CZ"))]))),
                &kid,
            ))
            .unwrap(),
            Check::Cbor,
        ),
        (
            "detached payload",
            hc1::wrap(&sign1_bytes(None, &kid)).unwrap(),
            Check::Cbor,
        ),
    ];
    for (name, text, failing) in cases {
        let report = verify(&text, &issuers()[0].trust, NOW);
        assert!(
            matches!(report.outcome(failing), Outcome::Fail(_)),
            "{name}: expected {failing:?} to fail: {:?}",
            report.checks
        );
        let errors: Vec<Check> = report.errors().map(|(c, _)| c).collect();
        assert_eq!(errors, [failing], "{name}");
        for check in Check::ALL {
            let expected_pass = DECODE_CHAIN
                .iter()
                .position(|c| *c == check)
                .is_some_and(|i| i < DECODE_CHAIN.iter().position(|c| *c == failing).unwrap());
            if expected_pass {
                assert_eq!(report.outcome(check), &Outcome::Pass, "{name}: {check:?}");
            } else if check != failing {
                assert_eq!(report.outcome(check), &Outcome::Skip, "{name}: {check:?}");
            }
        }
    }
}

#[test]
fn after_decoding_each_check_fails_on_its_own() {
    let records = fixtures::records().unwrap();
    let vaccination = dcc_of(&records.iter().find(|(k, _)| k == "vaccination").unwrap().1);
    let test = dcc_of(&records.iter().find(|(k, _)| k == "test").unwrap().1);
    let at = NOW + Duration::hours(1);
    let [es256, _, _, test_only] = issuers() else {
        panic!("four issuers")
    };
    let mut broken_schema = vaccination.clone();
    broken_schema["v"][0]["dn"] = Json::from("two");
    let iat = NOW.unix_timestamp();
    // Several DSCs may share a kid: each is tried.
    let impostor = make_issuer(
        Algorithm::Es256,
        0,
        KeyUsage::UNRESTRICTED,
        es256.dsc.kid[0],
    );
    assert_eq!(impostor.dsc.kid, es256.dsc.kid);
    let impostor_first =
        TrustList::from_dscs([impostor.dsc.clone(), es256.dsc.clone()], default_backend());
    let day = iat + 86_400;
    let cases = [
        Signed::case("valid", es256, &es256.trust, &vaccination, (iat, day), &[]),
        Signed::case(
            "unknown signer",
            es256,
            empty_trust(),
            &vaccination,
            (iat, day),
            &[Check::Signature],
        ),
        Signed::case(
            "an impostor with the same kid first",
            es256,
            &impostor_first,
            &vaccination,
            (iat, day),
            &[],
        ),
        Signed::case(
            "only an impostor with the same kid",
            es256,
            &impostor.trust,
            &vaccination,
            (iat, day),
            &[Check::Signature],
        ),
        Signed::case(
            "expired",
            es256,
            &es256.trust,
            &vaccination,
            (iat - 7200, iat),
            &[Check::Expiry],
        ),
        Signed::case(
            "not yet valid",
            es256,
            &es256.trust,
            &vaccination,
            (iat + 7200, day),
            &[Check::Expiry],
        ),
        Signed::case(
            "schema",
            es256,
            &es256.trust,
            &broken_schema,
            (iat, day),
            &[Check::Schema],
        ),
        Signed::case(
            "key usage",
            test_only,
            &test_only.trust,
            &vaccination,
            (iat, day),
            &[Check::KeyUsage],
        ),
        Signed::case(
            "key usage allows tests",
            test_only,
            &test_only.trust,
            &test,
            (iat, day),
            &[],
        ),
        Signed::case(
            "expired and broken, unknown signer",
            es256,
            empty_trust(),
            &broken_schema,
            (iat - 7200, iat),
            &[Check::Signature, Check::Expiry, Check::Schema],
        ),
    ];
    for case in cases {
        let (iat, exp) = case.iat_exp;
        let claims = cwt::encode("CZ", iat, exp, to_cbor(case.dcc)).unwrap();
        let text = hc1::wrap(&sign(case.issuer, claims)).unwrap();
        let report = verify(&text, case.trust, at);
        let errors: Vec<Check> = report.errors().map(|(c, _)| c).collect();
        assert_eq!(errors, case.failing, "{}: {:?}", case.name, report.checks);
        assert_eq!(report.is_valid(), case.failing.is_empty(), "{}", case.name);
    }
}

/// A certificate signed by `issuer`, verified against `trust`, and the checks that must fail.
struct Signed<'a> {
    name: &'a str,
    issuer: &'a Issuer,
    trust: &'a TrustList,
    dcc: &'a Json,
    iat_exp: (i64, i64),
    failing: &'a [Check],
}

impl<'a> Signed<'a> {
    fn case(
        name: &'a str,
        issuer: &'a Issuer,
        trust: &'a TrustList,
        dcc: &'a Json,
        iat_exp: (i64, i64),
        failing: &'a [Check],
    ) -> Self {
        Signed {
            name,
            issuer,
            trust,
            dcc,
            iat_exp,
            failing,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// QR images.

fn png(img: &image::GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg(img: &image::GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(img)
        .unwrap();
    out
}

/// A tiny image with QR-like finder squares, as PNG and JPEG.
fn tiny_images() -> Vec<(&'static str, Vec<u8>)> {
    let img = image::GrayImage::from_fn(29, 29, |x, y| {
        let finder = |cx: u32, cy: u32| {
            let (dx, dy) = (x.abs_diff(cx), y.abs_diff(cy));
            let d = dx.max(dy);
            d <= 3 && d != 2
        };
        let dark = finder(4, 4) || finder(24, 4) || finder(4, 24) || (x * 7 + y * 3) % 5 == 0;
        image::Luma([if dark { 0 } else { 255 }])
    });
    vec![("png", png(&img)), ("jpeg", jpeg(&img))]
}

/// The QR code of the CZ/1 EU test vector, and the text it holds.
fn real_qr() -> &'static (Vec<u8>, String) {
    static QR: OnceLock<(Vec<u8>, String)> = OnceLock::new();
    QR.get_or_init(|| {
        use base64::Engine as _;
        let (vector, _, _) = conformance_vector("CZ/2DCode/raw/1.json");
        let png = base64::engine::general_purpose::STANDARD
            .decode(vector["2DCODE"].as_str().unwrap())
            .unwrap();
        (png, vector["PREFIX"].as_str().unwrap().to_string())
    })
}

fn check_image(bytes: &[u8], what: &str) {
    let _ = verifier::qr::decode(bytes);
    let report = verifier::verify_qr_image(bytes, &Context::new(empty_trust(), NOW));
    match report.outcome(Check::Qr) {
        Outcome::Fail(m) => {
            assert!(!m.is_empty(), "{what}");
            for check in Check::ALL.iter().filter(|c| **c != Check::Qr) {
                assert_eq!(report.outcome(*check), &Outcome::Skip, "{what}: {check:?}");
            }
        }
        Outcome::Pass => check_report(&report, what, empty_trust()),
        Outcome::Skip => panic!("{what}: qr skipped for an image"),
    }
}

#[test]
fn the_real_qr_code_reads_and_its_damaged_copies_do_not_panic() {
    let (png, text) = real_qr();
    assert_eq!(verifier::qr::decode(png).as_ref(), Ok(text));
    let step = (png.len() / 150).max(1);
    for cut in (0..png.len())
        .step_by(step)
        .chain(png.len().saturating_sub(40)..png.len())
    {
        check_image(&png[..cut], &format!("real QR cut at {cut}"));
    }
}

#[test]
fn damaged_tiny_images_never_panic() {
    for (kind, bytes) in tiny_images() {
        check_image(&bytes, kind);
        for cut in 0..bytes.len() {
            check_image(&bytes[..cut], &format!("{kind} cut at {cut}"));
        }
        for (what, mutated) in single_byte_mutations(&bytes) {
            check_image(&mutated, &format!("{kind} {what}"));
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn qr_decode_never_panics_on_bytes(
        head in proptest::sample::select(vec![
            b"".to_vec(),
            b"\x89PNG\r\n\x1a\n".to_vec(),
            b"\xFF\xD8\xFF\xE0".to_vec(),
            b"GIF89a".to_vec(),
            b"BM".to_vec(),
        ]),
        bytes in vec(any::<u8>(), 0..1024),
    ) {
        let mut all = head;
        all.extend(bytes);
        check_image(&all, "arbitrary bytes");
    }
}

proptest! {
    #![proptest_config(config(40))]

    #[test]
    fn mutated_real_qr_never_panics(edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..5)) {
        let (png, _) = real_qr();
        let mut bytes = png.clone();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        check_image(&bytes, "mutated real QR");
    }
}

/// A `w` × `h` luminance buffer of `block` px squares from `bits`, with up to three finder
/// patterns (7 × 7 modules of `block` px) stamped at the given cells: enough structure for the
/// reader to get past detection into sampling and decoding.
fn blocks(w: usize, h: usize, block: usize, bits: &[bool], finders: &[(usize, usize)]) -> Vec<u8> {
    let cols = w.div_ceil(block);
    let mut luma: Vec<u8> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w / block, i / w / block);
            if bits[(y * cols + x) % bits.len()] {
                0
            } else {
                255
            }
        })
        .collect();
    for &(fx, fy) in finders {
        for my in 0usize..7 {
            for mx in 0usize..7 {
                let ring = usize::max(mx.abs_diff(3), my.abs_diff(3));
                let v = if ring == 2 { 255 } else { 0 };
                for py in 0..block {
                    for px in 0..block {
                        let (x, y) = (fx * block + mx * block + px, fy * block + my * block + py);
                        if x < w && y < h {
                            luma[y * w + x] = v;
                        }
                    }
                }
            }
        }
    }
    luma
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn qr_decode_never_panics_on_luminance(
        w in 1usize..180,
        h in 1usize..180,
        bytes in vec(any::<u8>(), 1..4096),
    ) {
        let luma: Vec<u8> = (0..w * h).map(|i| bytes[i % bytes.len()]).collect();
        let _ = verifier::qr::decode_luma(w as u32, h as u32, &luma);
    }

    #[test]
    fn qr_decode_never_panics_on_blocks_with_finder_patterns(
        w in 21usize..240,
        h in 21usize..240,
        block in 1usize..6,
        bits in vec(any::<bool>(), 1..2048),
        finders in vec((0usize..40, 0usize..40), 0..4),
    ) {
        let luma = blocks(w, h, block, &bits, &finders);
        let _ = verifier::qr::decode_luma(w as u32, h as u32, &luma);
    }

    #[test]
    fn qr_decode_never_panics_on_a_real_code_with_flipped_patches(
        patches in vec((0.0f64..1.0, 0.0f64..1.0, 1u32..40, 1u32..40), 1..12),
    ) {
        let (png, _) = real_qr();
        let mut img = image::load_from_memory(png).unwrap().to_luma8();
        let (w, h) = img.dimensions();
        for (fx, fy, pw, ph) in patches {
            let (x0, y0) = ((fx * f64::from(w)) as u32, (fy * f64::from(h)) as u32);
            for y in y0..(y0 + ph).min(h) {
                for x in x0..(x0 + pw).min(w) {
                    let p = img.get_pixel_mut(x, y);
                    p.0[0] = 255 - p.0[0];
                }
            }
        }
        let _ = verifier::qr::decode_luma(w, h, img.as_raw());
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzz regressions: every file under fixtures/regressions/ (but the README) goes through every
// fuzz target's code path.

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else if path.file_name().is_some_and(|n| n != "README.md") {
            out.push(path);
        }
    }
}

#[test]
fn fuzz_regressions_replay() {
    let dir = fixtures::path("regressions");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let what = path.display().to_string();
        // fuzz_targets/cose.rs
        let _ = Sign1::parse(&bytes);
        let _ = cwt::decode(&bytes);
        // fuzz_targets/hc1.rs and base45.rs
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = base45::decode(text);
            let _ = hc1::unwrap(text);
            verify(text, empty_trust(), NOW);
            for issuer in issuers() {
                verify(text, &issuer.trust, NOW);
            }
        }
        // fuzz_targets/revocation_cms.rs
        let _ = verifier::revocation::looks_like_cms(&bytes);
        let signers = verifier::revocation::RevocationSigners::new();
        let _ = verifier::revocation::RevocationListBuilder::new().add_cms(&what, &bytes, &signers);
        let _ = verifier::revocation::RevocationSigners::from_pem_or_der(&bytes);
        // Images, for QR crashes; fuzz_targets/qr.rs also reads them as luminance.
        check_image(&bytes, &what);
        if let [w, h, luma @ ..] = bytes.as_slice() {
            let (w, h) = (u32::from(*w).max(1), u32::from(*h).max(1));
            if let Some(luma) = luma.get(..(w * h) as usize) {
                let _ = verifier::qr::decode_luma(w, h, luma);
            }
        }
    }
    eprintln!(
        "replayed {} regression file(s) from {}",
        files.len(),
        dir.display()
    );
}

/// SECURITY.md 39: a zlib bomb (a megabyte of zeros in 1 KiB) fails `zlib` once the output
/// passes 64 KiB, and the checks after it are skipped.
#[test]
fn zlib_bomb_stops_at_64_kib() {
    let bomb = zlib::deflate(&vec![0u8; 1 << 20]).unwrap();
    assert!(bomb.len() < 2048, "{} bytes", bomb.len());
    let text = prefix::add(&base45::encode(&bomb));
    let report = verify(&text, empty_trust(), datetime!(2026-01-01 0:00 UTC));
    let Outcome::Fail(message) = report.outcome(Check::Zlib) else {
        panic!("zlib: {:?}", report.outcome(Check::Zlib));
    };
    assert!(message.contains("more than 65536 bytes"), "{message}");
    assert_eq!(*report.outcome(Check::Cose), Outcome::Skip);
    assert!(!report.is_valid());
    // Just under the cap still inflates (and then is no COSE message).
    let under = zlib::deflate(&vec![0u8; 64 * 1024]).unwrap();
    let report = verify(
        &prefix::add(&base45::encode(&under)),
        empty_trust(),
        datetime!(2026-01-01 0:00 UTC),
    );
    assert_eq!(*report.outcome(Check::Zlib), Outcome::Pass);
}
