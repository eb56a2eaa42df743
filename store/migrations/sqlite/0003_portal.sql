-- Citizen portal (issue #8): one-time-code challenges, web sessions, throttling counters and
-- the old-certificate exchange. Secrets are stored only as digests: OTPs as HMAC-SHA-256 under
-- the installation secret, session and exchange tokens as SHA-256.
-- Keep in step with migrations/postgres/0003_portal.sql.

-- One challenge per code sent (SECURITY.md 1-3). A challenge without a code (code_mac NULL)
-- answers a login attempt that matched no person, so every attempt looks the same.
CREATE TABLE otp_challenges (
    id TEXT PRIMARY KEY,
    flow_sha256 BLOB NOT NULL,
    purpose TEXT NOT NULL,
    person_id TEXT REFERENCES persons(id),
    -- Keyed digest of the identifier the failures of this challenge count against.
    throttle_key BLOB NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    -- The new contact of a contact change (applied once the code is entered).
    destination TEXT,
    code_mac BLOB,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER,
    voided_at INTEGER
);
CREATE INDEX otp_challenges_flow ON otp_challenges(flow_sha256, purpose);

-- Logged-in citizens (SECURITY.md 20-22): idle and absolute time-outs, the last OTP time for
-- step-up.
CREATE TABLE web_sessions (
    id_sha256 BLOB PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    otp_verified_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_person ON web_sessions(person_id);

-- Counted events for rate limits and failure throttling, keyed by an HMAC of the identifier
-- (birth number, IP, destination), never the identifier itself (SECURITY.md 3, 11, 31, 49).
CREATE TABLE auth_events (
    kind TEXT NOT NULL,
    key BLOB NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX auth_events_key ON auth_events(kind, key, at);

-- Old-format certificates and their exchange tokens (SECURITY.md 29-31): one record each,
-- one new certificate each, issued on the first visit.
CREATE TABLE legacy_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    legacy_ref BLOB NOT NULL UNIQUE,
    token_sha256 BLOB NOT NULL UNIQUE,
    record_id TEXT NOT NULL UNIQUE REFERENCES records(id),
    certificate_id TEXT REFERENCES certificates(id),
    downloads INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
