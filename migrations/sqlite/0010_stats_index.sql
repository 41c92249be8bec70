-- The statistics' two grouped queries read only the index: organisation and start bound the
-- window; calendar, service, status and end are all they count and sum.
CREATE INDEX bookings_stats ON bookings(org_id, start_at, calendar_id, service_id, status, end_at);
