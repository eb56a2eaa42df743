//! Test certificates made at test time with rcgen: a CSCA and DSCs of every key kind, with and
//! without the DCC key usage OIDs, plus the vector folder of shared/conformance.
#![allow(dead_code)] // each test target uses a different part

use hcert::crypto::aws_lc::generate_pkcs8;
use hcert::crypto::Algorithm;
use hcert::CertType;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair,
};

/// Where the fetched DCC test vectors live (read at test time, never copied).
pub fn vectors() -> std::path::PathBuf {
    fixtures::conformance().join("dgc/testdata")
}

/// 2021-05-01T00:00:00Z and 2023-05-01T00:00:00Z, the validity of every test DSC.
pub const NOT_BEFORE: i64 = 1_619_827_200;
pub const NOT_AFTER: i64 = 1_682_899_200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    P256,
    P384,
    Ed25519,
    Rsa(usize),
}

impl KeyKind {
    pub fn all() -> [KeyKind; 4] {
        [
            KeyKind::P256,
            KeyKind::P384,
            KeyKind::Ed25519,
            KeyKind::Rsa(2048),
        ]
    }

    /// The hcert algorithm that signs with this key, when the backend can sign with it.
    pub fn algorithm(self) -> Option<Algorithm> {
        match self {
            KeyKind::P256 => Some(Algorithm::Es256),
            KeyKind::P384 => None, // the backends sign ES256 with P-256 only
            KeyKind::Ed25519 => Some(Algorithm::EdDsa),
            KeyKind::Rsa(_) => Some(Algorithm::Ps256),
        }
    }
}

/// A generated key: rcgen's pair plus the PKCS#8 the hcert backends take (when they can).
pub struct Key {
    pub pair: KeyPair,
    pub pkcs8: Vec<u8>,
}

pub fn key(kind: KeyKind) -> Key {
    let pkcs8 = match kind {
        KeyKind::P256 => generate_pkcs8(Algorithm::Es256, 0).unwrap(),
        KeyKind::Ed25519 => generate_pkcs8(Algorithm::EdDsa, 0).unwrap(),
        KeyKind::Rsa(bits) => generate_pkcs8(Algorithm::Ps256, bits).unwrap(),
        KeyKind::P384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
            .unwrap()
            .serialize_der(),
    };
    let pair = KeyPair::try_from(pkcs8.as_slice()).unwrap();
    Key { pair, pkcs8 }
}

/// A country signing CA (P-256).
pub struct Ca {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
}

pub fn ca() -> Ca {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(vec![]).unwrap();
    params.distinguished_name = dn(Some("CZ"), "CZ CSCA test");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    Ca { cert, key }
}

fn dn(country: Option<&str>, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    if let Some(c) = country {
        dn.push(DnType::CountryName, c);
    }
    dn.push(DnType::OrganizationName, "dcc tests");
    dn.push(DnType::CommonName, cn);
    dn
}

/// What a DSC should carry.
pub struct Spec<'a> {
    pub kind: KeyKind,
    pub country: Option<&'a str>,
    pub cn: &'a str,
    pub types: &'a [CertType],
    /// Also list clientAuth in the extended key usage.
    pub other_eku: bool,
    /// Extra raw extensions (OID arcs, DER value), e.g. an empty EKU or `cA FALSE`.
    pub raw_extensions: Vec<(Vec<u64>, Vec<u8>)>,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Spec {
            kind: KeyKind::P256,
            country: Some("CZ"),
            cn: "CZ DSC test",
            types: &[],
            other_eku: false,
            raw_extensions: Vec::new(),
        }
    }
}

/// A DSC issued by `ca`, with its key.
pub struct Issued {
    pub der: Vec<u8>,
    pub pem: String,
    pub key: Key,
}

pub fn dsc(ca: &Ca, spec: &Spec) -> Issued {
    let key = key(spec.kind);
    let mut params = CertificateParams::new(vec![]).unwrap();
    params.distinguished_name = dn(spec.country, spec.cn);
    params.not_before = rcgen::date_time_ymd(2021, 5, 1);
    params.not_after = rcgen::date_time_ymd(2023, 5, 1);
    params.extended_key_usages = spec
        .types
        .iter()
        .map(|t| ExtendedKeyUsagePurpose::Other(trust_list::eku_oid_arcs(*t).to_vec()))
        .collect();
    if spec.other_eku {
        params
            .extended_key_usages
            .push(ExtendedKeyUsagePurpose::ClientAuth);
    }
    params.custom_extensions = spec
        .raw_extensions
        .iter()
        .map(|(oid, value)| CustomExtension::from_oid_content(oid, value.clone()))
        .collect();
    let cert = params.signed_by(&key.pair, &ca.cert, &ca.key).unwrap();
    Issued {
        der: cert.der().to_vec(),
        pem: cert.pem(),
        key,
    }
}

/// A P-256 DSC with default settings and the given name and country.
pub fn simple(ca: &Ca, country: Option<&str>, cn: &str) -> Issued {
    dsc(
        ca,
        &Spec {
            country,
            cn,
            ..Spec::default()
        },
    )
}
