-- The Data Protection key ring, shared by every instance and kept across restarts (DataProtectionKeyStore).
-- Numbered 0102 (with 0100, 0101) so it cannot collide with migrations being added in parallel on other branches.
CREATE TABLE dbo.data_protection_keys (
    key_id          BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT pk_data_protection_keys PRIMARY KEY,
    friendly_name   NVARCHAR(256)  NULL,
    xml             NVARCHAR(MAX)  NOT NULL,
    created_at_ms   BIGINT         NOT NULL
);
GO
