//! The installation secret and what is derived from it: blind indexes of birth and ID-card
//! numbers, pseudonyms for logs and audit, the UVCI secret, sealing keys; plus API tokens (256
//! bits, stored as SHA-256) and random ids.

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

    /// The stored form of a one-time code: HMAC over the challenge id and the code
    /// (SECURITY.md 1).
    pub fn otp_mac(&self, challenge_id: &str, code: &str) -> Vec<u8> {
        hmac(
            self.root.expose_secret(),
            &[b"dcc/otp/v1", challenge_id.as_bytes(), code.as_bytes()],
        )
        .to_vec()
    }

    /// The CSRF token of a session or flow cookie: bound to it, so another session's token
    /// fails (SECURITY.md 24).
    pub fn csrf_token(&self, cookie: &str) -> String {
        hex::encode(
            self.derive("dcc/csrf/v1", cookie.as_bytes())
                .get(..16)
                .unwrap_or_default(),
        )
    }

    /// A keyed digest of an identifier for counters and duplicate checks (birth number, IP,
    /// phone, old certificate number), so the identifier itself is never stored.
    pub fn keyed(&self, label: &str, value: &[u8]) -> Vec<u8> {
        hmac(
            self.root.expose_secret(),
            &[b"dcc/keyed/v1", label.as_bytes(), value],
        )
        .to_vec()
    }

    /// A new pre-login flow id: 128 random bits and a 128-bit MAC of them under this
    /// installation's key, base64url (43 characters). Only ids this installation issued pass
    /// [`Secrets::flow_id_issued`], so a client-chosen flow cookie is never adopted
    /// (SECURITY.md 20).
    pub fn new_flow_id(&self) -> Result<String, getrandom::Error> {
        use base64::Engine as _;
        let nonce = random::<16>()?;
        let mut id = [0u8; 32];
        let (head, tail) = id.split_at_mut(16);
        head.copy_from_slice(&nonce);
        tail.copy_from_slice(self.keyed("flow", &nonce).get(..16).unwrap_or_default());
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id))
    }

    /// Whether `id` is a flow id this installation issued ([`Secrets::new_flow_id`]).
    pub fn flow_id_issued(&self, id: &str) -> bool {
        use base64::Engine as _;
        let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id) else {
            return false;
        };
        let (Some(nonce), Some(mac)) = (bytes.get(..16), bytes.get(16..)) else {
            return false;
        };
        bytes.len() == 32 && ct_eq(mac, self.keyed("flow", nonce).get(..16).unwrap_or_default())
    }

    /// The UVCI secret for one person's certificates: the installation's UVCI key bound to the
    /// person's birth-number index, so two people whose certificates read alike (same name,
    /// date of birth and event) never share a UVCI, while one record keeps its UVCI when it is
    /// issued again (SECURITY.md 44).
    pub fn person_uvci_secret(&self, bn_index: &[u8]) -> Vec<u8> {
        hmac(&self.uvci_secret(), &[b"dcc/uvci/person/v1", bn_index]).to_vec()
    }

    /// The UVCI secret of this installation.
    pub fn uvci_secret(&self) -> Vec<u8> {
        self.derive("dcc/uvci/v1", b"").to_vec()
    }

    /// An AEAD key for one purpose (`label`, e.g. `dcc/outbox/v1`): what it seals opens only
    /// with this installation's secret and the same label.
    pub fn sealing_key(
        &self,
        label: &str,
    ) -> Result<crate::seal::SealingKey, crate::seal::SealError> {
        crate::seal::SealingKey::new(&self.derive("dcc/seal/v1", label.as_bytes()))
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

/// A six-digit one-time code drawn uniformly from the OS CSPRNG by rejection sampling, leading
/// zeros kept (SECURITY.md 1).
pub fn otp_code() -> Result<String, getrandom::Error> {
    // 4,294,000,000 is the largest multiple of 10^6 not above u32::MAX.
    const LIMIT: u32 = 4_294_000_000;
    loop {
        let n = u32::from_be_bytes(random::<4>()?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// A bearer token of 128 bits for a URL or cookie, base64url.
pub fn new_url_token() -> Result<String, getrandom::Error> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random::<16>()?))
}

/// Equal in constant time (for codes and tokens).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_codes_are_six_uniform_digits() {
        let mut first = [0usize; 10];
        for _ in 0..10_000 {
            let c = otp_code().unwrap();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
            first[usize::from(c.as_bytes()[0] - b'0')] += 1;
        }
        for (d, n) in first.iter().enumerate() {
            assert!((800..=1200).contains(n), "first digit {d}: {n} of 10,000");
        }
    }

    #[test]
    fn only_issued_flow_ids_pass() {
        let s = Secrets::new([7; 32]);
        let id = s.new_flow_id().unwrap();
        assert_eq!(id.len(), 43);
        assert!(s.flow_id_issued(&id));
        assert!(
            !Secrets::new([8; 32]).flow_id_issued(&id),
            "another installation's"
        );
        assert!(
            !s.flow_id_issued(&new_url_token().unwrap()),
            "a plain random token"
        );
        let mut forged = id.into_bytes();
        forged[42] = if forged[42] == b'A' { b'B' } else { b'A' };
        assert!(!s.flow_id_issued(std::str::from_utf8(&forged).unwrap()));
        assert!(!s.flow_id_issued("") && !s.flow_id_issued("attacker-chosen"));
    }

    #[test]
    fn otp_mac_binds_challenge_and_code() {
        let s = Secrets::new([7; 32]);
        assert_eq!(s.otp_mac("a", "123456"), s.otp_mac("a", "123456"));
        assert_ne!(s.otp_mac("a", "123456"), s.otp_mac("b", "123456"));
        assert_ne!(s.otp_mac("a", "123456"), s.otp_mac("a", "123457"));
        assert!(ct_eq(b"abc", b"abc") && !ct_eq(b"abc", b"abd") && !ct_eq(b"ab", b"abc"));
    }
}
