//! The certificate as the citizen's and the exchange page show and print it (issue #21 part 2):
//! the QR code as inline SVG (no image request, nothing the CSP must allow), the holder, the
//! entry and its validity, and the PDF's file name saying what it is.

use hcert::dcc::Entry;
use issuer::names::{Kind, Names};
use issuer::Issued;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::i18n::Lang;
use ::service::validator;

use super::web;

/// One certificate on screen and on paper.
#[derive(Serialize)]
pub struct Card {
    /// "EU Digital COVID Certificate: vaccination", in the page's language.
    heading: String,
    /// The QR code, an `<svg>` element written by [`issuer::qr`] from the certificate's HC1.
    qr_svg: String,
    name: String,
    dob: String,
    uvci: String,
    /// The entry's facts, label and value.
    facts: Vec<(String, String)>,
    /// The end of the signature's validity (CWT `exp`), Prague date.
    expires: String,
    /// The PDF download.
    download: String,
}

/// The on-screen side of the QR in CSS pixels at its natural size; CSS scales it.
const QR_PX: u32 = 320;

fn label(names: &Names, lang: Lang, kind: Kind, code: &str) -> String {
    let l = names.label(kind, code);
    match (lang, l.cs) {
        (Lang::Cs, Some(cs)) => cs.to_string(),
        _ => l.en.to_string(),
    }
}

/// An RFC 3339 date-time (a test's sample time) as its Prague date; other text as written.
fn prague_day(s: &str) -> String {
    OffsetDateTime::parse(s, &Rfc3339).map_or_else(
        |_| s.get(..10).unwrap_or(s).to_string(),
        validator::local_date,
    )
}

/// The date of the event a certificate records: vaccination date, sample date (Prague) or first
/// positive test.
fn event_day(entry: Entry<'_>) -> String {
    match entry {
        Entry::Vaccination(v) => v.dt.get(..10).unwrap_or(&v.dt).to_string(),
        Entry::Test(t) => prague_day(&t.sc),
        Entry::Recovery(r) => r.fr.get(..10).unwrap_or(&r.fr).to_string(),
    }
}

/// The PDF's file name: `certifikat-ockovani-2021-06-14.pdf`, the type in Czech without
/// diacritics and the date of the event.
pub fn pdf_file_name(issued: &Issued) -> String {
    match issued.dcc.entry() {
        Some(e) => {
            let kind = match e {
                Entry::Vaccination(_) => "ockovani",
                Entry::Test(_) => "test",
                Entry::Recovery(_) => "prodelani",
            };
            let day: String = event_day(e)
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            format!("certifikat-{kind}-{day}.pdf")
        }
        None => "certifikat.pdf".into(),
    }
}

/// The file name of a stored certificate's PDF (`certifikat.pdf` should it not decode).
pub fn file_name_of(hc1: &str) -> String {
    Issued::from_hc1(hc1).map_or_else(|_| "certifikat.pdf".into(), |i| pdf_file_name(&i))
}

/// The QR code of an HC1 as an inline `<svg>` element (the XML declaration dropped), labelled
/// for screen readers.
pub fn qr_svg(hc1: &str, lang: Lang) -> Result<String, issuer::Error> {
    let svg = issuer::qr::encode(hc1)?.to_svg(QR_PX);
    let start = svg.find("<svg").unwrap_or(0);
    let element = svg.get(start..).unwrap_or(&svg).trim_end();
    let labelled = element.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" ",
            lang.t("qr_label").replace('"', "")
        ),
        1,
    );
    Ok(labelled)
}

/// The card of a signed certificate.
pub fn card(
    names: &Names,
    lang: Lang,
    issued: &Issued,
    download: String,
) -> Result<Card, issuer::Error> {
    let t = |k| lang.t(k).to_string();
    let day = |s: &str| web::date(lang, s);
    let mut facts = Vec::new();
    let kind_key = match issued.dcc.entry() {
        Some(Entry::Vaccination(v)) => {
            facts.push((t("disease"), label(names, lang, Kind::Disease, &v.tg)));
            facts.push((t("product"), label(names, lang, Kind::Product, &v.mp)));
            facts.push((
                t("manufacturer"),
                label(names, lang, Kind::Manufacturer, &v.ma),
            ));
            facts.push((t("dose"), format!("{}/{}", v.dn, v.sd)));
            facts.push((t("vaccination_date"), day(&v.dt)));
            facts.push((t("country"), label(names, lang, Kind::Country, &v.co)));
            facts.push((t("cert_issuer"), v.is.clone()));
            "card_vaccination"
        }
        Some(Entry::Test(x)) => {
            facts.push((t("disease"), label(names, lang, Kind::Disease, &x.tg)));
            facts.push((t("test_type"), label(names, lang, Kind::TestType, &x.tt)));
            facts.push((
                t("test_result"),
                label(names, lang, Kind::TestResult, &x.tr),
            ));
            let sampled = OffsetDateTime::parse(&x.sc, &Rfc3339)
                .map_or_else(|_| x.sc.clone(), validator::local_display);
            facts.push((t("sample_time"), sampled));
            if let Some(tc) = &x.tc {
                facts.push((t("test_centre"), tc.clone()));
            }
            facts.push((t("country"), label(names, lang, Kind::Country, &x.co)));
            facts.push((t("cert_issuer"), x.is.clone()));
            "card_test"
        }
        Some(Entry::Recovery(r)) => {
            facts.push((t("disease"), label(names, lang, Kind::Disease, &r.tg)));
            facts.push((t("first_positive"), day(&r.fr)));
            facts.push((t("valid_from"), day(&r.df)));
            facts.push((t("valid_until"), day(&r.du)));
            facts.push((t("country"), label(names, lang, Kind::Country, &r.co)));
            facts.push((t("cert_issuer"), r.is.clone()));
            "card_recovery"
        }
        None => "card_other",
    };
    let name = format!(
        "{} {}",
        issued.dcc.name.given.as_deref().unwrap_or_default(),
        issued.dcc.name.family.as_deref().unwrap_or_default()
    );
    let expires = OffsetDateTime::from_unix_timestamp(issued.expires_at)
        .map(|at| day(&validator::local_date(at)))
        .unwrap_or_default();
    Ok(Card {
        heading: t(kind_key),
        qr_svg: qr_svg(&issued.hc1, lang)?,
        name: name.trim().to_string(),
        dob: day(&issued.dcc.date_of_birth),
        uvci: issued.uvci.clone(),
        facts,
        expires,
        download,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_days_are_prague_days() {
        assert_eq!(prague_day("2026-03-01T23:30:00Z"), "2026-03-02");
        assert_eq!(prague_day("2026-07-01T21:59:00Z"), "2026-07-01");
        assert_eq!(prague_day("2026-07-01"), "2026-07-01");
    }
}
