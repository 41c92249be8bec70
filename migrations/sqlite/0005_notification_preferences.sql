-- Which booking events reach a member, on which channel. A missing row is the default
-- (email on, SMS off), so members need no rows until they change something.
CREATE TABLE notification_preferences (
    membership_id TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    event         TEXT NOT NULL,
    channel       TEXT NOT NULL,
    enabled       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (membership_id, event, channel)
);

-- Text messages cost money: an organisation sends none until it turns them on.
ALTER TABLE orgs ADD COLUMN sms_enabled BIGINT NOT NULL DEFAULT 0;

-- The provider's id of a delivered message (Twilio's SM… sid), for support.
ALTER TABLE outbox ADD COLUMN provider_ref TEXT;
