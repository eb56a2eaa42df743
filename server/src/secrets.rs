//! The installation secret and what is derived from it: blind indexes of birth and ID-card
//! numbers, pseudonyms for logs and audit, the UVCI secret; plus API tokens (256 bits, stored
//! as SHA-256) and random ids.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};

/// Keys derived from the installation secret (kept outside the database, in the data
/// directory).
pub struct Secrets {
    root: SecretBox<[u8; 32]>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets").finish_non_exhaustive()
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length; new_from_slice cannot fail for it.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl Secrets {
    /// From the 32 bytes of the installation secret.
    pub fn new(root: [u8; 32]) -> Self {
        Secrets {
            root: SecretBox::new(Box::new(root)),
        }
    }

    fn derive(&self, label: &str, value: &[u8]) -> [u8; 32] {
        hmac(self.root.expose_secret(), &[label.as_bytes(), value])
    }

    /// Blind index of a normalised birth number (digits only).
    pub fn birth_number_index(&self, normalised: &str) -> Vec<u8> {
        self.derive("dcc/bn-index/v1", normalised.as_bytes())
            .to_vec()
    }

    /// Blind index of a normalised ID-card number.
    pub fn id_card_index(&self, normalised: &str) -> Vec<u8> {
        self.derive("dcc/id-card-index/v1", normalised.as_bytes())
            .to_vec()
    }

    /// A pseudonym for logs and audit (16 hex characters), never the value itself.
    pub fn pseudonym(&self, value: &[u8]) -> String {
        let h = self.derive("dcc/pseudonym/v1", value);
        hex::encode(h.get(..8).unwrap_or_default())
    }

    /// The UVCI secret of this installation.
    pub fn uvci_secret(&self) -> Vec<u8> {
        self.derive("dcc/uvci/v1", b"").to_vec()
    }
}

/// Random bytes from the OS CSPRNG.
pub fn random<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b)?;
    Ok(b)
}

/// A new API token: 256 random bits, base64url; shown once, stored as [`token_digest`].
pub fn new_token() -> Result<String, getrandom::Error> {
    use base64::Engine as _;
    Ok(format!(
        "dcc_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random::<32>()?)
    ))
}

/// SHA-256 of a token, as stored.
pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// A random UUIDv4 string, for record, person and certificate ids.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
