//! The picture captcha of the login and PIN-renewal pages (SECURITY.md 13–14; the seed's
//! "Opište prosím číslice v obrázku / Please rewrite the digits in the picture").
//!
//! Pure: no I/O and no clock. [`new_challenge`] draws 5 or 6 digits and a picture seed from the
//! OS CSPRNG; [`token::seal`] puts both, with a random challenge id and the expiry, into a token
//! only this installation can open, so showing a captcha stores nothing; [`picture::render_png`]
//! redraws the same picture from it on every request; [`answer_is`] compares in constant time.

pub mod check;
pub mod picture;
pub mod token;

pub use picture::{render_png, HEIGHT, WIDTH};

/// A challenge: the digits to read and the seed the picture is drawn from.
#[derive(Clone, PartialEq, Eq)]
pub struct Captcha {
    /// The digits in the picture (5 or 6 ASCII digits, leading zeros possible; at most
    /// [`token::ANSWER_MAX`] bytes).
    pub answer: String,
    /// Seed of the picture's jitter.
    pub seed: [u8; 16],
}

impl std::fmt::Debug for Captcha {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Captcha").finish_non_exhaustive()
    }
}

/// Why a challenge could not be made, drawn or sealed.
#[derive(Debug, thiserror::Error)]
pub enum CaptchaError {
    /// The OS CSPRNG failed.
    #[error("random source: {0}")]
    Random(#[from] getrandom::Error),
    /// The PNG encoder failed.
    #[error("PNG encoding: {0}")]
    Encode(String),
    /// The answer does not fit the token (more than [`token::ANSWER_MAX`] bytes).
    #[error("a captcha answer has at most {} bytes", token::ANSWER_MAX)]
    AnswerTooLong,
    /// The AEAD refused the key or the data.
    #[error("captcha token sealing failed")]
    Seal,
}

/// Where challenges come from: [`new_challenge`] in production; tests inject known answers.
pub type CaptchaSource = std::sync::Arc<dyn Fn() -> Result<Captcha, CaptchaError> + Send + Sync>;

/// A new challenge: 5 or 6 digits uniform from the OS CSPRNG and a random picture seed.
pub fn new_challenge() -> Result<Captcha, CaptchaError> {
    let len = if below(2)? == 0 { 5 } else { 6 };
    let mut answer = String::with_capacity(len);
    for _ in 0..len {
        let d = below(10)?;
        answer.push(char::from(b'0' + d as u8));
    }
    let mut seed = [0u8; 16];
    getrandom::getrandom(&mut seed)?;
    Ok(Captcha { answer, seed })
}

/// Uniform in `0..n` (n ≥ 1) from the OS CSPRNG, by rejection sampling.
fn below(n: u32) -> Result<u32, getrandom::Error> {
    let n = n.max(1);
    let limit = u32::MAX - u32::MAX % n;
    loop {
        let mut b = [0u8; 4];
        getrandom::getrandom(&mut b)?;
        let x = u32::from_be_bytes(b);
        if x < limit {
            return Ok(x % n);
        }
    }
}

/// The answer as compared: surrounding and inner whitespace removed (so pasted "12 345 " is
/// "12345").
fn normalise(answer: &str) -> String {
    answer.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `submitted` is `expected`, whitespace aside; compared in constant time (the length,
/// which the picture shows anyway, is not hidden). An empty expected answer never matches.
pub fn answer_is(expected: &str, submitted: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    let submitted = normalise(submitted);
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_five_or_six_digits_and_vary() {
        let challenges: Vec<Captcha> = (0..40).map(|_| new_challenge().unwrap()).collect();
        for c in &challenges {
            let a = &c.answer;
            assert!(a.len() == 5 || a.len() == 6, "{a}");
            assert!(a.bytes().all(|b| b.is_ascii_digit()), "{a}");
        }
        let distinct: std::collections::HashSet<_> =
            challenges.iter().map(|c| c.answer.clone()).collect();
        assert!(distinct.len() > 30);
        assert!(challenges.iter().any(|c| c.answer.len() == 5));
        assert!(challenges.iter().any(|c| c.answer.len() == 6));
        let seeds: std::collections::HashSet<_> = challenges.iter().map(|c| c.seed).collect();
        assert_eq!(seeds.len(), challenges.len());
    }

    #[test]
    fn answers_match_whitespace_aside_only() {
        assert!(answer_is("012345", "012345"));
        assert!(answer_is("012345", "  012 345\t"));
        assert!(!answer_is("012345", "012346"));
        assert!(!answer_is("012345", "12345"));
        assert!(!answer_is("012345", "0123456"));
        assert!(!answer_is("012345", ""));
        assert!(!answer_is("", ""));
    }

    #[test]
    fn debug_does_not_show_the_answer_or_seed() {
        let c = Captcha {
            answer: "918273".into(),
            seed: [0xab; 16],
        };
        let s = format!("{c:?}");
        assert!(!s.contains("918273") && !s.contains("171"), "{s}");
    }
}
