-- Citizen login through NIA (OpenID Connect): the pending authorization requests. One row per
-- browser flow, keyed by SHA-256 of its `__Host-dcc-nia` cookie; holds the state, nonce and
-- PKCE verifier the callback checks. Short-lived secrets: deleted when the callback uses them
-- (or replaced by a new start of the same flow) and expired after 10 minutes.
-- Keep in step with migrations/postgres/0004_oidc.sql.
CREATE TABLE oidc_flows (
    cookie_sha256 BLOB PRIMARY KEY,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX oidc_flows_expiry ON oidc_flows(expires_at);
