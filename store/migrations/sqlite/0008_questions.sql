-- Security questions of registry users (SECURITY.md 19): the branch of PIN renewal for users
-- without a usable mobile phone, off unless `registry.recovery_questions` is set. Three
-- questions per user, each a key of the fixed list in portal/i18n.rs; the answers only as
-- argon2id PHC strings of their NFKC-normalised, case-folded form. Replaced all three at once.
-- Keep in step with migrations/postgres/0008_questions.sql.

CREATE TABLE security_answers (
    user_id TEXT NOT NULL REFERENCES registry_users(id),
    slot INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 3),
    question TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, slot)
);
