//! The per-IP limit of `POST /verify` and `POST /verify/image` (SECURITY.md 49), as an extractor:
//! the handlers take [`VerifyQuota`] first, so a client over its limit gets the 429 before its
//! body is read. An extractor rather than a route layer, because a route's layers are cloned on
//! every request.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;

/// Proof that the request is within its client's `POST /verify` bucket. The client is the
/// connection's peer address; requests without one (in-process tests) share one bucket.
#[derive(Debug, Clone, Copy)]
pub struct VerifyQuota;

impl FromRequestParts<AppState> for VerifyQuota {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        if let Some(limiter) = &app.verify_limiter {
            let ip = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
            limiter.check(ip).map_err(AppError::TooManyRequests)?;
        }
        Ok(VerifyQuota)
    }
}
