-- Audit rows name the request they came from (SECURITY.md 47): the request id that the log
-- lines and the generic error page carry, and the client's address. Both stay empty for
-- events outside a request (CLI, outbox worker) and for rows written before this migration.
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
ALTER TABLE audit_log ADD COLUMN client_ip TEXT;
