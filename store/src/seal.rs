//! Sealing under a key derived from the installation secret (SECURITY.md 46): AES-256-GCM with a
//! fresh random nonce per message, for data the server must read back but no database reader
//! should (outbox messages with one-time codes and reset links).

use aws_lc_rs::aead::{Aad, Nonce, RandomizedNonceKey, AES_256_GCM, NONCE_LEN};

/// The format byte that starts every sealed value: AES-256-GCM, 96-bit random nonce, 128-bit
/// tag. A new algorithm or key derivation takes a new byte, so old values stay readable.
const V1: u8 = 1;
const TAG_LEN: usize = 16;

/// Sealing or opening failed; deliberately without detail (a wrong key, a damaged value and a
/// value bound to other associated data look the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The OS random generator or the cipher failed while sealing.
    #[error("cannot seal")]
    Seal,
    /// The value is not ours, was changed, or was sealed under another key or other associated
    /// data.
    #[error("cannot open the sealed value")]
    Open,
}

/// An AEAD key for one purpose; the server's `Secrets::sealing_key` derives it from the
/// installation secret and a label, so each purpose has its own key.
pub struct SealingKey {
    key: RandomizedNonceKey,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey").finish_non_exhaustive()
    }
}

impl SealingKey {
    /// A key from 32 bytes of key material.
    pub fn new(key: &[u8; 32]) -> Result<Self, SealError> {
        RandomizedNonceKey::new(&AES_256_GCM, key)
            .map(|key| SealingKey { key })
            .map_err(|_| SealError::Seal)
    }

    /// `V1 ‖ nonce ‖ ciphertext ‖ tag`. The format byte is authenticated with `aad`, which binds
    /// the value to its context (what it is and whom it is for), so it cannot be moved.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut in_out = Vec::with_capacity(plaintext.len() + TAG_LEN);
        in_out.extend_from_slice(plaintext);
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(with_version(aad)), &mut in_out)
            .map_err(|_| SealError::Seal)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
        out.push(V1);
        out.extend_from_slice(nonce.as_ref());
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    /// The plaintext of a value [`SealingKey::seal`] made with the same key and `aad`.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Open)?;
        if version != V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut in_out = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(with_version(aad)), &mut in_out)
            .map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }
}

fn with_version(aad: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(aad.len() + 1);
    a.push(V1);
    a.extend_from_slice(aad);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_fresh_nonces() {
        let k = SealingKey::new(&[7; 32]).unwrap();
        let a = k.seal(b"ctx", b"kod 123456").unwrap();
        let b = k.seal(b"ctx", b"kod 123456").unwrap();
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(a.len(), 1 + NONCE_LEN + 10 + TAG_LEN);
        assert!(!a.windows(6).any(|w| w == b"123456"));
        assert_eq!(k.open(b"ctx", &a).unwrap(), b"kod 123456");
        assert_eq!(k.open(b"ctx", &k.seal(b"ctx", b"").unwrap()).unwrap(), b"");
    }

    #[test]
    fn anything_else_fails_alike() {
        let k = SealingKey::new(&[7; 32]).unwrap();
        let other = SealingKey::new(&[8; 32]).unwrap();
        let s = k.seal(b"ctx", b"secret").unwrap();
        let mut flipped = s.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let mut version = s.clone();
        version[0] = 2;
        for (name, key, aad, value) in [
            ("other key", &other, &b"ctx"[..], s.clone()),
            ("other context", &k, &b"ctx2"[..], s.clone()),
            ("changed tag", &k, &b"ctx"[..], flipped),
            ("unknown version", &k, &b"ctx"[..], version),
            ("cut", &k, &b"ctx"[..], s[..20].to_vec()),
            ("empty", &k, &b"ctx"[..], vec![]),
        ] {
            assert_eq!(key.open(aad, &value), Err(SealError::Open), "{name}");
        }
    }

    #[test]
    fn debug_shows_no_key() {
        let k = SealingKey::new(&[0x41; 32]).unwrap();
        assert_eq!(format!("{k:?}"), "SealingKey { .. }");
    }
}
