-- AnprWatch schema, SQL Server dialect (run by `anprwatch db migrate`, or by a DBA with sqlcmd).
-- Instants are UTC Unix milliseconds (BIGINT) so both dialects compare and index them the same way; dates are ISO text.
CREATE TABLE dbo.marker_lists (
    list_id        BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT pk_marker_lists PRIMARY KEY,
    force_code     NVARCHAR(32)  NOT NULL,
    version        BIGINT        NOT NULL,
    loaded_by      NVARCHAR(128) NOT NULL,
    loaded_at_ms   BIGINT        NOT NULL,
    sha256         CHAR(64)      NOT NULL,
    marker_count   BIGINT        NOT NULL,
    added          BIGINT        NOT NULL,
    removed        BIGINT        NOT NULL,
    changed        BIGINT        NOT NULL,
    source         NVARCHAR(16)  NOT NULL,
    is_active      BIT           NOT NULL CONSTRAINT df_marker_lists_active DEFAULT 0,
    CONSTRAINT uq_marker_lists_version UNIQUE (force_code, version)
);
GO
CREATE INDEX ix_marker_lists_active ON dbo.marker_lists (force_code, is_active);
GO
CREATE TABLE dbo.markers (
    list_id      BIGINT        NOT NULL CONSTRAINT fk_markers_list REFERENCES dbo.marker_lists (list_id),
    marker_id    VARCHAR(32)   NOT NULL,
    vrm          VARCHAR(10)   NOT NULL,
    suspect_ref  NVARCHAR(64)  NOT NULL,
    risk_level   VARCHAR(8)    NOT NULL,
    host_force   NVARCHAR(32)  NOT NULL,
    review_due   CHAR(10)      NOT NULL,
    expires      CHAR(10)      NULL,
    operation    NVARCHAR(100) NULL,
    action       NVARCHAR(500) NULL,
    contact      NVARCHAR(200) NULL,
    marker_type  NVARCHAR(16)  NOT NULL,
    CONSTRAINT pk_markers PRIMARY KEY (list_id, marker_id)
);
GO
CREATE TABLE dbo.hits (
    hit_id              VARCHAR(32)    NOT NULL CONSTRAINT pk_hits PRIMARY KEY,
    alert_id            VARCHAR(32)    NOT NULL,
    read_id             NVARCHAR(64)   NOT NULL,
    marker_id           VARCHAR(32)    NOT NULL,
    vrm                 VARCHAR(10)    NOT NULL,
    marker_vrm          VARCHAR(10)    NOT NULL,
    match_kind          VARCHAR(16)    NOT NULL,
    observed_at_ms      BIGINT         NOT NULL,
    observed_offset_min INT            NOT NULL,
    camera_id           NVARCHAR(64)   NOT NULL,
    site                NVARCHAR(200)  NULL,
    lat                 FLOAT          NULL,
    lon                 FLOAT          NULL,
    direction           NVARCHAR(32)   NULL,
    lane                NVARCHAR(32)   NULL,
    confidence          FLOAT          NULL,
    camera_force        NVARCHAR(32)   NOT NULL,
    host_force          NVARCHAR(32)   NOT NULL,
    risk_level          VARCHAR(8)     NOT NULL,
    priority            VARCHAR(8)     NOT NULL,
    suspect_ref         NVARCHAR(64)   NOT NULL,
    operation           NVARCHAR(100)  NULL,
    action              NVARCHAR(500)  NULL,
    contact             NVARCHAR(200)  NULL,
    review_overdue      BIT            NOT NULL,
    plate_image_url     NVARCHAR(2048) NULL,
    overview_image_url  NVARCHAR(2048) NULL,
    in_force            BIT            NOT NULL,
    alerted             BIT            NOT NULL,
    not_alerted_reason  VARCHAR(16)    NULL,
    recorded_at_ms      BIGINT         NOT NULL,
    CONSTRAINT uq_hits_read_marker UNIQUE (read_id, marker_id)
);
GO
CREATE INDEX ix_hits_observed ON dbo.hits (observed_at_ms);
GO
CREATE INDEX ix_hits_suppression ON dbo.hits (marker_id, camera_force, observed_at_ms);
GO
CREATE TABLE dbo.outcomes (
    outcome_id      BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT pk_outcomes PRIMARY KEY,
    hit_id          VARCHAR(32)    NOT NULL CONSTRAINT fk_outcomes_hit REFERENCES dbo.hits (hit_id) ON DELETE CASCADE,
    status          VARCHAR(16)    NOT NULL,
    note            NVARCHAR(2000) NULL,
    recorded_by     NVARCHAR(128)  NOT NULL,
    recorded_at_ms  BIGINT         NOT NULL
);
GO
CREATE INDEX ix_outcomes_hit ON dbo.outcomes (hit_id, outcome_id);
GO
CREATE TABLE dbo.audit_log (
    audit_id       BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT pk_audit_log PRIMARY KEY,
    at_ms          BIGINT         NOT NULL,
    actor          NVARCHAR(128)  NOT NULL,
    role           NVARCHAR(32)   NOT NULL,
    action         VARCHAR(16)    NOT NULL,
    subject        NVARCHAR(400)  NOT NULL,
    justification  NVARCHAR(1000) NULL,
    detail         NVARCHAR(2000) NULL
);
GO
CREATE INDEX ix_audit_at ON dbo.audit_log (at_ms);
GO
-- DPA 2018 s.62: the log is append-only, enforced by the database itself (and by the login's grants, see logins.sql).
CREATE TRIGGER dbo.audit_log_append_only ON dbo.audit_log INSTEAD OF UPDATE, DELETE
AS BEGIN
    THROW 51000, 'audit_log is append-only', 1;
END;
GO
CREATE TABLE dbo.api_keys (
    key_id          BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT pk_api_keys PRIMARY KEY,
    name            NVARCHAR(128) NOT NULL CONSTRAINT uq_api_keys_name UNIQUE,
    role            VARCHAR(16)   NOT NULL,
    key_hash        CHAR(64)      NOT NULL,
    created_at_ms   BIGINT        NOT NULL,
    revoked_at_ms   BIGINT        NULL
);
GO
