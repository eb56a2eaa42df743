-- An account registered by certificate links its NIA identity explicitly (issue #21): the keyed
-- index of the linked birth number (never the number), unique so one person has one account;
-- NULL while nothing is linked. A pending NIA request of purpose `link` names the registry user
-- who asked, and only it names one. SQLite cannot change a CHECK constraint, so the short-lived
-- table of pending requests is rebuilt under its own name with its rows.
-- Keep in step with migrations/postgres/0017_nia_link.sql.

ALTER TABLE registry_users ADD COLUMN nia_index BLOB;
CREATE UNIQUE INDEX registry_users_nia_index ON registry_users(nia_index);

CREATE TABLE oidc_flows_before AS SELECT * FROM oidc_flows;
DROP TABLE oidc_flows;
CREATE TABLE oidc_flows (
    cookie_sha256 BLOB PRIMARY KEY,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'citizen'
        CHECK (purpose IN ('citizen', 'registry', 'link')),
    user_id TEXT REFERENCES registry_users(id),
    CONSTRAINT oidc_flows_link_user CHECK ((purpose = 'link') = (user_id IS NOT NULL))
);
INSERT INTO oidc_flows (cookie_sha256, state, nonce, pkce_verifier, created_at, expires_at,
    purpose)
SELECT cookie_sha256, state, nonce, pkce_verifier, created_at, expires_at, purpose
    FROM oidc_flows_before;
DROP TABLE oidc_flows_before;
CREATE INDEX oidc_flows_expiry ON oidc_flows(expires_at);

-- A link whose callback came without the registry session cookie (browsers withhold that
-- SameSite=Strict cookie on the provider's redirect back): the verified identity's index waits
-- here, keyed by SHA-256 of the request's NIA cookie, for the same user's confirmation from a
-- same-site form; used once, 5 minutes.
CREATE TABLE nia_link_confirmations (
    cookie_sha256 BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES registry_users(id),
    nia_index BLOB NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX nia_link_confirmations_expiry ON nia_link_confirmations(expires_at);
