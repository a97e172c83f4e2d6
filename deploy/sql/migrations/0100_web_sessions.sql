-- Browser sessions live on the server: a cookie names a session (by the SHA-256 of its random id), the session names
-- its API key, and every request checks both. Revoking the key or signing out ends the session everywhere.
-- Numbered 0100 so it cannot collide with migrations being added in parallel on other branches.
CREATE TABLE dbo.web_sessions (
    session_hash    CHAR(64)      NOT NULL CONSTRAINT pk_web_sessions PRIMARY KEY,
    key_name        NVARCHAR(128) NOT NULL,
    created_at_ms   BIGINT        NOT NULL,
    ended_at_ms     BIGINT        NULL
);
GO
CREATE INDEX ix_web_sessions_key ON dbo.web_sessions (key_name);
GO
