-- When the alert topic acknowledged a hit's alert: re-processing a read after a crash does not alert twice.
ALTER TABLE dbo.hits ADD alert_delivered_ms BIGINT NULL;
GO
