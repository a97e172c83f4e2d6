-- The notification outbox (issue 16): one row per (alert, channel, target), written in the same transaction as the
-- batch's hits, so a crash between storing a hit and sending its webhook/e-mail loses nothing. delivery_id is derived
-- from the alert id, channel and target, so re-processing a read (or two instances racing) never queues one twice.
-- A dispatcher claims due rows with a lease (lease_owner, lease_until_ms), sends them, and records the outcome:
-- delivered_at_ms, or attempts + next_attempt_at_ms (exponential backoff with jitter) + last_error.
-- Numbered 0200 (the notifications range) so it cannot collide with migrations being added on other branches.
IF OBJECT_ID(N'dbo.notify_outbox', N'U') IS NULL
CREATE TABLE dbo.notify_outbox (
    delivery_id         VARCHAR(64)     NOT NULL CONSTRAINT pk_notify_outbox PRIMARY KEY,
    alert_id            VARCHAR(64)     NOT NULL,
    hit_id              VARCHAR(32)     NOT NULL,
    channel             VARCHAR(16)     NOT NULL,
    target              NVARCHAR(2048)  NOT NULL,
    priority            VARCHAR(16)     NOT NULL,
    body                NVARCHAR(MAX)   NOT NULL,
    created_at_ms       BIGINT          NOT NULL,
    attempts            INT             NOT NULL CONSTRAINT df_notify_outbox_attempts DEFAULT 0,
    next_attempt_at_ms  BIGINT          NOT NULL,
    last_error          NVARCHAR(1000)  NULL,
    lease_owner         VARCHAR(64)     NULL,
    lease_until_ms      BIGINT          NULL,
    delivered_at_ms     BIGINT          NULL
);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_notify_outbox_due' AND object_id = OBJECT_ID(N'dbo.notify_outbox'))
CREATE INDEX ix_notify_outbox_due ON dbo.notify_outbox (delivered_at_ms, next_attempt_at_ms);
GO
