-- Daily tasks that must run once per store, not once per replica (the retention purge and its erasure audit entry):
-- the first instance to insert the (task, day) row runs the task. Numbered 0250 so it cannot collide with
-- migrations added in parallel on other branches.
CREATE TABLE IF NOT EXISTS housekeeping_runs (
    task            TEXT    NOT NULL,
    day             TEXT    NOT NULL,
    claimed_by      TEXT    NOT NULL,
    claimed_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (task, day)
);
