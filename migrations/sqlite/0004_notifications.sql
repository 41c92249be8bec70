-- Reminders are sent once per booking; the column is claimed by the worker that sends it.
ALTER TABLE bookings ADD COLUMN reminder_sent_at BIGINT;
CREATE INDEX bookings_reminders ON bookings(status, start_at);
-- The language to write to the client in (set from the booking page's language).
ALTER TABLE clients ADD COLUMN language TEXT;
