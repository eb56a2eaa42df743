use std::collections::BTreeMap;
use std::sync::Mutex;

use hcert::crypto::{default_backend, Algorithm};
use time::macros::datetime;

use super::*;
use crate::keys::{self, KeyOptions};

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);

fn identity() -> SigningIdentity {
    let g = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: vec![],
        country: "CZ".into(),
        now: NOW - time::Duration::days(1),
        dsc_days: 365,
        usage_days: 365,
    })
    .unwrap();
    SigningIdentity::load(
        g.dsc.key_pem.as_bytes(),
        g.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap()
}

/// Keeps what it is given, by stem; counts progress calls.
#[derive(Default)]
struct Memory {
    files: Mutex<BTreeMap<String, (usize, String, usize)>>,
    done: Mutex<usize>,
}

impl Sink for Memory {
    fn exists(&self, stem: &str) -> bool {
        self.files.lock().unwrap().contains_key(stem)
    }
    fn write(&self, stem: &str, cert: &Rendered) -> Result<(), String> {
        assert!(cert.pdf.starts_with(b"%PDF-"));
        self.files.lock().unwrap().insert(
            stem.to_string(),
            (cert.line, cert.issued.hc1.clone(), cert.pdf.len()),
        );
        Ok(())
    }
    fn done(&self) {
        *self.done.lock().unwrap() += 1;
    }
}

fn record(kind: &str) -> String {
    let (_, r) = fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap();
    serde_json::to_string(&r).unwrap()
}

fn opts(threads: Option<usize>) -> Options<'static> {
    Options {
        now: NOW,
        names: Names::embedded(),
        threads,
    }
}

#[test]
fn file_stems_come_from_the_uvci() {
    assert_eq!(file_stem("URN:UVCI:01:CZ:ABC123#K"), "01_CZ_ABC123-K");
    assert_eq!(file_stem("urn:uvci:01:CZ:A/B#K"), "01_CZ_A.B-K");
    assert_eq!(file_stem("01:CZ:X"), "01_CZ_X");
}

#[test]
fn lines_are_numbered_from_one_and_blank_ones_skipped() {
    let got = lines(b"{\"a\":1}\r\n\n  \n{\"b\":2}");
    assert_eq!(
        got,
        vec![(1, b"{\"a\":1}".as_slice()), (4, b"{\"b\":2}".as_slice())]
    );
}

#[test]
fn a_bad_record_is_reported_by_line_and_the_rest_issued() {
    let id = identity();
    let policy = Policy::new(b"batch tests".to_vec());
    let bad_schema = record("test").replace("\"tt\":\"LP6464-4\",", "");
    let input = [
        record("vaccination"),
        "{not json".to_string(),
        String::new(),
        record("test"),
        bad_schema,
        record("recovery"),
        record("vaccination"),
    ]
    .join("\n");
    let sink = Memory::default();
    let summary = run(input.as_bytes(), &id, &policy, opts(Some(2)), &sink);
    assert_eq!(summary.records, 6);
    assert_eq!(summary.issued, 3);
    assert_eq!(summary.existing, 0);
    assert_eq!(summary.duplicates, vec![(7, 1)]);
    let failed: Vec<_> = summary.failed.iter().map(|f| f.line).collect();
    assert_eq!(failed, vec![2, 5], "{:?}", summary.failed);
    assert!(summary.failed[0].message.starts_with("not JSON"));
    assert!(
        summary.failed[1].message.contains("tt"),
        "{}",
        summary.failed[1].message
    );
    assert_eq!(*sink.done.lock().unwrap(), 6);

    // Every stored certificate verifies, under the name of its own UVCI.
    let trust = trust_list::TrustList::from_dscs([id.dsc.clone()], default_backend());
    for (stem, (line, hc1, _)) in sink.files.lock().unwrap().iter() {
        let report = verifier::verify_text(hc1, &verifier::Context::new(&trust, NOW));
        assert!(
            report.is_valid(),
            "line {line}: {:?}",
            report.errors().collect::<Vec<_>>()
        );
        assert!([1, 4, 6].contains(line), "line {line} stored as {stem}");
    }
}

#[test]
fn a_rerun_skips_what_is_stored_and_the_uvcis_are_stable() {
    let id = identity();
    let policy = Policy::new(b"batch tests".to_vec());
    let input = [record("vaccination"), record("test")].join("\n");
    let sink = Memory::default();
    let first = run(input.as_bytes(), &id, &policy, opts(None), &sink);
    assert_eq!((first.issued, first.existing), (2, 0));
    let stems: Vec<String> = sink.files.lock().unwrap().keys().cloned().collect();

    let again = run(input.as_bytes(), &id, &policy, opts(Some(1)), &sink);
    assert_eq!((again.issued, again.existing), (0, 2));
    assert!(again.failed.is_empty());
    let stems_after: Vec<String> = sink.files.lock().unwrap().keys().cloned().collect();
    assert_eq!(stems, stems_after);

    // The stems are the UVCIs the issuer gives these records anywhere else.
    let record: serde_json::Value = serde_json::from_str(&record("test")).unwrap();
    let single = crate::issue_record(&record, &id, &policy, NOW).unwrap();
    assert!(stems.contains(&file_stem(&single.uvci)), "{stems:?}");
}
