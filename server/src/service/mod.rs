//! The domain's operations, which live in the `service` crate, under the paths the web layer
//! calls them by (`crate::service::provider::…`).

pub use ::service::captcha::check as captcha;
pub use ::service::{
    citizen, contact, exchange, nia, nia_link, notice, otp, permissions, provider, public,
    questions, registry, renewal, revocation, session, validator, worker,
};
