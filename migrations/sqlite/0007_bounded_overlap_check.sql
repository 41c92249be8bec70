-- Bookings last at most 24 hours (the service refuses longer ones); the database now says so
-- too, which lets the overlap triggers look back 24 hours from the new start instead of over
-- the calendar's whole history. Before, inserting a booking scanned every earlier booking of
-- its calendar (slow on a calendar with years of history); now it is one short indexed range
-- on bookings_calendar_window, whatever the number of past bookings.
CREATE TRIGGER bookings_max_length_insert BEFORE INSERT ON bookings
WHEN NEW.end_at - NEW.start_at > 86400000
BEGIN
    SELECT RAISE(ABORT, 'bookings_max_length');
END;

CREATE TRIGGER bookings_max_length_update BEFORE UPDATE OF start_at, end_at ON bookings
WHEN NEW.end_at - NEW.start_at > 86400000
BEGIN
    SELECT RAISE(ABORT, 'bookings_max_length');
END;

-- Another booking meets [NEW.start_at, NEW.end_at) only if it starts before NEW.end_at and,
-- lasting at most 24 hours, after NEW.start_at - 24 hours.
DROP TRIGGER bookings_no_overlap_insert;
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.calendar_id = NEW.calendar_id AND b.status <> 'cancelled'
      AND b.start_at > NEW.start_at - 86400000 AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;

DROP TRIGGER bookings_no_overlap_update;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF calendar_id, start_at, end_at, status ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.calendar_id = NEW.calendar_id AND b.status <> 'cancelled'
      AND b.start_at > NEW.start_at - 86400000 AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
