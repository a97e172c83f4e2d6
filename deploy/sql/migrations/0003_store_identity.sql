-- A random identity for this store, written once. serve reads it at start and checks it while it runs, so a database
-- that vanishes or is replaced (a restore of another store, a new empty database) is detected, never written to.
IF OBJECT_ID(N'dbo.store_identity', N'U') IS NULL
    CREATE TABLE dbo.store_identity (store_id CHAR(32) NOT NULL CONSTRAINT pk_store_identity PRIMARY KEY);
GO
IF NOT EXISTS (SELECT 1 FROM dbo.store_identity)
    INSERT INTO dbo.store_identity (store_id) VALUES (LOWER(REPLACE(CONVERT(CHAR(36), NEWID()), '-', '')));
GO
