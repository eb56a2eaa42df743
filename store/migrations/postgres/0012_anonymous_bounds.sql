-- Anonymous work is bounded (issue 18, SECURITY.md 13 as amended, 49). Keep in step with
-- migrations/sqlite/0012_anonymous_bounds.sql.

-- A captcha no longer stores a row with its picture when it is shown: the answer travels sealed
-- in the token (server/src/captcha/token.rs).
DROP TABLE captcha_challenges;

-- One row per submitted answer, keyed by the token's random challenge id, so a second
-- submission of the same token fails; deleted once the token expired. The service caps the
-- number of rows (portal.captcha_answers_max).
CREATE TABLE captcha_answers (
    challenge_id BYTEA PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- Request counters: one row per kind, key (a keyed digest, e.g. of the client address) and
-- window, with the number of requests in it; the row with the empty key counts the window's
-- keys, for the cap on distinct keys (portal.auth_clients_max). Deleted after expires_at.
CREATE TABLE rate_counters (
    kind TEXT NOT NULL,
    key BYTEA NOT NULL,
    window_start BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, key, window_start)
);
