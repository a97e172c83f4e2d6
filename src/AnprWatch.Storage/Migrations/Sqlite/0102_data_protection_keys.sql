-- The Data Protection key ring, shared by every instance and kept across restarts (DataProtectionKeyStore).
-- Numbered 0102 (with 0100, 0101) so it cannot collide with migrations being added in parallel on other branches.
CREATE TABLE IF NOT EXISTS data_protection_keys (
    key_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    friendly_name   TEXT    NULL,
    xml             TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL
);
