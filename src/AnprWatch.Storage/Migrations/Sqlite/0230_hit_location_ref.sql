-- Flagged CSE locations (DESIGN §8, issue 17): the location that raised a hit's priority, or NULL.
-- SQLite has no ADD COLUMN IF NOT EXISTS: the journal runs this once, and the idempotent tables are in 0231 (the
-- newest migration of this range, which the older-schema test re-applies).
ALTER TABLE hits ADD COLUMN location_ref TEXT NULL;
