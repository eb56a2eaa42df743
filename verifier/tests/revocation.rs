//! Revocation with certificates issued here: each hash type found and not found, ECDSA r only,
//! COUNTRYCODEUCI over the CWT issuer, kid and expiry honoured, malformed sources named to the
//! entry, and a loader that survives any bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hcert::cose::{AlgId, Sign1};
use hcert::crypto::{default_backend, Algorithm};
use hcert::{cwt, hc1};
use issuer::keys::{self, KeyOptions};
use issuer::{Policy, SigningIdentity};
use proptest::prelude::*;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trust_list::TrustList;
use verifier::revocation::{Batch, CertHashes, HashType, RevocationList, RevocationListBuilder};
use verifier::{Check, Context, Outcome, Report};

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);
const ALGS: [Algorithm; 3] = [Algorithm::Es256, Algorithm::Ps256, Algorithm::EdDsa];

fn at() -> OffsetDateTime {
    NOW + Duration::hours(1)
}

/// A signer of `country` (the CWT issuer and the UVCI country of what it issues).
struct Signer {
    id: SigningIdentity,
    policy: Policy,
    trust: TrustList,
}

fn signer(alg: Algorithm, country: &str) -> Signer {
    let generated = keys::generate(&KeyOptions {
        alg,
        rsa_bits: 2048,
        types: Vec::new(),
        country: country.into(),
        now: NOW - Duration::days(10),
        dsc_days: 365,
        usage_days: 365,
    })
    .unwrap();
    let id = SigningIdentity::load(
        generated.dsc.key_pem.as_bytes(),
        generated.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap();
    let mut policy = Policy::new(b"revocation tests".to_vec());
    policy.country = country.into();
    let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
    Signer { id, policy, trust }
}

/// One signer per algorithm, country CZ; generated once.
fn signers() -> &'static [Signer] {
    static S: OnceLock<Vec<Signer>> = OnceLock::new();
    S.get_or_init(|| ALGS.iter().map(|a| signer(*a, "CZ")).collect())
}

fn record(kind: &str) -> Json {
    fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap()
        .1
}

/// An issued certificate and the facts its revocation hashes are made of.
struct Cert {
    hc1: String,
    kid: Vec<u8>,
    issuer: String,
    uci: String,
    alg: Algorithm,
    signature: Vec<u8>,
}

fn issue(s: &Signer, kind: &str, tweak: &str) -> Cert {
    let mut rec = record(kind);
    // A different name gives a different UVCI (it is derived from the record's identity).
    rec["nam"]["gn"] = json!(format!("Jan {tweak}"));
    let issued = issuer::issue_record(&rec, &s.id, &s.policy, NOW).unwrap();
    let sign1 = Sign1::parse(&hc1::unwrap(&issued.hc1).unwrap()).unwrap();
    let claims = cwt::decode(sign1.payload()).unwrap();
    Cert {
        kid: sign1.kid.clone().unwrap(),
        issuer: claims.issuer.clone().unwrap(),
        uci: issued.uvci.clone(),
        alg: sign1.alg_id.as_ref().unwrap().algorithm().unwrap(),
        signature: sign1.signature().to_vec(),
        hc1: issued.hc1,
    }
}

fn sha16(bytes: &[u8]) -> [u8; 16] {
    Sha256::digest(bytes)[..16].try_into().unwrap()
}

/// The entry of `hash_type` for `cert`, computed here from the EU rules, independently of the
/// verifier: SHA-256 of the UCI, of CWT issuer + UCI, of the signature (ECDSA: r only).
fn entry(cert: &Cert, hash_type: HashType) -> [u8; 16] {
    match hash_type {
        HashType::Uci => sha16(cert.uci.as_bytes()),
        HashType::CountryCodeUci => sha16(format!("{}{}", cert.issuer, cert.uci).as_bytes()),
        HashType::Signature => match cert.alg {
            Algorithm::Es256 => sha16(&cert.signature[..32]),
            Algorithm::Ps256 | Algorithm::EdDsa => sha16(&cert.signature),
        },
    }
}

fn batch_json(
    country: &str,
    expires: OffsetDateTime,
    kid: &str,
    hash_type: HashType,
    hashes: &[[u8; 16]],
) -> Json {
    let expires = expires
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let entries: Vec<Json> = hashes
        .iter()
        .map(|h| json!({ "hash": B64.encode(h) }))
        .collect();
    json!({
        "country": country,
        "expires": expires,
        "kid": kid,
        "hashType": hash_type.name(),
        "entries": entries,
    })
}

fn kid_of(cert: &Cert) -> String {
    B64.encode(&cert.kid)
}

fn list(batches: &Json) -> RevocationList {
    RevocationList::from_json("test.json", batches.to_string().as_bytes()).unwrap()
}

fn verify(cert: &Cert, s: &Signer, list: &RevocationList) -> Report {
    verifier::verify_text(
        &cert.hc1,
        &Context::new(&s.trust, at()).with_revocation(list),
    )
}

fn revocation(report: &Report) -> &Outcome {
    report.outcome(Check::Revocation)
}

#[test]
fn each_hash_type_is_found_and_not_found() {
    for (s, alg) in signers().iter().zip(ALGS) {
        let revoked = issue(s, "vaccination", "revoked");
        let other = issue(s, "vaccination", "other");
        assert_ne!(revoked.uci, other.uci);
        for hash_type in HashType::ALL {
            let case = format!("{alg} {}", hash_type.name());
            let expires = at() + Duration::days(30);
            let l = list(&json!([
                batch_json(
                    "CZ",
                    expires,
                    &kid_of(&revoked),
                    hash_type,
                    &[entry(&revoked, hash_type)]
                ),
                batch_json("CZ", expires, &kid_of(&revoked), hash_type, &[[7u8; 16]]),
            ]));

            let report = verify(&revoked, s, &l);
            let Outcome::Fail(message) = revocation(&report) else {
                panic!("{case}: not revoked: {:?}", report.checks)
            };
            assert!(!report.is_valid(), "{case}");
            for part in [hash_type.name(), "revoked", "CZ", "test.json", "expires"] {
                assert!(message.contains(part), "{case}: {message:?} lacks {part:?}");
            }
            let errors: Vec<_> = report.errors().map(|(c, _)| c).collect();
            assert_eq!(errors, [Check::Revocation], "{case}");

            let report = verify(&other, s, &l);
            assert_eq!(
                revocation(&report),
                &Outcome::Pass,
                "{case}: other certificate"
            );
            assert!(report.is_valid(), "{case}: other certificate");
        }
    }
}

#[test]
fn the_verifier_computes_the_same_hashes() {
    for (s, alg) in signers().iter().zip(ALGS) {
        for kind in ["vaccination", "test", "recovery"] {
            let cert = issue(s, kind, "same");
            let sign1 = Sign1::parse(&hc1::unwrap(&cert.hc1).unwrap()).unwrap();
            let claims = cwt::decode(sign1.payload()).unwrap();
            let dcc = cwt::to_json(&claims.dcc);
            let hashes = CertHashes::of(&sign1, claims.issuer.as_deref(), &dcc);
            for t in HashType::ALL {
                assert_eq!(hashes.get(t), Some(entry(&cert, t)), "{alg} {kind} {t:?}");
            }
        }
    }
}

#[test]
fn the_ecdsa_signature_hash_covers_r_only() {
    let es = &signers()[0];
    let cert = issue(es, "test", "ecdsa");
    assert_eq!(cert.alg, Algorithm::Es256);
    assert_eq!(cert.signature.len(), 64);
    let expires = at() + Duration::days(1);
    let whole = sha16(&cert.signature);
    let l = list(&batch_json(
        "CZ",
        expires,
        &kid_of(&cert),
        HashType::Signature,
        &[whole],
    ));
    assert_eq!(
        revocation(&verify(&cert, es, &l)),
        &Outcome::Pass,
        "the hash of r‖s must not revoke an ECDSA certificate"
    );
    let r = sha16(&cert.signature[..32]);
    let l = list(&batch_json(
        "CZ",
        expires,
        &kid_of(&cert),
        HashType::Signature,
        &[r],
    ));
    assert!(matches!(
        revocation(&verify(&cert, es, &l)),
        Outcome::Fail(_)
    ));

    // RSA-PSS and EdDSA: the whole signature.
    for s in &signers()[1..] {
        let cert = issue(s, "test", "whole");
        let half = sha16(&cert.signature[..cert.signature.len() / 2]);
        let l = list(&batch_json(
            "CZ",
            expires,
            &kid_of(&cert),
            HashType::Signature,
            &[half],
        ));
        assert_eq!(
            revocation(&verify(&cert, s, &l)),
            &Outcome::Pass,
            "{}",
            cert.alg
        );
        let whole = sha16(&cert.signature);
        let l = list(&batch_json(
            "CZ",
            expires,
            &kid_of(&cert),
            HashType::Signature,
            &[whole],
        ));
        assert!(
            matches!(revocation(&verify(&cert, s, &l)), Outcome::Fail(_)),
            "{}",
            cert.alg
        );
    }

    // The ECDSA rule follows the COSE algorithm label.
    let sig: Vec<u8> = (0u8..64).collect();
    let ecdsa = CertHashes::compute(None, None, Some(&AlgId::Int(-7)), &sig);
    assert_eq!(ecdsa.signature, Some(sha16(&sig[..32])));
    let pss = CertHashes::compute(None, None, Some(&AlgId::Int(-37)), &sig);
    assert_eq!(pss.signature, Some(sha16(&sig)));
}

#[test]
fn country_code_uci_takes_the_cwt_issuer_not_the_entry_country() {
    // Issued by DE for a vaccination given in CZ (`co` CZ in the record).
    let de = signer(Algorithm::Es256, "DE");
    let cert = issue(&de, "vaccination", "abroad");
    assert_eq!(cert.issuer, "DE");
    assert!(record("vaccination").to_string().contains("\"co\":\"CZ\""));
    let expires = at() + Duration::days(1);
    let by_co = sha16(format!("CZ{}", cert.uci).as_bytes());
    let l = list(&batch_json(
        "DE",
        expires,
        &kid_of(&cert),
        HashType::CountryCodeUci,
        &[by_co],
    ));
    assert_eq!(revocation(&verify(&cert, &de, &l)), &Outcome::Pass);
    let by_iss = sha16(format!("DE{}", cert.uci).as_bytes());
    let l = list(&batch_json(
        "DE",
        expires,
        &kid_of(&cert),
        HashType::CountryCodeUci,
        &[by_iss],
    ));
    assert!(matches!(
        revocation(&verify(&cert, &de, &l)),
        Outcome::Fail(_)
    ));
}

#[test]
fn an_expired_batch_is_ignored() {
    let s = &signers()[0];
    let cert = issue(s, "vaccination", "expiry");
    let hash = entry(&cert, HashType::Uci);
    let kid = kid_of(&cert);
    let cases = [
        (
            "expired a second ago",
            at() - Duration::seconds(1),
            Outcome::Pass,
        ),
        ("expires at the clock", at(), Outcome::Fail(String::new())),
        (
            "expires in a second",
            at() + Duration::seconds(1),
            Outcome::Fail(String::new()),
        ),
    ];
    for (name, expires, expected) in cases {
        let l = list(&batch_json("CZ", expires, &kid, HashType::Uci, &[hash]));
        let got = revocation(&verify(&cert, s, &l)).clone();
        assert_eq!(
            std::mem::discriminant(&got),
            std::mem::discriminant(&expected),
            "{name}: {got:?}"
        );
    }
    // The same hash in an expired and a live batch: the live one counts.
    let l = list(&json!([
        batch_json("CZ", at() - Duration::days(1), &kid, HashType::Uci, &[hash]),
        batch_json("CZ", at() + Duration::days(1), &kid, HashType::Uci, &[hash]),
    ]));
    let report = verify(&cert, s, &l);
    let Outcome::Fail(message) = revocation(&report) else {
        panic!("live batch ignored")
    };
    assert!(message.contains("batch [1] of test.json"), "{message}");
}

#[test]
fn the_kid_must_match_unless_the_batch_kid_is_unknown() {
    let s = &signers()[0];
    let cert = issue(s, "vaccination", "kid");
    let hash = entry(&cert, HashType::Uci);
    let expires = at() + Duration::days(1);
    let (own_kid, other_kid) = (kid_of(&cert), B64.encode([9u8; 8]));
    let cases = [
        ("another kid", "CZ", other_kid.as_str(), false),
        ("its kid", "CZ", own_kid.as_str(), true),
        ("UNKNOWN_KID, issuer's country", "CZ", "UNKNOWN_KID", true),
        ("UNKNOWN_KID, another country", "DE", "UNKNOWN_KID", false),
    ];
    for (name, country, kid, revoked) in cases {
        let l = list(&batch_json(country, expires, kid, HashType::Uci, &[hash]));
        let got = revocation(&verify(&cert, s, &l)).clone();
        assert_eq!(matches!(got, Outcome::Fail(_)), revoked, "{name}: {got:?}");
    }
}

#[test]
fn without_a_list_revocation_is_skipped() {
    let s = &signers()[0];
    let cert = issue(s, "test", "skip");
    let report = verifier::verify_text(&cert.hc1, &Context::new(&s.trust, at()));
    assert_eq!(revocation(&report), &Outcome::Skip);
    assert!(report.is_valid());
    // An empty list: checked, and passes.
    let empty = RevocationList::new();
    assert_eq!(revocation(&verify(&cert, s, &empty)), &Outcome::Pass);
}

#[test]
fn a_single_batch_an_array_and_several_sources_load() {
    let expires = datetime!(2030-01-01 0:00 UTC);
    let one = batch_json(
        "CZ",
        expires,
        "AAECAwQFBgc=",
        HashType::Uci,
        &[[1; 16], [2; 16]],
    );
    let many = json!([
        batch_json(
            "DE",
            expires,
            "UNKNOWN_KID",
            HashType::Signature,
            &[[3; 16]]
        ),
        batch_json("AT", expires, "AAECAwQFBgc", HashType::CountryCodeUci, &[]),
    ]);
    let (a, b) = (one.to_string(), many.to_string());
    let l = RevocationList::from_sources([("one.json", a.as_bytes()), ("many.json", b.as_bytes())])
        .unwrap();
    assert_eq!((l.len(), l.batch_count()), (3, 3));
    assert!(l.memory_bytes() >= 3 * 20);

    // Seconds since the epoch are accepted for `expires`, members in any order, unknown members
    // ignored, a byte-order mark skipped.
    let text = format!(
        "\u{feff} {{\"entries\": [{{\"hash\": \"{}\", \"x\": 1}}], \"hashType\": \"UCI\", \
         \"kid\": \"UNKNOWN_KID\", \"expires\": 1900000000, \"country\": \"cz\", \"batchId\": \"b\"}}",
        B64.encode([5u8; 16])
    );
    let l = RevocationList::from_json("plain.json", text.as_bytes()).unwrap();
    let hashes = CertHashes {
        uci: Some([5; 16]),
        ..CertHashes::default()
    };
    let hit = l
        .lookup(&hashes, Some(&[1, 2, 3]), Some("CZ"), NOW)
        .unwrap();
    assert_eq!((hit.country, hit.hash_type), ("CZ", HashType::Uci));
    assert_eq!(hit.expires.unix_timestamp(), 1_900_000_000);
    assert!(l
        .lookup(&hashes, None, Some("CZ"), datetime!(2031-01-01 0:00 UTC))
        .is_none());
}

#[test]
fn batches_built_in_code_are_looked_up() {
    let mut b = RevocationListBuilder::new();
    b.add_batch(
        "server",
        Batch {
            country: "CZ".into(),
            expires: datetime!(2030-01-01 0:00 UTC),
            kid: Some(vec![1; 8]),
            hash_type: HashType::Signature,
            hashes: vec![[4; 16]],
        },
    )
    .unwrap();
    let l = b.build();
    let hashes = CertHashes {
        signature: Some([4; 16]),
        ..CertHashes::default()
    };
    let hit = l.lookup(&hashes, Some(&[1; 8]), None, NOW).unwrap();
    assert_eq!(hit.source, "server");
    assert!(l.lookup(&hashes, Some(&[2; 8]), None, NOW).is_none());
}

/// Malformed sources: (name, text, what the error must say). Every error also names the file.
#[test]
fn malformed_sources_fail_with_the_place_named() {
    let good = batch_json(
        "CZ",
        datetime!(2030-01-01 0:00 UTC),
        "AAECAwQFBgc=",
        HashType::Uci,
        &[[1; 16], [2; 16]],
    );
    let good_text = good.to_string();
    let with = |f: &dyn Fn(&mut Json)| {
        let mut v = json!([good.clone(), good.clone()]);
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(&str, String, &[&str])> = vec![
        ("empty file", String::new(), &["empty"]),
        ("blank file", " \n".into(), &["empty"]),
        (
            "truncated",
            good_text[..good_text.len() / 2].to_string(),
            &["EOF while parsing", "line 1"],
        ),
        ("not JSON", "HC1:xyz".into(), &["line 1 column 1"]),
        (
            "a string",
            "\"batch\"".into(),
            &["a revocation batch object or an array"],
        ),
        ("trailing data", format!("{good_text} {{}}"), &["trailing"]),
        (
            "entry not base64",
            with(&|v| v[0]["entries"][1]["hash"] = json!("!!notbase64!!")),
            &["[0].entries[1].hash", "base64"],
        ),
        (
            "entry of 32 bytes",
            with(&|v| v[1]["entries"][0]["hash"] = json!(B64.encode([0u8; 32]))),
            &["[1].entries[0].hash", "16-byte", "32 bytes"],
        ),
        (
            "entry not a string",
            with(&|v| v[1]["entries"][1]["hash"] = json!(12)),
            &["[1].entries[1].hash", "invalid type"],
        ),
        (
            "entry without hash",
            with(&|v| v[0]["entries"][1] = json!({"h": "x"})),
            &["[0].entries[1]", "no \"hash\""],
        ),
        (
            "entry not an object",
            with(&|v| v[0]["entries"][0] = json!("AAAA")),
            &["[0].entries[0]", "invalid type"],
        ),
        (
            "entries not an array",
            with(&|v| v[1]["entries"] = json!({})),
            &["[1].entries", "invalid type"],
        ),
        (
            "unknown hash type",
            with(&|v| v[1]["hashType"] = json!("MD5")),
            &["[1].hashType", "MD5", "UCI, COUNTRYCODEUCI or SIGNATURE"],
        ),
        (
            "no expires",
            with(&|v| {
                v[0].as_object_mut().unwrap().remove("expires");
            }),
            &["[0]", "no \"expires\""],
        ),
        (
            "bad expires",
            with(&|v| v[0]["expires"] = json!("tomorrow")),
            &["[0].expires", "RFC 3339"],
        ),
        (
            "bad country",
            with(&|v| v[1]["country"] = json!("CZE")),
            &["[1].country", "two-letter"],
        ),
        (
            "country not a string",
            with(&|v| v[1]["country"] = json!(null)),
            &["[1].country", "expected a string"],
        ),
        (
            "bad kid",
            with(&|v| v[0]["kid"] = json!("not a kid")),
            &["[0].kid", "UNKNOWN_KID"],
        ),
        (
            "no kid",
            with(&|v| {
                v[1].as_object_mut().unwrap().remove("kid");
            }),
            &["[1]", "no \"kid\""],
        ),
        (
            "batch not an object",
            with(&|v| v[1] = json!(5)),
            &["batch [1]", "invalid type"],
        ),
        (
            "duplicate member",
            good_text.replacen(
                "\"country\":\"CZ\"",
                "\"country\":\"CZ\",\"country\":\"DE\"",
                1,
            ),
            &["country", "twice"],
        ),
        (
            "single batch: bad entry",
            good_text.replacen(&B64.encode([2u8; 16]), "AAAA", 1),
            &["entries[1].hash", "3 bytes"],
        ),
    ];
    for (name, text, expected) in cases {
        let err = RevocationList::from_json("bad.json", text.as_bytes())
            .map(|l| format!("loaded {} entries", l.len()))
            .unwrap_err();
        let message = err.to_string();
        assert_eq!(err.file(), "bad.json", "{name}");
        assert!(
            message.starts_with("revocation list bad.json: "),
            "{name}: {message}"
        );
        for part in expected {
            assert!(message.contains(part), "{name}: {message:?} lacks {part:?}");
        }
    }
}

#[test]
fn a_bad_source_leaves_nothing_of_itself_in_the_builder() {
    let expires = datetime!(2030-01-01 0:00 UTC);
    let good = json!([batch_json(
        "CZ",
        expires,
        "UNKNOWN_KID",
        HashType::Uci,
        &[[1; 16]]
    )]);
    let mut bad = json!([
        batch_json("CZ", expires, "UNKNOWN_KID", HashType::Uci, &[[2; 16]]),
        batch_json("CZ", expires, "UNKNOWN_KID", HashType::Uci, &[[3; 16]]),
    ]);
    bad[1]["entries"][0]["hash"] = json!("?");
    let mut b = RevocationListBuilder::new();
    b.add_json("good.json", good.to_string().as_bytes())
        .unwrap();
    let err = b
        .add_json("bad.json", bad.to_string().as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("[1].entries[0].hash"), "{err}");
    let l = b.build();
    assert_eq!((l.len(), l.batch_count()), (1, 1));
    // A whole load of several sources fails as one.
    let (g, x) = (good.to_string(), bad.to_string());
    assert!(RevocationList::from_sources([("g", g.as_bytes()), ("x", x.as_bytes())]).is_err());
}

fn probe(uci: [u8; 16]) -> CertHashes {
    CertHashes {
        uci: Some(uci),
        ..CertHashes::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_survives_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = RevocationList::from_json("fuzz", &bytes);
    }

    #[test]
    fn the_loader_survives_any_cut_or_byte_flip_of_a_good_file(
        cut in 0usize..2000,
        flip in 0usize..2000,
        byte in any::<u8>(),
    ) {
        let expires = datetime!(2030-01-01 0:00 UTC);
        let text = json!([
            batch_json("CZ", expires, "AAECAwQFBgc=", HashType::Uci, &[[1; 16], [2; 16]]),
            batch_json("DE", expires, "UNKNOWN_KID", HashType::Signature, &[[3; 16]]),
        ])
        .to_string();
        let mut bytes = text.into_bytes();
        let len = bytes.len();
        if let Some(b) = bytes.get_mut(flip % len) {
            *b = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = RevocationList::from_json("fuzz", &bytes);
    }

    /// The bucket index and binary search agree with a plain set, at every list size (the
    /// number of index bits grows with the list) and with shared prefixes.
    #[test]
    fn lookup_agrees_with_a_set(
        entries in proptest::collection::vec((0u8..4, any::<u8>(), any::<[u8; 14]>()), 0..600),
        probes in proptest::collection::vec((0u8..4, any::<u8>(), any::<[u8; 14]>()), 0..50),
    ) {
        let full = |(a, b, rest): (u8, u8, [u8; 14])| {
            let mut h = [0u8; 16];
            h[0] = a;
            h[1] = b;
            h[2..].copy_from_slice(&rest);
            h
        };
        let hashes: Vec<[u8; 16]> = entries.into_iter().map(full).collect();
        let set: BTreeSet<[u8; 16]> = hashes.iter().copied().collect();
        let mut b = RevocationListBuilder::new();
        b.add_batch("p", Batch {
            country: "CZ".into(),
            expires: datetime!(2030-01-01 0:00 UTC),
            kid: None,
            hash_type: HashType::Uci,
            hashes: hashes.clone(),
        }).unwrap();
        let l = b.build();
        prop_assert_eq!(l.len(), set.len());
        for h in hashes.iter().copied().chain(probes.into_iter().map(full)) {
            let found = l.lookup(&probe(h), None, Some("CZ"), NOW).is_some();
            prop_assert_eq!(found, set.contains(&h));
        }
    }
}
