//! The captcha token (SECURITY.md 13 as amended): the answer, the picture seed and the expiry
//! sealed with AES-256-GCM under a key derived from the installation secret, so the page and
//! the picture URL carry the challenge and the server stores nothing until an answer comes.
//!
//! Layout, base64url without padding (88 characters): version `1` ‖ challenge id (16 random
//! bytes) ‖ AES-256-GCM(expiry ‖ seed ‖ answer length ‖ answer, zero-padded). Each token has its
//! own key, HMAC-SHA-256(captcha key, label ‖ id), so the fixed nonce is never reused under a
//! key and a changed id fails like any changed byte.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Captcha, CaptchaError};

/// The longest answer a token carries, in bytes.
pub const ANSWER_MAX: usize = 8;
/// The challenge id's length in bytes.
pub const ID_LEN: usize = 16;

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
/// Expiry (8) ‖ seed (16) ‖ answer length (1) ‖ answer (padded).
const PLAIN_LEN: usize = 8 + 16 + 1 + ANSWER_MAX;
const TOKEN_LEN: usize = 1 + ID_LEN + PLAIN_LEN + TAG_LEN;
/// Base64url characters of a token; longer input is not decoded at all.
const TOKEN_CHARS: usize = (TOKEN_LEN * 8).div_ceil(6);

/// What an intact token of this installation says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The challenge id: the key of the one-use row written when an answer comes.
    pub id: [u8; ID_LEN],
    /// Unix seconds after which the challenge is void.
    pub expires_at: i64,
    /// The answer and the picture seed.
    pub captcha: Captcha,
}

/// The AEAD key of one token.
fn token_key(key: &[u8], id: &[u8; ID_LEN]) -> Result<LessSafeKey, CaptchaError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| CaptchaError::Seal)?;
    mac.update(b"dcc/captcha/token/v1");
    mac.update(id);
    let k = mac.finalize().into_bytes();
    let unbound = UnboundKey::new(&AES_256_GCM, &k).map_err(|_| CaptchaError::Seal)?;
    Ok(LessSafeKey::new(unbound))
}

/// Seals a challenge under `key` (derived from the installation secret) with its random `id`
/// and expiry.
pub fn seal(
    key: &[u8],
    id: [u8; ID_LEN],
    expires_at: i64,
    captcha: &Captcha,
) -> Result<String, CaptchaError> {
    let answer = captcha.answer.as_bytes();
    let answer_len = u8::try_from(answer.len())
        .ok()
        .filter(|n| usize::from(*n) <= ANSWER_MAX)
        .ok_or(CaptchaError::AnswerTooLong)?;
    let mut plain = Vec::with_capacity(PLAIN_LEN + TAG_LEN);
    plain.extend_from_slice(&expires_at.to_be_bytes());
    plain.extend_from_slice(&captcha.seed);
    plain.push(answer_len);
    plain.extend_from_slice(answer);
    plain.resize(PLAIN_LEN, 0);
    let aad = [VERSION];
    token_key(key, &id)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key([0; NONCE_LEN]),
            Aad::from(aad),
            &mut plain,
        )
        .map_err(|_| CaptchaError::Seal)?;
    let mut out = Vec::with_capacity(TOKEN_LEN);
    out.push(VERSION);
    out.extend_from_slice(&id);
    out.extend_from_slice(&plain);
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
}

/// Opens a token sealed by [`seal`] under the same key; `None` for anything else (another
/// installation, a changed byte, a wrong length). The expiry is the caller's to check.
pub fn open(key: &[u8], token: &str) -> Option<Opened> {
    if token.len() != TOKEN_CHARS {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let (&version, rest) = bytes.split_first()?;
    if version != VERSION || rest.len() != ID_LEN + PLAIN_LEN + TAG_LEN {
        return None;
    }
    let (id, sealed) = rest.split_at_checked(ID_LEN)?;
    let id: [u8; ID_LEN] = id.try_into().ok()?;
    let mut sealed = sealed.to_vec();
    let plain = token_key(key, &id)
        .ok()?
        .open_in_place(
            Nonce::assume_unique_for_key([0; NONCE_LEN]),
            Aad::from([VERSION]),
            &mut sealed,
        )
        .ok()?;
    let expires_at = i64::from_be_bytes(plain.get(..8)?.try_into().ok()?);
    let seed: [u8; 16] = plain.get(8..24)?.try_into().ok()?;
    let len = usize::from(*plain.get(24)?);
    let answer = std::str::from_utf8(plain.get(25..25 + len)?).ok()?;
    Some(Opened {
        id,
        expires_at,
        captcha: Captcha {
            answer: answer.to_string(),
            seed,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a captcha key derived from the installation secret";

    fn sample() -> Captcha {
        Captcha {
            answer: "024680".into(),
            seed: [9; 16],
        }
    }

    #[test]
    fn opens_what_it_sealed_and_hides_the_answer() {
        let t = seal(KEY, [1; ID_LEN], 1_772_445_900, &sample()).unwrap();
        assert_eq!(t.len(), TOKEN_CHARS);
        let o = open(KEY, &t).unwrap();
        assert_eq!(o.id, [1; ID_LEN]);
        assert_eq!(o.expires_at, 1_772_445_900);
        assert_eq!(o.captcha, sample());
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&t)
            .unwrap();
        assert!(!raw.windows(6).any(|w| w == b"024680"), "answer in clear");
        assert!(!raw.windows(16).any(|w| w == [9; 16]), "seed in clear");
        // Another id gives another ciphertext for the same challenge.
        let t2 = seal(KEY, [2; ID_LEN], 1_772_445_900, &sample()).unwrap();
        assert_ne!(t[23..], t2[23..]);
    }

    #[test]
    fn refuses_changed_foreign_and_malformed_tokens() {
        let t = seal(KEY, [1; ID_LEN], 100, &sample()).unwrap();
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&t)
            .unwrap();
        for i in 0..raw.len() {
            let mut changed = raw.clone();
            changed[i] ^= 0x01;
            let changed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(changed);
            assert_eq!(open(KEY, &changed), None, "byte {i} changed");
        }
        assert_eq!(open(b"another installation", &t), None);
        for bad in [
            "",
            "abc",
            &t[1..],
            &format!("{t}A"),
            &"A".repeat(TOKEN_CHARS),
        ] {
            assert_eq!(open(KEY, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn answers_longer_than_the_token_holds_are_refused() {
        let long = Captcha {
            answer: "123456789".into(),
            seed: [0; 16],
        };
        assert!(matches!(
            seal(KEY, [0; ID_LEN], 0, &long),
            Err(CaptchaError::AnswerTooLong)
        ));
    }
}
