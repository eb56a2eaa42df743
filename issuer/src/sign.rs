//! A signing identity: the private key (PKCS#8, PEM or DER) with its signer certificate. The
//! algorithm follows the certificate's key; the pair is checked to match before first use.

use hcert::crypto::{Algorithm, Backend, PublicKeyInfo, Signer};
use trust_list::Dsc;

use crate::{Error, Result};

/// A private key and the DSC that certifies it.
pub struct SigningIdentity {
    signer: Box<dyn Signer>,
    /// The signer certificate.
    pub dsc: Dsc,
    pkcs8_der: Vec<u8>,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("alg", &self.signer.algorithm())
            .field("kid", &self.dsc.kid)
            .finish_non_exhaustive()
    }
}

/// PKCS#8 DER from PEM (`PRIVATE KEY`) or DER bytes.
pub fn pkcs8_der(bytes: &[u8]) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok();
    if let Some(t) = text.filter(|t| t.contains("-----BEGIN")) {
        let block = pem::parse(t).map_err(|e| Error::Key(format!("not a PEM key: {e}")))?;
        return match block.tag() {
            "PRIVATE KEY" => Ok(block.contents().to_vec()),
            other => Err(Error::Key(format!(
                "PEM block is {other:?}; a PKCS#8 \"PRIVATE KEY\" is needed"
            ))),
        };
    }
    if bytes.first() == Some(&0x30) {
        return Ok(bytes.to_vec());
    }
    Err(Error::Key("the key is neither PEM nor DER".into()))
}

/// The algorithm a certificate's key signs with.
pub fn algorithm_for(key: &PublicKeyInfo) -> Result<Algorithm> {
    match key {
        PublicKeyInfo::P256(_) => Ok(Algorithm::Es256),
        PublicKeyInfo::Rsa { bits, .. } if (2048..=4096).contains(bits) => Ok(Algorithm::Ps256),
        PublicKeyInfo::Ed25519(_) => Ok(Algorithm::EdDsa),
        other => Err(Error::Key(format!(
            "a {} signer certificate cannot sign DCCs here (P-256, RSA 2048-4096 or Ed25519)",
            other.describe()
        ))),
    }
}

impl SigningIdentity {
    /// Loads a key and its certificate; fails when they do not belong together.
    pub fn load(key: &[u8], cert: &[u8], backend: &dyn Backend) -> Result<Self> {
        let dsc = trust_list::parse_certificate(cert)?;
        let alg = algorithm_for(&dsc.public_key)?;
        let der = pkcs8_der(key)?;
        let signer = backend
            .signer(alg, &der)
            .map_err(|e| Error::Key(format!("cannot load the {alg} private key: {e}")))?;
        // The key must match the certificate: sign a probe and verify it with the DSC's key.
        let probe = b"dcc key/certificate match probe";
        let sig = signer.sign(probe).map_err(|e| Error::Key(e.to_string()))?;
        let verify = backend
            .verify_key(&dsc.public_key)
            .map_err(|e| Error::Key(format!("signer certificate key: {e}")))?;
        verify.verify(alg, probe, &sig).map_err(|_| {
            Error::Key("the private key does not belong to the signer certificate".into())
        })?;
        Ok(SigningIdentity {
            signer,
            dsc,
            pkcs8_der: der,
        })
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.signer.algorithm()
    }

    /// The signer.
    pub fn signer(&self) -> &dyn Signer {
        self.signer.as_ref()
    }

    /// A secret derived from the private key, for UVCIs when no installation secret is set:
    /// stable for the key, unknowable without it.
    pub fn derived_secret(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"dcc uvci secret v1\0");
        h.update(&self.pkcs8_der);
        h.finalize().to_vec()
    }
}
