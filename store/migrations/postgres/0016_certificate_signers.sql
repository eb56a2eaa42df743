-- Certificates gain their signer's kid (filled at start-up from their HC1) and the certificate a
-- re-issue replaces; record and UVCI stay unique among certificates not superseded (a re-issue
-- keeps both). Keep in step with migrations/sqlite/0016_certificate_signers.sql.

ALTER TABLE certificates DROP CONSTRAINT certificates_record_id_key;
ALTER TABLE certificates DROP CONSTRAINT certificates_uvci_key;
ALTER TABLE certificates ADD COLUMN signer_kid BYTEA;
ALTER TABLE certificates ADD COLUMN replaces TEXT REFERENCES certificates(id);
CREATE INDEX certificates_record ON certificates(record_id);
CREATE INDEX certificates_uvci ON certificates(uvci);
CREATE UNIQUE INDEX certificates_current_record ON certificates(record_id)
    WHERE superseded_at IS NULL;
CREATE UNIQUE INDEX certificates_current_uvci ON certificates(uvci) WHERE superseded_at IS NULL;
CREATE INDEX certificates_signer ON certificates(signer_kid, expires_at);
CREATE INDEX certificates_replaces ON certificates(replaces);

-- A re-issued certificate keeps its UVCI: revoking it by UCI lists the UCI hashes under each
-- signer's kid (the EU batches are per kid), so an entry is keyed by kid, type and hash.
ALTER TABLE revocation_entries DROP CONSTRAINT revocation_entries_pkey;
ALTER TABLE revocation_entries ADD PRIMARY KEY (kid, hash_type, hash);
