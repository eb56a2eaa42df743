//! `service::Error`: why a domain operation did not happen, without HTTP. The web layer maps
//! each variant to a status and a page (`server::error`); the CLI prints it. Messages name what
//! was wrong, never a value a person gave (SECURITY.md 45).

use crate::store::StoreError;

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
    Invalid(String),
    /// The input is malformed before any rule applies (the database refused its text).
    #[error("{0}")]
    BadRequest(String),
    /// A conflict with stored state (duplicate record, reused idempotency key).
    #[error("{0}")]
    Conflict(String),
    /// Refused for this caller (a missing step-up, a suspended account); the message says why.
    #[error("{0}")]
    Forbidden(String),
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
            StoreError::Conflict(what) => Error::Conflict(format!("{what} already exists")),
            StoreError::Refused(what) => Error::BadRequest(what.into()),
            e => Error::Internal(e.to_string()),
        }
    }
}
