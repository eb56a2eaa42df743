-- Revocation (issue #7): when and why a certificate was revoked, and the entries the published
-- revocation list carries: the first 16 bytes of SHA-256 over the UCI, the issuer country +
-- UCI, and the signature (r only for ECDSA), per signer kid, kept until the certificate expires.
ALTER TABLE certificates ADD COLUMN revoked_at INTEGER;
ALTER TABLE certificates ADD COLUMN revocation_reason TEXT;
CREATE TABLE revocation_entries (
    certificate_id TEXT NOT NULL REFERENCES certificates(id),
    kid BLOB NOT NULL,
    hash_type TEXT NOT NULL CHECK (hash_type IN ('UCI', 'COUNTRYCODEUCI', 'SIGNATURE')),
    hash BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (hash_type, hash)
);
CREATE INDEX revocation_entries_expiry ON revocation_entries(expires_at);
CREATE INDEX certificates_superseded ON certificates(superseded_at, revoked_at);
