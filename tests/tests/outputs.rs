//! Issuance outputs end to end: issue → PDF → the page rendered by poppler's `pdftoppm` → the
//! QR code decoded from the picture → verified valid, for every type and every algorithm; the
//! PDF's text (poppler's `pdftotext`) holds the holder's name with its diacritics and the UVCI;
//! the largest realistic payload (long Czech names, RSA-3072) still fits and scans.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

use hcert::crypto::{default_backend, Algorithm};
use issuer::keys::{self, KeyOptions};
use issuer::names::Names;
use issuer::{pdf, qr, Issued, Policy, SigningIdentity};
use time::macros::datetime;
use time::OffsetDateTime;
use trust_list::TrustList;
use verifier::Context;

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);
/// The resolution a page is rendered at to be scanned: ten pixels per module, at least 300 dpi.
/// rqrr (the verifier's decoder before issue 20, still used below to measure the printed symbol)
/// samples the grid from the finder patterns alone, so its errors
/// grow with the symbol: at about 4 px per module it missed one page in six (anti-aliased module
/// edges), at 6 px one version-32 symbol in three; at 10 px none in 120 tries. Phone scanners
/// use the alignment patterns and read far coarser pictures.
fn dpi_for(matrix: &qr::QrMatrix) -> u32 {
    let module_mm = pdf::qr_width_mm(matrix) / matrix.width() as f32;
    // rqrr needs ≥ 10 px per module; at exactly 10 the raster grid sometimes rounds modules to
    // 9 px and a page fails to scan (seen in CI with PS256's varying signature), so 14.
    ((14.0 / module_mm * 25.4).ceil() as u32).max(300)
}

fn identity(alg: Algorithm, rsa_bits: usize) -> SigningIdentity {
    let g = keys::generate(&KeyOptions {
        alg,
        rsa_bits,
        types: vec![],
        country: "CZ".into(),
        now: NOW - time::Duration::days(10),
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

fn largest_record() -> serde_json::Value {
    serde_json::from_str(include_str!("../../issuer/tests/data/largest-record.json")).unwrap()
}

fn issue_pdf(record: &serde_json::Value, id: &SigningIdentity) -> (Issued, Vec<u8>) {
    let policy = Policy::new(b"outputs test".to_vec());
    let issued = issuer::issue_record(record, id, &policy, NOW).unwrap();
    let matrix = qr::encode(&issued.hc1).unwrap();
    let pdf = pdf::render(
        &issued,
        &matrix,
        Names::embedded(),
        pdf::Page { country: "CZ" },
    )
    .unwrap();
    (issued, pdf)
}

/// Runs a poppler tool; a missing tool fails the test and says how to get it.
fn poppler(tool: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {tool} ({e}): install poppler-utils (apt-get install -y poppler-utils; \
             .ci/run does this)"
        )
    });
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The PDF's only page as a PNG at `dpi`.
fn rasterise(pdf: &[u8], dpi: u32, dir: &Path, name: &str) -> Vec<u8> {
    let input = dir.join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let prefix = dir.join(name);
    poppler(
        "pdftoppm",
        &[
            "-r",
            &dpi.to_string(),
            "-png",
            "-singlefile",
            input.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    std::fs::read(dir.join(format!("{name}.png"))).unwrap()
}

fn pdf_text(pdf: &[u8], dir: &Path, name: &str) -> String {
    let input = dir.join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).unwrap();
    String::from_utf8(poppler("pdftotext", &[input.to_str().unwrap(), "-"])).unwrap()
}

fn assert_valid(hc1: &str, id: &SigningIdentity, case: &str) {
    let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
    let report = verifier::verify_text(hc1, &Context::new(&trust, NOW + time::Duration::hours(1)));
    let errors: Vec<_> = report.errors().collect();
    assert!(report.is_valid(), "{case}: {errors:?}");
}

#[test]
fn the_printed_qr_code_verifies_for_every_type_and_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    for (alg, bits) in [
        (Algorithm::Es256, 2048),
        (Algorithm::Ps256, 2048),
        (Algorithm::EdDsa, 2048),
    ] {
        let id = identity(alg, bits);
        for (kind, record) in fixtures::records().unwrap() {
            let case = format!("{alg} {kind}");
            let (issued, pdf) = issue_pdf(&record, &id);
            let dpi = dpi_for(&qr::encode(&issued.hc1).unwrap());
            let page = rasterise(&pdf, dpi, dir.path(), &format!("{alg}-{kind}"));
            let scanned = verifier::qr::decode(&page)
                .unwrap_or_else(|e| panic!("{case}: the rendered page does not scan: {e}"));
            assert_eq!(scanned, issued.hc1, "{case}");
            assert_valid(&scanned, &id, &case);
        }
    }
}

#[test]
fn the_pdf_text_holds_the_name_with_diacritics_and_the_uvci() {
    let dir = tempfile::tempdir().unwrap();
    let id = identity(Algorithm::Es256, 2048);
    let expected = [
        ("vaccination", ["Dvořáková", "Řehořka Anežka", "Comirnaty"]),
        ("test", ["Novák", "Řehoř", "Odběrové místo Praha 4"]),
        ("recovery", ["Šťastný", "Ůžasný Ďábel", "2021-10-28"]),
    ];
    let records = fixtures::records().unwrap();
    for (kind, words) in expected {
        let record = &records.iter().find(|(k, _)| k == kind).unwrap().1;
        let (issued, pdf) = issue_pdf(record, &id);
        let text = pdf_text(&pdf, dir.path(), kind);
        for w in words.iter().chain([&issued.uvci.as_str()]) {
            assert!(
                text.contains(w),
                "{kind}: {w:?} not in the PDF text:\n{text}"
            );
        }
        for w in [
            "Certifikát EU COVID-19",
            "EU Digital COVID Certificate",
            "Ministerstvo zdravotnictví ČR",
        ] {
            assert!(
                text.contains(w),
                "{kind}: {w:?} not in the PDF text:\n{text}"
            );
        }
    }
}

#[test]
fn the_largest_payload_fits_and_scans() {
    let dir = tempfile::tempdir().unwrap();
    let id = identity(Algorithm::Ps256, 3072);
    let record = largest_record();
    let (issued, pdf) = issue_pdf(&record, &id);
    let matrix = qr::encode(&issued.hc1).unwrap();
    eprintln!(
        "largest payload: {} characters, QR version {} ({} modules)",
        issued.hc1.len(),
        matrix.version(),
        matrix.width()
    );

    let dpi = dpi_for(&matrix);
    let page = rasterise(&pdf, dpi, dir.path(), "largest");
    // The symbol is at least 6 cm wide on paper: measure the decoded grid's corners.
    let img = image::load_from_memory(&page).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let b = grids[0].bounds;
    let width_px = ((b[1].x - b[0].x) as f64).hypot((b[1].y - b[0].y) as f64);
    let width_mm = width_px / f64::from(dpi) * 25.4;
    assert!(width_mm >= 60.0, "QR code {width_mm:.1} mm wide");
    let (_, scanned) = grids[0].decode().unwrap();
    assert_eq!(scanned, issued.hc1);
    assert_valid(&scanned, &id, "largest");

    // Every word of both names, diacritics intact (long names may wrap between words).
    let text = pdf_text(&pdf, dir.path(), "largest");
    let nam = &record["nam"];
    for name in [&nam["fn"], &nam["gn"]] {
        for word in name.as_str().unwrap().split_whitespace() {
            assert!(text.contains(word), "{word:?} not in the PDF text:\n{text}");
        }
    }
    assert!(text.contains(&issued.uvci));
}

#[test]
fn a_name_outside_latin_script_is_drawn_from_the_full_font() {
    let dir = tempfile::tempdir().unwrap();
    let id = identity(Algorithm::Es256, 2048);
    let mut record = fixtures::records().unwrap().remove(0).1;
    record["nam"] = serde_json::json!({
        "fn": "Παπαδοπούλου", "fnt": "PAPADOPOULOU", "gn": "Дмитрий Ελένη", "gnt": "DMITRII<ELENI"
    });
    let (issued, pdf) = issue_pdf(&record, &id);
    let text = pdf_text(&pdf, dir.path(), "greek");
    for w in ["Παπαδοπούλου", "Дмитрий Ελένη", issued.uvci.as_str()] {
        assert!(text.contains(w), "{w:?} not in the PDF text:\n{text}");
    }
}
