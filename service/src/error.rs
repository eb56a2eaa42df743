//! `service::Error`: why a domain operation did not happen, without HTTP. The web layer maps
//! each variant to a status and a page (`server::error`); the CLI prints it. Messages name what
//! was wrong, never a value a person gave (SECURITY.md 45).

use texts::{Arg, Lang};

use crate::store::StoreError;

/// What was wrong, as a message key of the `texts` catalogues (`error-*`) and its parameters,
/// so each reader gets it in their language: the API and the CLI in English (`Display`), the
/// portal in the page's language ([`Problem::text`]). Parameters name fields, limits and
/// organisations, never a value a person typed (SECURITY.md 45).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    key: &'static str,
    args: Vec<(&'static str, String)>,
}

impl Problem {
    /// The message `key` without parameters.
    pub fn new(key: &'static str) -> Self {
        Problem {
            key,
            args: Vec::new(),
        }
    }

    /// With a parameter.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// A refused field of an API body: `detail` names the field and the rule in the API's
    /// technical English (`v.dn: must be 1 to 9`), which the portal shows after a sentence in
    /// its own language.
    pub fn field(detail: impl Into<String>) -> Self {
        Problem::new("error-field").with("detail", detail)
    }

    /// The message key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<(&str, Arg<'_>)> = self
            .args
            .iter()
            .map(|(name, value)| (*name, Arg::Str(value)))
            .collect();
        lang.format(self.key, &args)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No or an unknown, expired or revoked credential (token, session).
    #[error(
        "a valid bearer token is required in the Authorization header (or a registry session)"
    )]
    Unauthorized,
    /// Nothing of that id the caller may see (unknown and not-yours look the same).
    #[error("not found")]
    NotFound,
    /// The input is not what the operation takes; the message names the field.
    #[error("{0}")]
    Invalid(Problem),
    /// The input is malformed before any rule applies (the database refused its text).
    #[error("{0}")]
    BadRequest(Problem),
    /// A conflict with stored state (duplicate record, reused idempotency key).
    #[error("{0}")]
    Conflict(Problem),
    /// Refused for this caller (a missing step-up, a suspended account); the message says why.
    #[error("{0}")]
    Forbidden(Problem),
    /// Too many attempts from one client or for one subject; retry after this many seconds.
    #[error("too many requests: retry in {0} s")]
    TooManyRequests(u64),
    /// A budget is spent (SMS per hour, drawing slots); retry after this many seconds.
    #[error("the service is busy: retry in {0} s")]
    Unavailable(u64),
    /// Something broke inside; the detail is for the log only.
    #[error("internal error")]
    Internal(String),
}

/// Result of a domain operation.
pub type ServiceResult<T> = Result<T, Error>;

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => {
                Error::Conflict(Problem::new("error-exists").with("what", format!("{what:?}")))
            }
            StoreError::Refused(what) => Error::BadRequest(Problem::field(what)),
            e => Error::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Conflict;

    #[test]
    fn problems_read_in_english_for_the_api_and_in_czech_for_the_portal() {
        let e = Error::from(StoreError::Conflict(Conflict::IdempotencyKey));
        assert_eq!(e.to_string(), "idempotency key already exists");
        let Error::Conflict(p) = e else {
            panic!("{e:?}")
        };
        assert_eq!(p.text(Lang::Cs), "Klíč Idempotency-Key už existuje.");
        let p = Problem::new("error-no-organisation").with("ico", "25596641");
        assert_eq!(p.to_string(), "no organisation with IČO 25596641");
        assert_eq!(p.text(Lang::Cs), "Organizace s IČO 25596641 neexistuje.");
        let field = Problem::field("v.dn: must be 1 to 9");
        assert_eq!(field.to_string(), "v.dn: must be 1 to 9");
        assert_eq!(
            field.text(Lang::Cs),
            "Údaje nebyly přijaty: v.dn: must be 1 to 9"
        );
    }

    #[test]
    fn every_stored_conflict_has_its_own_words() {
        for c in [
            Conflict::Organisation,
            Conflict::Token,
            Conflict::Record,
            Conflict::IdempotencyKey,
            Conflict::LegacyCertificate,
            Conflict::Certificate,
            Conflict::Account,
            Conflict::PermissionRequest,
            Conflict::PowerOfAttorney,
        ] {
            let Error::Conflict(p) = Error::from(StoreError::Conflict(c)) else {
                panic!("{c:?}")
            };
            // English as the store names it; no conflict falls through to the generic word.
            assert_eq!(p.to_string(), format!("{c} already exists"));
            if c != Conflict::Record {
                assert!(!p.text(Lang::Cs).starts_with("Záznam "), "{c:?}");
            }
        }
    }
}
