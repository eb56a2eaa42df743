//! Property tests for every hcert parser on the verifier path: Base45 (round trip, and agreement
//! with the `base45` crate as oracle), zlib, COSE_Sign1, CWT, HC1, UVCI, ICAO transliteration and
//! the schema validator never panic on any input, and the encoders round-trip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ciborium::Value as Cbor;
use hcert::cose::Sign1;
use hcert::schema::{self, Formats};
use hcert::{base45, cwt, hc1, translit, uvci, zlib};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value as Json;

const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Mostly Base45 characters, with some junk (ASCII outside the alphabet, lower case, non-ASCII).
fn base45_like() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let junk: Vec<char> = "abz!#&;=?_~\u{0}\u{7f}éŘ€😀\n\t".chars().collect();
    vec(
        prop_oneof![
            12 => proptest::sample::select(alphabet),
            1 => proptest::sample::select(junk),
            1 => any::<char>(),
        ],
        0..90,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// The value of a Base45 character, `None` outside the alphabet.
fn digit(c: u8) -> Option<u32> {
    ALPHABET.bytes().position(|a| a == c).map(|p| p as u32)
}

/// Whether `text` ends in a two-character group of valid characters whose value exceeds 255:
/// the one input RFC 9285 forbids that the `base45` crate accepts (it keeps the low byte).
fn final_pair_over_255(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() % 3 != 2 {
        return false;
    }
    match (digit(b[b.len() - 2]), digit(b[b.len() - 1])) {
        (Some(lo), Some(hi)) => lo + hi * 45 > 255,
        _ => false,
    }
}

/// Our decoder against the crate: the same bytes when both succeed, both fail otherwise, except
/// a final pair above 255, which only ours rejects (and says so).
fn agrees_with_crate(text: &str) -> Result<(), TestCaseError> {
    let ours = base45::decode(text);
    let oracle = ::base45::decode(text);
    match (&ours, &oracle) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "input {:?}", text),
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => {
            prop_assert!(
                final_pair_over_255(text),
                "only ours fails on {:?}: {}",
                text,
                e
            );
            prop_assert!(e.to_string().contains("final pair"), "{:?}: {}", text, e);
        }
        (Ok(v), Err(_)) => {
            prop_assert!(false, "only the crate fails on {:?} (ours: {:?})", text, v)
        }
    }
    Ok(())
}

#[test]
fn base45_agrees_with_the_crate_on_every_pair_and_some_triplets() {
    // Exhaustive over two-character inputs (where the final-pair rule lives).
    for a in ALPHABET.chars() {
        for b in ALPHABET.chars() {
            agrees_with_crate(&format!("{a}{b}")).unwrap();
        }
    }
    for text in [
        "",
        "FGW",
        "GGW",
        "::",
        "00",
        "0",
        "ZZZZZ",
        "%69 VD92EX0",
        "QED8WEX0",
    ] {
        agrees_with_crate(text).unwrap();
    }
}

/// A CBOR value of any shape, nested up to a few levels.
fn cbor_value() -> impl Strategy<Value = Cbor> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Cbor::from),
        any::<u64>().prop_map(Cbor::from),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(1e300),
            Just(-1e300),
            Just(1.5e9),
        ]
        .prop_map(Cbor::Float),
        vec(any::<u8>(), 0..24).prop_map(Cbor::Bytes),
        "\\PC{0,12}".prop_map(Cbor::Text),
        any::<bool>().prop_map(Cbor::Bool),
        Just(Cbor::Null),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Cbor::Array),
            vec((inner.clone(), inner.clone()), 0..6).prop_map(Cbor::Map),
            (any::<u64>(), inner).prop_map(|(t, v)| Cbor::Tag(t, Box::new(v))),
        ]
    })
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// A CWT claims map with the hcert claim in place and arbitrary claims around it, so decoding
/// gets past the outer checks.
fn cwt_like() -> impl Strategy<Value = Cbor> {
    (
        proptest::option::of(cbor_value()),
        proptest::option::of(cbor_value()),
        proptest::option::of(cbor_value()),
        cbor_value(),
        vec((cbor_value(), cbor_value()), 0..3),
    )
        .prop_map(|(iss, iat, exp, dcc, extra)| {
            let mut map = Vec::new();
            for (key, value) in [(1, iss), (6, iat), (4, exp)] {
                if let Some(v) = value {
                    map.push((Cbor::from(key), v));
                }
            }
            map.push((Cbor::from(-260), Cbor::Map(vec![(Cbor::from(1), dcc)])));
            map.extend(extra);
            Cbor::Map(map)
        })
}

/// A COSE_Sign1-shaped array (tagged or not) with arbitrary headers, payload and signature.
fn sign1_like() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![
            cbor_value().prop_map(|v| Cbor::Bytes(cbor(&v))),
            Just(Cbor::Bytes(vec![0xA1, 0x01, 0x26])),
            Just(Cbor::Bytes(vec![])),
            cbor_value(),
        ],
        prop_oneof![cbor_value(), Just(Cbor::Map(vec![]))],
        prop_oneof![
            cwt_like().prop_map(|v| Cbor::Bytes(cbor(&v))),
            Just(Cbor::Null),
            cbor_value(),
        ],
        prop_oneof![vec(any::<u8>(), 0..80).prop_map(Cbor::Bytes), cbor_value()],
        0..4u8,
    )
        .prop_map(|(protected, unprotected, payload, signature, tagging)| {
            let array = Cbor::Array(vec![protected, unprotected, payload, signature]);
            let value = match tagging {
                0 => array,
                1 => Cbor::Tag(18, Box::new(array)),
                2 => Cbor::Tag(61, Box::new(Cbor::Tag(18, Box::new(array)))),
                _ => Cbor::Tag(18, Box::new(Cbor::Tag(18, Box::new(array)))),
            };
            cbor(&value)
        })
}

/// An arbitrary JSON value.
fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "\\PC{0,16}".prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Json::from),
            vec(("\\PC{0,6}", inner), 0..5).prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

/// JSON shaped like a DCC: schema keys with values that are often right and often wrong.
fn dcc_like() -> impl Strategy<Value = Json> {
    const KEYS: &[&str] = &[
        "ver", "nam", "dob", "v", "t", "r", "fn", "fnt", "gn", "gnt", "tg", "vp", "mp", "ma", "dn",
        "sd", "dt", "co", "is", "ci", "tt", "nm", "sc", "tr", "tc", "fr", "df", "du", "dr",
    ];
    let scalar = prop_oneof![
        proptest::sample::select(vec![
            "1.3.0",
            "1.0.0",
            "1.2.1",
            "0.9.9",
            "9.9.9",
            "1.3",
            "",
            "1964-08-12",
            "1964",
            "1964-13",
            "2021-06-01T08:15:00Z",
            "2021-02-30",
            "840539006",
            "EU/1/20/1528",
            "URN:UVCI:01:CZ:ABC#X",
            "CZ",
            "cz",
            "DVORAKOVA",
            "dvořáková",
            "LP6464-4",
            "260415000",
        ])
        .prop_map(Json::from),
        (-3i64..12).prop_map(Json::from),
        json_value(),
    ];
    scalar.prop_recursive(3, 48, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Json::from),
            vec((proptest::sample::select(KEYS), inner), 0..8).prop_map(|kv| Json::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// A valid record (one of the fixtures) with one value somewhere replaced by `replacement`.
fn mutate_record(record: &Json, path_choice: &[usize], replacement: Json) -> Json {
    fn walk(v: &mut Json, path: &[usize], replacement: Json) {
        let Some((&pick, rest)) = path.split_first() else {
            *v = replacement;
            return;
        };
        let child = match v {
            Json::Object(m) if !m.is_empty() => {
                let key = m.keys().nth(pick % m.len()).unwrap().clone();
                m.get_mut(&key)
            }
            Json::Array(a) if !a.is_empty() => {
                let n = a.len();
                a.get_mut(pick % n)
            }
            _ => None,
        };
        match child {
            Some(c) if !rest.is_empty() || pick % 5 != 0 => walk(c, rest, replacement),
            _ => *v = replacement,
        }
    }
    let mut out = record.clone();
    walk(&mut out, path_choice, replacement);
    out
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn base45_round_trip(bytes in vec(any::<u8>(), 0..600)) {
        prop_assert_eq!(base45::decode(&base45::encode(&bytes)).ok(), Some(bytes));
    }

    #[test]
    fn base45_agrees_with_crate(text in base45_like()) {
        agrees_with_crate(&text)?;
    }

    #[test]
    fn base45_never_panics(text in "\\PC{0,300}") {
        let _ = base45::decode(&text);
    }

    #[test]
    fn inflate_never_panics(bytes in vec(any::<u8>(), 0..2048)) {
        let _ = zlib::inflate(&bytes);
    }

    #[test]
    fn inflate_never_panics_behind_a_valid_header(
        header in proptest::sample::select(vec![[0x78u8, 0x01], [0x78, 0x9C], [0x78, 0xDA], [0x08, 0x1D]]),
        body in vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = header.to_vec();
        bytes.extend(body);
        let _ = zlib::inflate(&bytes);
    }

    #[test]
    fn deflate_round_trips(bytes in vec(any::<u8>(), 0..4096)) {
        let z = zlib::deflate(&bytes).unwrap();
        prop_assert_eq!(zlib::inflate(&z).unwrap(), bytes);
    }

    #[test]
    fn inflate_of_a_damaged_stream_never_panics(
        bytes in vec(any::<u8>(), 1..1024),
        at in any::<prop::sample::Index>(),
        with in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut z = zlib::deflate(&bytes).unwrap();
        let i = at.index(z.len());
        z[i] ^= with | 1;
        let _ = zlib::inflate(&z);
        let original = zlib::deflate(&bytes).unwrap();
        let cut = cut.index(original.len());
        prop_assert!(zlib::inflate(&original[..cut]).is_err(), "truncated at {} accepted", cut);
    }

    #[test]
    fn cose_and_cwt_never_panic_on_bytes(bytes in vec(any::<u8>(), 0..512)) {
        let _ = Sign1::parse(&bytes);
        let _ = cwt::decode(&bytes);
        if let Ok(v) = ciborium::from_reader::<Cbor, _>(bytes.as_slice()) {
            let _ = cwt::to_json(&v);
        }
    }

    #[test]
    fn cose_never_panics_on_sign1_shapes(bytes in sign1_like()) {
        if let Ok(sign1) = Sign1::parse(&bytes) {
            let _ = sign1.to_be_signed();
            let _ = sign1.header_labels();
            let _ = sign1.alg_id.as_ref().map(|a| (a.to_string(), a.algorithm()));
            let decoded = cwt::decode(sign1.payload());
            if let Ok(claims) = decoded {
                let _ = cwt::to_json(&claims.dcc);
            }
        }
    }

    #[test]
    fn cwt_never_panics_on_claims(claims in cwt_like()) {
        let bytes = cbor(&claims);
        let decoded = cwt::decode(&bytes);
        // The map carries -260 → {1: x}: decoding fails only when x is not a map.
        match decoded {
            Ok(c) => {
                prop_assert!(matches!(c.dcc, Cbor::Map(_)));
                let json = cwt::to_json(&c.dcc);
                prop_assert!(json.is_object());
                let _ = schema::validate(&json, Formats::Annotate);
            }
            Err(e) => prop_assert!(e.to_string().starts_with("cbor: "), "{}", e),
        }
        let _ = cwt::to_json(&claims);
    }

    #[test]
    fn cwt_of_damaged_claims_never_panics(
        claims in cwt_like(),
        at in any::<prop::sample::Index>(),
        with in any::<u8>(),
    ) {
        let mut bytes = cbor(&claims);
        let i = at.index(bytes.len());
        bytes[i] = with;
        let _ = cwt::decode(&bytes);
        bytes.truncate(i);
        let _ = cwt::decode(&bytes);
    }

    #[test]
    fn hc1_unwrap_never_panics(text in "\\PC{0,400}") {
        let _ = hc1::unwrap(&text);
        let _ = hc1::unwrap(&format!("HC1:{text}"));
    }

    #[test]
    fn hc1_unwrap_never_panics_on_base45(text in base45_like(), bytes in vec(any::<u8>(), 0..400)) {
        let _ = hc1::unwrap(&format!("HC1:{text}"));
        let _ = hc1::unwrap(&format!("HC1:{}", base45::encode(&bytes)));
    }

    #[test]
    fn hc1_round_trips(bytes in vec(any::<u8>(), 0..1024)) {
        let text = hc1::wrap(&bytes).unwrap();
        prop_assert!(text.starts_with("HC1:"));
        prop_assert_eq!(hc1::unwrap(&text).unwrap(), bytes);
    }

    #[test]
    fn uvci_validate_never_panics(text in "\\PC{0,80}") {
        let _ = uvci::validate(&text);
        let _ = uvci::validate(&format!("URN:UVCI:01:{text}"));
        let _ = uvci::check_character(&text);
    }

    #[test]
    fn uvci_validate_never_panics_near_the_format(
        prefix in proptest::sample::select(vec!["URN:UVCI:01:", "01:", "URN:UVCI:02:", "", "URN:UVCI:"]),
        country in "[A-Za-z]{0,3}",
        opaque in "[A-Z0-9/:#a-z \u{e9}]{0,30}",
        check in "(#[A-Z0-9/:]{0,2})?",
    ) {
        let _ = uvci::validate(&format!("{prefix}{country}:{opaque}{check}"));
    }

    #[test]
    fn uvci_build_always_validates(
        country in "[A-Z]{2}",
        secret in vec(any::<u8>(), 0..64),
        identity in vec(any::<u8>(), 0..200),
    ) {
        let built = uvci::build(&country, &secret, &identity).unwrap();
        let parsed = uvci::validate(&built).unwrap();
        prop_assert_eq!(parsed.country, country.as_str());
        let (body, check) = built.rsplit_once('#').unwrap();
        prop_assert_eq!(Some(uvci::check_character(body)), check.chars().next());
        prop_assert_eq!(parsed.check, check.chars().next());
    }

    #[test]
    fn uvci_build_rejects_a_bad_country(country in "\\PC{0,4}") {
        let result = uvci::build(&country, b"secret", b"identity");
        let good = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
        prop_assert_eq!(result.is_ok(), good, "country {:?}", country);
    }

    #[test]
    fn icao_gives_only_a_to_z_and_filler(name in "\\PC{0,60}", max_len in 0usize..100) {
        let out = translit::icao(&name, max_len);
        prop_assert!(out.bytes().all(|b| b.is_ascii_uppercase() || b == b'<'), "{:?} → {:?}", name, out);
        prop_assert!(out.len() <= max_len, "{:?} → {:?} longer than {}", name, out, max_len);
        prop_assert!(!out.starts_with('<'), "{:?} → {:?}", name, out);
        prop_assert!(!out.contains("<<"), "{:?} → {:?}", name, out);
    }

    #[test]
    fn icao_handles_latin_letters(
        name in "[a-zA-Z\u{c0}-\u{17f}\u{1e00}-\u{1eff} '\\-,.]{0,40}",
        max_len in 0usize..100,
    ) {
        let out = translit::icao(&name, max_len);
        prop_assert!(out.bytes().all(|b| b.is_ascii_uppercase() || b == b'<'), "{:?} → {:?}", name, out);
        prop_assert!(out.len() <= max_len);
    }

    #[test]
    fn schema_never_panics_on_any_json(value in json_value()) {
        let _ = schema::validate(&value, Formats::Annotate);
        let _ = schema::validate(&value, Formats::Assert);
    }

    #[test]
    fn schema_never_panics_on_dcc_shapes(value in dcc_like()) {
        for formats in [Formats::Annotate, Formats::Assert] {
            if let Err(errors) = schema::validate(&value, formats) {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(!e.message.is_empty(), "empty message at {:?}", e.path);
                }
            }
        }
    }

    #[test]
    fn schema_never_panics_on_mutated_records(
        which in 0usize..3,
        path in vec(any::<usize>(), 1..5),
        replacement in dcc_like(),
    ) {
        let records = fixtures::records().unwrap();
        let (_, record) = &records[which];
        let mutated = mutate_record(record, &path, replacement);
        let _ = schema::validate(&mutated, Formats::Annotate);
        let _ = schema::validate(&mutated, Formats::Assert);
    }
}

#[test]
fn schema_survives_deep_nesting() {
    let mut deep = Json::from("x");
    for i in 0..1000 {
        deep = if i % 2 == 0 {
            Json::Array(vec![deep])
        } else {
            serde_json::json!({ "v": deep })
        };
    }
    for key in ["nam", "v", "t", "r", "dob", "ver"] {
        let payload = serde_json::json!({ "ver": "1.3.0", key: deep.clone() });
        let _ = schema::validate(&payload, Formats::Annotate);
        let _ = schema::validate(&payload, Formats::Assert);
    }
}

#[test]
fn cbor_nesting_is_refused_not_overflowed() {
    // 10 000 nested arrays: ciborium's recursion limit must answer with an error.
    let mut bytes = vec![0x81u8; 10_000];
    bytes.push(0x00);
    assert!(cwt::decode(&bytes).is_err());
    let mut cose = vec![0xD2, 0x84, 0x40, 0xA0];
    cose.extend(std::iter::repeat_n(0x81u8, 10_000));
    cose.push(0x00);
    cose.push(0x40);
    assert!(Sign1::parse(&cose).is_err());
}
