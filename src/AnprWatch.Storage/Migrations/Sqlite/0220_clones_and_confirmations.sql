-- Possible clones and confirmed misreads (DESIGN §8), in tables of their own beside hits: both are append-only facts
-- about a hit, and CREATE ... IF NOT EXISTS keeps this migration idempotent (SQLite has no ADD COLUMN IF NOT EXISTS).
-- A row in hit_clones marks its hit possibleClone; clone_of_hit_id is the other sighting's hit, or NULL when that
-- sighting was not a stored hit. Written in the hit's own insert transaction, only for a hit not stored before.
CREATE TABLE IF NOT EXISTS hit_clones (
    hit_id          TEXT    NOT NULL PRIMARY KEY,
    clone_of_hit_id TEXT    NULL
);
-- An ocr-equivalent alert confirmed by a later exact read of the same marker within the repeat window. The first
-- confirmation wins; delivered_ms records that the alert sink acknowledged the confirmation message.
CREATE TABLE IF NOT EXISTS hit_confirmations (
    hit_id              TEXT    NOT NULL PRIMARY KEY,
    confirming_read_id  TEXT    NOT NULL,
    confirmed_at_ms     INTEGER NOT NULL,
    confirmed_offset_min INTEGER NOT NULL,
    delivered_ms        INTEGER NULL
);
-- The clone check's one query per batch: each matched marker's latest stored hit.
CREATE INDEX IF NOT EXISTS ix_hits_marker_observed ON hits (marker_id, observed_at_ms);
