-- Permissions of registry users (issue #10; seeds 001 and 003; SECURITY.md 33, 34): a user asks
-- to act for an organisation, that organisation's account managers approve or refuse, and an
-- organisation may give a processing organisation a power of attorney (recorded, time-limited,
-- revocable). Decisions are audited in audit_log. Number 0006 belongs to the renewal work.
-- Keep in step with migrations/sqlite/0007_permissions.sql.

-- One row per user and organisation; a refused or revoked row goes back to 'requested' when
-- the user asks again (the audit log keeps the history).
CREATE TABLE registry_permissions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES registry_users(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'manager')),
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'refused', 'revoked')),
    requested_at BIGINT NOT NULL,
    decided_at BIGINT,
    -- The deciding manager's user id, or 'operator' (`dcc admin registry grant`).
    decided_by TEXT,
    UNIQUE (user_id, org_id)
);
CREATE INDEX registry_permissions_org ON registry_permissions(org_id, state);

-- Powers of attorney (seed 003): the agent organisation's members act for the grantor between
-- valid_from (inclusive) and valid_until (exclusive), until revoked.
CREATE TABLE powers_of_attorney (
    id TEXT PRIMARY KEY,
    grantor_org_id BIGINT NOT NULL REFERENCES organisations(id),
    agent_org_id BIGINT NOT NULL REFERENCES organisations(id),
    -- The granting manager's user id, or 'operator'.
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT,
    note TEXT,
    CHECK (grantor_org_id <> agent_org_id),
    CHECK (valid_from < valid_until)
);
CREATE INDEX powers_of_attorney_agent ON powers_of_attorney(agent_org_id);
CREATE INDEX powers_of_attorney_grantor ON powers_of_attorney(grantor_org_id);

-- The registry user who wrote a record through a registry session; NULL for API tokens.
ALTER TABLE records ADD COLUMN recorded_by TEXT REFERENCES registry_users(id);
