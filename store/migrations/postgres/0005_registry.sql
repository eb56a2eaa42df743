-- Registry users (issue #9, seeds 000 and 001): accounts with username + PIN + one-time code,
-- registration by SMS, the picture captcha and registry sessions. PINs are argon2id PHC strings;
-- birth numbers only as their keyed index; captcha answers and session ids only as digests.
-- Keep in step with migrations/sqlite/0005_registry.sql.

CREATE TABLE registry_users (
    id TEXT PRIMARY KEY,
    -- 8 Crockford base32 characters from the CSPRNG (SECURITY.md 12).
    username TEXT NOT NULL UNIQUE,
    bn_index BYTEA NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    otp_channel TEXT NOT NULL DEFAULT 'sms' CHECK (otp_channel IN ('sms', 'email')),
    pin_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    pin_changed_at BIGINT NOT NULL,
    suspended_at BIGINT
);

-- A registration between its SMS code and its contact details (pre-login, 15 minutes).
CREATE TABLE registry_flows (
    flow_sha256 BYTEA PRIMARY KEY,
    bn_index BYTEA NOT NULL,
    phone TEXT NOT NULL,
    -- Digits of the birth number's date, for the PIN blocklist of the details step.
    birth_date TEXT,
    verified_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE registry_sessions (
    id_sha256 BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES registry_users(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    otp_verified_at BIGINT NOT NULL
);
CREATE INDEX registry_sessions_user ON registry_sessions(user_id);

-- Picture captchas (SECURITY.md 13): single use, 5 minutes, the answer as an HMAC.
CREATE TABLE captcha_challenges (
    id TEXT PRIMARY KEY,
    answer_mac BYTEA NOT NULL,
    png BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- A code of a registry login belongs to a registry user, not to a citizen.
ALTER TABLE otp_challenges ADD COLUMN user_id TEXT REFERENCES registry_users(id);
