-- Browser sessions live on the server: a cookie names a session (by the SHA-256 of its random id), the session names
-- its API key, and every request checks both. Revoking the key or signing out ends the session everywhere.
-- Numbered 0100 so it cannot collide with migrations being added in parallel on other branches.
CREATE TABLE web_sessions (
    session_hash    TEXT    NOT NULL PRIMARY KEY,
    key_name        TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    ended_at_ms     INTEGER NULL
);
CREATE INDEX ix_web_sessions_key ON web_sessions (key_name);
