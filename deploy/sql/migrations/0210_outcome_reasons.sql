-- Structured outcomes (DESIGN §8): a `false-hit` or `no-trace` outcome carries a reason code, kept beside the outcome.
-- Numbered in 0210–0219 so it cannot collide with parallel branches. Idempotent like its SQLite twin.
IF OBJECT_ID('dbo.outcome_reasons') IS NULL
CREATE TABLE dbo.outcome_reasons (
    outcome_id  BIGINT        NOT NULL CONSTRAINT pk_outcome_reasons PRIMARY KEY
                              CONSTRAINT fk_outcome_reasons_outcome REFERENCES dbo.outcomes (outcome_id) ON DELETE CASCADE,
    reason      VARCHAR(32)   NOT NULL
);
GO
-- The per-instance board change cursor reads outcomes recorded after an instant (BoardChangePoller), once a second.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'ix_outcomes_recorded' AND object_id = OBJECT_ID('dbo.outcomes'))
CREATE INDEX ix_outcomes_recorded ON dbo.outcomes (recorded_at_ms);
GO
