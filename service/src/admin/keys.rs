//! `dcc admin keys add|activate|retire|withdraw|list` (issue #22 part 3): each change is checked
//! before anything is written (an unknown kid, a DSC that does not chain to the configured
//! CSCA, types outside its extended key usage, activation before the lead time, retiring the
//! last active identity of a type) and audited in the transaction that makes it. Running
//! instances follow within `issuer.key_refresh_secs`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hcert::CertType;
use serde_json::json;
use trust_list::Dsc;

use super::AdminError;
use crate::config::Config;
use crate::keyring::{open_identity, types_of, KeyRef};
use crate::signers;
use crate::store::signers::{SignerState, SignerWrite};
use crate::store::{AuditEvent, SignerCertificateRow, Store, StoreError};

/// Reads a kid as `dcc admin keys list` prints it (base64), or as 16 hex digits.
pub fn parse_kid(s: &str) -> Result<Vec<u8>, AdminError> {
    let s = s.trim();
    let kid = if s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(s).ok()
    } else {
        BASE64.decode(s).ok()
    };
    kid.filter(|k| k.len() == 8).ok_or_else(|| {
        AdminError::Invalid(format!(
            "kid {s:?} is neither base64 of 8 bytes (as `dcc admin keys list` prints it) nor 16 \
             hex digits"
        ))
    })
}

/// The word of certificate types, `v`, `t`, `r` letters in that order.
fn types_word(types: &[CertType]) -> String {
    [CertType::Vaccination, CertType::Test, CertType::Recovery]
        .into_iter()
        .filter(|t| types.contains(t))
        .map(CertType::key)
        .collect()
}

/// Reads `--types` (`v,t,r` letters or the words vaccination, test, recovery).
pub fn parse_types(s: &str) -> Result<Vec<CertType>, AdminError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let t = match part.to_ascii_lowercase().as_str() {
            "v" | "vaccination" => CertType::Vaccination,
            "t" | "test" => CertType::Test,
            "r" | "recovery" => CertType::Recovery,
            other => {
                return Err(AdminError::Invalid(format!(
                    "--types: {other:?} is not v (vaccination), t (test) or r (recovery)"
                )))
            }
        };
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() {
        return Err(AdminError::Invalid(
            "--types names no type (v, t, r)".into(),
        ));
    }
    Ok(out)
}

fn event(name: &str, detail: serde_json::Value) -> AuditEvent {
    AuditEvent {
        event: name.into(),
        org_id: None,
        subject: None,
        detail,
    }
}

/// `dcc admin keys add`: registers the DSC `cert` (PEM or DER) with its key at `key_ref` as a
/// pending identity that may sign `types` (default: every type its EKU allows), after checking
/// that the DSC chains to the configured CSCA, is valid now, that the types fit its EKU and that
/// the key opens and belongs to it. `operator` is recorded in the audit trail.
pub async fn add(
    store: &dyn Store,
    config: &Config,
    cert: &[u8],
    key_ref: &KeyRef,
    types: Option<&[CertType]>,
    operator: &str,
    now: i64,
) -> Result<SignerCertificateRow, AdminError> {
    let invalid = AdminError::Invalid;
    let dsc = trust_list::parse_certificate(cert)
        .map_err(|e| invalid(format!("the signer certificate does not parse: {e}")))?;
    let csca_file = config.csca_file();
    let csca_pem = std::fs::read(&csca_file).map_err(|e| {
        invalid(format!(
            "the CSCA {} (issuer.csca_file) cannot be read: {e}",
            csca_file.display()
        ))
    })?;
    let cscas = trust_list::Csca::parse_all(&csca_pem)
        .map_err(|e| invalid(format!("the CSCA {}: {e}", csca_file.display())))?;
    trust_list::check_issued_by(&dsc, &cscas).map_err(|e| {
        invalid(format!(
            "the signer certificate does not chain to the CSCA {}: {e}",
            csca_file.display()
        ))
    })?;
    if now > dsc.not_after {
        return Err(invalid(format!(
            "the signer certificate expired at {}",
            rfc3339(dsc.not_after)
        )));
    }
    let allowed = dsc.key_usage.allowed_types();
    let types = match types {
        Some(t) => t.to_vec(),
        None => allowed.clone(),
    };
    let unfit: Vec<&str> = types
        .iter()
        .filter(|t| !dsc.key_usage.allows(**t))
        .map(|t| t.name())
        .collect();
    if !unfit.is_empty() {
        return Err(invalid(format!(
            "the signer certificate may not sign {} certificates: its extended key usage allows {}",
            unfit.join(", "),
            dsc.key_usage.describe()
        )));
    }
    let key_ref = match key_ref {
        KeyRef::File(p) => KeyRef::File(
            std::fs::canonicalize(p)
                .map_err(|e| invalid(format!("the key file {}: {e}", p.display())))?,
        ),
        other => other.clone(),
    };
    let (cfg, der, kr) = (config.clone(), dsc.der.clone(), key_ref.clone());
    tokio::task::spawn_blocking(move || {
        open_identity(&cfg, &kr, &der, hcert::crypto::default_backend())
    })
    .await
    .map_err(|e| AdminError::App(format!("opening the key: {e}")))?
    .map_err(|why| invalid(format!("the key does not serve this certificate: {why}")))?;
    let kind = match key_ref {
        KeyRef::File(_) => "file",
        KeyRef::Pkcs11 { .. } => "pkcs11",
    };
    let write = SignerWrite {
        kid: dsc.kid.to_vec(),
        der: dsc.der.clone(),
        key_ref: key_ref.to_string(),
        types: types_word(&types),
    };
    let audit = event(
        "signer.added",
        json!({"kid": dsc.kid_base64(), "types": write.types, "key": kind,
               "operator": operator}),
    );
    match store.signer_add(&write, &audit, now).await {
        Ok(row) => Ok(row),
        Err(StoreError::Conflict(_)) => Err(invalid(format!(
            "a signer certificate with kid {} is on file already",
            dsc.kid_base64()
        ))),
        Err(e) => Err(e.into()),
    }
}

async fn row_of(store: &dyn Store, kid: &[u8]) -> Result<SignerCertificateRow, AdminError> {
    store
        .signer_certificates()
        .await?
        .into_iter()
        .find(|r| r.kid == kid)
        .ok_or_else(|| {
            AdminError::Invalid(format!(
                "no signer certificate has the kid {} (see `dcc admin keys list`)",
                BASE64.encode(kid)
            ))
        })
}

/// A Unix time as RFC 3339 (UTC), as operators read times in messages and listings.
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// The earliest time a pending identity may be activated without `--now`.
pub fn may_sign_from(row: &SignerCertificateRow, config: &Config) -> i64 {
    row.first_seen
        .saturating_add(config.issuer.lead_hours.saturating_mul(3600))
}

/// `dcc admin keys activate`: a pending identity starts signing, once the lead time since it
/// was published has passed (`immediate`: at once, audited as an emergency).
pub async fn activate(
    store: &dyn Store,
    config: &Config,
    kid: &[u8],
    immediate: bool,
    operator: &str,
    now: i64,
) -> Result<SignerCertificateRow, AdminError> {
    let row = row_of(store, kid).await?;
    let name = BASE64.encode(kid);
    if row.state != SignerState::Pending {
        return Err(AdminError::Invalid(format!(
            "{name} is {}: only a pending identity can be activated",
            row.state
        )));
    }
    if row.key_ref.is_none() {
        return Err(AdminError::Invalid(format!(
            "{name} has no key here: it is only published"
        )));
    }
    let from = may_sign_from(&row, config);
    if now < from && !immediate {
        return Err(AdminError::Invalid(format!(
            "{name} was published at {}; it may sign from {} ({} h lead time, so offline apps \
             have fetched it); --now skips the lead time in an emergency",
            rfc3339(row.first_seen),
            rfc3339(from),
            config.issuer.lead_hours
        )));
    }
    let dsc = Dsc::from_der(&row.der).map_err(|e| AdminError::App(e.to_string()))?;
    if !dsc.is_valid_at(now) {
        return Err(AdminError::Invalid(format!(
            "{name} is not valid now (from {} to {})",
            rfc3339(dsc.not_before),
            rfc3339(dsc.not_after)
        )));
    }
    let audit = event(
        "signer.activated",
        json!({"kid": name, "skipped_lead_time": now < from, "operator": operator}),
    );
    change(
        store,
        kid,
        Some(SignerState::Pending),
        SignerState::Active,
        &audit,
        now,
    )
    .await
}

/// `dcc admin keys retire`: an active identity stops signing and stays published until the
/// last certificate it signed has expired; refused when it is the last active identity of one
/// of its types.
pub async fn retire(
    store: &dyn Store,
    kid: &[u8],
    operator: &str,
    now: i64,
) -> Result<SignerCertificateRow, AdminError> {
    let rows = store.signer_certificates().await?;
    let row = rows.iter().find(|r| r.kid == kid).ok_or_else(|| {
        AdminError::Invalid(format!(
            "no signer certificate has the kid {} (see `dcc admin keys list`)",
            BASE64.encode(kid)
        ))
    })?;
    let name = BASE64.encode(kid);
    if row.state != SignerState::Active {
        return Err(AdminError::Invalid(format!(
            "{name} is {}: only an active identity can be retired",
            row.state
        )));
    }
    let signing = |r: &&SignerCertificateRow| {
        r.kid != kid && r.state == SignerState::Active && r.key_ref.is_some()
    };
    let orphaned: Vec<&str> = types_of(&row.types)
        .into_iter()
        .filter(|t| {
            !rows
                .iter()
                .filter(signing)
                .any(|r| types_of(&r.types).contains(t))
        })
        .map(|t| t.name())
        .collect();
    if row.key_ref.is_some() && !orphaned.is_empty() {
        return Err(AdminError::Invalid(format!(
            "{name} is the last active identity for {} certificates: activate another first \
             (`dcc admin keys withdraw` stops it at once if it is compromised)",
            orphaned.join(", ")
        )));
    }
    let audit = event("signer.retired", json!({"kid": name, "operator": operator}));
    change(
        store,
        kid,
        Some(SignerState::Active),
        SignerState::Retired,
        &audit,
        now,
    )
    .await
}

/// `dcc admin keys withdraw`: the identity leaves the published lists at once (everything it
/// signed fails verification) and signs nothing more; `reissue` signs its certificates anew.
pub async fn withdraw(
    store: &dyn Store,
    kid: &[u8],
    reason: &str,
    operator: &str,
    now: i64,
) -> Result<SignerCertificateRow, AdminError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "--reason: 1 to 200 characters, no control characters".into(),
        ));
    }
    let row = row_of(store, kid).await?;
    let name = BASE64.encode(kid);
    if row.state == SignerState::Withdrawn {
        return Err(AdminError::Invalid(format!("{name} is withdrawn already")));
    }
    let audit = event(
        "signer.withdrawn",
        json!({"kid": name, "reason": reason, "was": row.state.key(), "operator": operator}),
    );
    change(store, kid, None, SignerState::Withdrawn, &audit, now).await
}

async fn change(
    store: &dyn Store,
    kid: &[u8],
    from: Option<SignerState>,
    to: SignerState,
    audit: &AuditEvent,
    now: i64,
) -> Result<SignerCertificateRow, AdminError> {
    if !store.signer_set_state(kid, from, to, audit, now).await? {
        return Err(AdminError::Invalid(format!(
            "{} changed meanwhile: nothing done (see `dcc admin keys list`)",
            BASE64.encode(kid)
        )));
    }
    row_of(store, kid).await
}

/// One line of `dcc admin keys list`.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The row.
    pub row: SignerCertificateRow,
    /// The DSC, when it parses.
    pub dsc: Option<Dsc>,
    /// Whether the published lists hold it now.
    pub published: bool,
    /// For a pending identity: when it may be activated without `--now`.
    pub may_sign_from: Option<i64>,
}

/// `dcc admin keys list`: every signer certificate, its state and whether it is published.
pub async fn list(store: &dyn Store, config: &Config, now: i64) -> Result<Vec<Listed>, AdminError> {
    let rows = store.signer_certificates().await?;
    let (published, _) =
        signers::published(&rows, now).map_err(|e| AdminError::App(e.to_string()))?;
    Ok(rows
        .into_iter()
        .map(|row| Listed {
            dsc: Dsc::from_der(&row.der).ok(),
            published: published.iter().any(|p| p.id == row.id),
            may_sign_from: (row.state == SignerState::Pending).then(|| may_sign_from(&row, config)),
            row,
        })
        .collect())
}

/// What `dcc admin keys generate --pkcs11` made besides the key in the token.
#[derive(Debug, Clone)]
pub enum Made {
    /// A certificate signing request (PEM) for the CSCA.
    Csr(String),
    /// A DSC (DER) issued by the development CSCA of the keys directory.
    DevDsc(Vec<u8>),
}

/// `dcc admin keys generate --pkcs11`: a key pair made inside the configured token `token`
/// under `key_label` (never extractable), and a CSR for it, or in development mode a DSC signed
/// by the development CSCA (`KEYS_DIR/csca.pem` + `csca.key`). The DSC may sign `types` (empty:
/// any).
pub fn generate_in_token(
    config: &Config,
    token: &str,
    key_label: &str,
    alg: hcert::crypto::Algorithm,
    types: &[CertType],
    dev_dsc: bool,
    now: time::OffsetDateTime,
) -> Result<Made, AdminError> {
    let invalid = AdminError::Invalid;
    KeyRef::pkcs11(token, key_label).map_err(invalid)?;
    if dev_dsc && config.mode != crate::config::Mode::Development {
        return Err(invalid(
            "a DSC from the development CSCA is made only in development mode; send the CSR to \
             the CSCA instead"
                .into(),
        ));
    }
    let tc = config.issuer.tokens.get(token).ok_or_else(|| {
        invalid(format!(
            "token {token} is not configured: add [issuer.tokens.{token}] with module and pin_env"
        ))
    })?;
    let opened = crate::keyring::open_token(token, tc).map_err(invalid)?;
    let spec = hsm::KeySpec::for_algorithm(alg).map_err(|e| invalid(e.to_string()))?;
    opened
        .generate(key_label, spec)
        .map_err(|e| invalid(format!("key {key_label} in token {token}: {e}")))?;
    let signer = opened
        .signer(key_label, alg)
        .map_err(|e| invalid(format!("key {key_label} in token {token}: {e}")))?;
    let opts = issuer::keys::KeyOptions {
        alg,
        rsa_bits: 3072,
        types: types.to_vec(),
        country: config.country.clone(),
        now,
        dsc_days: 365,
        usage_days: issuer::keys::EU_USAGE_DAYS,
    };
    if !dev_dsc {
        return hsm::csr(&signer, &opts)
            .map(Made::Csr)
            .map_err(|e| invalid(e.to_string()));
    }
    let dir = config.keys_dir();
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .map_err(|e| invalid(format!("{}: {e}", dir.join(name).display())))
    };
    let csca_key =
        String::from_utf8(read("csca.key")?).map_err(|_| invalid("csca.key is not PEM".into()))?;
    hsm::dev_dsc(&signer, &read("csca.pem")?, &csca_key, &opts)
        .map(Made::DevDsc)
        .map_err(|e| invalid(format!("the development DSC: {e}")))
}
