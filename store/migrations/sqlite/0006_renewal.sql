-- PIN renewal of registry users (issue #9, seed 000, SECURITY.md 13-19): the browser flow
-- between the username + captcha step and the phone-digits step, and the e-mailed reset links.
-- Reset tokens only as their SHA-256. Keep in step with migrations/postgres/0006_renewal.sql.

-- Step 5 passed (username + captcha or the e-mailed code): the typed username, normalised. It
-- may name no account; the next step answers the same either way.
CREATE TABLE renewal_flows (
    flow_sha256 BLOB PRIMARY KEY,
    username TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Step 7: the e-mailed link (valid 3 days). Ended by a successful PIN set, a newer request, a
-- successful login or a helpdesk reset; the SMS code of the same request is the OTP challenge
-- bound to this token's digest.
CREATE TABLE pin_resets (
    token_sha256 BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES registry_users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE INDEX pin_resets_user ON pin_resets(user_id);
