//! Old-format certificates exchanged 1:1 for EU ones (seed 002; DESIGN.md "Old certificates";
//! SECURITY.md 29-31). `dcc admin legacy import` stores each old certificate's record with a
//! fresh exchange token (128 bits, kept as SHA-256) and prints the URL once. The first visit of
//! the URL issues the new certificate for that record; every later visit returns the same one.
//! Unknown, expired and revoked tokens are one identical 404; misses are counted per IP.

use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::error::{Error, Problem, ServiceResult};
use crate::provider::{self, RecordInput};
use crate::secrets;
use crate::store::portal::{LegacyRow, LegacyWrite};
use crate::store::{AuditEvent, CertificateRow, CertificateWrite, Org};
use crate::Ctx;

/// Why an exchange link gave no certificate: the typed reason the portal picks its page by,
/// beside everything the lower layers refuse.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The holder is not identified in the population registry yet: the certificate is issued
    /// once they are (the link stays valid).
    #[error("the holder is not identified in the population registry yet")]
    NotIdentified,
    /// Unknown or spent links, limits, storage and the rest.
    #[error(transparent)]
    Service(#[from] Error),
}

impl From<crate::store::StoreError> for ExchangeError {
    fn from(e: crate::store::StoreError) -> Self {
        ExchangeError::Service(e.into())
    }
}

impl From<ExchangeError> for Error {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::NotIdentified => Error::Conflict(Problem::new("error-not-identified")),
            ExchangeError::Service(e) => e,
        }
    }
}

/// One line of the import file: the old certificate's number and its record, in the provider
/// API's record format.
#[derive(Deserialize)]
struct ImportHead {
    legacy_id: String,
}

/// What became of one import line.
pub enum Imported {
    /// Stored; the URL is shown this once.
    Ok {
        /// The old certificate's number.
        legacy_id: String,
        /// `<base>/exchange/<token>`.
        url: String,
    },
    /// Not stored; the message names what was wrong.
    Failed(String),
}

impl std::fmt::Debug for Imported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Imported::Ok { .. } => f.write_str("Imported::Ok"),
            Imported::Failed(m) => f.debug_tuple("Imported::Failed").field(m).finish(),
        }
    }
}

/// The URL path of a token; access logs show only [`log_path`].
pub fn url(app: &Ctx, token: &str) -> String {
    format!("{}/exchange/{token}", app.config.base_url())
}

/// What logs show of an exchange path: the first 8 hex characters of the token's SHA-256
/// (SECURITY.md 31).
pub fn log_path(token: &str) -> String {
    format!(
        "/exchange/{}",
        hex::encode(secrets::token_digest(token).get(..4).unwrap_or_default())
    )
}

/// Imports old certificates (JSON Lines) for an organisation. Each good line is stored with
/// its record and a new token; a bad line is reported and skipped.
pub async fn import(
    app: &Ctx,
    org: &Org,
    jsonl: &[u8],
    now: OffsetDateTime,
) -> ServiceResult<Vec<(usize, Imported)>> {
    let mut out = Vec::new();
    for (line, bytes) in issuer::batch::lines(jsonl) {
        out.push((line, import_line(app, org, bytes, now).await?));
    }
    Ok(out)
}

async fn import_line(
    app: &Ctx,
    org: &Org,
    bytes: &[u8],
    now: OffsetDateTime,
) -> ServiceResult<Imported> {
    let mut value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Ok(Imported::Failed(format!("not JSON: {e}"))),
    };
    let head: ImportHead = match serde_json::from_value(value.clone()) {
        Ok(h) => h,
        Err(_) => return Ok(Imported::Failed("legacy_id (text) is missing".into())),
    };
    if head.legacy_id.trim().is_empty() || head.legacy_id.len() > 64 {
        return Ok(Imported::Failed(
            "legacy_id must be 1 to 64 characters".into(),
        ));
    }
    if let Some(map) = value.as_object_mut() {
        map.remove("legacy_id");
    }
    // The message names the field, never the value (a birth number in the wrong type).
    let input: RecordInput = match crate::json::from_value(value) {
        Ok(i) => i,
        Err(message) => return Ok(Imported::Failed(message)),
    };
    let token = secrets::new_url_token().map_err(|e| Error::Internal(e.to_string()))?;
    let legacy = LegacyWrite {
        legacy_ref: app
            .secrets
            .keyed("legacy", head.legacy_id.trim().as_bytes()),
        token_sha256: secrets::token_digest(&token),
        expires_at: now.unix_timestamp() + app.config.portal.exchange_days * 86_400,
    };
    match provider::record_event(app, org, None, &input, None, Some(legacy), now).await {
        Ok(_) => Ok(Imported::Ok {
            legacy_id: head.legacy_id,
            url: url(app, &token),
        }),
        Err(Error::Internal(d)) => Err(Error::Internal(d)),
        Err(e) => Ok(Imported::Failed(e.to_string())),
    }
}

/// Revokes the exchange URL of an old certificate by its number.
pub async fn revoke(app: &Ctx, legacy_id: &str, now: i64) -> ServiceResult<bool> {
    Ok(app
        .store
        .legacy_revoke(
            &app.secrets.keyed("legacy", legacy_id.trim().as_bytes()),
            now,
        )
        .await?)
}

/// The well-formedness of a token: 22 base64url characters (128 bits). Anything else is a
/// miss without a lookup.
fn well_formed(token: &str) -> bool {
    token.len() == 22
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The legacy row of a token if it is live; a miss is counted against the IP, and beyond the
/// hourly limit every request from that IP is 429.
async fn live(app: &Ctx, token: &str, ip: std::net::IpAddr, now: i64) -> ServiceResult<LegacyRow> {
    let ip_key = app.secrets.keyed("ip", ip.to_string().as_bytes());
    let (misses, _) = app
        .store
        .events_since("exchange_miss", &ip_key, now - 3600)
        .await?;
    if misses >= app.config.portal.exchange_misses_per_ip {
        return Err(Error::TooManyRequests(600));
    }
    let row = if well_formed(token) {
        app.store
            .legacy_by_token(&secrets::token_digest(token))
            .await?
            .filter(|l| l.revoked_at.is_none() && now <= l.expires_at)
    } else {
        None
    };
    match row {
        Some(r) => Ok(r),
        None => {
            app.store.event_add("exchange_miss", &ip_key, now).await?;
            Err(Error::NotFound)
        }
    }
}

/// The new certificate of an exchange token (issued on the first visit, the same one after)
/// with the old certificate's row (expiry, downloads).
pub async fn certificate(
    app: &Ctx,
    token: &str,
    ip: std::net::IpAddr,
    now: OffsetDateTime,
) -> Result<(CertificateRow, LegacyRow), ExchangeError> {
    let legacy = live(app, token, ip, now.unix_timestamp()).await?;
    let cert = match &legacy.certificate_id {
        Some(id) => app.store.certificate(id).await?.ok_or(Error::NotFound)?,
        None => issue(app, &legacy, now).await?,
    };
    Ok((cert, legacy))
}

/// Counts a PDF download of an exchange token (at most the configured number) and returns the
/// certificate to render.
pub async fn download(
    app: &Ctx,
    token: &str,
    ip: std::net::IpAddr,
    now: OffsetDateTime,
) -> Result<CertificateRow, ExchangeError> {
    let (cert, legacy) = certificate(app, token, ip, now).await?;
    if !app
        .store
        .legacy_download(legacy.id, app.config.portal.exchange_downloads)
        .await?
    {
        return Err(Error::NotFound.into());
    }
    app.store
        .audit(
            &AuditEvent {
                event: "exchange.downloaded".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(legacy.person_id.as_bytes())),
                detail: json!({"certificate": cert.id}),
            },
            now.unix_timestamp(),
        )
        .await?;
    Ok(cert)
}

async fn issue(
    app: &Ctx,
    legacy: &LegacyRow,
    now: OffsetDateTime,
) -> Result<CertificateRow, ExchangeError> {
    let person = app
        .store
        .person(&legacy.person_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !person.identified {
        return Err(ExchangeError::NotIdentified);
    }
    let records = app.store.citizen_records(&legacy.person_id).await?;
    let Some((record, _)) = records.into_iter().find(|(r, _)| r.id == legacy.record_id) else {
        return Err(Error::NotFound.into());
    };
    let dcc_record = json!({
        "nam": {"fn": person.family_name, "gn": person.given_name},
        "dob": person.dob,
        record.kind.key(): [record.entry],
    });
    let identity = app
        .issuance
        .signer_for(legacy.kind, now.unix_timestamp())
        // No identity may sign the type (a withdrawal without a successor): try later.
        .map_err(|_| Error::Unavailable(3600))?;
    let policy = issuer::Policy {
        uvci_secret: app.secrets.person_uvci_secret(&person.bn_index),
        ..app.issuance.policy.clone()
    };
    let signer = identity.clone();
    let issued = tokio::task::spawn_blocking(move || {
        issuer::issue_record(&dcc_record, &signer, &policy, now)
    })
    .await
    .map_err(|e| Error::Internal(format!("signing task: {e}")))?
    .map_err(|e| Error::Internal(format!("exchange issuance: {e}")))?;
    let cert = CertificateWrite {
        id: secrets::new_id(),
        kind: legacy.kind,
        uvci: issued.uvci,
        hc1: issued.hc1,
        issued_at: issued.issued_at,
        expires_at: issued.expires_at,
        signer_kid: identity.dsc.kid.to_vec(),
    };
    let audit = [AuditEvent {
        event: "certificate.issued".into(),
        org_id: None,
        subject: Some(app.secrets.pseudonym(legacy.person_id.as_bytes())),
        detail: json!({"record": legacy.record_id, "certificate": cert.id, "type": legacy.kind.key(),
                       "via": "exchange"}),
    }];
    let ts = now.unix_timestamp();
    let won = match app.store.legacy_issue(legacy, &cert, &audit, ts).await {
        Ok(won) => won,
        // The signer was withdrawn meanwhile: nothing stored; the next visit signs with the
        // identity active then.
        Err(crate::store::StoreError::Conflict(crate::store::Conflict::SignerNotActive)) => {
            return Err(Error::Unavailable(60).into());
        }
        // A concurrent first visit stored the same record's certificate first.
        Err(crate::store::StoreError::Conflict(_)) => false,
        Err(e) => return Err(e.into()),
    };
    if !won {
        let again = app
            .store
            .legacy_by_id(legacy.id)
            .await?
            .and_then(|l| l.certificate_id)
            .ok_or_else(|| Error::Internal("exchange lost its certificate".into()))?;
        return Ok(app
            .store
            .certificate(&again)
            .await?
            .ok_or(Error::NotFound)?);
    }
    app.counters.certificate_issued();
    if app.config.revoke_superseded {
        match crate::revocation::revoke_superseded(app.store.as_ref(), ts).await {
            Ok(0) => {}
            Ok(_) => app.revocation.invalidate(),
            Err(e) => tracing::error!(error = %e, "revoking superseded certificates failed"),
        }
    }
    Ok(app
        .store
        .certificate(&cert.id)
        .await?
        .ok_or_else(|| Error::Internal("the certificate just written is missing".into()))?)
}
