-- AnprWatch schema, SQLite dialect. Instants are UTC Unix milliseconds; dates are ISO yyyy-MM-dd text.
CREATE TABLE marker_lists (
    list_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    force_code     TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    loaded_by      TEXT    NOT NULL,
    loaded_at_ms   INTEGER NOT NULL,
    sha256         TEXT    NOT NULL,
    marker_count   INTEGER NOT NULL,
    added          INTEGER NOT NULL,
    removed        INTEGER NOT NULL,
    changed        INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    is_active      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (force_code, version)
);
CREATE INDEX ix_marker_lists_active ON marker_lists (force_code, is_active);

CREATE TABLE markers (
    list_id      INTEGER NOT NULL REFERENCES marker_lists (list_id),
    marker_id    TEXT    NOT NULL,
    vrm          TEXT    NOT NULL,
    suspect_ref  TEXT    NOT NULL,
    risk_level   TEXT    NOT NULL,
    host_force   TEXT    NOT NULL,
    review_due   TEXT    NOT NULL,
    expires      TEXT    NULL,
    operation    TEXT    NULL,
    action       TEXT    NULL,
    contact      TEXT    NULL,
    marker_type  TEXT    NOT NULL,
    PRIMARY KEY (list_id, marker_id)
);

CREATE TABLE hits (
    hit_id              TEXT    NOT NULL PRIMARY KEY,
    alert_id            TEXT    NOT NULL,
    read_id             TEXT    NOT NULL,
    marker_id           TEXT    NOT NULL,
    vrm                 TEXT    NOT NULL,
    marker_vrm          TEXT    NOT NULL,
    match_kind          TEXT    NOT NULL,
    observed_at_ms      INTEGER NOT NULL,
    observed_offset_min INTEGER NOT NULL,
    camera_id           TEXT    NOT NULL,
    site                TEXT    NULL,
    lat                 REAL    NULL,
    lon                 REAL    NULL,
    direction           TEXT    NULL,
    lane                TEXT    NULL,
    confidence          REAL    NULL,
    camera_force        TEXT    NOT NULL,
    host_force          TEXT    NOT NULL,
    risk_level          TEXT    NOT NULL,
    priority            TEXT    NOT NULL,
    suspect_ref         TEXT    NOT NULL,
    operation           TEXT    NULL,
    action              TEXT    NULL,
    contact             TEXT    NULL,
    review_overdue      INTEGER NOT NULL,
    plate_image_url     TEXT    NULL,
    overview_image_url  TEXT    NULL,
    in_force            INTEGER NOT NULL,
    alerted             INTEGER NOT NULL,
    not_alerted_reason  TEXT    NULL,
    recorded_at_ms      INTEGER NOT NULL,
    UNIQUE (read_id, marker_id)
);
CREATE INDEX ix_hits_observed ON hits (observed_at_ms);
CREATE INDEX ix_hits_suppression ON hits (marker_id, camera_force, observed_at_ms);

CREATE TABLE outcomes (
    outcome_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    hit_id          TEXT    NOT NULL REFERENCES hits (hit_id) ON DELETE CASCADE,
    status          TEXT    NOT NULL,
    note            TEXT    NULL,
    recorded_by     TEXT    NOT NULL,
    recorded_at_ms  INTEGER NOT NULL
);
CREATE INDEX ix_outcomes_hit ON outcomes (hit_id, outcome_id);

CREATE TABLE audit_log (
    audit_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms          INTEGER NOT NULL,
    actor          TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    justification  TEXT    NULL,
    detail         TEXT    NULL
);
CREATE INDEX ix_audit_at ON audit_log (at_ms);

-- DPA 2018 s.62: the log is append-only, enforced by the database itself.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE api_keys (
    key_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL UNIQUE,
    role            TEXT    NOT NULL,
    key_hash        TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    revoked_at_ms   INTEGER NULL
);
