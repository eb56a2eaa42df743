//! Development keys: a CSCA and a DSC (KeyUsage digitalSignature, the DCC extended-key-usage
//! OIDs when the types are restricted, a private-key usage period), and a trust-list CA with the
//! trust-list signer it issues (id-kp-documentSigning), generated with `rcgen`.

use hcert::crypto::Algorithm;
use hcert::CertType;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, RsaKeySize, SignatureAlgorithm,
};
use time::{Duration, OffsetDateTime};
use trust_list::UsagePeriod;

use crate::{Error, Result};

/// The DCC extended key usage OID arcs of each type (1.3.6.1.4.1.1847.2021.1.x).
fn eku_oid(t: CertType) -> Vec<u64> {
    let last = match t {
        CertType::Test => 1,
        CertType::Vaccination => 2,
        CertType::Recovery => 3,
    };
    vec![1, 3, 6, 1, 4, 1, 1847, 2021, 1, last]
}

/// A generated key and certificate, PEM-encoded.
pub struct Generated {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated").finish_non_exhaustive()
    }
}

/// What `dcc keys generate` writes.
#[derive(Debug)]
pub struct DevKeys {
    /// Country signing CA (self-signed, P-256).
    pub csca: Generated,
    /// Document signer certificate, signed by the CSCA.
    pub dsc: Generated,
    /// Trust-list signing certificate (ES256), issued by `trust_list_ca`: extended key usage
    /// id-kp-documentSigning only, no DCC OIDs.
    pub trust_list: Generated,
    /// The CA of trust-list signers (self-signed, P-256), apart from the CSCA so that no DSC
    /// can pass for a list signer; readers trust it with `--trust-list-ca`, which lets the
    /// signer be renewed without every reader changing its pin.
    pub trust_list_ca: Generated,
}

/// Options for [`generate`].
#[derive(Debug, Clone)]
pub struct KeyOptions {
    /// DSC algorithm.
    pub alg: Algorithm,
    /// RSA modulus size for PS256.
    pub rsa_bits: usize,
    /// Types the DSC may sign; empty = unrestricted (no DCC OIDs).
    pub types: Vec<CertType>,
    /// Country code in the subjects.
    pub country: String,
    /// Validity start.
    pub now: OffsetDateTime,
    /// DSC validity in days.
    pub dsc_days: i64,
    /// Days the DSC's key may sign, from its notBefore (at most `dsc_days`), written as its
    /// PrivateKeyUsagePeriod: the issuer refuses to sign outside it (SECURITY.md 42). The EU
    /// practice is about six months of signing ([`EU_USAGE_DAYS`]) within a validity long enough
    /// for the last certificate signed to expire (a year more).
    pub usage_days: i64,
}

/// About six months: the DSC usage period of the EU DCC governance, `dcc keys generate`'s
/// default.
pub const EU_USAGE_DAYS: i64 = 183;

/// The PrivateKeyUsagePeriod extension (2.5.29.16, not critical) for `from..=until`, Unix
/// seconds.
pub fn usage_period_extension(from: i64, until: i64) -> Result<CustomExtension> {
    let value = UsagePeriod {
        not_before: Some(from),
        not_after: Some(until),
    }
    .to_der()?;
    Ok(CustomExtension::from_oid_content(
        trust_list::ARCS_PRIVATE_KEY_USAGE_PERIOD,
        value,
    ))
}

fn gen_err(e: impl std::fmt::Display) -> Error {
    Error::Generate(e.to_string())
}

fn key_for(alg: Algorithm, rsa_bits: usize) -> Result<KeyPair> {
    match alg {
        Algorithm::Es256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err),
        Algorithm::EdDsa => KeyPair::generate_for(&rcgen::PKCS_ED25519).map_err(gen_err),
        Algorithm::Ps256 => {
            let size = match rsa_bits {
                2048 => RsaKeySize::_2048,
                3072 => RsaKeySize::_3072,
                4096 => RsaKeySize::_4096,
                other => {
                    return Err(Error::Generate(format!(
                        "RSA key size {other} (choose 2048, 3072 or 4096)"
                    )))
                }
            };
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size).map_err(gen_err)
        }
    }
}

fn name(country: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, country);
    dn.push(DnType::OrganizationName, "dcc development");
    dn.push(DnType::CommonName, cn);
    dn
}

fn params(country: &str, cn: &str, from: OffsetDateTime, days: i64) -> Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
    p.distinguished_name = name(country, cn);
    p.not_before = from;
    p.not_after = from + Duration::days(days);
    Ok(p)
}

fn generated(cert: &rcgen::Certificate, key: &KeyPair) -> Generated {
    Generated {
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
        key_pem: key.serialize_pem(),
    }
}

/// The parameters of the DSC of `opts` (its key and CSCA sign them): valid from an hour before
/// `opts.now` for `dsc_days`, KeyUsage digitalSignature, the DCC EKUs of `opts.types` (none when
/// unrestricted), a PrivateKeyUsagePeriod of `usage_days`, an authority key identifier. Shared
/// with the hsm crate, whose DSC keys stay in a token (`rsa_bits` is not used here).
pub fn dsc_params(opts: &KeyOptions) -> Result<CertificateParams> {
    let from = opts.now - Duration::hours(1);
    let mut dsc_params = params(
        &opts.country,
        &format!("dcc development DSC {}", opts.alg),
        from,
        opts.dsc_days,
    )?;
    if opts.usage_days < 1 {
        return Err(Error::Generate(format!(
            "the DSC usage period of {} days is not positive",
            opts.usage_days
        )));
    }
    let usage_until = from + Duration::days(opts.usage_days.min(opts.dsc_days));
    dsc_params.custom_extensions = vec![usage_period_extension(
        from.unix_timestamp(),
        usage_until.unix_timestamp(),
    )?];
    dsc_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // rcgen 0.13 writes no extensions at all (KeyUsage included) unless one of a few others is
    // asked for; the authority key identifier is one, and belongs in a DSC anyway.
    dsc_params.use_authority_key_identifier_extension = true;
    dsc_params.extended_key_usages = opts
        .types
        .iter()
        .map(|t| ExtendedKeyUsagePurpose::Other(eku_oid(*t)))
        .collect();
    Ok(dsc_params)
}

/// Generates a development CSCA, DSC, trust-list CA and trust-list signer.
pub fn generate(opts: &KeyOptions) -> Result<DevKeys> {
    let from = opts.now - Duration::hours(1);
    let csca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err)?;
    let mut csca_params = params(&opts.country, "dcc development CSCA", from, 3650)?;
    csca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    csca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let csca = csca_params.self_signed(&csca_key).map_err(gen_err)?;

    let dsc_params = dsc_params(opts)?;
    let dsc_key = key_for(opts.alg, opts.rsa_bits)?;
    let dsc = dsc_params
        .signed_by(&dsc_key, &csca, &csca_key)
        .map_err(gen_err)?;

    let (tl_ca, tl_ca_key) = trust_list_ca(&opts.country, from)?;
    let (tl, tl_key) = trust_list_signer(&opts.country, from, &tl_ca, &tl_ca_key)?;

    Ok(DevKeys {
        csca: generated(&csca, &csca_key),
        dsc: generated(&dsc, &dsc_key),
        trust_list: generated(&tl, &tl_key),
        trust_list_ca: generated(&tl_ca, &tl_ca_key),
    })
}

/// Days the development trust-list CA and its signer are valid.
const TRUST_LIST_DAYS: i64 = 3650;

/// A self-signed P-256 CA for trust-list signers, valid from `from`, issuing end entities only.
fn trust_list_ca(country: &str, from: OffsetDateTime) -> Result<(rcgen::Certificate, KeyPair)> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err)?;
    let mut p = params(
        country,
        "dcc development trust-list CA",
        from,
        TRUST_LIST_DAYS,
    )?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = p.self_signed(&key).map_err(gen_err)?;
    Ok((cert, key))
}

/// A P-256 trust-list signer issued by `ca`: KeyUsage digitalSignature, extended key usage
/// id-kp-documentSigning (RFC 9336) and none of the DCC OIDs, so verifiers trusting the CA
/// accept it for lists and never for certificates.
fn trust_list_signer(
    country: &str,
    from: OffsetDateTime,
    ca: &rcgen::Certificate,
    ca_key: &KeyPair,
) -> Result<(rcgen::Certificate, KeyPair)> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err)?;
    let mut p = params(
        country,
        "dcc development trust list signer",
        from,
        TRUST_LIST_DAYS,
    )?;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(
        trust_list::ARCS_DOCUMENT_SIGNING.to_vec(),
    )];
    p.use_authority_key_identifier_extension = true;
    let cert = p.signed_by(&key, ca, ca_key).map_err(gen_err)?;
    Ok((cert, key))
}

/// The rcgen algorithm of a DSC algorithm (for callers that sign certificates themselves).
pub fn rcgen_algorithm(alg: Algorithm) -> &'static SignatureAlgorithm {
    match alg {
        Algorithm::Es256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::Ps256 => &rcgen::PKCS_RSA_SHA256,
        Algorithm::EdDsa => &rcgen::PKCS_ED25519,
    }
}
