//! dcc's storage, the lowest layer of the server (store ← service ← server ← cli): one trait per
//! area, so the layers above never see SQL, implemented for SQLite (the embedded default) and
//! PostgreSQL (for several instances) from the same statements, with the migrations of both.
//! Rows and errors are typed; nothing here knows HTTP, pages or the domain's rules.

pub mod limits;
pub mod permissions;
pub mod portal;
mod postgres;
pub mod questions;
pub mod registry;
mod request;
pub mod seal;
mod sealed;
pub mod session;
pub mod signers;
mod sql;
mod sqlite;

use std::path::Path;

use async_trait::async_trait;
pub use hcert::CertType;
use secrecy::{ExposeSecret, SecretString};

use crate::seal::SealingKey;

pub use limits::LimitStore;
pub use permissions::PermissionStore;
pub use portal::PortalStore;
pub use postgres::PgStore;
pub use questions::QuestionStore;
pub use registry::RegistryStore;
pub use request::RequestContext;
pub use sealed::KEY_LABEL as OUTBOX_KEY_LABEL;
pub use session::{SessionKind, SessionStore};
pub use signers::{SignerCertificateRow, SignerStore};
pub use sqlite::SqliteStore;

/// Which unique key a write ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// An organisation with this IČO.
    #[error("organisation")]
    Organisation,
    /// An API token with this digest.
    #[error("token")]
    Token,
    /// A record with this id.
    #[error("record")]
    Record,
    /// An idempotency key already used by the organisation.
    #[error("idempotency key")]
    IdempotencyKey,
    /// A legacy certificate already exchanged.
    #[error("legacy certificate")]
    LegacyCertificate,
    /// A certificate with this UVCI, or one already issued for the record.
    #[error("certificate")]
    Certificate,
    /// A registry user with this username or birth number.
    #[error("username or birth number")]
    Account,
    /// A signer certificate with this kid.
    #[error("signer certificate")]
    Signer,
    /// The certificate's signer is no longer active (withdrawn or retired meanwhile).
    #[error("signer not active")]
    SignerNotActive,
    /// An open permission request of the same kind.
    #[error("permission request")]
    PermissionRequest,
    /// A power of attorney already in force.
    #[error("power of attorney")]
    PowerOfAttorney,
}

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key already holds this value.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The database refused a value the edge should have refused first (PostgreSQL: text with a
    /// NUL character or not in its encoding); a client error, not a failure of the server.
    #[error("{0}")]
    Refused(&'static str),
    /// The database failed (connection, SQL).
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    /// PostgreSQL did not answer or refused the connection.
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[source] sqlx::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migration(#[source] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (a sealed message that does not open, a stored
    /// certificate that does not parse); the text names the row, never its content.
    #[error("stored data: {0}")]
    Data(String),
    /// The database URL names no backend this build has.
    #[error("{0}")]
    Url(&'static str),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // 22021 character_not_in_repertoire, 22P05 untranslatable_character: PostgreSQL
            // stores no NUL in text (the server's edge refuses it already).
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("22021" | "22P05")) =>
            {
                StoreError::Refused("text with a NUL or a character the database cannot store")
            }
            _ => StoreError::Database(e),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(e)
    }
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// A health-care provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// Row id.
    pub id: i64,
    /// IČO (8 digits).
    pub ico: String,
    /// Name.
    pub name: String,
}

/// One person of the development population registry: the identity source for the persons it
/// holds (DESIGN.md "Who owns a person's data").
#[derive(Clone, Default)]
pub struct RegistryEntry {
    /// HMAC blind index of the birth number.
    pub bn_index: Vec<u8>,
    /// HMAC blind index of the ID-card number, when known.
    pub id_card_index: Option<Vec<u8>>,
    /// Family name, when the registry gives one.
    pub family_name: Option<String>,
    /// Given name, when the registry gives one.
    pub given_name: Option<String>,
    /// Date of birth (`YYYY-MM-DD`), when the registry gives one.
    pub dob: Option<String>,
}

impl std::fmt::Debug for RegistryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryEntry").finish_non_exhaustive()
    }
}

/// A person as the provider records them.
#[derive(Clone)]
pub struct PersonWrite {
    /// Fresh id, used when the person is new.
    pub new_id: String,
    /// HMAC blind index of the birth number.
    pub bn_index: Vec<u8>,
    /// HMAC blind index of the ID-card number.
    pub id_card_index: Option<Vec<u8>>,
    /// Family name.
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// Date of birth as in the DCC.
    pub dob: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Identified in the population registry.
    pub identified: bool,
    /// Names and date of birth come from the population registry: they replace what is on
    /// file. Otherwise the ones on file stay and these are used only for a new person.
    pub names_from_registry: bool,
    /// The ID-card number comes from the population registry and replaces what is on file.
    /// Otherwise it (like phone and e-mail) only fills an empty field.
    pub id_card_from_registry: bool,
}

impl std::fmt::Debug for PersonWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonWrite")
            .field("identified", &self.identified)
            .finish_non_exhaustive()
    }
}

/// A certificate to store.
#[derive(Debug, Clone)]
pub struct CertificateWrite {
    /// Random id.
    pub id: String,
    /// Vaccination, test or recovery (`v`, `t` or `r` in the database).
    pub kind: CertType,
    /// The UVCI.
    pub uvci: String,
    /// The `HC1:` text.
    pub hc1: String,
    /// iat.
    pub issued_at: i64,
    /// exp.
    pub expires_at: i64,
    /// The signer's kid (its state is checked in the transaction that stores the certificate).
    pub signer_kid: Vec<u8>,
}

/// A message to enqueue.
#[derive(Clone)]
pub struct MessageWrite {
    /// `email` or `sms`.
    pub channel: String,
    /// Address or number.
    pub recipient: String,
    /// Subject (e-mail).
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attachment: file name, MIME type, bytes.
    pub attachment: Option<(String, String, Vec<u8>)>,
}

impl std::fmt::Debug for MessageWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWrite")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// An audit event: type, organisation, pseudonymous subject, JSON detail without personal data.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Event type, e.g. `record.created`.
    pub event: String,
    /// Organisation.
    pub org_id: Option<i64>,
    /// Pseudonym (HMAC) of the subject.
    pub subject: Option<String>,
    /// Detail.
    pub detail: serde_json::Value,
}

/// The idempotency key of a request.
#[derive(Debug, Clone)]
pub struct IdempotencyWrite {
    /// The `Idempotency-Key` header.
    pub key: String,
    /// SHA-256 of the request body.
    pub request_sha256: Vec<u8>,
}

/// Everything one recorded event writes, in one transaction: the person (inserted or updated),
/// the record, the certificate (superseding the person's older one of that kind), the e-mail,
/// the idempotency key and the audit events.
#[derive(Debug, Clone)]
pub struct RecordWrite {
    /// Recording organisation.
    pub org_id: i64,
    /// The person.
    pub person: PersonWrite,
    /// Random record id.
    pub record_id: String,
    /// Vaccination, test or recovery (`v`, `t` or `r` in the database).
    pub kind: CertType,
    /// The DCC entry JSON.
    pub entry_json: String,
    /// Why no certificate was issued.
    pub note: Option<String>,
    /// Now, Unix seconds.
    pub now: i64,
    /// The certificate, when one is issued.
    pub certificate: Option<CertificateWrite>,
    /// The e-mail, when one is sent.
    pub message: Option<MessageWrite>,
    /// Notices to the person's contacts on file (a provider recorded different contacts).
    pub notices: Vec<MessageWrite>,
    /// The contacts given with this record, kept with it whatever is on file.
    pub contacts: RecordContacts,
    /// The request's idempotency key.
    pub idempotency: Option<IdempotencyWrite>,
    /// Audit events.
    pub audit: Vec<AuditEvent>,
    /// The old-format certificate this record came with (`dcc admin legacy import`): its
    /// exchange token is stored and no certificate is issued until the exchange.
    pub legacy: Option<portal::LegacyWrite>,
    /// The registry user who wrote it through a registry session; `None` for an API token.
    pub recorded_by: Option<String>,
}

/// The login factor and contacts given with one record.
#[derive(Clone, Default)]
pub struct RecordContacts {
    /// HMAC blind index of the ID-card number.
    pub id_card_index: Option<Vec<u8>>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

impl std::fmt::Debug for RecordContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordContacts").finish_non_exhaustive()
    }
}

/// A stored certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    /// Id.
    pub id: String,
    /// Vaccination, test or recovery (`v`, `t` or `r` in the database).
    pub kind: CertType,
    /// UVCI.
    pub uvci: String,
    /// `HC1:` text.
    pub hc1: String,
    /// iat.
    pub issued_at: i64,
    /// exp.
    pub expires_at: i64,
    /// When a newer certificate replaced it.
    pub superseded_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// One entry of the published revocation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationEntry {
    /// The signer's kid.
    pub kid: Vec<u8>,
    /// `UCI`, `COUNTRYCODEUCI` or `SIGNATURE`.
    pub hash_type: String,
    /// The first 16 bytes of the SHA-256.
    pub hash: Vec<u8>,
    /// The revoked certificate's expiry (Unix seconds): the entry is dropped after it.
    pub expires_at: i64,
}

/// A stored record with its certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    /// Id.
    pub id: String,
    /// Person id.
    pub person_id: String,
    /// Recording organisation.
    pub org_id: i64,
    /// Vaccination, test or recovery (`v`, `t` or `r` in the database).
    pub kind: CertType,
    /// DCC entry.
    pub entry: serde_json::Value,
    /// Why no certificate was issued.
    pub note: Option<String>,
    /// Recorded at.
    pub created_at: i64,
    /// The registry user who wrote it; `None` when an API token did.
    pub recorded_by: Option<String>,
    /// The certificate issued on it.
    pub certificate: Option<CertificateRow>,
}

/// A claimed outbox message.
#[derive(Clone)]
pub struct OutboxMessage {
    /// Id.
    pub id: i64,
    /// `email` or `sms`.
    pub channel: String,
    /// Address or number.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Attachment: file name, MIME type, bytes.
    pub attachment: Option<(String, String, Vec<u8>)>,
    /// Attempts including this one.
    pub attempts: i64,
    /// The claim's lease token; only its holder may mark the message.
    pub lease_token: String,
}

impl std::fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Outbox counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting to be sent.
    pub pending: i64,
    /// Sent.
    pub sent: i64,
    /// Given up.
    pub failed: i64,
}

/// An API token as operators see it: no secret, no digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The id `dcc admin token revoke --id` takes.
    pub id: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Unix seconds, when revoked.
    pub revoked_at: Option<i64>,
}

/// The storage operations of the server.
#[async_trait]
pub trait Store:
    PortalStore
    + RegistryStore
    + SessionStore
    + PermissionStore
    + QuestionStore
    + LimitStore
    + SignerStore
    + Send
    + Sync
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip, for `/ready`.
    async fn ping(&self) -> StoreResult<()>;
    /// Creates an organisation; an existing IČO is a conflict.
    async fn create_org(&self, ico: &str, name: &str, now: i64) -> StoreResult<Org>;
    /// The organisation with this IČO.
    async fn org_by_ico(&self, ico: &str) -> StoreResult<Option<Org>>;
    /// Stores a token digest for an organisation; returns the token's id.
    async fn create_token(
        &self,
        org_id: i64,
        token_sha256: &[u8],
        expires_at: i64,
        now: i64,
    ) -> StoreResult<i64>;
    /// The certificate with this UVCI, with the organisation whose record it certifies.
    async fn certificate_by_uvci(&self, uvci: &str) -> StoreResult<Option<(CertificateRow, i64)>>;
    /// Marks a certificate revoked and stores its revocation entries, in one transaction;
    /// false when it was revoked already (nothing changes).
    async fn revoke_certificate(
        &self,
        certificate_id: &str,
        reason: &str,
        entries: &[RevocationEntry],
        now: i64,
    ) -> StoreResult<bool>;
    /// Superseded certificates not yet revoked, oldest first.
    async fn superseded_unrevoked(&self, limit: i64) -> StoreResult<Vec<CertificateRow>>;
    /// The entries of certificates that have not yet expired, by kid, type and hash.
    async fn revocation_entries(&self, now: i64) -> StoreResult<Vec<RevocationEntry>>;
    /// The organisation's tokens (never their digests), oldest first.
    async fn tokens(&self, org_id: i64) -> StoreResult<Vec<TokenInfo>>;
    /// Revokes the organisation's token `id`, or all its tokens; returns how many were revoked
    /// now (already revoked ones are not counted).
    async fn revoke_tokens(&self, org_id: i64, id: Option<i64>, now: i64) -> StoreResult<u64>;
    /// The organisation of an unexpired, unrevoked token digest.
    async fn org_for_token(&self, token_sha256: &[u8], now: i64) -> StoreResult<Option<Org>>;
    /// Adds (or refreshes) registry persons; returns how many rows were written.
    async fn registry_import(&self, entries: &[RegistryEntry], now: i64) -> StoreResult<u64>;
    /// Whether the registry knows this birth-number index.
    async fn registry_lookup(&self, bn_index: &[u8]) -> StoreResult<Option<RegistryEntry>>;
    /// The request digest and record id stored under an idempotency key.
    async fn idempotency(&self, org_id: i64, key: &str) -> StoreResult<Option<(Vec<u8>, String)>>;
    /// Writes a recorded event in one transaction; returns the person id. A taken idempotency
    /// key is `Conflict(IdempotencyKey)`, an existing UVCI `Conflict(Certificate)`.
    async fn write_record(&self, w: &RecordWrite) -> StoreResult<String>;
    /// One record of an organisation.
    async fn record(&self, org_id: i64, record_id: &str) -> StoreResult<Option<RecordRow>>;
    /// The records an organisation made for a person, oldest first; `None` for an unknown person.
    async fn person_records(
        &self,
        org_id: i64,
        person_id: &str,
    ) -> StoreResult<Option<Vec<RecordRow>>>;
    /// Claims up to `limit` due messages with a lease until `lease_until`, opened. A sealed
    /// message that does not open (another installation secret, a damaged or readdressed row)
    /// is given up at once with an error naming no content, and not returned.
    async fn claim_messages(
        &self,
        now: i64,
        lease_until: i64,
        lease_token: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Moves the lease of a claimed message to `lease_until`, immediately before sending it;
    /// false when this claim no longer holds the message (another worker re-claimed it after the
    /// lease ran out, or it ended), and then it must not be sent.
    async fn extend_lease(&self, id: i64, lease_token: &str, lease_until: i64)
        -> StoreResult<bool>;
    /// Marks a claimed message sent and wipes its text, which is no longer needed (SECURITY.md
    /// 48: a sent code has ended); false when the lease was lost.
    async fn mark_sent(&self, id: i64, lease_token: &str, now: i64) -> StoreResult<bool>;
    /// Records a failed attempt: retry at `next_attempt_at`, or give up (the text is wiped and
    /// `next_attempt_at`, now when giving up, is recorded as the message's end).
    async fn mark_failed(
        &self,
        id: i64,
        lease_token: &str,
        next_attempt_at: i64,
        error: &str,
        give_up: bool,
    ) -> StoreResult<()>;
    /// Outbox counts by status.
    async fn outbox_counts(&self) -> StoreResult<OutboxCounts>;
    /// Deletes sent and given-up messages that ended before `before`; returns how many.
    async fn purge_outbox(&self, before: i64) -> StoreResult<u64>;
    /// Deletes audit events written before `before`; returns how many.
    async fn purge_audit(&self, before: i64) -> StoreResult<u64>;
    /// Appends an audit event.
    async fn audit(&self, event: &AuditEvent, now: i64) -> StoreResult<()>;
    /// The latest audit events, newest first.
    async fn audit_events(&self, limit: i64) -> StoreResult<Vec<(String, Option<i64>)>>;
    /// How many certificates were issued (for metrics).
    async fn certificates_issued(&self) -> StoreResult<i64>;
}

/// Opens the database of a URL (`postgres://…` or `sqlite:…`) and runs its migrations. Outbox
/// messages are sealed at rest under `outbox_key` (derived by the caller under
/// [`OUTBOX_KEY_LABEL`]).
pub async fn open(
    url: &SecretString,
    outbox_key: SealingKey,
) -> StoreResult<std::sync::Arc<dyn Store>> {
    let u = url.expose_secret();
    let outbox_key = std::sync::Arc::new(outbox_key);
    if u.starts_with("postgres://") || u.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PgStore::connect(u, outbox_key).await?))
    } else if let Some(path) = u
        .strip_prefix("sqlite://")
        .or_else(|| u.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or(path);
        Ok(std::sync::Arc::new(
            SqliteStore::open(Path::new(path), outbox_key).await?,
        ))
    } else {
        Err(StoreError::Url(
            "DATABASE_URL must start with postgres:// or sqlite:",
        ))
    }
}
