-- Foundation schema. Instants are BIGINT milliseconds since the Unix epoch (UTC);
-- identifiers are UUIDv7 text. The PostgreSQL twin of this file has the same shape.

CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL,
    email_norm          TEXT NOT NULL UNIQUE,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    password_hash       TEXT,
    mobile_phone        TEXT,
    country             TEXT,
    time_zone           TEXT NOT NULL,
    language            TEXT,
    email_verified_at   BIGINT,
    blocked_at          BIGINT,
    totp_secret         TEXT,
    totp_pending_secret TEXT,
    totp_enabled_at     BIGINT,
    totp_last_step      BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE orgs (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    require_totp BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- A person's place in an organisation. It can exist before the person has an account
-- (created inactive, or invited): account_id is set when the invitation is accepted.
-- status: inactive | invited | active | blocked | removed (history stays attributed).
CREATE TABLE memberships (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    account_id     TEXT REFERENCES accounts(id),
    email          TEXT NOT NULL,
    email_norm     TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    role           TEXT NOT NULL,
    status         TEXT NOT NULL,
    toggles        TEXT NOT NULL DEFAULT '{}',
    last_active_at BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (org_id, email_norm)
);
CREATE UNIQUE INDEX memberships_org_account ON memberships(org_id, account_id);
CREATE INDEX memberships_account ON memberships(account_id);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    active_org_id TEXT REFERENCES orgs(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_account ON sessions(account_id);

-- A sign-up waits here until its address is confirmed; the account is created only then,
-- from the details of the very request whose link was clicked (so nobody can pre-register
-- someone else's address with a password of their own).
CREATE TABLE signups (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    email_norm    TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language      TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX signups_email ON signups(email_norm);

-- Single-use emailed tokens: email verification, password reset, first password.
CREATE TABLE account_tokens (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email_norm TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

-- Side effects (mail, SMS, webhooks) are rows written with the change that causes them.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    org_id          TEXT,
    recipient       TEXT NOT NULL,
    payload         TEXT,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Fixed-window counters shared by every server instance.
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- Append-only audit trail; each chain (an organisation, or '-' for platform events)
-- is a hash chain: hash = sha256(prev_hash || canonical row).
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    chain       TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    org_id      TEXT,
    location_id TEXT,
    at          BIGINT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT,
    actor_label TEXT,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT,
    before_json TEXT,
    after_json  TEXT,
    ip          TEXT,
    request_id  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);
CREATE INDEX audit_log_org_at ON audit_log(org_id, at);
CREATE INDEX audit_log_actor ON audit_log(org_id, actor_id);

-- The head of each chain; updating it serialises writers of one chain.
CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
