//! Which certificate types a DSC may sign, from its extended key usage (hcert spec §5.1.1:
//! only the DCC OIDs restrict; a DSC without them may sign every type).

use std::fmt;

use hcert::CertType;

use crate::der;

/// DCC extended key usage OID: the DSC may sign test certificates.
pub const OID_TEST: &str = "1.3.6.1.4.1.1847.2021.1.1";
/// DCC extended key usage OID: the DSC may sign vaccination certificates.
pub const OID_VACCINATION: &str = "1.3.6.1.4.1.1847.2021.1.2";
/// DCC extended key usage OID: the DSC may sign recovery certificates.
pub const OID_RECOVERY: &str = "1.3.6.1.4.1.1847.2021.1.3";

const ARCS_TEST: &[u64] = &[1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1];
const ARCS_VACCINATION: &[u64] = &[1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2];
const ARCS_RECOVERY: &[u64] = &[1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3];

/// DER contents of 1.3.6.1.4.1.1847.2021.1 (the current DCC arc) and of the legacy
/// 1.3.6.1.4.1.0.1847.2021.1 that early specification drafts printed and some countries
/// (DK, NL) still issue; the last byte (1, 2, 3) names the type.
const PREFIX: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x8e, 0x37, 0x8f, 0x65, 0x01];
const PREFIX_LEGACY: &[u8] = &[
    0x2b, 0x06, 0x01, 0x04, 0x01, 0x00, 0x8e, 0x37, 0x8f, 0x65, 0x01,
];

/// The arcs of the DCC key usage OID for `t`, in the shape certificate builders take
/// (`rcgen::ExtendedKeyUsagePurpose::Other`), so `dcc keys generate --types` can restrict a DSC.
pub fn eku_oid_arcs(t: CertType) -> &'static [u64] {
    match t {
        CertType::Test => ARCS_TEST,
        CertType::Vaccination => ARCS_VACCINATION,
        CertType::Recovery => ARCS_RECOVERY,
    }
}

/// The certificate types a DSC may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyUsage {
    restricted: bool,
    vaccination: bool,
    test: bool,
    recovery: bool,
}

impl Default for KeyUsage {
    fn default() -> Self {
        KeyUsage::UNRESTRICTED
    }
}

impl KeyUsage {
    /// No DCC key usage OIDs: every type may be signed.
    pub const UNRESTRICTED: KeyUsage = KeyUsage {
        restricted: false,
        vaccination: true,
        test: true,
        recovery: true,
    };

    /// Restricted to `types` (as a DSC whose extended key usage lists their OIDs).
    pub fn only(types: &[CertType]) -> KeyUsage {
        let mut usage = KeyUsage {
            restricted: true,
            vaccination: false,
            test: false,
            recovery: false,
        };
        for t in types {
            usage.grant(*t);
        }
        usage
    }

    fn grant(&mut self, t: CertType) {
        match t {
            CertType::Vaccination => self.vaccination = true,
            CertType::Test => self.test = true,
            CertType::Recovery => self.recovery = true,
        }
    }

    /// From the extended key usage OIDs of a certificate (DER contents of each OID, every
    /// EKU extension together). Only the DCC OIDs restrict; others are ignored.
    pub fn from_eku_oids<'a>(oids: impl IntoIterator<Item = &'a [u8]>) -> KeyUsage {
        let types: Vec<CertType> = oids.into_iter().filter_map(dcc_type).collect();
        if types.is_empty() {
            KeyUsage::UNRESTRICTED
        } else {
            KeyUsage::only(&types)
        }
    }

    /// The OIDs (DER contents) in a raw extended key usage extension value, read leniently:
    /// an empty or truncated SEQUENCE yields what could be read, which may be nothing.
    pub(crate) fn raw_eku_oids(value: &[u8]) -> Vec<&[u8]> {
        let contents = match der::read_tlv(value) {
            Some((der::TAG_SEQUENCE, contents, _)) => contents,
            // A value that is not a readable SEQUENCE: take the OIDs wherever they start.
            _ => value.get(2..).unwrap_or(&[]),
        };
        der::elements(contents)
            .filter(|(tag, _)| *tag == der::TAG_OID)
            .map(|(_, oid)| oid)
            .collect()
    }

    /// Whether any DCC OID restricts this DSC.
    pub fn is_restricted(&self) -> bool {
        self.restricted
    }

    /// Whether the DSC may sign certificates of type `t`.
    pub fn allows(&self, t: CertType) -> bool {
        match t {
            CertType::Vaccination => self.vaccination,
            CertType::Test => self.test,
            CertType::Recovery => self.recovery,
        }
    }

    /// The types the DSC may sign, in the order vaccination, test, recovery.
    pub fn allowed_types(&self) -> Vec<CertType> {
        [CertType::Vaccination, CertType::Test, CertType::Recovery]
            .into_iter()
            .filter(|t| self.allows(*t))
            .collect()
    }

    /// A sentence for people: "may sign test certificates only".
    pub fn describe(&self) -> String {
        if !self.restricted {
            return "may sign every certificate type (no DCC key usage OIDs)".to_string();
        }
        let names: Vec<&str> = self.allowed_types().iter().map(|t| t.name()).collect();
        match names.as_slice() {
            [] => "may sign no certificate type".to_string(),
            [one] => format!("may sign {one} certificates only"),
            [a, b] => format!("may sign {a} and {b} certificates only"),
            _ => "may sign every certificate type (all three DCC key usage OIDs)".to_string(),
        }
    }
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The dotted form of a DCC key usage OID (DER contents), current or legacy arc, with the
/// type it grants ("1.3.6.1.4.1.1847.2021.1.2 (vaccination)"); `None` for any other OID. Errors
/// name the OID exactly as the certificate carries it.
pub(crate) fn dcc_oid_name(oid: &[u8]) -> Option<String> {
    let t = dcc_type(oid)?;
    let arc = if oid.starts_with(PREFIX_LEGACY) {
        "1.3.6.1.4.1.0.1847.2021.1"
    } else {
        "1.3.6.1.4.1.1847.2021.1"
    };
    let last = match t {
        CertType::Test => 1,
        CertType::Vaccination => 2,
        CertType::Recovery => 3,
    };
    Some(format!("{arc}.{last} ({})", t.name()))
}

/// The type a DCC key usage OID (DER contents) grants, current or legacy arc.
fn dcc_type(oid: &[u8]) -> Option<CertType> {
    let last = oid
        .strip_prefix(PREFIX)
        .or_else(|| oid.strip_prefix(PREFIX_LEGACY))?;
    match last {
        [1] => Some(CertType::Test),
        [2] => Some(CertType::Vaccination),
        [3] => Some(CertType::Recovery),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(arcs: &[u64]) -> Vec<u8> {
        der::encode_oid(arcs)
    }

    #[test]
    fn constants_match_the_dotted_oids() {
        for (t, dotted) in [
            (CertType::Test, OID_TEST),
            (CertType::Vaccination, OID_VACCINATION),
            (CertType::Recovery, OID_RECOVERY),
        ] {
            let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
            assert_eq!(eku_oid_arcs(t), arcs.as_slice());
            assert_eq!(dcc_type(&oid(&arcs)), Some(t), "{dotted}");
            let mut legacy = arcs.clone();
            legacy.insert(6, 0);
            assert_eq!(dcc_type(&oid(&legacy)), Some(t), "legacy {dotted}");
        }
        assert_eq!(dcc_type(&oid(&[1, 3, 6, 1, 4, 1, 1847, 2021, 1, 4])), None);
        assert_eq!(
            dcc_oid_name(&oid(ARCS_VACCINATION)).as_deref(),
            Some("1.3.6.1.4.1.1847.2021.1.2 (vaccination)")
        );
        assert_eq!(
            dcc_oid_name(&oid(&[1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 1])).as_deref(),
            Some("1.3.6.1.4.1.0.1847.2021.1.1 (test)")
        );
        assert_eq!(dcc_oid_name(&oid(&[1, 3, 6, 1, 5, 5, 7, 3, 36])), None);
        assert_eq!(dcc_type(&oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2])), None);
    }

    #[test]
    fn only_dcc_oids_restrict() {
        let client_auth = oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]);
        let test = oid(ARCS_TEST);
        assert_eq!(KeyUsage::from_eku_oids([]), KeyUsage::UNRESTRICTED);
        assert_eq!(
            KeyUsage::from_eku_oids([client_auth.as_slice()]),
            KeyUsage::UNRESTRICTED
        );
        let u = KeyUsage::from_eku_oids([client_auth.as_slice(), test.as_slice()]);
        assert!(u.is_restricted());
        assert!(u.allows(CertType::Test));
        assert!(!u.allows(CertType::Vaccination));
        assert!(!u.allows(CertType::Recovery));
        assert_eq!(u.describe(), "may sign test certificates only");
    }

    #[test]
    fn reads_raw_values_leniently() {
        assert!(KeyUsage::raw_eku_oids(&[0x30, 0x00]).is_empty());
        assert!(KeyUsage::raw_eku_oids(&[]).is_empty());
        let test = oid(ARCS_TEST);
        let mut value = vec![0x30, (test.len() + 2) as u8, 0x06, test.len() as u8];
        value.extend(&test);
        assert_eq!(KeyUsage::raw_eku_oids(&value), vec![test.as_slice()]);
        // Truncated outer length: the OIDs are still found.
        value[1] = 0x7f;
        assert_eq!(KeyUsage::raw_eku_oids(&value), vec![test.as_slice()]);
    }

    #[test]
    fn descriptions() {
        use CertType::*;
        assert_eq!(
            KeyUsage::only(&[Vaccination, Recovery]).describe(),
            "may sign vaccination and recovery certificates only"
        );
        assert!(KeyUsage::only(&[Vaccination, Test, Recovery])
            .describe()
            .contains("every"));
        assert!(KeyUsage::UNRESTRICTED.describe().contains("no DCC"));
    }
}
