-- NIA login for registry users (issue #9, seed 000): a pending OpenID Connect request says
-- whose login it is, so the one callback opens a citizen or a registry session.
ALTER TABLE oidc_flows ADD COLUMN purpose TEXT NOT NULL DEFAULT 'citizen'
    CHECK (purpose IN ('citizen', 'registry'));
