//! The user certificate's path to a trusted CA: rustls-webpki builds and checks it; this file adds
//! what webpki leaves out (keyUsage, the depth limit, the trust anchor's validity and path length)
//! and hands webpki's refusals to `refusal.rs`, which names the certificate concerned.

use std::cell::RefCell;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::aws_lc_rs as alg;
use webpki::{
    EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter, KeyUsage,
    RequiredEkuNotFoundContext, VerifiedPath,
};

use super::{refusal, CertRegError, Parsed, MAX_CHAIN_DEPTH};

/// The algorithms a certificate of the chain may be signed with: RSA PKCS#1 v1.5 and RSA-PSS with
/// SHA-256/384/512 (2048 to 8192 bits), ECDSA P-256/P-384 with SHA-256/384, Ed25519. The set
/// this module always accepted, not webpki's whole list (no P-521, no ML-DSA).
pub(super) static CERTIFICATE_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    alg::ECDSA_P256_SHA256,
    alg::ECDSA_P256_SHA384,
    alg::ECDSA_P384_SHA256,
    alg::ECDSA_P384_SHA384,
    alg::ED25519,
    alg::RSA_PKCS1_2048_8192_SHA256,
    alg::RSA_PKCS1_2048_8192_SHA384,
    alg::RSA_PKCS1_2048_8192_SHA512,
    alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// The extendedKeyUsage purposes a signing user certificate may carry (OID contents): clientAuth,
/// emailProtection, anyExtendedKeyUsage.
const SIGNING_PURPOSES: [&[u8]; 3] = [
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04],
    &[0x55, 0x1d, 0x25, 0x00],
];

/// webpki's `KeyUsage` takes one purpose; ours is any of [`SIGNING_PURPOSES`] when
/// extendedKeyUsage is present. webpki asks this of every certificate of the path, so a CA whose
/// own extendedKeyUsage names none of them cannot issue user certificates (EKU chaining).
struct SigningPurposes;

impl ExtendedKeyUsageValidator for SigningPurposes {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            let id = id?;
            if SIGNING_PURPOSES.iter().any(|p| KeyPurposeId::new(p) == id) {
                return Ok(());
            }
            present.push(id.to_decoded_oid());
        }
        if present.is_empty() {
            return Ok(());
        }
        // `required` names one purpose only; `explain` turns this into our own error.
        Err(webpki::Error::RequiredEkuNotFoundContext(
            RequiredEkuNotFoundContext {
                required: KeyUsage::client_auth(),
                present,
            },
        ))
    }
}

/// The trust-anchor checks made when the configuration is loaded: `basicConstraints cA` and, when
/// `keyUsage` is present, `keyCertSign` (webpki takes an anchor as a bare name and key).
pub(super) fn check_anchor(ca: &Parsed<'_>) -> Result<(), CertRegError> {
    let not_a_ca = |reason: &str| CertRegError::NotACa {
        subject: ca.subject.clone(),
        reason: reason.into(),
    };
    match ca
        .cert
        .basic_constraints()
        .map_err(|e| ca.extension_error(e))?
    {
        Some(bc) if bc.value.ca => {}
        Some(_) => return Err(not_a_ca("basicConstraints has cA=false")),
        None => return Err(not_a_ca("no basicConstraints extension")),
    }
    check_key_cert_sign(ca)
}

/// Checks that `user` chains to one of `anchors` at `now`, through some of `supplied`, and may
/// sign. webpki decides the path; [`check_path`] and the keyUsage checks are ours.
pub(super) fn verify_chain(
    user: &Parsed<'_>,
    supplied: &[&Parsed<'_>],
    anchors: &[Parsed<'_>],
    now: i64,
) -> Result<(), CertRegError> {
    let user_der = CertificateDer::from(user.der);
    let end_entity = EndEntityCert::try_from(&user_der).map_err(|e| refusal::of(user, e))?;
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|a| CertificateDer::from(a.der))
        .collect();
    let trust_anchors = anchor_ders
        .iter()
        .zip(anchors)
        .map(|(der, a)| webpki::anchor_from_trusted_cert(der).map_err(|e| refusal::of(a, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let intermediates: Vec<CertificateDer<'_>> = supplied
        .iter()
        .map(|c| CertificateDer::from(c.der))
        .collect();
    let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0)));

    // webpki calls this on each path it verified up to an anchor; a refusal lets it try others.
    // The first refusal is kept: if no path is left, it is the most telling reason.
    let ours = RefCell::new(None);
    let check = |path: &VerifiedPath<'_>| {
        check_path(path, user, supplied, anchors, &trust_anchors, now).map_err(|e| {
            ours.borrow_mut().get_or_insert(e);
            webpki::Error::UnknownIssuer
        })
    };
    let verified = end_entity.verify_for_usage(
        CERTIFICATE_ALGS,
        &trust_anchors,
        &intermediates,
        time,
        SigningPurposes,
        None,
        Some(&check),
    );
    if let Err(e) = verified {
        return Err(ours
            .into_inner()
            .unwrap_or_else(|| refusal::explain(e, user, supplied, anchors, now)));
    }
    check_user_key_usage(user)
}

/// What webpki leaves to us on a path it verified: at most [`MAX_CHAIN_DEPTH`] issuers,
/// `keyCertSign` of the intermediates, the validity and `pathLenConstraint` of the anchor.
fn check_path(
    path: &VerifiedPath<'_>,
    user: &Parsed<'_>,
    supplied: &[&Parsed<'_>],
    anchors: &[Parsed<'_>],
    trust_anchors: &[TrustAnchor<'_>],
    now: i64,
) -> Result<(), CertRegError> {
    // webpki's path holds only what it was given; anything else fails closed.
    let foreign = || CertRegError::Refused {
        subject: user.subject.clone(),
        reason: "the verified path holds a certificate that was not given".into(),
    };
    let mut intermediates = 0;
    for cert in path.intermediate_certificates() {
        intermediates += 1;
        let ca = supplied
            .iter()
            .find(|c| c.der == cert.der().as_ref())
            .ok_or_else(foreign)?;
        check_key_cert_sign(ca)?;
    }
    if intermediates >= MAX_CHAIN_DEPTH {
        return Err(CertRegError::ChainTooLong {
            subject: user.subject.clone(),
        });
    }
    let anchor = trust_anchors
        .iter()
        .position(|ta| ta == path.anchor())
        .and_then(|i| anchors.get(i))
        .ok_or_else(foreign)?;
    check_validity(anchor, now)?;
    match anchor.path_len_constraint() {
        Some(allowed) if usize::try_from(allowed).is_ok_and(|allowed| intermediates > allowed) => {
            Err(CertRegError::PathLength {
                subject: anchor.subject.clone(),
                allowed,
                found: intermediates,
            })
        }
        _ => Ok(()),
    }
}

fn check_key_cert_sign(ca: &Parsed<'_>) -> Result<(), CertRegError> {
    match ca.cert.key_usage().map_err(|e| ca.extension_error(e))? {
        Some(ku) if !ku.value.key_cert_sign() => Err(CertRegError::NotACa {
            subject: ca.subject.clone(),
            reason: "keyUsage lacks keyCertSign".into(),
        }),
        _ => Ok(()),
    }
}

/// webpki ignores keyUsage; a user certificate that has it must allow signing.
fn check_user_key_usage(user: &Parsed<'_>) -> Result<(), CertRegError> {
    match user.cert.key_usage().map_err(|e| user.extension_error(e))? {
        Some(ku) if !(ku.value.digital_signature() || ku.value.non_repudiation()) => {
            Err(CertRegError::KeyUsage {
                subject: user.subject.clone(),
            })
        }
        _ => Ok(()),
    }
}

/// Trust anchors only: webpki checks the validity of the other certificates.
fn check_validity(c: &Parsed<'_>, now: i64) -> Result<(), CertRegError> {
    if now < c.not_before() {
        return Err(CertRegError::NotYetValid {
            subject: c.subject.clone(),
            not_before: c.not_before(),
            now,
        });
    }
    if now > c.not_after() {
        return Err(CertRegError::Expired {
            subject: c.subject.clone(),
            not_after: c.not_after(),
            now,
        });
    }
    Ok(())
}
