-- Keys carry a scope (issue 14): the forces a key may act for, and when it was last used. One row per key; a key with
-- no forces is national. Keys made before this migration get a national row, so they keep working as they did.
-- The scope is fixed at creation (a different scope is a new key); only last_used_ms is ever updated.
-- Numbered 0240 (this branch's range) so it cannot collide with migrations being added in parallel on other branches.
CREATE TABLE IF NOT EXISTS api_key_details (
    key_name        TEXT    NOT NULL PRIMARY KEY,
    scope_forces    TEXT    NULL,
    scope_region    TEXT    NULL,
    last_used_ms    INTEGER NULL
);
INSERT INTO api_key_details (key_name, scope_forces, scope_region, last_used_ms)
SELECT k.name, NULL, NULL, NULL FROM api_keys k
WHERE NOT EXISTS (SELECT 1 FROM api_key_details d WHERE d.key_name = k.name);
