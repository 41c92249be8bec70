-- API keys (R32): one organisation's, made by one of its members, whose rights they never
-- exceed. The secret is kept as its SHA-256 (it is random, so a fast hash is enough); its
-- first characters stay readable to tell keys apart. Scopes, locations and calendars are
-- JSON arrays (empty locations and calendars: wherever the creator works).
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    member_id    TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    locations    TEXT NOT NULL,
    calendars    TEXT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    last_used_ip TEXT,
    revoked_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX api_keys_by_org ON api_keys (org_id, created_at);
