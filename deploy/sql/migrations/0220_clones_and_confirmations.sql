-- Possible clones and confirmed misreads (DESIGN §8), in tables of their own beside hits: both are append-only facts
-- about a hit. A row in hit_clones marks its hit possibleClone; clone_of_hit_id is the other sighting's hit, or NULL
-- when that sighting was not a stored hit. Written in the hit's own insert transaction, only for a hit not stored before.
IF OBJECT_ID('dbo.hit_clones') IS NULL
CREATE TABLE dbo.hit_clones (
    hit_id          VARCHAR(32)    NOT NULL CONSTRAINT pk_hit_clones PRIMARY KEY,
    clone_of_hit_id VARCHAR(32)    NULL
);
GO
-- An ocr-equivalent alert confirmed by a later exact read of the same marker within the repeat window. The first
-- confirmation wins; delivered_ms records that the alert sink acknowledged the confirmation message.
IF OBJECT_ID('dbo.hit_confirmations') IS NULL
CREATE TABLE dbo.hit_confirmations (
    hit_id               VARCHAR(32)    NOT NULL CONSTRAINT pk_hit_confirmations PRIMARY KEY,
    confirming_read_id   NVARCHAR(64)   NOT NULL,
    confirmed_at_ms      BIGINT         NOT NULL,
    confirmed_offset_min INT            NOT NULL,
    delivered_ms         BIGINT         NULL
);
GO
-- The clone check's one query per batch: each matched marker's latest stored hit.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'ix_hits_marker_observed' AND object_id = OBJECT_ID('dbo.hits'))
CREATE INDEX ix_hits_marker_observed ON dbo.hits (marker_id, observed_at_ms);
GO
