-- How the business's public booking page looks and where it may be shown: its colour
-- ('#rrggbb', empty for Creneau's own) and the websites that may frame it (origins
-- separated by spaces, empty for any website).
ALTER TABLE orgs ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN frame_origins TEXT NOT NULL DEFAULT '';
