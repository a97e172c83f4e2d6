-- An index for every hot lookup that had none (deploy/sql/README.md lists them all and why). On a large dbo.hits
-- building ix_hits_alert_feed takes a schema lock for the duration: apply it in a quiet period (or add
-- WITH (ONLINE = ON) where the edition allows it).
-- The alert feed every open board polls (alerted hits after a (recorded_at_ms, hit_id) cursor):
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_hits_alert_feed' AND object_id = OBJECT_ID(N'dbo.hits'))
    CREATE INDEX ix_hits_alert_feed ON dbo.hits (recorded_at_ms, hit_id);
GO
-- A marker looked up by plate (markers page, versions containing a VRM):
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_markers_vrm' AND object_id = OBJECT_ID(N'dbo.markers'))
    CREATE INDEX ix_markers_vrm ON dbo.markers (vrm, list_id);
GO
-- The API key presented with every request:
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ux_api_keys_hash' AND object_id = OBJECT_ID(N'dbo.api_keys'))
    CREATE UNIQUE INDEX ux_api_keys_hash ON dbo.api_keys (key_hash);
GO
