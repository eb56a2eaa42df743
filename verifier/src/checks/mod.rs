//! One module per check after the decode chain; each returns an `Outcome` with a message.

pub mod expiry;
pub mod key_usage;
pub mod rules;
pub mod schema;
pub mod signature;
