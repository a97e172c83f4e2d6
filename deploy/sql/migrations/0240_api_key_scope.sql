-- Keys carry a scope (issue 14): the forces a key may act for, and when it was last used. One row per key; a key with
-- no forces is national. Keys made before this migration get a national row, so they keep working as they did.
-- The scope is fixed at creation (a different scope is a new key); only last_used_ms is ever updated.
-- Numbered 0240 (this branch's range) so it cannot collide with migrations being added in parallel on other branches.
IF OBJECT_ID(N'dbo.api_key_details', N'U') IS NULL
CREATE TABLE dbo.api_key_details (
    key_name        NVARCHAR(128)  NOT NULL CONSTRAINT pk_api_key_details PRIMARY KEY,
    scope_forces    NVARCHAR(2000) NULL,
    scope_region    NVARCHAR(64)   NULL,
    last_used_ms    BIGINT         NULL
);
GO
INSERT INTO dbo.api_key_details (key_name, scope_forces, scope_region, last_used_ms)
SELECT k.name, NULL, NULL, NULL FROM dbo.api_keys k
WHERE NOT EXISTS (SELECT 1 FROM dbo.api_key_details d WHERE d.key_name = k.name);
GO
