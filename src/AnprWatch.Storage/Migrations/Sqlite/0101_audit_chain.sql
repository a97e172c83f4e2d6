-- A tamper-evident audit log: each entry carries the SHA-256 of its canonical fields and of the previous entry's hash
-- (AuditLog.Hash), so `anprwatch audit verify` finds an entry that was changed, removed or inserted out of order even by
-- someone who can write the file. Entries from before this migration have no hash and are reported as unchained.
-- Numbered 0101 (with 0100) so it cannot collide with migrations being added in parallel on other branches.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NULL;
ALTER TABLE audit_log ADD COLUMN entry_hash TEXT NULL;

-- INSERT OR REPLACE deletes the old row without firing the delete trigger: refuse any insert over an existing entry.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.audit_id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE audit_id = NEW.audit_id)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
