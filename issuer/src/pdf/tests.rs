use hcert::crypto::{default_backend, Algorithm};
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::keys::{self, KeyOptions};
use crate::{Policy, SigningIdentity};

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);

fn identity() -> SigningIdentity {
    identity_with(Algorithm::Es256, 2048)
}

fn identity_with(alg: Algorithm, rsa_bits: usize) -> SigningIdentity {
    let g = keys::generate(&KeyOptions {
        alg,
        rsa_bits,
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

fn render_fixture(kind: &str, id: &SigningIdentity) -> (Issued, Vec<u8>) {
    let (_, record) = fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap();
    let policy = Policy::new(b"pdf tests".to_vec());
    let issued = crate::issue_record(&record, id, &policy, NOW).unwrap();
    let qr = crate::qr::encode(&issued.hc1).unwrap();
    let pdf = render(&issued, &qr, Names::embedded(), Page { country: "CZ" }).unwrap();
    (issued, pdf)
}

#[test]
fn every_type_renders_one_small_a4_page() {
    let id = identity();
    for kind in ["vaccination", "test", "recovery"] {
        let (_, pdf) = render_fixture(kind, &id);
        assert!(pdf.starts_with(b"%PDF-"), "{kind}");
        // The font is a subset: tens of kilobytes, not the 700 kB face.
        assert!(pdf.len() < 80_000, "{kind}: {} bytes", pdf.len());
        save(&format!("{kind}.pdf"), &pdf);
    }
}

fn save(name: &str, pdf: &[u8]) {
    // Set DCC_PDF_OUT to a directory to look at the pages (pdftoppm -r 100 -png).
    if let Some(dir) = std::env::var_os("DCC_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).unwrap();
    }
}

#[test]
fn the_largest_record_fits_one_page() {
    let id = identity_with(Algorithm::Ps256, 3072);
    let record: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/largest-record.json")).unwrap();
    let policy = Policy::new(b"pdf tests".to_vec());
    let issued = crate::issue_record(&record, &id, &policy, NOW).unwrap();
    let qr = crate::qr::encode(&issued.hc1).unwrap();
    assert!(
        qr_width_mm(&qr) > 66.0,
        "a version-{} symbol grows",
        qr.version()
    );
    let pdf = render(&issued, &qr, Names::embedded(), Page { country: "CZ" }).unwrap();
    save("largest.pdf", &pdf);
}

#[test]
fn a_text_too_long_for_the_page_is_refused_not_cut() {
    let id = identity();
    let (mut issued, _) = render_fixture("test", &id);
    if let Some(t) = issued.dcc.tests.as_mut().and_then(|t| t.first_mut()) {
        t.tc = Some("Odběrové místo ".repeat(200));
    }
    let qr = crate::qr::encode(&issued.hc1).unwrap();
    let err = render(&issued, &qr, Names::embedded(), Page { country: "CZ" }).unwrap_err();
    assert!(
        err.to_string().contains("does not fit on one page"),
        "{err}"
    );
}

#[test]
fn wrapping_breaks_at_spaces_then_at_separators() {
    let c = Canvas::new(fonts::fonts().unwrap());
    let f = font(Style::Regular, 10.0, INK);
    let words = "Ministerstvo zdravotnictví České republiky, Palackého náměstí 375/4, Praha 2";
    let lines = c.wrap(words, 60.0, f);
    assert!(lines.len() > 1);
    assert_eq!(lines.join(" "), words);
    for l in &lines {
        assert!(c.width(l, f) <= 60.0, "{l:?}");
    }
    let icao = "REHACKOVA<DVORAKOVA<STASTNA<ZLUTOUCKA<PREMYSLOVNA";
    let lines = c.wrap(icao, 50.0, f);
    assert_eq!(lines.concat(), icao);
    for l in &lines[..lines.len() - 1] {
        assert!(l.ends_with('<'), "{lines:?}");
    }
    // A word with no separator breaks anywhere, and nothing is lost.
    let long = "X".repeat(100);
    assert_eq!(c.wrap(&long, 30.0, f).concat(), long);
}

#[test]
fn the_same_certificate_gives_the_same_file() {
    let id = identity();
    let (issued, a) = render_fixture("vaccination", &id);
    let qr = crate::qr::encode(&issued.hc1).unwrap();
    let b = render(&issued, &qr, Names::embedded(), Page { country: "CZ" }).unwrap();
    assert!(a == b, "two renderings differ");
}

#[test]
fn a_stored_certificate_reads_back_for_rendering() {
    let id = identity();
    for kind in ["vaccination", "test", "recovery"] {
        let (issued, _) = render_fixture(kind, &id);
        let back = Issued::from_hc1(&issued.hc1).unwrap();
        assert_eq!(back.dcc, issued.dcc, "{kind}");
        assert_eq!(back.uvci, issued.uvci);
        assert_eq!(
            (back.issued_at, back.expires_at),
            (issued.issued_at, issued.expires_at)
        );
    }
    assert!(Issued::from_hc1("HC1:not base45 ***").is_err());
}

#[test]
fn urls_encode_in_byte_mode() {
    let url = "https://dcc.example/exchange/Abc-_xyz0123456789ABCD";
    assert!(
        crate::qr::encode(url).is_err(),
        "lower case is not alphanumeric mode"
    );
    let m = crate::qr::encode_bytes(url).unwrap();
    assert!(m.width() >= 21);
}
