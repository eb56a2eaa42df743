//! Registry-user PINs (SECURITY.md items 5–7): normalisation, the acceptance policy (length,
//! blocklist, context values) and argon2id storage. Pure: no I/O beyond the OS CSPRNG for salts,
//! no clock, no logging. Nothing here ever puts a PIN into an error, a message or `Debug` output.
//!
//! # The zxcvbn threshold
//!
//! zxcvbn estimates at most 10 guesses per character for text it cannot explain by patterns, so a
//! PIN of `n` code points never scores more than about 10^n guesses: every 6-character PIN scores
//! ≤ 1, 7–8 characters ≤ 2, and score 3 (> 10^8 guesses) is reachable only from 9 characters
//! (measured: 99.5 % of random 9-character PINs score 3, 0 % of 8-character ones). Requiring
//! score ≥ 3 outright would therefore silently raise the seed's 6-character minimum to 9. So:
//!
//! - from [`PinContext::score_from_len`] code points on (default 9) the zxcvbn score must be at
//!   least [`PinContext::min_score`] (default 3), exactly as item 6 states;
//! - below that length the PIN must not be guessable much faster than a random PIN of its length:
//!   zxcvbn's guess estimate must be ≥ 10^(n−1), i.e. recognised patterns (frequency-list
//!   passwords and words, keyboard walks, dates, repeats, l33t) may explain at most one
//!   character's worth. At n = 9 this bound (10^8) coincides with the score-3 boundary, so the two
//!   rules join without a gap. `monkey`, `letmein`, `qwertz`, `Kx9#love` are rejected; about 99 %
//!   of random 6–8-character PINs pass.
//!
//! Either way the check uses only the word lists embedded in the `zxcvbn` crate; nothing is
//! fetched or copied into the repository.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, PasswordHasher, PasswordVerifier, Version};
use texts::{Arg, Lang};
use unicode_normalization::UnicodeNormalization;

/// Smallest PIN length dcc accepts, in code points after [`normalise`] (seed renewal step 8).
pub const MIN_LEN: usize = 6;
/// Largest PIN length, in code points after [`normalise`]; longer PINs are rejected, never truncated.
pub const MAX_LEN: usize = 128;
/// Length of runs of repeated, sequential or keyboard-adjacent characters that is rejected.
pub const RUN_LEN: usize = 6;
/// Default zxcvbn score required from [`DEFAULT_SCORE_FROM_LEN`] code points on.
pub const DEFAULT_MIN_SCORE: u8 = 3;
/// Default length from which the zxcvbn score rule applies (see the module docs).
pub const DEFAULT_SCORE_FROM_LEN: usize = 9;

/// Salt length in bytes (item 7).
pub const SALT_LEN: usize = 16;
/// argon2id tag length in bytes (item 7).
pub const OUTPUT_LEN: usize = 32;
/// Default argon2id memory cost in KiB (19 MiB).
pub const DEFAULT_M_KIB: u32 = 19_456;
/// Default argon2id time cost (iterations).
pub const DEFAULT_T: u32 = 2;
/// Default argon2id parallelism.
pub const DEFAULT_P: u32 = 1;

/// NFKC, then every run of U+0020 spaces collapsed to one. Applied before checking, hashing
/// and verifying, so the same PIN typed or pasted in a different form matches.
pub fn normalise(pin: &str) -> String {
    let mut out = String::with_capacity(pin.len());
    let mut prev_space = false;
    for c in pin.nfkc() {
        if c == ' ' {
            if prev_space {
                continue;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
        out.push(c);
    }
    out
}

/// What a PIN is checked against besides itself. Borrowed values; none of them is ever echoed.
#[derive(Clone)]
pub struct PinContext<'a> {
    /// Minimum length in code points; values below [`MIN_LEN`] are raised to it.
    pub min_len: usize,
    /// zxcvbn score required from `score_from_len` code points on (0–4).
    pub min_score: u8,
    /// Length from which `min_score` applies; shorter PINs get the per-length bound (module docs).
    pub score_from_len: usize,
    /// The account's username.
    pub username: Option<&'a str>,
    /// The organisation's name.
    pub organisation: Option<&'a str>,
    /// The holder's birth number, with or without the slash.
    pub birth_number: Option<&'a str>,
    /// The holder's birth date; when absent it is derived from `birth_number` where possible.
    pub birth_date: Option<time::Date>,
    /// The holder's phone number in any format.
    pub phone: Option<&'a str>,
}

impl Default for PinContext<'_> {
    fn default() -> Self {
        Self {
            min_len: MIN_LEN,
            min_score: DEFAULT_MIN_SCORE,
            score_from_len: DEFAULT_SCORE_FROM_LEN,
            username: None,
            organisation: None,
            birth_number: None,
            birth_date: None,
            phone: None,
        }
    }
}

impl fmt::Debug for PinContext<'_> {
    /// Policy numbers and which context values are present, never the values (personal data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinContext")
            .field("min_len", &self.min_len)
            .field("min_score", &self.min_score)
            .field("score_from_len", &self.score_from_len)
            .field("username", &self.username.is_some())
            .field("organisation", &self.organisation.is_some())
            .field("birth_number", &self.birth_number.is_some())
            .field("birth_date", &self.birth_date.is_some())
            .field("phone", &self.phone.is_some())
            .finish()
    }
}

/// Which context value a PIN contained (the value itself is never reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextField {
    Username,
    /// The service name "dcc".
    Service,
    Organisation,
    BirthNumber,
    BirthDate,
    Phone,
}

impl ContextField {
    /// Stable machine-readable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Service => "service",
            Self::Organisation => "organisation",
            Self::BirthNumber => "birth_number",
            Self::BirthDate => "birth_date",
            Self::Phone => "phone",
        }
    }
}

/// Why a PIN was refused. Carries no part of the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinRejected {
    /// Fewer code points than the minimum.
    TooShort { min: usize },
    /// More than [`MAX_LEN`] code points.
    TooLong { max: usize },
    /// A common password or otherwise easily guessed (zxcvbn).
    Common,
    /// A run of ≥ 6 repeated, sequential or keyboard-adjacent characters.
    Sequence,
    /// Contains a value from the account's context.
    Context(ContextField),
}

impl PinRejected {
    /// Stable reason code for responses and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::Common => "common",
            Self::Sequence => "sequence",
            Self::Context(_) => "context",
        }
    }

    /// The explanation for the user in `lang`, from the `texts` catalogue (`pin-*`).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::TooShort { min } => lang.format("pin-too-short", &[("min", (*min).into())]),
            Self::TooLong { max } => lang.format("pin-too-long", &[("max", (*max).into())]),
            Self::Common => lang.format("pin-common", &[]),
            Self::Sequence => lang.format("pin-sequence", &[("run", RUN_LEN.into())]),
            Self::Context(field) => {
                lang.format("pin-context", &[("field", Arg::Str(field.as_str()))])
            }
        }
    }
}

impl fmt::Display for PinRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for PinRejected {}

/// Checks a PIN against items 5–6. `pin` may be raw input; it is normalised first.
pub fn check(pin: &str, context: &PinContext) -> Result<(), PinRejected> {
    let pin = normalise(pin);
    let chars: Vec<char> = pin.chars().collect();
    let len = chars.len();
    let min = context.min_len.clamp(MIN_LEN, MAX_LEN);
    if len < min {
        return Err(PinRejected::TooShort { min });
    }
    if len > MAX_LEN {
        return Err(PinRejected::TooLong { max: MAX_LEN });
    }
    let lower: Vec<char> = pin.to_lowercase().chars().collect();
    if has_run(&lower) {
        return Err(PinRejected::Sequence);
    }
    let lower: String = lower.into_iter().collect();
    let inputs = context_check(&lower, context)?;
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(&pin, &refs);
    let strong = if len >= context.score_from_len {
        u8::from(entropy.score()) >= context.min_score.min(4)
    } else {
        // ≥ 10^(n−1) guesses; n < score_from_len, so the cast stays small.
        let bound = f64::from(u32::try_from(len).unwrap_or(u32::MAX)) - 1.0;
        entropy.guesses_log10() >= bound
    };
    if strong {
        Ok(())
    } else {
        Err(PinRejected::Common)
    }
}

/// Keyboard rows (QWERTY, Czech QWERTZ with its letter number row), each checked forwards and
/// backwards for windows of [`RUN_LEN`].
const KEYBOARD_ROWS: &[&str] = &[
    "1234567890",
    "qwertyuiop",
    "qwertzuiop",
    "asdfghjkl",
    "zxcvbnm",
    "yxcvbnm",
    "+ěščřžýáíé",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];

/// True when `chars` (lowercased) holds [`RUN_LEN`] repeated characters, code points ascending or
/// descending by one (`123456`, `abcdef`, `fedcba`), or a keyboard run.
fn has_run(chars: &[char]) -> bool {
    for w in chars.windows(RUN_LEN) {
        let mut same = true;
        let mut up = true;
        let mut down = true;
        for pair in w.windows(2) {
            if let [a, b] = pair {
                let (a, b) = (u32::from(*a), u32::from(*b));
                same &= a == b;
                up &= a.checked_add(1) == Some(b);
                down &= b.checked_add(1) == Some(a);
            }
        }
        if same || up || down {
            return true;
        }
    }
    let text: String = chars.iter().collect();
    KEYBOARD_ROWS.iter().any(|row| {
        let row: Vec<char> = row.chars().collect();
        let rev: Vec<char> = row.iter().rev().copied().collect();
        [row, rev].iter().any(|r| {
            r.windows(RUN_LEN)
                .any(|w| text.contains(&w.iter().collect::<String>()))
        })
    })
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Rejects context values; returns them (lowercased) as zxcvbn user inputs otherwise.
fn context_check(lower: &str, ctx: &PinContext) -> Result<Vec<String>, PinRejected> {
    let mut inputs = vec!["dcc".to_owned()];
    if lower.contains("dcc") {
        return Err(PinRejected::Context(ContextField::Service));
    }
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(user) = ctx.username {
        let user = normalise(user).to_lowercase();
        let user = user.trim();
        if user.chars().count() >= 3 && lower.contains(user) {
            return Err(PinRejected::Context(ContextField::Username));
        }
        inputs.push(user.to_owned());
    }
    if let Some(org) = ctx.organisation {
        let org = normalise(org).to_lowercase();
        let org_compact: String = org.chars().filter(|c| !c.is_whitespace()).collect();
        let whole = org_compact.chars().count() >= 3 && compact.contains(&org_compact);
        let word = org
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4)
            .any(|w| lower.contains(w));
        if whole || word {
            return Err(PinRejected::Context(ContextField::Organisation));
        }
        inputs.extend(org.split_whitespace().map(str::to_owned));
    }
    let pin_digits = digits(lower);
    let mut birth_date = ctx.birth_date;
    if let Some(bn) = ctx.birth_number {
        let bn = digits(&normalise(bn));
        if bn.len() >= 9 {
            let date_part: String = bn.chars().take(6).collect();
            if pin_digits.contains(&bn) || pin_digits.contains(&date_part) {
                return Err(PinRejected::Context(ContextField::BirthNumber));
            }
            if birth_date.is_none() {
                birth_date = date_from_birth_number(&bn);
            }
            inputs.push(bn);
        }
    }
    if let Some(date) = birth_date {
        let forms = date_forms(date);
        if forms.iter().any(|f| pin_digits.contains(f.as_str())) {
            return Err(PinRejected::Context(ContextField::BirthDate));
        }
        inputs.extend(forms);
    }
    if let Some(phone) = ctx.phone {
        let phone = digits(&normalise(phone));
        let n = phone.chars().count();
        if n >= RUN_LEN {
            let tail: String = phone.chars().skip(n - RUN_LEN).collect();
            if pin_digits.contains(&tail) {
                return Err(PinRejected::Context(ContextField::Phone));
            }
            inputs.push(phone);
        }
    }
    Ok(inputs)
}

/// Digit forms of a birth date: YYYYMMDD, DDMMYYYY (= DD.MM.YYYY without dots), YYMMDD, DDMMYY,
/// and D.M.YYYY without dots for single-digit days or months.
fn date_forms(date: time::Date) -> Vec<String> {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    let yy = y.rem_euclid(100);
    vec![
        format!("{y:04}{m:02}{d:02}"),
        format!("{d:02}{m:02}{y:04}"),
        format!("{d}{m}{y:04}"),
        format!("{yy:02}{m:02}{d:02}"),
        format!("{d:02}{m:02}{yy:02}"),
    ]
}

/// The birth date encoded in a Czech birth number (digits only): YYMMDD with +50 (women) and,
/// from 2004, +20 / +70 on the month; 9 digits means born before 1954.
pub fn date_from_birth_number(bn: &str) -> Option<time::Date> {
    let num = |range: std::ops::Range<usize>| bn.get(range).and_then(|s| s.parse::<i32>().ok());
    let yy = num(0..2)?;
    let mut mm = num(2..4)?;
    let dd = num(4..6)?;
    if mm > 70 {
        mm -= 70;
    } else if mm > 50 {
        mm -= 50;
    } else if mm > 20 {
        mm -= 20;
    }
    let year = if bn.len() == 9 || yy >= 54 {
        1900 + yy
    } else {
        2000 + yy
    };
    let month = time::Month::try_from(u8::try_from(mm).ok()?).ok()?;
    time::Date::from_calendar_date(year, month, u8::try_from(dd).ok()?).ok()
}

/// Hashing and verification failures. None of them carries the PIN.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("invalid argon2 parameters: {0}")]
    Params(argon2::Error),
    #[error("the OS random number generator failed")]
    Random,
    #[error("argon2id failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the stored PIN hash is not a valid argon2 PHC string")]
    Malformed,
}

/// Outcome of [`PinHasher::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The PIN matches.
    pub ok: bool,
    /// The stored hash is weaker than the configured parameters (or not argon2id v19, or a salt
    /// or tag shorter than 16 / 32 bytes): rehash the PIN now that it is known.
    pub needs_rehash: bool,
}

/// argon2id PIN hasher (item 7) that counts its evaluations, and how many ran at once at most
/// (SECURITY.md 50 bounds that by the number of cores).
#[derive(Debug)]
pub struct PinHasher {
    params: argon2::Params,
    dummy: String,
    evaluations: AtomicU64,
    running: AtomicU64,
    peak: AtomicU64,
}

/// One evaluation in progress; counted from creation to drop.
struct Running<'a>(&'a AtomicU64);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Default for PinHasher {
    /// m = 19456 KiB, t = 2, p = 1, 32-byte tag.
    fn default() -> Self {
        Self::from_params(argon2::Params::DEFAULT)
    }
}

impl PinHasher {
    /// A hasher with memory `m_kib` KiB, `t` iterations, parallelism `p` and a 32-byte tag.
    pub fn new(m_kib: u32, t: u32, p: u32) -> Result<Self, PinError> {
        let params =
            argon2::Params::new(m_kib, t, p, Some(OUTPUT_LEN)).map_err(PinError::Params)?;
        Ok(Self::from_params(params))
    }

    fn from_params(params: argon2::Params) -> Self {
        // A fixed well-formed PHC string under the configured parameters: all-zero salt and tag,
        // which no PIN produces in practice. Verifying against it costs one full evaluation.
        let dummy = format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            "A".repeat(22),
            "A".repeat(43),
        );
        Self {
            params,
            dummy,
            evaluations: AtomicU64::new(0),
            running: AtomicU64::new(0),
            peak: AtomicU64::new(0),
        }
    }

    /// The configured parameters.
    pub fn params(&self) -> &argon2::Params {
        &self.params
    }

    /// How many argon2id evaluations this hasher has run (hash, verify and verify_dummy).
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// The most evaluations that have run at the same time.
    pub fn peak_concurrency(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    fn start(&self) -> Running<'_> {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        let now = self.running.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
        Running(&self.running)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes the normalised PIN with a fresh 16-byte salt from the OS CSPRNG; returns the PHC
    /// string (`$argon2id$v=19$m=…,t=…,p=…$salt$tag`).
    pub fn hash(&self, pin: &str) -> Result<String, PinError> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::getrandom(&mut salt).map_err(|_| PinError::Random)?;
        let pin = normalise(pin);
        let _running = self.start();
        let hash = self
            .argon2()
            .hash_password_with_salt(pin.as_bytes(), &salt)
            .map_err(PinError::Hash)?;
        Ok(hash.to_string())
    }

    /// Verifies the normalised PIN against a stored PHC string: one evaluation with the stored
    /// parameters, constant-time tag comparison. A malformed stored string still costs one
    /// (dummy) evaluation before the error, so it is no faster than a real check.
    pub fn verify(&self, pin: &str, phc: &str) -> Result<Verified, PinError> {
        let Ok(stored) = PasswordHash::new(phc) else {
            self.verify_dummy(pin);
            return Err(PinError::Malformed);
        };
        let pin = normalise(pin);
        let _running = self.start();
        let ok = match self.argon2().verify_password(pin.as_bytes(), &stored) {
            Ok(()) => true,
            Err(argon2::password_hash::Error::PasswordInvalid) => false,
            Err(e) => return Err(PinError::Hash(e)),
        };
        Ok(Verified {
            ok,
            needs_rehash: self.is_weaker(&stored),
        })
    }

    /// One full verification against a fixed dummy hash, for unknown users, so that they cost
    /// exactly what a known user costs. The result is always a mismatch and is discarded.
    pub fn verify_dummy(&self, pin: &str) {
        let pin = normalise(pin);
        let _running = self.start();
        if let Ok(dummy) = PasswordHash::new(&self.dummy) {
            let _ = self.argon2().verify_password(pin.as_bytes(), &dummy);
        }
    }

    fn is_weaker(&self, stored: &PasswordHash) -> bool {
        let Ok(p) = argon2::Params::try_from(stored) else {
            return true;
        };
        stored.algorithm != argon2::ARGON2ID_IDENT
            || stored.version != Some(Version::V0x13.into())
            || stored.salt.as_ref().map_or(0, |s| s.as_ref().len()) < SALT_LEN
            || stored.hash.as_ref().map_or(0, |h| h.len()) < OUTPUT_LEN
            || p.m_cost() < self.params.m_cost()
            || p.t_cost() < self.params.t_cost()
            || p.p_cost() < self.params.p_cost()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(pin: &str) {
        assert_eq!(check(pin, &PinContext::default()), Ok(()), "{pin:?}");
    }

    fn code(pin: &str, ctx: &PinContext) -> &'static str {
        match check(pin, ctx) {
            Ok(()) => "ok",
            Err(e) => e.code(),
        }
    }

    fn ctx() -> PinContext<'static> {
        PinContext {
            username: Some("K7M2QX9D"),
            organisation: Some("Nemocnice Kolín"),
            birth_number: Some("855415/1234"),
            phone: Some("+420 777 318 529"),
            ..PinContext::default()
        }
    }

    /// 128 emoji, no two neighbours adjacent code points and no immediate repeats.
    fn emoji(n: usize) -> String {
        (0..n)
            .map(|i| char::from_u32(0x1F600 + u32::try_from(i * 7 % 80).unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn normalise_nfkc_and_spaces() {
        assert_eq!(normalise("ｆｕｌｌ\u{00A0}\u{3000} width"), "full width");
        assert_eq!(normalise("a    b"), "a b");
        assert_eq!(normalise("e\u{301}"), "é");
        assert_eq!(normalise("①②"), "12");
    }

    #[test]
    fn lengths() {
        let c = PinContext::default();
        assert_eq!(code("k7#Qx", &c), "too_short");
        assert_eq!(
            check("k7#Qx", &c),
            Err(PinRejected::TooShort { min: MIN_LEN })
        );
        ok("k7#Qx2");
        ok("hK3$vR");
        assert_eq!(emoji(128).chars().count(), 128);
        ok(&emoji(128));
        assert_eq!(code(&emoji(129), &c), "too_long");
        // Collapsed spaces count once: "ab    cd" is "ab cd", 5 code points.
        assert_eq!(code("ab    cd", &c), "too_short");
        // A configured minimum of 8 applies; a smaller one cannot go below 6.
        let eight = PinContext {
            min_len: 8,
            ..PinContext::default()
        };
        assert_eq!(code("k7#Qx2", &eight), "too_short");
        let four = PinContext {
            min_len: 4,
            ..PinContext::default()
        };
        assert_eq!(code("k7#Qx", &four), "too_short");
    }

    #[test]
    fn common_passwords() {
        let c = PinContext::default();
        for pin in [
            "monkey",
            "dragon",
            "letmein",
            "iloveyou",
            "sunshine",
            "Password1",
            "p4ssw0rd",
            "correcthorse",
            "Kx9#love",
        ] {
            assert_eq!(code(pin, &c), "common", "{pin}");
        }
        // From score_from_len on, zxcvbn's score decides.
        assert_eq!(code("passwordpassword", &c), "common");
        ok("Tj5@kW2#q");
        ok("horse battery staple lamp");
    }

    #[test]
    fn sequences() {
        let c = PinContext::default();
        for pin in [
            "aaaaaa",
            "xy111111",
            "123456",
            "654321",
            "abcdef",
            "ZYXWVU",
            "qwerty",
            "qwertz",
            "ytrewq",
            "asdfgh",
            "Kx567890",
            "ěščřžý",
            "1qaz2wsx",
        ] {
            assert_eq!(code(pin, &c), "sequence", "{pin}");
        }
        // Five in a row is not this rule's business (zxcvbn may still object).
        assert_ne!(code("12345#Qk", &c), "sequence");
        assert_ne!(code("aaaaa#Qk", &c), "sequence");
    }

    #[test]
    fn context_values() {
        let c = ctx();
        let field = |pin: &str| match check(pin, &c) {
            Err(PinRejected::Context(f)) => Some(f),
            _ => None,
        };
        assert_eq!(field("xk7m2qx9d#"), Some(ContextField::Username));
        assert_eq!(field("Vq#DCC8w!z"), Some(ContextField::Service));
        assert_eq!(field("nemocnicekolín"), Some(ContextField::Organisation));
        assert_eq!(field("Kolín#7Qx!"), Some(ContextField::Organisation));
        assert_eq!(field("x8554151234"), Some(ContextField::BirthNumber));
        assert_eq!(field("855415/1234"), Some(ContextField::BirthNumber));
        // 855415 → 15 April 1985 (women: month + 50).
        for pin in ["19850415", "15041985", "15.04.1985", "850415", "x#150485"] {
            assert_eq!(code(pin, &c), "context", "{pin}");
            assert_eq!(field(pin), Some(ContextField::BirthDate), "{pin}");
        }
        assert_eq!(field("Qv#123456"), None); // sequence, not context
        assert_eq!(field("#z7 318 529"), Some(ContextField::Phone));
        assert_eq!(field("w77318529"), Some(ContextField::Phone));
        assert_eq!(field("+420777318529"), Some(ContextField::Phone));
        // An explicit birth date is used as given.
        let dated = PinContext {
            birth_date: Some(time::macros::date!(1990 - 03 - 07)),
            ..PinContext::default()
        };
        assert_eq!(code("p#7.3.1990", &dated), "context");
        assert_eq!(code("07031990!", &dated), "context");
        // Without context the same PINs are judged on their own.
        assert_eq!(code("Vq#DCC8w!z", &PinContext::default()), "context");
        ok("Kolín#7Qx!w");
    }

    #[test]
    fn long_random_pin_accepted() {
        let c = ctx();
        assert_eq!(check("v9#Lq!2mZr@8wT&xP4k", &c), Ok(()));
        assert_eq!(check("stará lípa u potoka šumí", &c), Ok(()));
    }

    #[test]
    fn rejection_output_has_no_pin() {
        let secret = "monkey";
        let err = check(secret, &PinContext::default()).unwrap_err();
        assert!(!format!("{err:?}").contains(secret));
        assert!(!format!("{err}").contains(secret));
        assert!(!err.message(Lang::Cs).contains(secret));
        assert!(err.message(Lang::Cs).starts_with("Tento PIN"));
        let dbg = format!("{:?}", ctx());
        assert!(!dbg.contains("855415") && !dbg.contains("318"));
    }

    /// Cheap parameters for tests that are not about the defaults.
    fn fast(t: u32) -> PinHasher {
        PinHasher::new(64, t, 1).unwrap()
    }

    #[test]
    fn hash_format_and_verify() {
        let h = PinHasher::default();
        let phc = h.hash("k7#Qx2").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let parsed = PasswordHash::new(&phc).unwrap();
        assert_eq!(parsed.salt.unwrap().as_ref().len(), SALT_LEN);
        assert_eq!(parsed.hash.unwrap().len(), OUTPUT_LEN);
        assert_eq!(
            h.verify("k7#Qx2", &phc).unwrap(),
            Verified {
                ok: true,
                needs_rehash: false
            }
        );
        assert!(!h.verify("k7#Qx3", &phc).unwrap().ok);
        // Same parameters via new().
        let n = PinHasher::new(DEFAULT_M_KIB, DEFAULT_T, DEFAULT_P).unwrap();
        assert!(n
            .hash("k7#Qx2")
            .unwrap()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        // Salts differ.
        assert_ne!(h.hash("k7#Qx2").unwrap(), phc);
    }

    #[test]
    fn long_pin_last_char() {
        let h = fast(1);
        let pin: String = "aZ3$".repeat(16);
        assert_eq!(pin.chars().count(), 64);
        let phc = h.hash(&pin).unwrap();
        let mut wrong = pin.clone();
        wrong.pop();
        wrong.push('%');
        assert!(h.verify(&pin, &phc).unwrap().ok);
        assert!(!h.verify(&wrong, &phc).unwrap().ok);
    }

    #[test]
    fn normalised_before_hashing() {
        let h = fast(1);
        let phc = h.hash("ｐｉｎ  ① ok").unwrap();
        assert!(h.verify("pin 1 ok", &phc).unwrap().ok);
    }

    #[test]
    fn raising_t_needs_rehash() {
        let phc = fast(1).hash("k7#Qx2").unwrap();
        let stronger = fast(2);
        let v = stronger.verify("k7#Qx2", &phc).unwrap();
        assert!(v.ok && v.needs_rehash);
        let rehashed = stronger.hash("k7#Qx2").unwrap();
        assert!(rehashed.contains("t=2"));
        assert!(!stronger.verify("k7#Qx2", &rehashed).unwrap().needs_rehash);
        // Stronger stored parameters are fine as they are.
        assert!(!fast(1).verify("k7#Qx2", &rehashed).unwrap().needs_rehash);
    }

    #[test]
    fn evaluations_counted() {
        let h = fast(1);
        let phc = h.hash("k7#Qx2").unwrap();
        assert_eq!(h.evaluations(), 1);
        h.verify("k7#Qx2", &phc).unwrap();
        assert_eq!(h.evaluations(), 2);
        h.verify("wrong!", &phc).unwrap();
        assert_eq!(h.evaluations(), 3);
        h.verify_dummy("k7#Qx2");
        assert_eq!(h.evaluations(), 4);
        assert!(matches!(
            h.verify("k7#Qx2", "not a phc"),
            Err(PinError::Malformed)
        ));
        assert_eq!(h.evaluations(), 5);
    }

    #[test]
    fn dummy_costs_a_real_verification() {
        // The dummy hash parses and carries the configured parameters.
        let h = PinHasher::default();
        let dummy = PasswordHash::new(&h.dummy).unwrap();
        let p = argon2::Params::try_from(&dummy).unwrap();
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19_456, 2, 1));
        assert_eq!(dummy.hash.unwrap().len(), OUTPUT_LEN);
        assert_eq!(dummy.salt.unwrap().as_ref().len(), SALT_LEN);
    }
}
