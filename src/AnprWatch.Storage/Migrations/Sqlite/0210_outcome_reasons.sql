-- Structured outcomes (DESIGN §8): a `false-hit` or `no-trace` outcome carries a reason code, kept beside the outcome
-- (a table of its own so the migration can be re-applied: SQLite has no ADD COLUMN IF NOT EXISTS). The evaluation
-- report and the board read it with the outcome. Numbered in 0210–0219 so it cannot collide with parallel branches.
CREATE TABLE IF NOT EXISTS outcome_reasons (
    outcome_id  INTEGER NOT NULL PRIMARY KEY REFERENCES outcomes (outcome_id) ON DELETE CASCADE,
    reason      TEXT    NOT NULL
);
-- The per-instance board change cursor reads outcomes recorded after an instant (BoardChangePoller), once a second.
CREATE INDEX IF NOT EXISTS ix_outcomes_recorded ON outcomes (recorded_at_ms);
