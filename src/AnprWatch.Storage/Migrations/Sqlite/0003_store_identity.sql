-- A random identity for this store, written once. serve reads it at start and checks it while it runs, so a store
-- that vanishes or is replaced (a new empty file, a restored or different database) is detected, never written to.
CREATE TABLE IF NOT EXISTS store_identity (store_id TEXT NOT NULL PRIMARY KEY);
INSERT INTO store_identity (store_id) SELECT lower(hex(randomblob(16))) WHERE NOT EXISTS (SELECT 1 FROM store_identity);
