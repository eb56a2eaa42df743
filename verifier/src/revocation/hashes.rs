//! The three revocation hashes of a certificate (EU DCC revocation scheme): the first 16 bytes of
//! SHA-256 over the UCI, over issuer country + UCI, and over the COSE signature (r only for ECDSA).

use hcert::cose::{AlgId, Sign1};
use hcert::schema::{JsonView, ObjectView};
use sha2::{Digest, Sha256};

use super::HashType;

/// A revocation entry: the first 128 bits of a SHA-256 digest.
pub type EntryHash = [u8; 16];

/// The first 16 bytes of SHA-256 over the concatenated parts.
pub fn truncated_sha256(parts: &[&[u8]]) -> EntryHash {
    let mut sha = Sha256::new();
    for part in parts {
        sha.update(part);
    }
    let digest = sha.finalize();
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

/// The certificate's hash of each type; `None` where the certificate lacks the input (no UCI,
/// no CWT issuer, no signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CertHashes {
    /// SHA-256 of the UCI (`ci`) as UTF-8.
    pub uci: Option<EntryHash>,
    /// SHA-256 of the issuer country code followed by the UCI.
    pub country_code_uci: Option<EntryHash>,
    /// SHA-256 of the signature (ECDSA: of r only).
    pub signature: Option<EntryHash>,
}

impl CertHashes {
    /// The hashes from their inputs.
    ///
    /// COUNTRYCODEUCI concatenates the CWT issuer (claim 1, `iss`), not the entry's `co`: the
    /// EU iOS core library (eu-digital-green-certificates/dgca-app-core-ios,
    /// `Sources/Models/HCert.swift`, `countryCodeUvciHash` = SHA-256 of `issCode + uvci`, with
    /// `issCode = body["1"]`), the Corona-Warn-App (corona-warn-app/cwa-app-android,
    /// `RevocationCalculation`: `header.issuer.plus(uniqueCertificateIdentifier)`) and CovPass
    /// (`RevocationValidator.kt`: `covCertificate.issuer + dgcEntry.id`) all take the CWT
    /// issuer. (An early EU Android verifier draft used `co`; the two agree whenever a country
    /// issues for its own territory.) Without an issuer claim there is no COUNTRYCODEUCI hash.
    pub fn compute(
        uci: Option<&str>,
        issuer: Option<&str>,
        alg: Option<&AlgId>,
        signature: &[u8],
    ) -> CertHashes {
        CertHashes::compute_types(uci, issuer, alg, signature, |_| true)
    }

    /// [`CertHashes::compute`] of the types `wanted` names only (`None` for the others).
    fn compute_types(
        uci: Option<&str>,
        issuer: Option<&str>,
        alg: Option<&AlgId>,
        signature: &[u8],
        wanted: impl Fn(HashType) -> bool,
    ) -> CertHashes {
        let uci = uci.filter(|u| !u.is_empty());
        CertHashes {
            uci: uci
                .filter(|_| wanted(HashType::Uci))
                .map(|u| truncated_sha256(&[u.as_bytes()])),
            country_code_uci: uci
                .zip(issuer.filter(|i| !i.is_empty()))
                .filter(|_| wanted(HashType::CountryCodeUci))
                .map(|(u, i)| truncated_sha256(&[i.as_bytes(), u.as_bytes()])),
            signature: (!signature.is_empty() && wanted(HashType::Signature))
                .then(|| truncated_sha256(&[signature_hash_input(alg, signature)])),
        }
    }

    /// The hashes of a decoded certificate: the UCI from the DCC, the issuer from the CWT, the
    /// signature and its algorithm from the COSE_Sign1.
    pub fn of<V: JsonView>(sign1: &Sign1, issuer: Option<&str>, dcc: &V) -> CertHashes {
        CertHashes::of_types(sign1, issuer, dcc, |_| true)
    }

    /// [`CertHashes::of`] of the types `wanted` names only (`None` for the others).
    pub fn of_types<V: JsonView>(
        sign1: &Sign1,
        issuer: Option<&str>,
        dcc: &V,
        wanted: impl Fn(HashType) -> bool,
    ) -> CertHashes {
        CertHashes::compute_types(
            uci_of(dcc),
            issuer,
            sign1.alg_id.as_ref(),
            sign1.signature(),
            wanted,
        )
    }

    /// The hash of one type.
    pub fn get(&self, hash_type: HashType) -> Option<EntryHash> {
        match hash_type {
            HashType::Uci => self.uci,
            HashType::CountryCodeUci => self.country_code_uci,
            HashType::Signature => self.signature,
        }
    }
}

/// The bytes the SIGNATURE hash covers. EU DCC revocation (gateway `RevocationHashTypeDto`, and
/// the EU verifier app's `getDccSignatureSha256` in dgca-verifier-app-android
/// `revocation/.../domain/Util.kt`): for ECDSA only r, the first half of the raw r‖s signature,
/// since s can be negated without invalidating the signature; for RSA-PSS the whole signature.
/// EdDSA is outside the EU specification; its signatures are not malleable, so dcc hashes the
/// whole signature, as for RSA.
pub fn signature_hash_input<'s>(alg: Option<&AlgId>, signature: &'s [u8]) -> &'s [u8] {
    // COSE ECDSA labels: ES256 -7, ES384 -35, ES512 -36.
    let ecdsa = matches!(alg, Some(AlgId::Int(-7 | -35 | -36)));
    if ecdsa {
        signature.get(..signature.len() / 2).unwrap_or(signature)
    } else {
        signature
    }
}

/// The UCI: `ci` of the certificate's entry (the first of `v`, `t` or `r`, in that order; a
/// valid DCC has exactly one).
pub fn uci_of<V: JsonView>(dcc: &V) -> Option<&str> {
    let object = dcc.object()?;
    ["v", "t", "r"]
        .iter()
        .filter_map(|k| object.get(k)?.array()?.first())
        .find_map(|entry| entry.object()?.get("ci")?.text())
}
