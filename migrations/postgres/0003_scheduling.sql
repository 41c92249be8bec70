-- Scheduling (PostgreSQL twin of migrations/sqlite/0003_scheduling.sql).

CREATE TABLE services (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    length_min         BIGINT NOT NULL,
    buffer_before_min  BIGINT NOT NULL DEFAULT 0,
    buffer_after_min   BIGINT NOT NULL DEFAULT 0,
    min_notice_min     BIGINT NOT NULL DEFAULT 0,
    max_advance_days   BIGINT NOT NULL DEFAULT 90,
    step_min           BIGINT NOT NULL DEFAULT 15,
    price_cents        BIGINT,
    currency           TEXT NOT NULL DEFAULT 'EUR',
    public             BIGINT NOT NULL DEFAULT 1,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX services_org ON services(org_id, name);

-- Which calendars offer which services (the per-calendar toggle).
CREATE TABLE calendar_services (
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    service_id  TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    PRIMARY KEY (calendar_id, service_id)
);
CREATE INDEX calendar_services_service ON calendar_services(service_id);

-- Weekly hours (weekday 0 = Monday), several intervals a day, local minutes.
CREATE TABLE working_hours (
    id          TEXT PRIMARY KEY,
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    weekday     BIGINT NOT NULL,
    start_min   BIGINT NOT NULL,
    end_min     BIGINT NOT NULL
);
CREATE INDEX working_hours_calendar ON working_hours(calendar_id);

-- A date's own hours; a row with null minutes closes the day.
CREATE TABLE hour_overrides (
    id          TEXT PRIMARY KEY,
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    start_min   BIGINT,
    end_min     BIGINT
);
CREATE INDEX hour_overrides_calendar ON hour_overrides(calendar_id, day);

-- Holidays, sick leave…
CREATE TABLE unavailability (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    start_at    BIGINT NOT NULL,
    end_at      BIGINT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX unavailability_window ON unavailability(calendar_id, end_at, start_at);

CREATE TABLE clients (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    email        TEXT,
    email_norm   TEXT,
    phone        TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    erased_at    BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX clients_org_email ON clients(org_id, email_norm);
CREATE INDEX clients_org_name ON clients(org_id, last_name, first_name);

-- Instants are epoch milliseconds; [start_at, end_at) half-open. Cancelled bookings free
-- their time. Overlap of active bookings on one calendar is refused by the database.
CREATE TABLE bookings (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    location_id       TEXT NOT NULL REFERENCES locations(id),
    calendar_id       TEXT NOT NULL REFERENCES calendars(id),
    service_id        TEXT REFERENCES services(id),
    client_id         TEXT REFERENCES clients(id),
    start_at          BIGINT NOT NULL,
    end_at            BIGINT NOT NULL,
    buffer_before_min BIGINT NOT NULL DEFAULT 0,
    buffer_after_min  BIGINT NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,
    notes             TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL,
    manage_token_hash TEXT UNIQUE,
    created_by        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK (start_at < end_at)
);
CREATE INDEX bookings_calendar_window ON bookings(calendar_id, start_at, end_at);
CREATE INDEX bookings_org_start ON bookings(org_id, start_at);
CREATE INDEX bookings_client ON bookings(client_id, start_at);

-- The database itself refuses two active bookings that overlap on one calendar, whatever
-- the number of processes or servers writing at once.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (calendar_id WITH =, int8range(start_at, end_at) WITH &&)
    WHERE (status <> 'cancelled');
