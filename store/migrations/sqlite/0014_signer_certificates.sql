-- The signer certificates (DSC) this installation publishes, registered at start-up from the
-- loaded keys. The id is the DGCA verifier API's resume token (`X-RESUME-TOKEN`), so it must
-- never change or be reused (AUTOINCREMENT); rows are only added. Signing identities (state,
-- key reference, certificate types, usage period) will extend this table.
-- Keep in step with migrations/postgres/0014_signer_certificates.sql.

CREATE TABLE signer_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kid BLOB NOT NULL UNIQUE,
    der BLOB NOT NULL,
    first_seen INTEGER NOT NULL
);
