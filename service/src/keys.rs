//! What the signing identities do on a running service (issue #22): the follower that reloads
//! the keyring when the store changes, the sweep that issues records kept for want of an active
//! signer, and the re-issue of what a withdrawn signer signed. The keyring itself is
//! [`crate::keyring`].

use hcert::CertType;
use issuer::Policy;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::ctx::Ctx;
pub use crate::keyring::{
    kid_name, types_of, Identity, Issuance, KeyRef, Keyring, KeyringError, NoSigner, NO_SIGNER_NOTE,
};
use crate::notice::{Channel, Notice, Sender};
use crate::store::signers::ReissueSource;
use crate::store::{AuditEvent, CertificateWrite, MessageWrite, StoreError};

/// Reloads the keyring when the store's key version changed or time alone changed the published
/// set (`force`: always); returns whether it did ([`Issuance::refresh`]).
pub async fn refresh(app: &Ctx, force: bool) -> Result<bool, KeyringError> {
    app.issuance
        .refresh(
            app.store.as_ref(),
            &app.config,
            &app.list_signer,
            app.clock.now(),
            force,
        )
        .await
}

/// Follows the store until `stop`: issues the records that waited for a signer ([`sweep`]),
/// then every `issuer.key_refresh_secs` reloads on a change ([`refresh`]) and sweeps again.
pub async fn follow(app: Ctx, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(app.config.issuer.key_refresh_secs.max(1));
    // Records a stopped instance left waiting for a signer.
    if let Err(e) = sweep(&app).await {
        tracing::error!(error = %e, "issuing records that waited for a signer failed");
    }
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        match refresh(&app, false).await {
            Ok(true) => {
                tracing::info!(
                    version = app.issuance.ring().version,
                    "signing identities reloaded"
                );
                if let Err(e) = sweep(&app).await {
                    tracing::error!(error = %e, "issuing records that waited for a signer failed");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "reloading the signing identities failed"),
        }
    }
}

/// A certificate signed for a stored record: the record's entry with the person's names.
struct Signed {
    write: CertificateWrite,
    message: Option<MessageWrite>,
}

/// Signs `kind` for the person and entry with the identity the keyring chooses now; `uvci`
/// keeps the one a re-issue must keep. `None` when no identity is active for the type.
async fn sign_for(
    app: &Ctx,
    person: &crate::store::portal::PersonView,
    kind: CertType,
    mut entry: Value,
    uvci: Option<&str>,
    now: OffsetDateTime,
) -> Result<Option<Signed>, crate::Error> {
    let Ok(identity) = app.issuance.signer_for(kind, now.unix_timestamp()) else {
        return Ok(None);
    };
    if let (Some(uvci), Some(obj)) = (uvci, entry.as_object_mut()) {
        obj.insert("ci".into(), Value::from(uvci));
    }
    let record = json!({
        "nam": {"fn": person.family_name, "gn": person.given_name},
        "dob": person.dob,
        kind.key(): [entry],
    });
    let policy = Policy {
        uvci_secret: app.secrets.person_uvci_secret(&person.bn_index),
        ..app.issuance.policy.clone()
    };
    let signer = identity.clone();
    let issued =
        tokio::task::spawn_blocking(move || issuer::issue_record(&record, &signer, &policy, now))
            .await
            .map_err(|e| crate::Error::Internal(format!("signing task: {e}")))?
            .map_err(|e| crate::Error::Internal(format!("issuance: {e}")))?;
    let id = crate::secrets::new_id();
    let message = match &person.email {
        Some(to) => {
            let attachment =
                crate::mail::certificate_attachment(&issued, &app.config.country).await;
            Some(MessageWrite {
                attachment: Some(attachment),
                ..Notice::Certificate { kind }.message(
                    Sender::of(&app.config.operator),
                    Channel::Email,
                    to,
                )
            })
        }
        None => None,
    };
    Ok(Some(Signed {
        write: CertificateWrite {
            id,
            kind,
            uvci: issued.uvci,
            hc1: issued.hc1,
            issued_at: issued.issued_at,
            expires_at: issued.expires_at,
            signer_kid: identity.dsc.kid.to_vec(),
        },
        message,
    }))
}

/// The person and stored entry of a record.
async fn record_of(
    app: &Ctx,
    person_id: &str,
    record_id: &str,
) -> Result<Option<(crate::store::portal::PersonView, CertType, Value)>, crate::Error> {
    let Some(person) = app.store.person(person_id).await? else {
        return Ok(None);
    };
    let records = app.store.citizen_records(person_id).await?;
    Ok(records
        .into_iter()
        .find(|(r, _)| r.id == record_id)
        .map(|(r, _)| (person, r.kind, r.entry)))
}

fn audit(event: &str, app: &Ctx, person_id: &str, detail: Value) -> AuditEvent {
    AuditEvent {
        event: event.into(),
        org_id: None,
        subject: Some(app.secrets.pseudonym(person_id.as_bytes())),
        detail,
    }
}

/// Issues the records kept for want of an active signer, with the identities active now;
/// returns how many. Several instances may sweep at once: each record is issued once.
pub async fn sweep(app: &Ctx) -> Result<u64, crate::Error> {
    let mut issued = 0;
    let mut skipped = std::collections::HashSet::new();
    loop {
        let batch = app
            .store
            .records_awaiting_signer(NO_SIGNER_NOTE, 100 + skipped.len() as i64)
            .await?;
        let batch: Vec<_> = batch
            .into_iter()
            .filter(|(r, _)| !skipped.contains(r))
            .collect();
        if batch.is_empty() {
            return Ok(issued);
        }
        for record in batch {
            let (record_id, person_id) = (record.0.clone(), record.1.clone());
            let now = app.clock.now();
            let signed = match record_of(app, &person_id, &record_id).await? {
                Some((person, kind, entry)) => {
                    sign_for(app, &person, kind, entry, None, now).await?
                }
                None => None,
            };
            let Some(signed) = signed else {
                skipped.insert(record_id);
                continue;
            };
            let events = [audit(
                "certificate.issued",
                app,
                &person_id,
                json!({"record": record_id, "certificate": signed.write.id,
                           "type": signed.write.kind.key(), "via": "sweep"}),
            )];
            match app
                .store
                .issue_awaiting(
                    &record,
                    NO_SIGNER_NOTE,
                    &signed.write,
                    signed.message.as_ref(),
                    &events,
                    now.unix_timestamp(),
                )
                .await
            {
                Ok(true) => {
                    issued += 1;
                    app.counters.certificate_issued();
                }
                Ok(false) | Err(StoreError::Conflict(_)) => {
                    skipped.insert(record_id);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// What a re-issue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reissued {
    /// Certificates signed anew now.
    pub reissued: u64,
    /// Certificates another run re-issued first, or whose record is gone.
    pub skipped: u64,
    /// Certificates left because no identity is active for their type.
    pub no_signer: u64,
}

/// Signs anew, with the identities active now, every current unexpired certificate `kid`
/// signed, each once (a concurrent or repeated run skips what is done): same record and UVCI,
/// the old certificate superseded and linked, the holder's e-mail through the outbox.
pub async fn reissue(app: &Ctx, kid: &[u8]) -> Result<Reissued, crate::Error> {
    let mut done = Reissued::default();
    let mut seen = std::collections::HashSet::new();
    loop {
        let now = app.clock.now();
        let batch = app
            .store
            .certificates_signed_by(kid, now.unix_timestamp(), 100 + seen.len() as i64)
            .await?;
        let batch: Vec<ReissueSource> = batch
            .into_iter()
            .filter(|s| !seen.contains(&s.certificate.id))
            .collect();
        if batch.is_empty() {
            return Ok(done);
        }
        for old in batch {
            seen.insert(old.certificate.id.clone());
            let Some((person, kind, entry)) =
                record_of(app, &old.person_id, &old.record_id).await?
            else {
                done.skipped += 1;
                continue;
            };
            let Some(signed) =
                sign_for(app, &person, kind, entry, Some(&old.certificate.uvci), now).await?
            else {
                done.no_signer += 1;
                continue;
            };
            let events = [audit(
                "certificate.reissued",
                app,
                &old.person_id,
                json!({"record": old.record_id, "certificate": signed.write.id,
                       "replaces": old.certificate.id, "type": kind.key(),
                       "from": hex::encode(kid)}),
            )];
            match app
                .store
                .reissue_certificate(
                    &old,
                    &signed.write,
                    signed.message.as_ref(),
                    &events,
                    now.unix_timestamp(),
                )
                .await
            {
                Ok(true) => {
                    done.reissued += 1;
                    app.counters.certificate_issued();
                }
                Ok(false) | Err(StoreError::Conflict(_)) => done.skipped += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }
}
