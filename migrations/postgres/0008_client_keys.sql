-- Per-client keys. A client's personal values in audit rows are sealed with their key
-- (itself sealed with the server key); erasing the client deletes the key, so the audit
-- rows stay intact and verifiable while their values can no longer be read.
CREATE TABLE client_keys (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    sealed_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX client_keys_client ON client_keys(org_id, client_id);

-- The client a message is about (to them, or to staff naming them), so erasure finds it.
ALTER TABLE outbox ADD COLUMN client_id TEXT;
CREATE INDEX outbox_client ON outbox(client_id);
