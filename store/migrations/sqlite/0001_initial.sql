-- dcc server schema, SQLite. Times are Unix seconds (INTEGER). Birth and ID-card numbers are
-- never stored in clear: only HMAC-SHA-256 blind indexes under the installation secret.
-- Keep in step with migrations/postgres/0001_initial.sql (same tables, same semantics).

-- Health-care providers, by IČO.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ico TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Provider API tokens: only the SHA-256 of the 256-bit token is kept.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    token_sha256 BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- The development stand-in for the population registry (ROB): who is identified.
CREATE TABLE registry_persons (
    bn_index BLOB PRIMARY KEY,
    id_card_index BLOB,
    imported_at INTEGER NOT NULL
);

-- Persons as providers recorded them; `identified` is the registry's answer at the last record.
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    bn_index BLOB NOT NULL UNIQUE,
    id_card_index BLOB,
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    dob TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    identified INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Vaccinations, tests and recoveries: the DCC entry JSON (without ci) and who recorded it.
CREATE TABLE records (
    -- Insertion order, for listing records as they were made.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES persons(id),
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL CHECK (kind IN ('v', 't', 'r')),
    entry TEXT NOT NULL,
    -- Why no certificate was issued on it (incomplete series, not identified, refused).
    note TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX records_person ON records(person_id);

-- Issued certificates; a newer one of the same kind supersedes the older.
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE REFERENCES records(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL CHECK (kind IN ('v', 't', 'r')),
    uvci TEXT NOT NULL UNIQUE,
    hc1 TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    superseded_at INTEGER
);
CREATE INDEX certificates_person ON certificates(person_id, kind);

-- Messages to send (e-mail, SMS). Workers claim rows with a lease; a crash after the claim
-- lets the lease run out and another claim pick the row up again.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT,
    attachment_mime TEXT,
    attachment BLOB,
    certificate_id TEXT REFERENCES certificates(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease_token TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Idempotency-Key per organisation: the request's digest and the record it created.
CREATE TABLE idempotency_keys (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    key TEXT NOT NULL,
    request_sha256 BLOB NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, key)
);

-- Audit trail: event type, organisation, pseudonymous subject, JSON detail (no personal data).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    org_id INTEGER,
    subject TEXT,
    detail TEXT NOT NULL
);
