-- Access management: locations, calendars, teams, scoped grants, invitations.

-- Branches ("scheduling instances"); the slug names the public booking page.
CREATE TABLE locations (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    time_zone  TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX locations_org ON locations(org_id, name);

-- Agendas: a staff member's own (member_id) or a resource. Day hours and the morning /
-- afternoon split are minutes after local midnight.
CREATE TABLE calendars (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    location_id        TEXT NOT NULL REFERENCES locations(id),
    member_id          TEXT REFERENCES memberships(id),
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    time_zone          TEXT NOT NULL,
    default_length_min BIGINT NOT NULL DEFAULT 15,
    day_start_min      BIGINT NOT NULL DEFAULT 480,
    day_end_min        BIGINT NOT NULL DEFAULT 1140,
    split_min          BIGINT NOT NULL DEFAULT 780,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX calendars_org ON calendars(org_id, location_id);
CREATE INDEX calendars_member ON calendars(member_id);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE team_members (
    team_id   TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, member_id)
);
CREATE INDEX team_members_member ON team_members(member_id);

-- Where a member's (or a team's) rights apply, and at which level (view < book < manage).
-- scope: org (both ids null) | location (location_id) | calendar (calendar_id and its location_id).
CREATE TABLE grants (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    scope        TEXT NOT NULL,
    location_id  TEXT REFERENCES locations(id) ON DELETE CASCADE,
    calendar_id  TEXT REFERENCES calendars(id) ON DELETE CASCADE,
    level        TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX grants_subject ON grants(org_id, subject_type, subject_id);

-- Emailed invitation links; one live link per membership (a resend supersedes the last).
CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    membership_id TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_by    TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX invitations_membership ON invitations(membership_id);
