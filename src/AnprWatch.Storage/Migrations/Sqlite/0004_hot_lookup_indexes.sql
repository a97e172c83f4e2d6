-- An index for every hot lookup that had none (deploy/sql/README.md lists them all and why):
-- the alert feed every open board polls (alerted hits after a (recorded_at_ms, hit_id) cursor),
CREATE INDEX IF NOT EXISTS ix_hits_alert_feed ON hits (recorded_at_ms, hit_id);
-- a marker looked up by plate (markers page, versions containing a VRM),
CREATE INDEX IF NOT EXISTS ix_markers_vrm ON markers (vrm, list_id);
-- and the API key presented with every request.
CREATE UNIQUE INDEX IF NOT EXISTS ux_api_keys_hash ON api_keys (key_hash);
