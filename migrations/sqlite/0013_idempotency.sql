-- Idempotency-Key (R33): the first answer to a booking request, kept a day per caller (an
-- API key or an account) and key, so that a retried POST gets it again instead of making a
-- second booking. `status` is NULL while the first request is still being answered.
CREATE TABLE idempotency_keys (
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    caller       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, caller, idem_key)
);
