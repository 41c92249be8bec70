-- An organisation's own time zone: the default of its new locations and the country whose
-- national phone numbers its client directory understands.
ALTER TABLE orgs ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Paris';
