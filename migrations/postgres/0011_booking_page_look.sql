-- How the business's public booking page looks and where it may be shown: its colour
-- ('#rrggbb', empty for Creneau's own) and the websites that may frame it (origins
-- separated by spaces, empty for any website).
ALTER TABLE orgs ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN frame_origins TEXT NOT NULL DEFAULT '';
-- Its logo (PNG, JPEG or WebP, at most 200 KB), base64 text so that both databases keep it
-- the same way; apart from the organisation row, which every request reads.
CREATE TABLE org_logos (
    org_id       TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data         TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
