-- Webhooks (R34): endpoints an organisation's member subscribed to event types, signed as the
-- Standard Webhooks specification says with a `whsec_` secret (kept sealed with the server
-- key). Messages come from the organisation's audit chain (`webhook_cursors`: the last row
-- read), one per endpoint and event, retried with back-off; every attempt is logged.
CREATE TABLE webhook_endpoints (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    member_id     TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    events        TEXT NOT NULL,
    status        TEXT NOT NULL,
    failures      BIGINT NOT NULL DEFAULT 0,
    -- The chain's head when it was made: it hears of what comes after, never of before.
    from_seq      BIGINT NOT NULL DEFAULT 0,
    disabled_at   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (org_id, created_at);
CREATE TABLE webhook_cursors (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL
);
CREATE TABLE webhook_messages (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX webhook_messages_due ON webhook_messages (state, next_attempt_at);
CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id, created_at);
CREATE TABLE webhook_attempts (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES webhook_messages(id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    status     BIGINT,
    latency_ms BIGINT NOT NULL,
    excerpt    TEXT NOT NULL
);
CREATE INDEX webhook_attempts_by_message ON webhook_attempts (message_id, at);
