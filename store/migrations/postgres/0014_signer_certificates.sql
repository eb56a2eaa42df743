-- The signer certificates (DSC) this installation publishes, registered at start-up from the
-- loaded keys. The id is the DGCA verifier API's resume token (`X-RESUME-TOKEN`), so it must
-- never change or be reused (a sequence never hands a number out twice); rows are only added.
-- Signing identities (state, key reference, certificate types, usage period) will extend this
-- table. Keep in step with migrations/sqlite/0014_signer_certificates.sql.

CREATE TABLE signer_certificates (
    id BIGSERIAL PRIMARY KEY,
    kid BYTEA NOT NULL UNIQUE,
    der BYTEA NOT NULL,
    first_seen BIGINT NOT NULL
);
