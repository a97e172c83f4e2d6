-- When the alert topic acknowledged a hit's alert: re-processing a read after a crash does not alert twice.
ALTER TABLE hits ADD COLUMN alert_delivered_ms INTEGER NULL;
