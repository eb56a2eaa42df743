-- Certificates gain their signer's kid (filled at start-up from their HC1) and the certificate a
-- re-issue replaces; record and UVCI stay unique among certificates not superseded (a re-issue
-- keeps both). SQLite cannot drop a UNIQUE constraint, so the table is rebuilt under its own
-- name: its rows are set aside, the table dropped (the outbox, legacy and revocation rows that
-- reference certificates become violations, deferred to the commit) and created anew, and the
-- rows put back (each one settles the violations of the rows that reference it). sqlx runs
-- every SQLite migration in a transaction, where `PRAGMA foreign_keys = OFF` does nothing.
-- Keep in step with migrations/postgres/0016_certificate_signers.sql.

PRAGMA defer_foreign_keys = ON;
CREATE TABLE certificates_before AS SELECT * FROM certificates;
DROP TABLE certificates;
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL CHECK (kind IN ('v', 't', 'r')),
    uvci TEXT NOT NULL,
    hc1 TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    superseded_at INTEGER,
    revoked_at INTEGER,
    revocation_reason TEXT,
    signer_kid BLOB,
    replaces TEXT REFERENCES certificates(id)
);
INSERT INTO certificates (id, record_id, person_id, kind, uvci, hc1, issued_at,
    expires_at, superseded_at, revoked_at, revocation_reason)
SELECT id, record_id, person_id, kind, uvci, hc1, issued_at, expires_at, superseded_at,
    revoked_at, revocation_reason FROM certificates_before;
DROP TABLE certificates_before;
CREATE INDEX certificates_person ON certificates(person_id, kind);
CREATE INDEX certificates_superseded ON certificates(superseded_at, revoked_at);
CREATE INDEX certificates_record ON certificates(record_id);
CREATE INDEX certificates_uvci ON certificates(uvci);
CREATE UNIQUE INDEX certificates_current_record ON certificates(record_id)
    WHERE superseded_at IS NULL;
CREATE UNIQUE INDEX certificates_current_uvci ON certificates(uvci) WHERE superseded_at IS NULL;
CREATE INDEX certificates_signer ON certificates(signer_kid, expires_at);
CREATE INDEX certificates_replaces ON certificates(replaces);

-- A re-issued certificate keeps its UVCI: revoking it by UCI lists the UCI hashes under each
-- signer's kid (the EU batches are per kid), so an entry is keyed by kid, type and hash.
CREATE TABLE revocation_entries_rekeyed (
    certificate_id TEXT NOT NULL REFERENCES certificates(id),
    kid BLOB NOT NULL,
    hash_type TEXT NOT NULL CHECK (hash_type IN ('UCI', 'COUNTRYCODEUCI', 'SIGNATURE')),
    hash BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (kid, hash_type, hash)
);
INSERT INTO revocation_entries_rekeyed (certificate_id, kid, hash_type, hash, expires_at)
SELECT certificate_id, kid, hash_type, hash, expires_at FROM revocation_entries;
DROP TABLE revocation_entries;
ALTER TABLE revocation_entries_rekeyed RENAME TO revocation_entries;
CREATE INDEX revocation_entries_expiry ON revocation_entries(expires_at);
