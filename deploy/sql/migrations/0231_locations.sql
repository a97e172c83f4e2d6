-- Flagged CSE locations per force (DESIGN §8, issue 17), versioned exactly like marker lists: one active version
-- per force, each replacement a new version, never rewritten.
IF OBJECT_ID(N'dbo.location_lists', N'U') IS NULL
    CREATE TABLE dbo.location_lists (
        list_id         BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT pk_location_lists PRIMARY KEY,
        force_code      NVARCHAR(32)   NOT NULL,
        version         BIGINT         NOT NULL,
        loaded_by       NVARCHAR(200)  NOT NULL,
        loaded_at_ms    BIGINT         NOT NULL,
        sha256          VARCHAR(64)    NOT NULL,
        location_count  BIGINT         NOT NULL,
        added           BIGINT         NOT NULL,
        removed         BIGINT         NOT NULL,
        changed         BIGINT         NOT NULL,
        source          NVARCHAR(64)   NOT NULL,
        is_active       BIT            NOT NULL CONSTRAINT df_location_lists_active DEFAULT 0,
        CONSTRAINT uq_location_lists_version UNIQUE (force_code, version)
    );
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_location_lists_active' AND object_id = OBJECT_ID(N'dbo.location_lists'))
    CREATE INDEX ix_location_lists_active ON dbo.location_lists (force_code, is_active);
GO
IF OBJECT_ID(N'dbo.locations', N'U') IS NULL
    CREATE TABLE dbo.locations (
        list_id       BIGINT         NOT NULL CONSTRAINT fk_locations_list REFERENCES dbo.location_lists (list_id),
        location_ref  NVARCHAR(64)   NOT NULL,
        name          NVARCHAR(200)  NOT NULL,
        lat           FLOAT          NOT NULL,
        lon           FLOAT          NOT NULL,
        radius_m      INT            NOT NULL,
        risk_level    NVARCHAR(16)   NOT NULL,
        force_code    NVARCHAR(32)   NOT NULL,
        review_due    CHAR(10)       NOT NULL,
        expires       CHAR(10)       NULL,
        notes         NVARCHAR(1000) NULL,
        CONSTRAINT pk_locations PRIMARY KEY (list_id, location_ref)
    );
GO
