//! A registry account's explicit link to a NIA identity (issue #21): an account registered by
//! certificate holds no birth-number index, so its holder links the identity NIA asserts once
//! (`nia::Purpose::Link`) and then signs in through NIA like an account registered by birth
//! number. One account per person: an identity registered with or linked to another account is
//! refused. Linking and unlinking are notified by SMS and e-mail and audited under the user's
//! pseudonym; no birth number or index reaches a log, an audit detail or a message.

use serde_json::json;

use crate::error::ServiceResult;
use crate::notice::{Channel, Notice};
use crate::store::registry::NiaLink;
use crate::store::AuditEvent;
use crate::Ctx;

/// Links the identity with birth-number index `nia_index` to the account `user_id` (the caller
/// checked that the request is that user's); the store's answer says whether it was linked or
/// why not. Audited as `registry.nia_linked` when linked.
pub async fn link(app: &Ctx, user_id: &str, nia_index: &[u8], now: i64) -> ServiceResult<NiaLink> {
    let notices = [
        Notice::NiaLinked.message(app.sender(), Channel::Sms, ""),
        Notice::NiaLinked.message(app.sender(), Channel::Email, ""),
    ];
    let audit = AuditEvent {
        event: "registry.nia_linked".into(),
        org_id: None,
        subject: Some(app.secrets.pseudonym(user_id.as_bytes())),
        detail: json!({}),
    };
    Ok(app
        .store
        .nia_link(user_id, nia_index, &notices, &audit, now)
        .await?)
}

/// Removes the account's linked identity, notified and audited as `registry.nia_unlinked`;
/// false when none was linked.
pub async fn unlink(app: &Ctx, user_id: &str, now: i64) -> ServiceResult<bool> {
    let notices = [
        Notice::NiaUnlinked.message(app.sender(), Channel::Sms, ""),
        Notice::NiaUnlinked.message(app.sender(), Channel::Email, ""),
    ];
    let audit = AuditEvent {
        event: "registry.nia_unlinked".into(),
        org_id: None,
        subject: Some(app.secrets.pseudonym(user_id.as_bytes())),
        detail: json!({}),
    };
    Ok(app.store.nia_unlink(user_id, &notices, &audit, now).await?)
}
