-- An account registered by certificate links its NIA identity explicitly (issue #21): the keyed
-- index of the linked birth number (never the number), unique so one person has one account;
-- NULL while nothing is linked. A pending NIA request of purpose `link` names the registry user
-- who asked, and only it names one.
-- Keep in step with migrations/sqlite/0017_nia_link.sql.

ALTER TABLE registry_users ADD COLUMN nia_index BYTEA;
CREATE UNIQUE INDEX registry_users_nia_index ON registry_users(nia_index);

ALTER TABLE oidc_flows DROP CONSTRAINT oidc_flows_purpose_check;
ALTER TABLE oidc_flows ADD CONSTRAINT oidc_flows_purpose_check
    CHECK (purpose IN ('citizen', 'registry', 'link'));
ALTER TABLE oidc_flows ADD COLUMN user_id TEXT REFERENCES registry_users(id);
ALTER TABLE oidc_flows ADD CONSTRAINT oidc_flows_link_user
    CHECK ((purpose = 'link') = (user_id IS NOT NULL));

-- A link whose callback came without the registry session cookie (browsers withhold that
-- SameSite=Strict cookie on the provider's redirect back): the verified identity's index waits
-- here, keyed by SHA-256 of the request's NIA cookie, for the same user's confirmation from a
-- same-site form; used once, 5 minutes.
CREATE TABLE nia_link_confirmations (
    cookie_sha256 BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES registry_users(id),
    nia_index BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX nia_link_confirmations_expiry ON nia_link_confirmations(expires_at);
