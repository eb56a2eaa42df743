-- Signing identities (issue #22, DESIGN.md "Signing keys"): a signer certificate becomes an
-- identity when it has a key reference (`file:PATH` or `pkcs11:token=T;object=K`, never key
-- bytes), the certificate types it may sign and a state. Rows registered before this migration
-- are active and published; without a key reference they sign nothing. Every change bumps
-- `signer_version`, which running instances poll to reload their keys and published lists.
-- The certificates' side is migration 0016.
-- Keep in step with migrations/sqlite/0015_signing_identities.sql.

ALTER TABLE signer_certificates ADD COLUMN key_ref TEXT;
ALTER TABLE signer_certificates ADD COLUMN types TEXT NOT NULL DEFAULT 'vtr';
ALTER TABLE signer_certificates ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
    CHECK (state IN ('pending', 'active', 'retired', 'withdrawn'));
ALTER TABLE signer_certificates ADD COLUMN activated_at BIGINT;
ALTER TABLE signer_certificates ADD COLUMN state_changed_at BIGINT;
UPDATE signer_certificates SET activated_at = first_seen, state_changed_at = first_seen;

CREATE TABLE signer_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO signer_version (id, version) VALUES (1, 1);
