-- Sealed outbox and retention (issue 18 defect 5; SECURITY.md 1, 16, 46, 48).
-- New messages keep subject, body and attachment only in `sealed` (AES-256-GCM under a key
-- derived from the installation secret, outside the database); subject and body are '' then.
-- Rows written before this migration have `sealed` NULL and still send from their plaintext
-- columns: SQL has no key to seal them with. A message that ended (sent or given up) no longer
-- needs its text, so it is wiped now and, from here on, when it ends; `ended_at` drives the
-- purge of ended rows after the outbox retention.
ALTER TABLE outbox ADD COLUMN sealed BLOB;
ALTER TABLE outbox ADD COLUMN ended_at INTEGER;
UPDATE outbox SET ended_at = COALESCE(sent_at, next_attempt_at, created_at), subject = '',
    body = '', attachment_name = NULL, attachment_mime = NULL, attachment = NULL
    WHERE status <> 'pending';
CREATE INDEX outbox_ended ON outbox(ended_at);
-- Audit events are purged after their retention (a year by default).
CREATE INDEX audit_log_at ON audit_log(at);
