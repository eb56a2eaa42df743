//! Which certificate a webpki refusal concerns: webpki's errors say what failed, not where, so
//! each error kind is matched to the certificate it can be about, among those a path would take.

use rustls_pki_types::CertificateDer;
use webpki::EndEntityCert;

use super::chain::CERTIFICATE_ALGS;
use super::{CertRegError, Parsed, MAX_CHAIN_DEPTH};

/// The critical extensions webpki processes (its `remember_cert_extension`): keyUsage,
/// subjectAltName, basicConstraints, nameConstraints, cRLDistributionPoints, extendedKeyUsage and
/// the certificate-transparency SCT list. Any other critical one refuses the certificate.
const WEBPKI_EXTENSIONS: [&str; 7] = [
    "2.5.29.15",
    "2.5.29.17",
    "2.5.29.19",
    "2.5.29.30",
    "2.5.29.31",
    "2.5.29.37",
    "1.3.6.1.4.1.11129.2.4.2",
];

/// Our error for a webpki error about certificate `c`, found to be the one concerned.
pub(super) fn of(c: &Parsed<'_>, err: webpki::Error) -> CertRegError {
    match (&err, unprocessed_critical_extension(c)) {
        (webpki::Error::UnsupportedCriticalExtension, Some(oid)) => {
            CertRegError::CriticalExtension {
                subject: c.subject.clone(),
                oid,
            }
        }
        _ => CertRegError::Refused {
            subject: c.subject.clone(),
            reason: describe(&err),
        },
    }
}

/// Names the certificate a webpki refusal of the whole path concerns. The candidates are the
/// certificates a path would take by name ([`path_by_name`], the user's first), then the other
/// supplied ones; each error kind says what to look for in them.
pub(super) fn explain(
    err: webpki::Error,
    user: &Parsed<'_>,
    supplied: &[&Parsed<'_>],
    anchors: &[Parsed<'_>],
    now: i64,
) -> CertRegError {
    use webpki::Error as E;
    let (path, anchored) = path_by_name(user, supplied, anchors);
    // The path's intermediates: below the anchor, above the user.
    let issuers = path
        .get(1..path.len().saturating_sub(usize::from(anchored)))
        .unwrap_or_default();
    let mut candidates = path.clone();
    candidates.extend(
        supplied
            .iter()
            .filter(|c| !path.iter().any(|p| std::ptr::eq(*p, **c))),
    );
    let subject = |c: &Parsed<'_>| c.subject.clone();
    match err {
        E::CertExpired { not_after, .. } => {
            let c = candidates
                .iter()
                .find(|c| u64::try_from(c.not_after()).ok() == Some(not_after.as_secs()))
                .unwrap_or(&user);
            CertRegError::Expired {
                subject: subject(c),
                not_after: c.not_after(),
                now,
            }
        }
        E::CertNotValidYet { not_before, .. } => {
            let c = candidates
                .iter()
                .find(|c| u64::try_from(c.not_before()).ok() == Some(not_before.as_secs()))
                .unwrap_or(&user);
            CertRegError::NotYetValid {
                subject: subject(c),
                not_before: c.not_before(),
                now,
            }
        }
        E::CaUsedAsEndEntity => CertRegError::UserIsCa {
            subject: subject(user),
        },
        E::EndEntityUsedAsCa => {
            let not_ca = issuers
                .iter()
                .find_map(|c| match c.cert.basic_constraints() {
                    Ok(Some(bc)) if bc.value.ca => None,
                    Ok(Some(_)) => Some((c, "basicConstraints has cA=false")),
                    _ => Some((c, "no basicConstraints extension")),
                });
            match not_ca {
                Some((c, reason)) => CertRegError::NotACa {
                    subject: subject(c),
                    reason: reason.into(),
                },
                None => of(user, err),
            }
        }
        E::PathLenConstraintViolated => {
            // webpki counts the intermediates below each one (its own not included).
            let violated = issuers.iter().enumerate().find_map(|(below, c)| {
                let allowed = c.path_len_constraint()?;
                usize::try_from(allowed)
                    .is_ok_and(|allowed| below > allowed)
                    .then_some((c, allowed, below))
            });
            match violated {
                Some((c, allowed, found)) => CertRegError::PathLength {
                    subject: subject(c),
                    allowed,
                    found,
                },
                None => of(user, err),
            }
        }
        E::NameConstraintViolation => {
            let ca = path.iter().skip(1).find(|c| has_name_constraints(c));
            CertRegError::NameConstraints {
                subject: subject(user),
                ca: ca.map_or_else(|| user.issuer_text(), |c| subject(c)),
            }
        }
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            let ca = path.iter().skip(1).find(|c| has_name_constraints(c));
            of(ca.copied().unwrap_or(user), err)
        }
        E::InvalidCertValidity => {
            let c = candidates.iter().find(|c| c.not_before() > c.not_after());
            of(c.copied().unwrap_or(user), err)
        }
        E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            let c = candidates
                .iter()
                .find(|c| match c.cert.extended_key_usage() {
                    Ok(Some(eku)) => {
                        !(eku.value.any || eku.value.client_auth || eku.value.email_protection)
                    }
                    Ok(None) => false,
                    Err(_) => true,
                })
                .unwrap_or(&user);
            if std::ptr::eq(*c, user) {
                CertRegError::ExtendedKeyUsage {
                    subject: subject(user),
                }
            } else {
                CertRegError::CaExtendedKeyUsage {
                    subject: subject(c),
                }
            }
        }
        E::InvalidSignatureForPublicKey
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            let bad = path.windows(2).find_map(|pair| match pair {
                [child, issuer] if !signs(issuer, child) => Some((child, issuer)),
                _ => None,
            });
            match (bad, &err) {
                (Some((child, issuer)), E::InvalidSignatureForPublicKey) => {
                    CertRegError::ChainSignature {
                        subject: subject(child),
                        issuer: subject(issuer),
                    }
                }
                (Some((child, issuer)), _) => CertRegError::UnsupportedAlgorithm(format!(
                    "{} (the signature of \"{}\" by \"{}\")",
                    child.cert.signature_algorithm.algorithm.to_id_string(),
                    child.subject,
                    issuer.subject
                )),
                (None, _) => of(user, err),
            }
        }
        E::UnsupportedCriticalExtension => candidates
            .iter()
            .find_map(|c| {
                unprocessed_critical_extension(c).map(|oid| CertRegError::CriticalExtension {
                    subject: subject(c),
                    oid,
                })
            })
            .unwrap_or_else(|| of(user, err)),
        E::UnknownIssuer if !anchored => {
            let top = path.last().copied().unwrap_or(user);
            CertRegError::UntrustedIssuer {
                subject: subject(top),
                issuer: top.issuer_text(),
            }
        }
        E::MaximumPathDepthExceeded => CertRegError::ChainTooLong {
            subject: subject(user),
        },
        // A certificate webpki could not read (DER, version, repeated extension...), else the
        // error as it is.
        err => candidates
            .iter()
            .find_map(|c| {
                let der = CertificateDer::from(c.der);
                EndEntityCert::try_from(&der).err().map(|e| of(c, e))
            })
            .unwrap_or_else(|| of(user, err)),
    }
}

/// The certificates a path from `user` takes by name (and signature, where several have the
/// name): the user, supplied issuers, then a trust anchor if one is reached (`true`). Anchors
/// are tried first, as webpki does; at most [`MAX_CHAIN_DEPTH`] issuers.
fn path_by_name<'c, 'a>(
    user: &'c Parsed<'a>,
    supplied: &[&'c Parsed<'a>],
    anchors: &'c [Parsed<'a>],
) -> (Vec<&'c Parsed<'a>>, bool) {
    let mut path = vec![user];
    let mut current = user;
    while path.len() <= MAX_CHAIN_DEPTH {
        let issuer = current.cert.issuer().as_raw();
        let named = |c: &&Parsed<'_>| c.cert.subject().as_raw() == issuer;
        let best = |candidates: Vec<&'c Parsed<'a>>| {
            let first = candidates.first().copied();
            candidates.into_iter().find(|c| signs(c, current)).or(first)
        };
        if let Some(anchor) = best(anchors.iter().filter(named).collect()) {
            path.push(anchor);
            return (path, true);
        }
        let unused = supplied
            .iter()
            .copied()
            .filter(|c| !path.iter().any(|p| std::ptr::eq(*p, *c)));
        match best(unused.filter(named).collect()) {
            Some(next) => {
                path.push(next);
                current = next;
            }
            None => break,
        }
    }
    (path, false)
}

/// Whether `issuer`'s key verifies the signature on `child` with one of [`CERTIFICATE_ALGS`]
/// (for naming the certificate of a refusal; webpki made the decision).
fn signs(issuer: &Parsed<'_>, child: &Parsed<'_>) -> bool {
    let key = &issuer.cert.public_key().subject_public_key.data;
    let tbs = child.cert.tbs_certificate.as_ref();
    let signature = &child.cert.signature_value.data;
    CERTIFICATE_ALGS
        .iter()
        .any(|alg| alg.verify_signature(key, tbs, signature).is_ok())
}

/// A malformed nameConstraints extension counts: webpki may have refused it.
fn has_name_constraints(c: &Parsed<'_>) -> bool {
    c.cert.name_constraints().map_or(true, |nc| nc.is_some())
}

/// The OID of the first critical extension of `c` that webpki does not process.
fn unprocessed_critical_extension(c: &Parsed<'_>) -> Option<String> {
    c.cert
        .extensions()
        .iter()
        .filter(|ext| ext.critical)
        .map(|ext| ext.oid.to_id_string())
        .find(|oid| !WEBPKI_EXTENSIONS.contains(&oid.as_str()))
}

/// A webpki error in words, for errors without a variant of their own.
fn describe(err: &webpki::Error) -> String {
    use webpki::Error as E;
    match err {
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "malformed DER".into(),
        E::UnsupportedCertVersion => "not an X.509 version 3 certificate".into(),
        E::ExtensionValueInvalid | E::MalformedExtensions => {
            "an extension is repeated or malformed".into()
        }
        E::SignatureAlgorithmMismatch => {
            "the signature algorithm inside the certificate differs from the outer one".into()
        }
        E::InvalidSerialNumber => "malformed serial number".into(),
        E::InvalidCertValidity => "notAfter is before notBefore".into(),
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            "malformed name constraints".into()
        }
        E::UnsupportedCriticalExtension => "an unsupported critical extension".into(),
        E::UnknownIssuer => "no path to a trusted CA".into(),
        E::CertDistrusted => "the key of a certificate on the path is distrusted".into(),
        E::MaximumSignatureChecksExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumNameConstraintComparisonsExceeded => {
            "too many candidate paths to a trusted CA".into()
        }
        other => format!("{other:?}"),
    }
}
