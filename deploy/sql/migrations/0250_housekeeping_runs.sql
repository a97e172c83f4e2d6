-- Daily tasks that must run once per store, not once per replica (the retention purge and its erasure audit entry):
-- the first instance to insert the (task, day) row runs the task. Numbered 0250 so it cannot collide with
-- migrations added in parallel on other branches.
CREATE TABLE dbo.housekeeping_runs (
    task            VARCHAR(64)    NOT NULL,
    day             CHAR(10)       NOT NULL,
    claimed_by      NVARCHAR(128)  NOT NULL,
    claimed_at_ms   BIGINT         NOT NULL,
    CONSTRAINT pk_housekeeping_runs PRIMARY KEY (task, day)
);
GO
