-- Bookings last at most 24 hours (the service refuses longer ones); the database says so too,
-- as on SQLite, where the overlap triggers rely on it to look back only 24 hours.
ALTER TABLE bookings ADD CONSTRAINT bookings_max_length CHECK (end_at - start_at <= 86400000);
