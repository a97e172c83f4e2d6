-- Flagged CSE locations per force (DESIGN §8, issue 17), versioned exactly like marker lists: one active version
-- per force, each replacement a new version, never rewritten.
CREATE TABLE IF NOT EXISTS location_lists (
    list_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    force_code      TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    loaded_by       TEXT    NOT NULL,
    loaded_at_ms    INTEGER NOT NULL,
    sha256          TEXT    NOT NULL,
    location_count  INTEGER NOT NULL,
    added           INTEGER NOT NULL,
    removed         INTEGER NOT NULL,
    changed         INTEGER NOT NULL,
    source          TEXT    NOT NULL,
    is_active       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (force_code, version)
);
CREATE INDEX IF NOT EXISTS ix_location_lists_active ON location_lists (force_code, is_active);

CREATE TABLE IF NOT EXISTS locations (
    list_id       INTEGER NOT NULL REFERENCES location_lists (list_id),
    location_ref  TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    lat           REAL    NOT NULL,
    lon           REAL    NOT NULL,
    radius_m      INTEGER NOT NULL,
    risk_level    TEXT    NOT NULL,
    force_code    TEXT    NOT NULL,
    review_due    TEXT    NOT NULL,
    expires       TEXT    NULL,
    notes         TEXT    NULL,
    PRIMARY KEY (list_id, location_ref)
);
