//! Display names for the DCC's codes, read from value-set files in the EU format
//! (`{"valueSetId", "valueSetValues": {code: {"display", "display_cs"?}}}`). Pure: it takes the
//! files' bytes; a code missing from its value set shows as the code itself.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Error, Result};

/// Which field's codes a value set names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `tg`: disease or agent targeted.
    Disease,
    /// `vp`: vaccine or prophylaxis.
    VaccineType,
    /// `mp`: vaccine medicinal product.
    Product,
    /// `ma` of a vaccination: marketing authorisation holder or manufacturer.
    Manufacturer,
    /// `tt`: type of test.
    TestType,
    /// `tr`: test result.
    TestResult,
    /// `ma` of a test: rapid antigen test device.
    TestDevice,
    /// `co`: country.
    Country,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 8] = [
        Kind::Disease,
        Kind::VaccineType,
        Kind::Product,
        Kind::Manufacturer,
        Kind::TestType,
        Kind::TestResult,
        Kind::TestDevice,
        Kind::Country,
    ];

    /// The kind a value set is for, from its `valueSetId` (the EU identifiers) or its file name
    /// without `.json` (the EU repository's names).
    pub fn from_id(id: &str) -> Option<Kind> {
        Some(match id {
            "disease-agent-targeted" => Kind::Disease,
            "sct-vaccines-covid-19" | "vaccine-prophylaxis" => Kind::VaccineType,
            "vaccines-covid-19-names" | "vaccine-medicinal-product" => Kind::Product,
            "vaccines-covid-19-auth-holders" | "vaccine-mah-manf" => Kind::Manufacturer,
            "covid-19-lab-test-type" | "test-type" => Kind::TestType,
            "covid-19-lab-result" | "test-result" => Kind::TestResult,
            "covid-19-lab-test-manufacturer-and-name" | "test-manf" | "test-manf-example" => {
                Kind::TestDevice
            }
            "country-2-codes" => Kind::Country,
            _ => return None,
        })
    }
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "valueSetId")]
    id: String,
    #[serde(rename = "valueSetValues")]
    values: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    display: String,
    #[serde(default)]
    display_cs: Option<String>,
}

/// One value set: code → English display name and, where the file has one, the Czech name.
#[derive(Debug, Clone, Default)]
pub struct ValueSet {
    id: String,
    values: BTreeMap<String, (String, Option<String>)>,
}

impl ValueSet {
    /// Parses a value-set file.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let file: File =
            serde_json::from_slice(bytes).map_err(|e| Error::Render(format!("value set: {e}")))?;
        Ok(ValueSet {
            id: file.id,
            values: file
                .values
                .into_iter()
                .map(|(code, e)| (code, (e.display, e.display_cs)))
                .collect(),
        })
    }

    /// The `valueSetId`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the set holds no code.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The codes, in code order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// A code's name in both languages of the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label<'a> {
    /// The English name, or the code itself when the value set lacks it.
    pub en: &'a str,
    /// The Czech name, when the value set has one that differs from the English.
    pub cs: Option<&'a str>,
}

impl Label<'_> {
    /// "Czech / English", or the English alone.
    pub fn bilingual(&self) -> String {
        match self.cs {
            Some(cs) => format!("{cs} / {}", self.en),
            None => self.en.to_string(),
        }
    }
}

/// The value sets the certificate's fields are named from.
#[derive(Debug, Clone, Default)]
pub struct Names {
    sets: BTreeMap<Kind, ValueSet>,
}

impl Names {
    /// No value sets: every code shows as itself.
    pub fn new() -> Self {
        Names::default()
    }

    /// Uses `set` for the codes of `kind`.
    pub fn insert(&mut self, kind: Kind, set: ValueSet) {
        self.sets.insert(kind, set);
    }

    /// Parses value-set files and files each by its `valueSetId`; files of unknown ids are
    /// ignored (the rule engine's value sets may be more than the certificate needs).
    pub fn from_files<'a>(files: impl IntoIterator<Item = &'a [u8]>) -> Result<Self> {
        let mut names = Names::new();
        for bytes in files {
            let set = ValueSet::parse(bytes)?;
            if let Some(kind) = Kind::from_id(&set.id) {
                names.insert(kind, set);
            }
        }
        Ok(names)
    }

    /// The value set in use for `kind`, if any.
    pub fn set(&self, kind: Kind) -> Option<&ValueSet> {
        self.sets.get(&kind)
    }

    /// Whether `code` is in the value set of `kind`; `None` when no set of that kind is loaded.
    pub fn contains(&self, kind: Kind, code: &str) -> Option<bool> {
        self.sets.get(&kind).map(|s| s.values.contains_key(code))
    }

    /// The name of `code` in the value set of `kind`, or the code itself.
    pub fn label<'a>(&'a self, kind: Kind, code: &'a str) -> Label<'a> {
        match self.sets.get(&kind).and_then(|s| s.values.get(code)) {
            Some((en, cs)) => Label {
                en,
                cs: cs.as_deref().filter(|cs| !cs.is_empty() && *cs != en),
            },
            None => Label { en: code, cs: None },
        }
    }

    /// The project's own value sets, compiled in.
    pub fn embedded() -> &'static Names {
        static NAMES: std::sync::OnceLock<Names> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            // The files are the project's own (valuesets/); a file that fails to parse leaves its
            // codes unnamed rather than failing every certificate: the unit tests parse each.
            let mut names = Names::new();
            for (kind, text) in EMBEDDED {
                if let Ok(set) = ValueSet::parse(text.as_bytes()) {
                    names.insert(*kind, set);
                }
            }
            names
        })
    }
}

/// The project's value-set files (valuesets/), by the field they name.
pub(crate) const EMBEDDED: &[(Kind, &str)] = &[
    (
        Kind::Disease,
        include_str!("../../valuesets/disease-agent-targeted.json"),
    ),
    (
        Kind::VaccineType,
        include_str!("../../valuesets/vaccine-prophylaxis.json"),
    ),
    (
        Kind::Product,
        include_str!("../../valuesets/vaccine-medicinal-product.json"),
    ),
    (
        Kind::Manufacturer,
        include_str!("../../valuesets/vaccine-mah-manf.json"),
    ),
    (
        Kind::TestType,
        include_str!("../../valuesets/covid-19-lab-test-type.json"),
    ),
    (
        Kind::TestResult,
        include_str!("../../valuesets/covid-19-lab-result.json"),
    ),
    (
        Kind::TestDevice,
        include_str!("../../valuesets/covid-19-lab-test-manufacturer-and-name.json"),
    ),
    (
        Kind::Country,
        include_str!("../../valuesets/country-2-codes.json"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTS: &str = r#"{"valueSetId": "vaccines-covid-19-names", "valueSetDate": "2022-11-30",
        "valueSetValues": {
          "EU/1/20/1528": {"display": "Comirnaty", "lang": "en", "active": true},
          "X": {"display": "Same", "display_cs": "Same"}}}"#;
    const COUNTRIES: &str = r#"{"valueSetId": "country-2-codes",
        "valueSetValues": {"CZ": {"display": "Czechia", "display_cs": "Česko"}}}"#;

    #[test]
    fn names_codes_and_falls_back_to_the_code() {
        let names = Names::from_files([PRODUCTS.as_bytes(), COUNTRIES.as_bytes()]).unwrap();
        let comirnaty = names.label(Kind::Product, "EU/1/20/1528");
        assert_eq!(
            comirnaty,
            Label {
                en: "Comirnaty",
                cs: None
            }
        );
        assert_eq!(comirnaty.bilingual(), "Comirnaty");
        let cz = names.label(Kind::Country, "CZ");
        assert_eq!(cz.bilingual(), "Česko / Czechia");
        // A Czech name equal to the English one is not repeated.
        assert_eq!(names.label(Kind::Product, "X").bilingual(), "Same");
        // Unknown code, unknown set: the code itself.
        assert_eq!(
            names.label(Kind::Product, "EU/9/99/9999").en,
            "EU/9/99/9999"
        );
        assert_eq!(names.label(Kind::TestType, "LP6464-4").en, "LP6464-4");
    }

    #[test]
    fn rejects_a_file_that_is_not_a_value_set() {
        let err = ValueSet::parse(b"{\"valueSetValues\": {}}").unwrap_err();
        assert!(err.to_string().contains("valueSetId"), "{err}");
    }

    #[test]
    fn every_embedded_file_parses_and_names_its_kind() {
        for (kind, text) in EMBEDDED {
            let set = ValueSet::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(!set.is_empty(), "{kind:?} is empty");
            assert!(Names::embedded().set(*kind).is_some(), "{kind:?}");
        }
    }
}
