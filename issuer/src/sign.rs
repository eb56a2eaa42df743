//! A signing identity: the private key (PKCS#8, PEM or DER, plain or encrypted) with its signer
//! certificate. The algorithm follows the certificate's key; the pair is checked to match before
//! first use.

use hcert::crypto::{Algorithm, Backend, PublicKeyInfo, Signer};
use secrecy::SecretString;
use trust_list::{Dsc, SigningLimits};

use crate::key_file::{self, KeyDer};
use crate::{Error, Result};

/// A private key and the DSC that certifies it.
pub struct SigningIdentity {
    signer: Box<dyn Signer>,
    /// The signer certificate.
    pub dsc: Dsc,
    /// KeyUsage and private-key usage period, read once at load for the checks before each
    /// signature.
    pub(crate) limits: SigningLimits,
    pkcs8_der: KeyDer,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("alg", &self.signer.algorithm())
            .field("kid", &self.dsc.kid)
            .finish_non_exhaustive()
    }
}

/// PKCS#8 DER of an unencrypted key file (PEM or DER); an encrypted one is
/// [`Error::KeyEncrypted`]: use [`key_file::decode`] with its passphrase.
pub fn pkcs8_der(bytes: &[u8]) -> Result<Vec<u8>> {
    key_file::decode(bytes, None).map(|der| der.to_vec())
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
    /// Loads an unencrypted key and its certificate; fails when they do not belong together.
    pub fn load(key: &[u8], cert: &[u8], backend: &dyn Backend) -> Result<Self> {
        Self::load_with_passphrase(key, cert, None, backend)
    }

    /// Loads a key, encrypted (with `passphrase`) or not, and its certificate; fails when they
    /// do not belong together or the certificate's KeyUsage or usage period is malformed.
    pub fn load_with_passphrase(
        key: &[u8],
        cert: &[u8],
        passphrase: Option<&SecretString>,
        backend: &dyn Backend,
    ) -> Result<Self> {
        let dsc = trust_list::parse_certificate(cert)?;
        let limits = dsc.signing_limits()?;
        let alg = algorithm_for(&dsc.public_key)?;
        let der = key_file::decode(key, passphrase)?;
        let signer = backend
            .signer(alg, &der)
            .map_err(|e| Error::Key(format!("cannot load the {alg} private key: {e}")))?;
        Self::pair(signer, dsc, limits, der, backend)
    }

    /// A key held elsewhere (an HSM: the hsm crate's signer) with its certificate; fails when
    /// they do not belong together. With no key bytes to derive from, [`Self::derived_secret`]
    /// is random for each load: such an installation configures its UVCI secret.
    pub fn from_signer(
        signer: Box<dyn Signer>,
        cert: &[u8],
        backend: &dyn Backend,
    ) -> Result<Self> {
        let dsc = trust_list::parse_certificate(cert)?;
        let limits = dsc.signing_limits()?;
        let mut random = vec![0u8; 32];
        getrandom::getrandom(&mut random)
            .map_err(|e| Error::Key(format!("no randomness for the derived secret: {e}")))?;
        Self::pair(signer, dsc, limits, KeyDer::new(random), backend)
    }

    /// Checks that `signer` signs with the DSC's key and algorithm, and reads the DSC's limits.
    fn pair(
        signer: Box<dyn Signer>,
        dsc: Dsc,
        limits: SigningLimits,
        der: KeyDer,
        backend: &dyn Backend,
    ) -> Result<Self> {
        let alg = algorithm_for(&dsc.public_key)?;
        if signer.algorithm() != alg {
            return Err(Error::Key(format!(
                "the key signs {}, the signer certificate's key {alg}",
                signer.algorithm()
            )));
        }
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
            limits,
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
    /// stable for the key, unknowable without it (random for each load of a key held in an
    /// HSM, [`Self::from_signer`]).
    pub fn derived_secret(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"dcc uvci secret v1\0");
        h.update(self.pkcs8_der.as_slice());
        h.finalize().to_vec()
    }
}
