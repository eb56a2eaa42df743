//! The DCC payload as typed structs (schema 1.0.0–1.3.x) for the issuer and for reading fields
//! once the schema check passed. Spec names stay on the wire; Rust names read as English.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::CertType;

/// A Digital COVID Certificate: version, name, date of birth and exactly one entry.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Dcc {
    /// Schema version, e.g. "1.3.0".
    pub ver: String,
    /// The holder's name.
    #[serde(rename = "nam")]
    pub name: Name,
    /// Date of birth: `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or empty (1.3.0+).
    #[serde(rename = "dob")]
    pub date_of_birth: String,
    /// Vaccination entries.
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub vaccinations: Option<Vec<Vaccination>>,
    /// Test entries.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<Vec<Test>>,
    /// Recovery entries.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub recoveries: Option<Vec<Recovery>>,
}

impl fmt::Debug for Dcc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and dates of birth are personal data: kept out of Debug prints and logs.
        f.debug_struct("Dcc")
            .field("ver", &self.ver)
            .field("type", &self.cert_type())
            .finish_non_exhaustive()
    }
}

/// The holder's name, as written and as ICAO 9303 transliteration.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Name {
    /// Family name(s).
    #[serde(rename = "fn", default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Family name, transliterated (A–Z and `<`).
    #[serde(rename = "fnt", default, skip_serializing_if = "Option::is_none")]
    pub family_std: Option<String>,
    /// Given name(s).
    #[serde(rename = "gn", default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// Given name, transliterated.
    #[serde(rename = "gnt", default, skip_serializing_if = "Option::is_none")]
    pub given_std: Option<String>,
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Name(..)")
    }
}

/// A vaccination entry (`v`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vaccination {
    /// Disease targeted (value set disease-agent-targeted).
    pub tg: String,
    /// Vaccine or prophylaxis (vaccine-prophylaxis).
    pub vp: String,
    /// Vaccine product (vaccine-medicinal-product).
    pub mp: String,
    /// Marketing authorisation holder or manufacturer (vaccine-mah-manf).
    pub ma: String,
    /// Dose number.
    pub dn: u32,
    /// Total series of doses.
    pub sd: u32,
    /// Date of vaccination, `YYYY-MM-DD`.
    pub dt: String,
    /// Country of vaccination.
    pub co: String,
    /// Certificate issuer.
    pub is: String,
    /// UVCI.
    pub ci: String,
}

/// A test entry (`t`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Test {
    /// Disease targeted.
    pub tg: String,
    /// Type of test (test-type).
    pub tt: String,
    /// NAA test name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nm: Option<String>,
    /// RAT device identifier (test-manf).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ma: Option<String>,
    /// Date and time of sample collection (RFC 3339).
    pub sc: String,
    /// Date and time of the result (schema 1.0.x only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dr: Option<String>,
    /// Test result (test-result).
    pub tr: String,
    /// Testing centre or facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tc: Option<String>,
    /// Country of test.
    pub co: String,
    /// Certificate issuer.
    pub is: String,
    /// UVCI.
    pub ci: String,
}

/// A recovery entry (`r`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// Disease recovered from.
    pub tg: String,
    /// Date of the first positive NAA test, `YYYY-MM-DD`.
    pub fr: String,
    /// Country of test.
    pub co: String,
    /// Certificate issuer.
    pub is: String,
    /// Valid from, `YYYY-MM-DD`.
    pub df: String,
    /// Valid until, `YYYY-MM-DD`.
    pub du: String,
    /// UVCI.
    pub ci: String,
}

/// One entry of whichever type the DCC holds.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// A vaccination.
    Vaccination(&'a Vaccination),
    /// A test.
    Test(&'a Test),
    /// A recovery.
    Recovery(&'a Recovery),
}

impl Entry<'_> {
    /// The entry's UVCI.
    pub fn uvci(&self) -> &str {
        match self {
            Entry::Vaccination(v) => &v.ci,
            Entry::Test(t) => &t.ci,
            Entry::Recovery(r) => &r.ci,
        }
    }
}

impl Dcc {
    /// The type, when exactly one group is present.
    pub fn cert_type(&self) -> Option<CertType> {
        match (&self.vaccinations, &self.tests, &self.recoveries) {
            (Some(_), None, None) => Some(CertType::Vaccination),
            (None, Some(_), None) => Some(CertType::Test),
            (None, None, Some(_)) => Some(CertType::Recovery),
            _ => None,
        }
    }

    /// The single entry, when there is exactly one group with exactly one entry.
    pub fn entry(&self) -> Option<Entry<'_>> {
        fn one<T>(v: &Option<Vec<T>>) -> Option<&T> {
            match v.as_deref() {
                Some([only]) => Some(only),
                _ => None,
            }
        }
        match self.cert_type()? {
            CertType::Vaccination => one(&self.vaccinations).map(Entry::Vaccination),
            CertType::Test => one(&self.tests).map(Entry::Test),
            CertType::Recovery => one(&self.recoveries).map(Entry::Recovery),
        }
    }

    /// The UVCI of the single entry.
    pub fn uvci(&self) -> Option<&str> {
        self.entry().map(|e| match e {
            Entry::Vaccination(v) => v.ci.as_str(),
            Entry::Test(t) => t.ci.as_str(),
            Entry::Recovery(r) => r.ci.as_str(),
        })
    }

    /// Mutable access to the single entry's UVCI, for the issuer to fill in.
    pub fn uvci_mut(&mut self) -> Option<&mut String> {
        if let Some([v]) = self.vaccinations.as_deref_mut() {
            return Some(&mut v.ci);
        }
        if let Some([t]) = self.tests.as_deref_mut() {
            return Some(&mut t.ci);
        }
        if let Some([r]) = self.recoveries.as_deref_mut() {
            return Some(&mut r.ci);
        }
        None
    }
}
