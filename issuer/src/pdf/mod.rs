//! The certificate a citizen downloads and prints: one A4 page, Czech and English, the holder,
//! every field of the entry in words, and the QR code drawn as vector rectangles (sharp at any
//! zoom, at least 66 mm wide). Text is DejaVu Sans, embedded as a per-document subset.

mod canvas;
mod fields;
mod fonts;

use canvas::{Canvas, Font, Rgb3, PAGE_HEIGHT, PAGE_WIDTH};
use fonts::Style;

use crate::names::{Kind, Names};
use crate::qr::{QrMatrix, QUIET_ZONE};
use crate::{Error, Issued, Result};

/// Width of the QR symbol on the page, quiet zone excluded (mm): 66 mm, more for the largest
/// symbols so a module stays at least half a millimetre (print and phone cameras).
pub fn qr_width_mm(qr: &QrMatrix) -> f32 {
    (qr.width() as f32 * 0.5).clamp(66.0, 76.0)
}

const MARGIN: f32 = 15.0;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const EU_BLUE: Rgb3 = Rgb3(0.0, 0.2, 0.6);
const EU_YELLOW: Rgb3 = Rgb3(1.0, 0.8, 0.0);
const WHITE: Rgb3 = Rgb3(1.0, 1.0, 1.0);
const INK: Rgb3 = Rgb3(0.08, 0.09, 0.12);
const GREY: Rgb3 = Rgb3(0.36, 0.38, 0.43);
const RULE: Rgb3 = Rgb3(0.80, 0.82, 0.86);
const TINT: Rgb3 = Rgb3(0.91, 0.94, 0.985);

fn font(style: Style, size: f32, color: Rgb3) -> Font {
    Font { style, size, color }
}

/// Millimetres a line of `size`-point text takes.
fn leading(size: f32) -> f32 {
    size * 0.3528 * 1.25
}

/// What goes on the page besides the certificate itself.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The issuing country (the CWT `iss`), shown in the header.
    pub country: &'a str,
}

/// Renders the certificate as a one-page PDF. `qr` is the symbol of `issued.hc1`; it is an
/// argument so a caller that also writes PNG or SVG encodes it once.
pub fn render(issued: &Issued, qr: &QrMatrix, names: &Names, page: Page<'_>) -> Result<Vec<u8>> {
    let fonts = fonts::fonts()?;
    let mut c = Canvas::new(fonts);
    let dcc = &issued.dcc;
    let (title_cs, title_en) = fields::title(dcc);

    header(&mut c, names, page.country);

    // The type of certificate, on a tinted band.
    c.rect(MARGIN, 36.0, RIGHT - MARGIN, 11.0, TINT);
    c.rect(MARGIN, 36.0, 1.8, 11.0, EU_BLUE);
    let heading = font(Style::Bold, 14.0, INK);
    c.text(MARGIN + 6.0, 43.8, heading, title_cs);
    let w = c.width(title_cs, heading);
    c.text(
        MARGIN + 6.0 + w,
        43.8,
        font(Style::Regular, 12.0, GREY),
        &format!("  /  {title_en}"),
    );

    // The QR code, top right, with its quiet zone kept free of anything else.
    let qr_size = qr_width_mm(qr);
    let module = qr_size / qr.width().max(1) as f32;
    let qr_x = RIGHT - qr_size;
    let qr_y = 54.0;
    c.qr(qr_x, qr_y, module, qr);
    let caption = font(Style::Regular, 7.5, GREY);
    let quiet = QUIET_ZONE as f32 * module;
    let centre = qr_x + qr_size / 2.0;
    c.text_centred(
        centre,
        qr_y + qr_size + quiet + 3.0,
        caption,
        "Ověřte naskenováním QR kódu",
    );
    c.text_centred(
        centre,
        qr_y + qr_size + quiet + 6.3,
        caption,
        "Verify by scanning the QR code",
    );
    let qr_bottom = qr_y + qr_size + quiet + 6.3;

    // The holder, left of the code.
    let column = qr_x - quiet - 4.0 - MARGIN;
    let mut y = 55.0;
    let name = &dcc.name;
    // Names print large; one too long for two lines prints smaller rather than pushing the
    // entry off the page.
    let big = font(Style::Bold, 15.0, INK);
    let name_font = |c: &Canvas, s: &str| {
        if c.wrap(s, column, big).len() <= 2 {
            big
        } else {
            font(Style::Bold, 11.5, INK)
        }
    };
    if let Some(family) = name.family.as_deref().filter(|s| !s.is_empty()) {
        let f = name_font(&c, family);
        y = field(&mut c, y, column, "Příjmení / Surname(s)", family, f);
    }
    if let Some(given) = name.given.as_deref().filter(|s| !s.is_empty()) {
        let f = name_font(&c, given);
        y = field(&mut c, y, column, "Jméno / Forename(s)", given, f);
    }
    let standard = [name.family_std.as_deref(), name.given_std.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("<<");
    y = field(
        &mut c,
        y,
        column,
        "Standardizované jméno / Standardised name (ICAO 9303)",
        &standard,
        font(Style::Regular, 10.0, INK),
    );
    let dob = if dcc.date_of_birth.is_empty() {
        "neuvedeno / not stated".to_string()
    } else {
        fields::date(&dcc.date_of_birth)
    };
    y = field(
        &mut c,
        y,
        column,
        "Datum narození / Date of birth",
        &dob,
        font(Style::Bold, 12.0, INK),
    );
    y = field(
        &mut c,
        y,
        column,
        "Jedinečný identifikátor certifikátu / Unique certificate identifier",
        &issued.uvci,
        font(Style::Bold, 9.5, INK),
    );

    // The entry, full width.
    y = y.max(qr_bottom) + 5.0;
    let section = match dcc.cert_type() {
        Some(hcert::CertType::Vaccination) => "Údaje o očkování / Vaccination details",
        Some(hcert::CertType::Test) => "Údaje o testu / Test details",
        Some(hcert::CertType::Recovery) => "Údaje o zotavení / Recovery details",
        None => "Údaje / Details",
    };
    c.text(MARGIN, y, font(Style::Bold, 11.0, EU_BLUE), section);
    y += 2.0;
    c.line((MARGIN, y), (RIGHT, y), 0.8, EU_BLUE);
    for row in fields::rows(dcc, names) {
        y = table_row(&mut c, y, &row);
    }

    let footer_top = footer(&mut c, issued);
    if y > footer_top - 3.0 {
        return Err(Error::Render(
            "PDF: the certificate's text does not fit on one page".into(),
        ));
    }

    let created = time::OffsetDateTime::from_unix_timestamp(issued.issued_at)
        .map_err(|e| Error::Render(format!("PDF: issue time: {e}")))?;
    // The same certificate gives the same file: the identifier is a digest of what it holds.
    let digest = {
        use sha2::Digest as _;
        sha2::Sha256::digest(issued.hc1.as_bytes())
    };
    let mut file_id = [0u8; 16];
    file_id.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    c.into_pdf(
        printpdf::PdfDocumentInfo {
            document_title: "Certifikát EU COVID-19 / EU Digital COVID Certificate".into(),
            subject: format!("{title_cs} / {title_en}"),
            author: dcc.entry().map(|e| issuer_of(&e)).unwrap_or_default(),
            creator: "dcc".into(),
            producer: "dcc (printpdf)".into(),
            creation_date: pdf_date(created),
            modification_date: pdf_date(created),
            metadata_date: pdf_date(created),
            ..Default::default()
        },
        file_id,
    )
}

fn issuer_of(e: &hcert::dcc::Entry<'_>) -> String {
    match e {
        hcert::dcc::Entry::Vaccination(v) => v.is.clone(),
        hcert::dcc::Entry::Test(t) => t.is.clone(),
        hcert::dcc::Entry::Recovery(r) => r.is.clone(),
    }
}

fn pdf_date(t: time::OffsetDateTime) -> printpdf::OffsetDateTime {
    printpdf::DateTime {
        date: printpdf::date::Date {
            year: t.year(),
            month: u8::from(t.month()),
            day: t.day(),
        },
        time: printpdf::date::Time {
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
            millisecond: 0,
        },
        offset: printpdf::date::Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    }
}

/// The blue band: the EU emblem, the bilingual title and the issuing country.
fn header(c: &mut Canvas, names: &Names, country: &str) {
    c.rect(0.0, 0.0, PAGE_WIDTH, 30.0, EU_BLUE);
    // Twelve five-pointed stars on a circle, as on the European flag.
    let (cx, cy, radius) = (27.0_f32, 15.0_f32, 9.5_f32);
    for k in 0..12 {
        let a = (k as f32) * std::f32::consts::PI / 6.0;
        star(c, cx + radius * a.cos(), cy + radius * a.sin(), 1.75);
    }
    c.text(
        45.0,
        13.5,
        font(Style::Bold, 19.0, WHITE),
        "Certifikát EU COVID-19",
    );
    c.text(
        45.0,
        21.5,
        font(Style::Regular, 14.0, WHITE),
        "EU Digital COVID Certificate",
    );
    c.text_right(RIGHT, 14.5, font(Style::Bold, 24.0, WHITE), country);
    let label = names.label(Kind::Country, country);
    if label.en != country {
        c.text_right(
            RIGHT,
            21.5,
            font(Style::Regular, 8.5, WHITE),
            &label.bilingual(),
        );
    }
}

fn star(c: &mut Canvas, cx: f32, cy: f32, outer: f32) {
    let inner = outer * 0.382;
    let points = (0..10)
        .map(|k| {
            let a = -std::f32::consts::FRAC_PI_2 + (k as f32) * std::f32::consts::PI / 5.0;
            let r = if k % 2 == 0 { outer } else { inner };
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect();
    c.polygon(points, EU_YELLOW);
}

/// A label over its value, wrapped to `width`; returns where the next field starts.
fn field(c: &mut Canvas, y: f32, width: f32, label: &str, value: &str, value_font: Font) -> f32 {
    let small = font(Style::Regular, 8.0, GREY);
    let mut y = y;
    for line in c.wrap(label, width, small) {
        c.text(MARGIN, y, small, &line);
        y += leading(8.0);
    }
    y += leading(value_font.size) - leading(8.0) + 0.6;
    let lines = c.wrap(value, width, value_font);
    let n = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        c.text(MARGIN, y, value_font, &line);
        if i + 1 < n {
            y += leading(value_font.size);
        }
    }
    y + 6.2
}

/// One row of the entry table: Czech label (bold) over the English one, value to the right,
/// a hairline below. Returns the row's bottom.
fn table_row(c: &mut Canvas, top: f32, row: &fields::Row) -> f32 {
    let label_w = 70.0;
    let value_x = MARGIN + label_w + 4.0;
    let value_w = RIGHT - value_x;
    let cs = font(Style::Bold, 8.5, INK);
    let en = font(Style::Regular, 7.5, GREY);
    let value = font(Style::Regular, 10.5, INK);
    let mut ly = top + 4.4;
    for line in c.wrap(row.cs, label_w, cs) {
        c.text(MARGIN, ly, cs, &line);
        ly += leading(8.5);
    }
    for line in c.wrap(row.en, label_w, en) {
        c.text(MARGIN, ly, en, &line);
        ly += leading(7.5);
    }
    let mut vy = top + 4.7;
    for line in c.wrap(&row.value, value_w, value) {
        c.text(value_x, vy, value, &line);
        vy += leading(10.5);
    }
    let bottom = ly.max(vy) - 0.6;
    c.line((MARGIN, bottom), (RIGHT, bottom), 0.4, RULE);
    bottom
}

/// The EU template's notice, in both languages.
const NOTICE_CS: &str = "Tento certifikát není cestovním dokladem. Vědecké poznatky o očkování \
    proti onemocnění COVID-19, testování a zotavení z něj se stále vyvíjejí, a to i s ohledem na \
    nové znepokojivé varianty viru. Před cestou si ověřte příslušná opatření v oblasti veřejného \
    zdraví a související omezení platná v místě určení.";
const NOTICE_EN: &str = "This certificate is not a travel document. The scientific evidence on \
    COVID-19 vaccination, testing and recovery continues to evolve, also in view of new variants \
    of concern of the virus. Before travelling, please check the applicable public health \
    measures and related restrictions applied at the point of destination.";

/// Issuer, dates and the notice, from the bottom margin up; returns the footer's top.
fn footer(c: &mut Canvas, issued: &Issued) -> f32 {
    let notice = font(Style::Regular, 7.0, GREY);
    let width = RIGHT - MARGIN;
    let cs = c.wrap(NOTICE_CS, width, notice);
    let en = c.wrap(NOTICE_EN, width, notice);
    let lines = cs.len() + en.len();
    let bottom = PAGE_HEIGHT - 12.0;
    let mut y = bottom - (lines as f32 - 1.0) * leading(7.0) - 1.5;
    let notice_top = y;
    for line in &cs {
        c.text(MARGIN, y, notice, line);
        y += leading(7.0);
    }
    y += 1.5;
    for line in &en {
        c.text(MARGIN, y, notice, line);
        y += leading(7.0);
    }

    let label = font(Style::Regular, 8.0, GREY);
    let value = font(Style::Bold, 9.0, INK);
    let authority = issued
        .dcc
        .entry()
        .map(|e| issuer_of(&e))
        .unwrap_or_default();
    let dates_y = notice_top - 7.0;
    let issued_line = format!(
        "Datum vydání / Date of issue: {}     Platnost podpisu do / Signature valid until: {}",
        fields::epoch_date(issued.issued_at),
        fields::epoch_date(issued.expires_at)
    );
    c.text(MARGIN, dates_y, label, &issued_line);
    let prefix = "Vydal / Issued by:  ";
    let px = MARGIN + c.width(prefix, label);
    let authority_lines = c.wrap(&authority, RIGHT - px, value);
    let first = dates_y - leading(9.0) * authority_lines.len() as f32 - 0.8;
    let rule_y = first - 6.0;
    c.text(MARGIN, first, label, prefix);
    for (i, line) in authority_lines.iter().enumerate() {
        c.text(px, first + leading(9.0) * i as f32, value, line);
    }
    c.line((MARGIN, rule_y), (RIGHT, rule_y), 0.8, EU_BLUE);
    rule_y
}

#[cfg(test)]
mod tests;
