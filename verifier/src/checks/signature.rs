//! Signature: the signer is found by kid (protected header first); every trusted certificate
//! with that kid is tried, since several may share one.

use hcert::cose::Sign1;
use hcert::crypto::CryptoError;
use trust_list::{Dsc, TrustList, TrustedKey};

use crate::Outcome;

/// The signature outcome and the certificates it found.
pub struct Signer<'a> {
    /// Pass when a trusted certificate verified the signature.
    pub outcome: Outcome,
    verified: Option<&'a Dsc>,
    candidates: &'a [TrustedKey],
}

impl<'a> Signer<'a> {
    /// The certificate whose key verified the signature.
    pub fn verified_by(&self) -> Option<&'a Dsc> {
        self.verified
    }

    /// The certificate to check validity at iat against: the verifying one, else the first
    /// certificate with the kid.
    pub fn dsc_for_validity(&self) -> Option<&'a Dsc> {
        self.verified
            .or_else(|| self.candidates.first().map(|k| &k.dsc))
    }

    /// The signer the kid identifies, for the checks that judge it even when its signature
    /// failed: the verifying certificate alone, else every trusted certificate with the kid
    /// (none when the kid is unknown).
    pub fn identified(&self) -> impl Iterator<Item = &'a Dsc> + '_ {
        let candidates = if self.verified.is_some() {
            &[]
        } else {
            self.candidates
        };
        self.verified
            .into_iter()
            .chain(candidates.iter().map(|k| &k.dsc))
    }
}

fn kid_text(kid: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(kid)
}

/// Checks the signature against the trust list.
pub fn check<'a>(sign1: &Sign1, trust: &'a TrustList) -> Signer<'a> {
    let fail = |msg: String, candidates: &'a [TrustedKey]| Signer {
        outcome: Outcome::Fail(msg),
        verified: None,
        candidates,
    };
    let Some(kid) = sign1.kid.as_deref() else {
        return fail(
            "the certificate names no key (no kid in the COSE headers)".into(),
            &[],
        );
    };
    let candidates = trust.candidates(kid);
    if candidates.is_empty() {
        return fail(
            format!(
                "no trusted signer certificate has kid {}; the issuer's key is unknown",
                kid_text(kid)
            ),
            candidates,
        );
    }
    let Some(alg_id) = sign1.alg_id.as_ref() else {
        return fail(
            "the COSE headers name no signature algorithm".into(),
            candidates,
        );
    };
    let Some(alg) = alg_id.algorithm() else {
        return fail(
            format!("signature algorithm {alg_id} is not supported (ES256, PS256 or EdDSA)"),
            candidates,
        );
    };
    let tbs = sign1.to_be_signed();
    let mut reasons = Vec::new();
    for trusted in candidates {
        let result = match &trusted.key {
            Ok(key) => key.verify(alg, &tbs, sign1.signature()),
            Err(e) => Err(e.clone()),
        };
        match result {
            Ok(()) => {
                return Signer {
                    outcome: Outcome::Pass,
                    verified: Some(&trusted.dsc),
                    candidates,
                }
            }
            Err(e) => reasons.push(e),
        }
    }
    let why = if reasons.iter().all(|r| *r == CryptoError::BadSignature) {
        format!(
            "the {alg} signature does not verify with the signer certificate of kid {}: the \
             certificate was altered or signed by another key",
            kid_text(kid)
        )
    } else {
        let list: Vec<String> = reasons.iter().map(ToString::to_string).collect();
        format!("the signature cannot be verified: {}", list.join("; "))
    };
    fail(why, candidates)
}
