//! What the certificate says, in words: the type's title and one row per field of the entry,
//! each with its Czech and English label (the wording of the EU certificate template).

use hcert::dcc::{Dcc, Entry, Recovery, Test, Vaccination};
use time::OffsetDateTime;

use crate::names::{Kind, Names};

/// A labelled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub cs: &'static str,
    pub en: &'static str,
    pub value: String,
}

fn row(cs: &'static str, en: &'static str, value: impl Into<String>) -> Row {
    Row {
        cs,
        en,
        value: value.into(),
    }
}

/// The title of the certificate type: (Czech, English).
pub(crate) fn title(dcc: &Dcc) -> (&'static str, &'static str) {
    match dcc.entry() {
        Some(Entry::Vaccination(_)) => ("Certifikát o očkování", "Vaccination certificate"),
        Some(Entry::Test(_)) => ("Certifikát o testu", "Test certificate"),
        Some(Entry::Recovery(_)) => ("Certifikát o zotavení", "Certificate of recovery"),
        None => ("Certifikát", "Certificate"),
    }
}

/// The rows of the entry, in the template's order.
pub(crate) fn rows(dcc: &Dcc, names: &Names) -> Vec<Row> {
    match dcc.entry() {
        Some(Entry::Vaccination(v)) => vaccination(v, names),
        Some(Entry::Test(t)) => test(t, names),
        Some(Entry::Recovery(r)) => recovery(r, names),
        None => Vec::new(),
    }
}

fn disease(tg: &str, names: &Names) -> Row {
    row(
        "Onemocnění nebo původce",
        "Disease or agent targeted",
        names.label(Kind::Disease, tg).bilingual(),
    )
}

fn country(co: &str, names: &Names) -> String {
    let label = names.label(Kind::Country, co);
    if label.en == co {
        co.to_string()
    } else {
        format!("{} ({co})", label.bilingual())
    }
}

fn issuer(is: &str) -> Row {
    row("Vydavatel certifikátu", "Certificate issuer", is)
}

fn vaccination(v: &Vaccination, names: &Names) -> Vec<Row> {
    vec![
        disease(&v.tg, names),
        row(
            "Typ vakcíny",
            "Vaccine or prophylaxis",
            names.label(Kind::VaccineType, &v.vp).bilingual(),
        ),
        row(
            "Očkovací látka",
            "Vaccine medicinal product",
            names.label(Kind::Product, &v.mp).bilingual(),
        ),
        row(
            "Výrobce nebo držitel registrace",
            "Vaccine marketing authorisation holder or manufacturer",
            names.label(Kind::Manufacturer, &v.ma).bilingual(),
        ),
        row(
            "Číslo dávky / celkový počet dávek",
            "Dose number / total number of doses",
            format!("{} / {}", v.dn, v.sd),
        ),
        row("Datum očkování", "Date of vaccination", date(&v.dt)),
        row(
            "Stát očkování",
            "Member State or third country in which the vaccine was administered",
            country(&v.co, names),
        ),
        issuer(&v.is),
    ]
}

fn test(t: &Test, names: &Names) -> Vec<Row> {
    let mut rows = vec![
        disease(&t.tg, names),
        row(
            "Typ testu",
            "Type of test",
            names.label(Kind::TestType, &t.tt).bilingual(),
        ),
    ];
    if let Some(nm) = t.nm.as_deref().filter(|s| !s.is_empty()) {
        rows.push(row("Název testu", "Test name", nm));
    }
    if let Some(ma) = t.ma.as_deref().filter(|s| !s.is_empty()) {
        rows.push(row(
            "Výrobce testu",
            "Test manufacturer",
            names.label(Kind::TestDevice, ma).bilingual(),
        ));
    }
    rows.push(row(
        "Datum a čas odběru vzorku",
        "Date and time of the test sample collection",
        date_time(&t.sc),
    ));
    rows.push(row(
        "Výsledek testu",
        "Result of the test",
        names.label(Kind::TestResult, &t.tr).bilingual(),
    ));
    if let Some(tc) = t.tc.as_deref().filter(|s| !s.is_empty()) {
        rows.push(row(
            "Testovací centrum nebo zařízení",
            "Testing centre or facility",
            tc,
        ));
    }
    rows.push(row(
        "Stát testu",
        "Member State or third country in which the test was carried out",
        country(&t.co, names),
    ));
    rows.push(issuer(&t.is));
    rows
}

fn recovery(r: &Recovery, names: &Names) -> Vec<Row> {
    vec![
        disease(&r.tg, names),
        row(
            "Datum prvního pozitivního výsledku testu",
            "Date of first positive NAAT test result",
            date(&r.fr),
        ),
        row(
            "Stát testu",
            "Member State or third country in which the test was carried out",
            country(&r.co, names),
        ),
        row("Platnost od", "Certificate valid from", date(&r.df)),
        row("Platnost do", "Certificate valid until", date(&r.du)),
        issuer(&r.is),
    ]
}

/// A date as written in the DCC (ISO 8601, unambiguous in both languages); a date-time keeps
/// only its date.
pub(crate) fn date(s: &str) -> String {
    s.get(..10)
        .filter(|d| d.len() == 10 && s.len() > 10)
        .unwrap_or(s)
        .to_string()
}

/// An RFC 3339 instant shown in UTC to the minute, saying so.
pub(crate) fn date_time(s: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&fmt).ok())
        .unwrap_or_else(|| s.to_string())
}

/// Seconds since the epoch as a UTC date.
pub(crate) fn epoch_date(t: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_the_same_in_both_languages() {
        assert_eq!(date("2021-06-01"), "2021-06-01");
        assert_eq!(date("1980-05"), "1980-05");
        assert_eq!(date("1975"), "1975");
        assert_eq!(date("2021-06-01T00:00:00Z"), "2021-06-01");
        assert_eq!(
            date_time("2021-06-01T10:15:00+02:00"),
            "2021-06-01 08:15 UTC"
        );
        assert_eq!(date_time("not a time"), "not a time");
        assert_eq!(epoch_date(1_622_628_000), "2021-06-02");
    }
}
